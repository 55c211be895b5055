/**
 * Loop geometry for CPU kernels. Operands read together are walked in the row-major order of
 * the output shape, as rows. Dims that are contiguous for every operand are merged, so a
 * contiguous tensor is one long row and a broadcast bias add is one row per batch entry. A
 * kernel then runs a tight loop per row with one stride per operand.
 */
import type { Shape } from '../../shape';

export interface Strided {
	readonly strides: readonly number[];
	readonly offset: number;
}

export interface RowLayout {
	/** Number of rows. */
	readonly rows: number;
	/** Elements per row. */
	readonly length: number;
	/** Stride inside a row, per operand. */
	readonly strides: number[];
	/** Offset of each row's first element, per operand. */
	readonly starts: Int32Array[];
}

/**
 * Plans rows over `shape` for operands whose strides already have `shape`'s rank (broadcast
 * dims have stride 0).
 */
export function rowLayout(shape: Shape, operands: readonly Strided[]): RowLayout {
	const count = operands.length;
	const sizes: number[] = [];
	const strides: number[][] = operands.map(() => []);

	// Merge each dim into the previous kept dim when every operand steps through both as one.
	for (let d = 0; d < shape.length; d++) {
		const size = shape[d];
		if (size === 1) continue;
		const last = sizes.length - 1;
		let mergeable = last >= 0;
		for (let k = 0; k < count && mergeable; k++) {
			mergeable = strides[k][last] === operands[k].strides[d] * size;
		}
		if (mergeable) {
			sizes[last] *= size;
			for (let k = 0; k < count; k++) strides[k][last] = operands[k].strides[d];
		} else {
			sizes.push(size);
			for (let k = 0; k < count; k++) strides[k].push(operands[k].strides[d]);
		}
	}

	const length = sizes.length > 0 ? sizes[sizes.length - 1] : 1;
	const outer = sizes.slice(0, -1);
	let rows = 1;
	for (const s of outer) rows *= s;
	if (shape.some((s) => s === 0)) rows = 0;

	const starts = operands.map((op, k) => rowStarts(outer, strides[k], op.offset, rows));
	const inner = strides.map((s) => (sizes.length > 0 ? s[s.length - 1] : 0));
	return { rows, length: rows === 0 ? 0 : length, strides: inner, starts };
}

/** Offsets of every element of (shape, strides) from `offset`, in row-major order. */
export function elementOffsets(shape: Shape, strides: Shape, offset: number): Int32Array {
	let total = 1;
	for (const s of shape) total *= s;
	return rowStarts(shape, strides, offset, total);
}

function rowStarts(outer: Shape, strides: Shape, offset: number, rows: number): Int32Array {
	const starts = new Int32Array(rows);
	if (rows === 0) return starts;
	const ndim = outer.length;
	const index = new Array<number>(ndim).fill(0);
	let position = offset;
	for (let r = 0; r < rows; r++) {
		starts[r] = position;
		for (let d = ndim - 1; d >= 0; d--) {
			if (++index[d] < outer[d]) {
				position += strides[d];
				break;
			}
			position -= strides[d] * (outer[d] - 1);
			index[d] = 0;
		}
	}
	return starts;
}
