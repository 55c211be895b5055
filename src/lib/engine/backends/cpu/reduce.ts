/** Reduction CPU kernels. Float sums accumulate in double and round once at the end. */
import { float32 } from '../../dtype';
import { isContiguous } from '../../shape';
import type { ReduceOp, View } from '../backend';
import { dataOf } from './elementwise';
import { elementOffsets, rowLayout } from './iterate';

type Data = ReturnType<typeof dataOf>;

/** Folds n elements of x, from `base` in steps of `s`, into `acc`. */
type RowFold = (x: Data, base: number, s: number, n: number, acc: number) => number;

const FOLDS: Record<ReduceOp, RowFold> = {
	sum: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) acc += x[base + j * s];
		return acc;
	},
	mean: (x, base, s, n, acc) => FOLDS.sum(x, base, s, n, acc),
	prod: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) acc *= x[base + j * s];
		return acc;
	},
	amax: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) {
			const v = x[base + j * s];
			if (v > acc || v !== v) acc = v;
			if (acc !== acc) return acc;
		}
		return acc;
	},
	amin: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) {
			const v = x[base + j * s];
			if (v < acc || v !== v) acc = v;
			if (acc !== acc) return acc;
		}
		return acc;
	},
	all: (x, base, s, n, acc) => {
		for (let j = 0; j < n && acc; j++) if (x[base + j * s] === 0) acc = 0;
		return acc;
	},
	any: (x, base, s, n, acc) => {
		for (let j = 0; j < n && !acc; j++) if (x[base + j * s] !== 0) acc = 1;
		return acc;
	},
	norm2: (x, base, s, n, acc) => FOLDS.sum_squares(x, base, s, n, acc),
	sum_squares: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) {
			const v = x[base + j * s];
			acc += v * v;
		}
		return acc;
	},
	mean_squares: (x, base, s, n, acc) => FOLDS.sum_squares(x, base, s, n, acc)
};

// PyTorch's float32 norm squares in float32, so squares below 2^-126 round to subnormals
// and squares above 3.4e38 overflow; this fold reproduces both.
function normFoldFloat32(x: Data, base: number, s: number, n: number, acc: number): number {
	for (let j = 0; j < n; j++) {
		const v = x[base + j * s];
		acc += Math.fround(v * v);
	}
	return acc;
}

const INITIAL: Record<ReduceOp, number> = {
	sum: 0,
	mean: 0,
	prod: 1,
	amax: -Infinity,
	amin: Infinity,
	all: 1,
	any: 0,
	norm2: 0,
	sum_squares: 0,
	mean_squares: 0
};

export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
	if (!reduceContiguous(op, x, dims, out)) reduceStrided(op, x, dims, out);
}

/** Picks the fold for op, with float32 squaring for the ops that square float32 elements. */
function foldFor(op: ReduceOp, x: View): RowFold {
	const squares = op === 'norm2' || op === 'sum_squares' || op === 'mean_squares';
	return squares && x.dtype === float32 ? normFoldFloat32 : FOLDS[op];
}

/** Turns a folded sum into the op's result: divides a mean, takes a norm's square root. */
function finish(op: ReduceOp, acc: number, count: number, f32: boolean): number {
	if (op === 'mean' || op === 'mean_squares') return (f32 ? Math.fround(acc) : acc) / count;
	if (op === 'norm2') return Math.sqrt(f32 ? Math.fround(acc) : acc);
	return acc;
}

/**
 * Reduces a contiguous x into a contiguous out when the reduced dims lead (a bias gradient's
 * sum over the batch) or trail (a mean over everything) x's dims, with one fold per output
 * and no layout plan. Each fold visits the elements in the same order as `reduceStrided`, so
 * the results are the same bits. Returns false, having written nothing, for other cases.
 */
export function reduceContiguous(
	op: ReduceOp,
	x: View,
	dims: readonly number[],
	out: View
): boolean {
	if (!isContiguous(x.shape, x.strides) || !isContiguous(out.shape, out.strides)) return false;
	const rank = x.shape.length;
	let leading = true;
	let trailing = true;
	for (let i = 0; i < dims.length; i++) {
		if (dims[i] !== i) leading = false;
		if (dims[i] !== rank - dims.length + i) trailing = false;
	}
	if (!leading && !trailing) return false;

	let count = 1;
	for (const d of dims) count *= x.shape[d];
	let outputs = 1;
	for (let d = 0; d < rank; d++) if (!dims.includes(d)) outputs *= x.shape[d];
	const fold = foldFor(op, x);
	const f32 = x.dtype === float32;
	const xd = dataOf(x);
	const o = dataOf(out);
	// Leading dims: output j folds x[j], x[j + outputs], ...; trailing: output i folds a run.
	const start = leading ? 1 : count;
	const step = leading ? outputs : 1;
	for (let i = 0; i < outputs; i++) {
		const acc = fold(xd, x.offset + i * start, step, count, INITIAL[op]);
		o[out.offset + i] = finish(op, acc, count, f32);
	}
	return true;
}

