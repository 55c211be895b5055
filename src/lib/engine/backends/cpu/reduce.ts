/** Reduction CPU kernels. Float sums accumulate in double and round once at the end. */
import { float32 } from '../../dtype';
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
	norm2: (x, base, s, n, acc) => {
		for (let j = 0; j < n; j++) {
			const v = x[base + j * s];
			acc += v * v;
		}
		return acc;
	}
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
	norm2: 0
};

export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
	const f32 = x.dtype === float32;
	const fold = op === 'norm2' && f32 ? normFoldFloat32 : FOLDS[op];
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
		if (op === 'mean') acc = (f32 ? Math.fround(acc) : acc) / count;
		else if (op === 'norm2') acc = Math.sqrt(f32 ? Math.fround(acc) : acc);
		o[outAt[i]] = acc;
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
