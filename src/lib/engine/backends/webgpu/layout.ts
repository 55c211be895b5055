/**
 * View geometry for kernels: dims that every operand walks as one run are merged, and
 * size-1 dims dropped, so a contiguous tensor becomes rank 1 and a broadcast bias add rank 2.
 * Fewer dims mean less index arithmetic per thread and fewer distinct pipelines.
 */

export interface Collapsed {
	shape: number[];
	/** One list per operand, in the order given. */
	strides: number[][];
}

/** Merges dims of `shape` for operands whose strides have `shape`'s rank (0 = broadcast). */
export function collapseDims(
	shape: readonly number[],
	strideLists: readonly (readonly number[])[]
): Collapsed {
	const merged: Collapsed = { shape: [], strides: strideLists.map(() => []) };
	for (let d = 0; d < shape.length; d++) {
		const size = shape[d];
		if (size === 1) continue;
		const last = merged.shape.length - 1;
		let mergeable = last >= 0;
		for (let k = 0; k < strideLists.length && mergeable; k++) {
			mergeable = merged.strides[k][last] === strideLists[k][d] * size;
		}
		if (mergeable) {
			merged.shape[last] *= size;
			for (let k = 0; k < strideLists.length; k++) merged.strides[k][last] = strideLists[k][d];
		} else {
			merged.shape.push(size);
			for (let k = 0; k < strideLists.length; k++) merged.strides[k].push(strideLists[k][d]);
		}
	}
	return merged;
}

export function product(values: readonly number[]): number {
	let result = 1;
	for (const v of values) result *= v;
	return result;
}

/** Whether two views of one storage cover the same elements in the same order. */
export function sameGeometry(
	a: { shape: readonly number[]; strides: readonly number[]; offset: number },
	b: { shape: readonly number[]; strides: readonly number[]; offset: number }
): boolean {
	if (a.offset !== b.offset || a.shape.length !== b.shape.length) return false;
	for (let d = 0; d < a.shape.length; d++) {
		if (a.shape[d] !== b.shape[d]) return false;
		if (a.shape[d] !== 1 && a.strides[d] !== b.strides[d]) return false;
	}
	return true;
}