/** Reduces any strided x, planning the reduced dims as rows (see iterate.ts). */
export function reduceStrided(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
	const f32 = x.dtype === float32;
	const fold = foldFor(op, x);
	const split = splitDims(x, dims);
	const outAt = elementOffsets(split.keptShape, keptStrides(out, split.kept), out.offset);
	const xAt = elementOffsets(split.keptShape, split.keptStrides, x.offset);
	const inner = rowLayout(split.reducedShape, [{ strides: split.reducedStrides, offset: 0 }]);
	const innerStarts = inner.starts[0];
	const s = inner.strides[0];
	const count = inner.rows * inner.length;
	const xd = dataOf(x);
	const o = dataOf(out);

	for (let i = 0; i < xAt.length; i++) {
		let acc = INITIAL[op];
		for (let r = 0; r < inner.rows; r++)
			acc = fold(xd, xAt[i] + innerStarts[r], s, inner.length, acc);
		o[outAt[i]] = finish(op, acc, count, f32);
	}
}

/** Max or min along one dim; ties keep the first index, NaN wins. */
export function argReduce(
	op: 'max' | 'min',
	x: View,
	dim: number,
	values: View | null,
	indices: View
): void {
	const split = splitDims(x, [dim]);
	const xAt = elementOffsets(split.keptShape, split.keptStrides, x.offset);
	const indexAt = elementOffsets(split.keptShape, keptStrides(indices, split.kept), indices.offset);
	const valueAt =
		values && elementOffsets(split.keptShape, keptStrides(values, split.kept), values.offset);
	const n = x.shape.length === 0 ? 1 : x.shape[dim];
	const s = x.shape.length === 0 ? 0 : x.strides[dim];
	const xd = dataOf(x);
	const sign = op === 'max' ? 1 : -1;

	for (let i = 0; i < xAt.length; i++) {
		let best = xd[xAt[i]];
		let bestIndex = 0;
		for (let j = 1; j < n && best === best; j++) {
			const v = xd[xAt[i] + j * s];
			if (sign * (v - best) > 0 || v !== v) {
				best = v;
				bestIndex = j;
			}
		}
		dataOf(indices)[indexAt[i]] = bestIndex;
		if (values && valueAt) dataOf(values)[valueAt[i]] = best;
	}
}

export function cumsum(x: View, dim: number, out: View): void {
	const split = splitDims(x, [dim]);
	const xAt = elementOffsets(split.keptShape, split.keptStrides, x.offset);
	const outAt = elementOffsets(split.keptShape, keptStrides(out, split.kept), out.offset);
	const n = x.shape.length === 0 ? 1 : x.shape[dim];
	const xs = x.shape.length === 0 ? 0 : x.strides[dim];
	const os = out.shape.length === 0 ? 0 : out.strides[dim];
	const xd = dataOf(x);
	const o = dataOf(out);
	for (let i = 0; i < xAt.length; i++) {
		let acc = 0;
		for (let j = 0; j < n; j++) {
			acc += xd[xAt[i] + j * xs];
			o[outAt[i] + j * os] = acc;
		}
	}
}

interface DimSplit {
	kept: number[];
	keptShape: number[];
	keptStrides: number[];
	reducedShape: number[];
	reducedStrides: number[];
}

function splitDims(x: View, dims: readonly number[]): DimSplit {
	const split: DimSplit = {
		kept: [],
		keptShape: [],
		keptStrides: [],
		reducedShape: [],
		reducedStrides: []
	};
	for (let d = 0; d < x.shape.length; d++) {
		if (dims.includes(d)) {
			split.reducedShape.push(x.shape[d]);
			split.reducedStrides.push(x.strides[d]);
		} else {
			split.kept.push(d);
			split.keptShape.push(x.shape[d]);
			split.keptStrides.push(x.strides[d]);
		}
	}
	return split;
}

function keptStrides(view: View, kept: readonly number[]): number[] {
	return kept.map((d) => view.strides[d]);
}
