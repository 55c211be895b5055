/**
 * Shape arithmetic shared by the frontend and every backend: broadcasting, strides (always in
 * elements), dim normalisation and the stride rules that decide whether a reshape is a view.
 */
import { IndexError, ShapeError, ValueError } from './errors';

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
	let n = 1;
	for (let i = 0; i < shape.length; i++) n *= shape[i];
	return n;
}

/** Computes the row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
	const strides = new Array<number>(shape.length);
	let step = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		strides[i] = step;
		step *= shape[i];
	}
	return strides;
}

/** Tells whether a view with these strides walks its elements in row-major order without gaps. */
export function isContiguous(shape: Shape, strides: Shape): boolean {
	let step = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		if (shape[i] !== 1 && strides[i] !== step) return false;
		step *= shape[i];
	}
	return true;
}

/**
 * Checks whether a view's strides are a permutation of contiguous strides, so that its elements
 * fill one block of memory exactly once (PyTorch's `is_non_overlapping_and_dense`).
 */
export function isNonOverlappingAndDense(shape: Shape, strides: Shape): boolean {
	const dims = shape
		.map((_, d) => d)
		.filter((d) => shape[d] !== 1)
		.sort((a, b) => strides[a] - strides[b]);
	let step = 1;
	for (const d of dims) {
		if (strides[d] !== step) return false;
		step *= shape[d];
	}
	return true;
}

export function sameShape(a: Shape, b: Shape): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

export function formatShape(shape: Shape): string {
	return `[${shape.join(', ')}]`;
}

/**
 * Maps a possibly negative dim into [0, ndim). A 0-d tensor accepts dims -1 and 0, as in
 * PyTorch.
 */
export function normalizeDim(dim: number, ndim: number, op = 'dim'): number {
	const rank = Math.max(ndim, 1);
	if (!Number.isInteger(dim) || dim < -rank || dim >= rank) {
		throw new IndexError(
			`${op}: Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], but got ${dim})`
		);
	}
	return dim < 0 ? dim + rank : dim;
}

/** Normalises a list of dims, rejecting repeats. */
export function normalizeDims(dims: readonly number[], ndim: number, op: string): number[] {
	const result = dims.map((d) => normalizeDim(d, ndim, op));
	for (let i = 0; i < result.length; i++) {
		if (result.indexOf(result[i]) !== i) {
			throw new IndexError(`${op}: dim ${result[i]} appears multiple times in the list of dims`);
		}
	}
	return result;
}

/** Computes the broadcast shape of two operands, as `torch.broadcast_shapes`. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast_shapes'): number[] {
	const ndim = Math.max(a.length, b.length);
	const out = new Array<number>(ndim);
	for (let i = 0; i < ndim; i++) {
		const da = i < ndim - a.length ? 1 : a[i - (ndim - a.length)];
		const db = i < ndim - b.length ? 1 : b[i - (ndim - b.length)];
		if (da !== db && da !== 1 && db !== 1) {
			throw new ShapeError(
				`${op}: The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}, got shapes ${formatShape(a)} and ${formatShape(b)}`
			);
		}
		out[i] = da === 1 ? db : da;
	}
	return out;
}

/**
 * Strides that read an operand of `shape` as if it had `outShape`: broadcast dims get
 * stride 0, missing leading dims are added.
 */
export function broadcastStrides(shape: Shape, strides: Shape, outShape: Shape): number[] {
	const lead = outShape.length - shape.length;
	const result = new Array<number>(outShape.length);
	for (let i = 0; i < outShape.length; i++) {
		const j = i - lead;
		result[i] = j < 0 || shape[j] === 1 ? 0 : strides[j];
	}
	return result;
}

/** Resolves one `-1` in a requested shape and checks that the element count is kept. */
export function inferShape(requested: Shape, numel: number, op: string, from: Shape): number[] {
	let inferred = -1;
	let known = 1;
	for (let i = 0; i < requested.length; i++) {
		const d = requested[i];
		if (d === -1) {
			if (inferred >= 0) throw new ShapeError(`${op}: only one dimension can be inferred`);
			inferred = i;
		} else if (!Number.isInteger(d) || d < 0) {
			throw new ShapeError(`${op}: invalid shape dimension ${d} in ${formatShape(requested)}`);
		} else {
			known *= d;
		}
	}
	const shape = requested.slice();
	if (inferred >= 0) {
		if (known === 0 || numel % known !== 0) {
			throw new ShapeError(
				`${op}: shape '${formatShape(requested)}' is invalid for input of size ${numel} (input shape ${formatShape(from)})`
			);
		}
		shape[inferred] = numel / known;
	} else if (known !== numel) {
		throw new ShapeError(
			`${op}: shape '${formatShape(requested)}' is invalid for input of size ${numel} (input shape ${formatShape(from)})`
		);
	}
	return shape;
}

/**
 * Strides that let a tensor of (shape, strides) be viewed as `newShape` without copying, or
 * null when some dimension would span two non-contiguous chunks (then reshape copies).
 * Follows PyTorch's rule: each run of old dims that is contiguous within itself maps onto a
 * run of new dims with the same element count.
 */
export function viewStrides(shape: Shape, strides: Shape, newShape: Shape): number[] | null {
	const numel = numelOf(shape);
	const result = new Array<number>(newShape.length);
	if (numel === 0 || shape.length === 0) return contiguousStrides(newShape);

	let viewD = newShape.length - 1;
	let chunkBase = strides.length > 0 ? strides[strides.length - 1] : 1;
	let tensorNumel = 1;
	let viewNumel = 1;
	for (let d = shape.length - 1; d >= 0; d--) {
		tensorNumel *= shape[d];
		const chunkEnds = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase);
		if (!chunkEnds) continue;
		while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
			result[viewD] = viewNumel * chunkBase;
			viewNumel *= newShape[viewD];
			viewD--;
		}
		if (viewNumel !== tensorNumel) return null;
		if (d > 0) {
			chunkBase = strides[d - 1];
			tensorNumel = 1;
			viewNumel = 1;
		}
	}
	if (viewD !== -1) return null;
	return result;
}

/**
 * The most elements one tensor may hold. NOTE: storage offsets and the WebGPU kernels' indices
 * are 32-bit integers, so larger tensors could not be indexed even where memory allows.
 */
export const MAX_NUMEL = 2 ** 31 - 1;

function describeSize(value: unknown): string {
	return typeof value === 'string' ? `'${value}'` : String(value);
}

/** Reads `(2, 3)`, `([2, 3])` or `([2, 3], options)` style size arguments. */
export function sizesFromArgs(args: readonly unknown[], op: string): number[] {
	const first = args[0];
	const last = args[args.length - 1];
	const positional =
		args.length > 0 && typeof last === 'object' && last !== null && !Array.isArray(last)
			? args.slice(0, -1)
			: args;
	const sizes: readonly unknown[] = Array.isArray(first) ? first : positional;
	sizes.forEach((s, i) => {
		if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
			const listed = sizes.map(describeSize).join(', ');
			throw new ValueError(
				`${op}: size arguments must be non-negative integers, got ${describeSize(s)} at position ${i} of (${listed}). Pass whole numbers such as ${op}(2, 3).`
			);
		}
	});
	const numel = (sizes as number[]).reduce((a, b) => a * b, 1);
	if (numel > MAX_NUMEL) {
		throw new ValueError(
			`${op}: a tensor may hold at most ${MAX_NUMEL} elements, got ${numel} for size ${formatShape(sizes as number[])}. Use a smaller size.`
		);
	}
	return sizes as number[];
}
