/** Reduction primitives: sum, mean, prod, amax/amin, max/min along a dim, norms, cumsum. */
import type { ReduceOp } from '../backends/backend';
import { definePrimitive, record, untracked } from '../autograd';
import { bool, int64, type DType } from '../dtype';
import { DTypeError, IndexError } from '../errors';
import { contiguousStrides, normalizeDim, normalizeDims, numelOf } from '../shape';
import type { Tensor } from '../tensor';
import { emptyLike, emptyOn, runUnary, viewOf } from './kernel';

/** Dims to reduce: null means all of them. */
export type Dims = readonly number[] | null;

interface Reduced {
	/** Sorted non-negative dims. */
	dims: number[];
	keepdim: boolean;
}

export function resolveDims(x: Tensor, dims: Dims, op: string): number[] {
	if (dims === null) return x.shape.map((_, d) => d);
	return normalizeDims(dims, x.shape.length, op).sort((a, b) => a - b);
}

/** x's shape with `dims` set to 1. */
function keptShape(x: Tensor, dims: readonly number[]): number[] {
	return x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

/** Allocates the output and a keepdim-shaped alias of it for the kernel to write. */
function allocateReduced(x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType) {
	const kept = keptShape(x, dims);
	const shape = keepdim ? kept : x.shape.filter((_, d) => !dims.includes(d));
	const out = emptyOn(x.storage.backend, shape, dtype);
	const kernelOut = keepdim ? out : viewOf(out, kept, contiguousStrides(kept), 0);
	return { out, kernelOut };
}

function reduceKernel(op: ReduceOp, x: Tensor, r: Reduced, dtype: DType): Tensor {
	const { out, kernelOut } = allocateReduced(x, r.dims, r.keepdim, dtype);
	if (numelOf(out.shape) > 0) x.storage.backend.reduce(op, x, r.dims, kernelOut);
	return out;
}

/** Reshapes a reduction's output gradient to keepdim form, so that it broadcasts over x. */
function keepdimGrad(g: Tensor, inputShape: readonly number[], r: Reduced): Tensor {
	if (r.keepdim) return g;
	const kept = inputShape.map((s, d) => (r.dims.includes(d) ? 1 : s));
	return g.reshape(kept);
}

function countOf(shape: readonly number[], dims: readonly number[]): number {
	let n = 1;
	for (const d of dims) n *= shape[d];
	return n;
}

const Sum = definePrimitive<Reduced & { all: boolean }>({
	gradFn: (p) => (p.all ? 'SumBackward0' : 'SumBackward1'),
	backward: (g, { params, inputShapes }) => [
		keepdimGrad(g, inputShapes[0], params).expand(inputShapes[0] as number[])
	]
});

/** Sum over `dims`, as `torch.sum`; integer and bool inputs sum to int64. */
export function sum(x: Tensor, dims: Dims = null, keepdim = false): Tensor {
	const r = { dims: resolveDims(x, dims, 'sum'), keepdim, all: dims === null };
	const dtype = x.dtype.is_floating_point ? x.dtype : int64;
	return record(Sum, r, [x], reduceKernel('sum', x, r, dtype));
}

const Mean = definePrimitive<Reduced & { all: boolean }>({
	gradFn: (p) => (p.all ? 'MeanBackward0' : 'MeanBackward1'),
	backward: (g, { params, inputShapes }) => {
		const shape = inputShapes[0];
		const n = countOf(shape, params.dims);
		return [
			keepdimGrad(g, shape, params)
				.div(n)
				.expand(shape as number[])
		];
	}
});

/** Mean over `dims`, as `torch.mean`; floats only, as in PyTorch. */
export function mean(x: Tensor, dims: Dims = null, keepdim = false): Tensor {
	if (!x.dtype.is_floating_point) {
		throw new DTypeError(
			`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype.name}. Convert first with .float()`
		);
	}
	const r = { dims: resolveDims(x, dims, 'mean'), keepdim, all: dims === null };
	return record(Mean, r, [x], reduceKernel('mean', x, r, x.dtype));
}

/**
 * Computes the sum or mean of x * x over every element in one kernel, without a graph node.
 * The values equal `x.mul(x).sum()` or `.mean()`; the loss primitive that calls it records the
 * graph itself.
 */
export function squaresReduced(x: Tensor, op: 'sum_squares' | 'mean_squares'): Tensor {
	const r = { dims: resolveDims(x, null, op), keepdim: false };
	return reduceKernel(op, x, r, x.dtype);
}

/**
 * Computes the sum or mean of (a - b)^2 over every element, without a graph node, for inputs of
 * one shape. It uses the backend's fused kernel where there is one and the two inputs share a
 * backend and a float dtype, and `a.sub(b)` with `squaresReduced` otherwise, which also
 * raises the usual errors for mixed inputs.
 */
export function squaredDifferenceReduced(a: Tensor, b: Tensor, op: 'sum' | 'mean'): Tensor {
	const backend = a.storage.backend;
	const fusable =
		backend.reduceSquaredDifference !== undefined &&
		b.storage.backend === backend &&
		a.dtype === b.dtype &&
		a.dtype.is_floating_point &&
		a.numel() > 0;
	if (!fusable) return squaresReduced(a.sub(b), op === 'sum' ? 'sum_squares' : 'mean_squares');
	const out = emptyOn(backend, [], a.dtype);
	backend.reduceSquaredDifference!(op, a, b, out);
	return out;
}

const Prod = definePrimitive<Reduced & { all: boolean }>({
	gradFn: (p) => (p.all ? 'ProdBackward0' : 'ProdBackward1'),
	backward: (g, { saved, params }) => {
		const [x, out] = saved;
		const gk = keepdimGrad(g, x.shape, params);
		const outK = keepdimGrad(out, x.shape, params);
		// Without zeros, d out / d x_i = out / x_i. With one zero in a slice only that entry
		// gets a gradient (the product of the others); with two or more all get zero.
		const isZero = x.eq(0);
		const zeros = isZero.sum(params.dims, true);
		const othersAtZero = prod(x.masked_fill(isZero, 1), params.dims, true);
		const grad = outK
			.div(x)
			.where(zeros.eq(0), othersAtZero.where(isZero.logical_and(zeros.eq(1)), 0));
		return [gk.mul(grad)];
	}
});

/** Product over `dims` (PyTorch's prod takes one dim; this accepts a list too). */
export function prod(x: Tensor, dims: Dims = null, keepdim = false): Tensor {
	const r = { dims: resolveDims(x, dims, 'prod'), keepdim, all: dims === null };
	const dtype = x.dtype.is_floating_point ? x.dtype : int64;
	const out = reduceKernel('prod', x, r, dtype);
	return record(Prod, r, [x], out, [x, out]);
}

type ExtremeParams = Reduced & { gradFn: string };

/** amax / amin / max() / min(): the gradient is split evenly among tied extremes. */
const Extreme = definePrimitive<ExtremeParams>({
	gradFn: (p) => p.gradFn,
	backward: (g, { saved, params }) => {
		const [x, out] = saved;
		const hit = x.eq(keepdimGrad(out, x.shape, params));
		const count = hit.sum(params.dims, true);
		return [keepdimGrad(g, x.shape, params).div(count).mul(hit)];
	}
});

function extreme(op: 'amax' | 'amin', x: Tensor, dims: Dims, keepdim: boolean, gradFn: string) {
	const r = { dims: resolveDims(x, dims, op), keepdim, gradFn };
	for (const d of r.dims) {
		if (x.shape[d] === 0) {
			throw new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
		}
	}
	if (numelOf(x.shape) === 0) {
		throw new IndexError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
	}
	const out = reduceKernel(op, x, r, x.dtype);
	return record(Extreme, r, [x], out, [x, out]);
}

export const amax = (x: Tensor, dims: Dims = null, keepdim = false) =>
	extreme('amax', x, dims, keepdim, 'AmaxBackward0');
export const amin = (x: Tensor, dims: Dims = null, keepdim = false) =>
	extreme('amin', x, dims, keepdim, 'AminBackward0');
/** max() of all elements, as `torch.max(x)`. */
export const max_all = (x: Tensor) => extreme('amax', x, null, false, 'MaxBackward1');
export const min_all = (x: Tensor) => extreme('amin', x, null, false, 'MinBackward1');

/** `(values, indices)` of max/min along a dim; destructurable as an object or an array. */
export class ValuesIndices {
	constructor(
		readonly values: Tensor,
		readonly indices: Tensor
	) {}

	get 0(): Tensor {
		return this.values;
	}

	get 1(): Tensor {
		return this.indices;
	}

	get length(): 2 {
		return 2;
	}

	*[Symbol.iterator](): Iterator<Tensor> {
		yield this.values;
		yield this.indices;
	}
}

type SelectParams = { dim: number; keepdim: boolean; gradFn: string };

/** max(dim) / min(dim): the whole gradient goes to the selected index. */
const SelectExtreme = definePrimitive<SelectParams>({
	gradFn: (p) => p.gradFn,
	backward: (g, { saved, params, inputShapes }) => {
		const indices = saved[0];
		const r = { dims: [params.dim], keepdim: params.keepdim };
		const shape = inputShapes[0];
		const index = keepdimGrad(indices, shape, r);
		return [g.new_zeros(shape).scatter_add(params.dim, index, keepdimGrad(g, shape, r))];
	}
});

/** Values and first indices of the max (or min) along `dim`, as `torch.max(x, dim)`. */
export function extremeAlong(
	op: 'max' | 'min',
	x: Tensor,
	dim: number,
	keepdim = false
): ValuesIndices {
	const d = normalizeDim(dim, x.shape.length, op);
	if (x.shape.length > 0 && x.shape[d] === 0) {
		throw new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
	}
	const dims = x.shape.length === 0 ? [] : [d];
	const values = allocateReduced(x, dims, keepdim, x.dtype);
	const indices = allocateReduced(x, dims, keepdim, int64);
	x.storage.backend.argReduce(op, x, d, values.kernelOut, indices.kernelOut);
	const gradFn = op === 'max' ? 'MaxBackward0' : 'MinBackward0';
	record(SelectExtreme, { dim: d, keepdim, gradFn }, [x], values.out, [indices.out]);
	return new ValuesIndices(values.out, indices.out);
}

/** Index of the first max (min); over the flattened tensor when dim is null. */
export function argExtreme(
	op: 'max' | 'min',
	x: Tensor,
	dim: number | null,
	keepdim = false
): Tensor {
	if (dim === null) {
		const flat = x.reshape([-1]);
		const index = allocateReduced(flat, [0], false, int64);
		if (numelOf(x.shape) === 0)
			throw new IndexError(
				`arg${op}(): Expected reduction dim to be specified for input.numel() == 0.`
			);
		x.storage.backend.argReduce(op, flat, 0, null, index.kernelOut);
		return keepdim ? index.out.reshape(x.shape.map(() => 1)) : index.out;
	}
	const d = normalizeDim(dim, x.shape.length, `arg${op}`);
	const dims = x.shape.length === 0 ? [] : [d];
	const index = allocateReduced(x, dims, keepdim, int64);
	x.storage.backend.argReduce(op, x, d, null, index.kernelOut);
	return index.out;
}

/** all / any over `dims`: bool results. */
export function allAny(op: 'all' | 'any', x: Tensor, dims: Dims = null, keepdim = false): Tensor {
	const r = { dims: resolveDims(x, dims, op), keepdim };
	const input = x.dtype === bool ? x : x.ne(0);
	return reduceKernel(op, input, r, bool);
}

type NormParams = Reduced & { ord: number };

const VectorNorm = definePrimitive<NormParams>({
	gradFn: 'LinalgVectorNormBackward0',
	backward: (g, { saved, params }) => {
		const [x, out] = saved;
		const gk = keepdimGrad(g, x.shape, params);
		const normK = keepdimGrad(out, x.shape, params);
		const ord = params.ord;
		if (ord === 0) return [x.new_zeros(x.shape)];
		if (ord === 1) return [x.sign().mul(gk)];
		if (ord === Infinity || ord === -Infinity) {
			const hit = x.abs().eq(normK);
			return [x.sign().mul(gk.div(hit.sum(params.dims, true)).mul(hit))];
		}
		// d||x||/dx = x |x|^(p-2) / ||x||^(p-1); at a zero norm PyTorch returns the zero
		// subgradient instead of 0/0.
		const scale = gk.div(ord === 2 ? normK : normK.pow(ord - 1)).masked_fill(normK.eq(0), 0);
		const direction = ord === 2 ? x : x.mul(x.abs().pow(ord - 2));
		return [direction.mul(scale)];
	}
});

/** Computes the vector ord-norm over `dims`, as `torch.linalg.vector_norm`. */
export function vector_norm(x: Tensor, ord = 2, dims: Dims = null, keepdim = false): Tensor {
	if (!x.dtype.is_floating_point) {
		throw new DTypeError(
			`linalg.vector_norm: Expected a floating point input, got ${x.dtype}. Convert first with .float()`
		);
	}
	const r = { dims: resolveDims(x, dims, 'vector_norm'), keepdim, ord };
	let out: Tensor;
	if (ord === 2) out = reduceKernel('norm2', x, r, x.dtype);
	else if (ord === 1) out = reduceKernel('sum', runUnary('abs', x), r, x.dtype);
	else if (ord === Infinity) out = reduceKernel('amax', runUnary('abs', x), r, x.dtype);
	else if (ord === -Infinity) out = reduceKernel('amin', runUnary('abs', x), r, x.dtype);
	else if (ord === 0) out = reduceKernel('sum', x.ne(0).to(x.dtype), r, x.dtype);
	else {
		const powered = runUnary('pow_scalar', runUnary('abs', x), x.dtype, ord);
		out = runUnary('pow_scalar', reduceKernel('sum', powered, r, x.dtype), x.dtype, 1 / ord);
	}
	return record(VectorNorm, r, [x], out, [x, out]);
}

type CumsumParams = { dim: number };

const Cumsum = definePrimitive<CumsumParams>({
	gradFn: 'CumsumBackward0',
	// The gradient of a running sum is the running sum of the gradient taken from the end.
	backward: (g, { params }) => [reverseCumsum(g, params.dim)]
});

/** Running sum along `dim`, as `torch.cumsum`. */
export function cumsum(x: Tensor, dim: number): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'cumsum');
	const dtype = x.dtype.is_floating_point ? x.dtype : int64;
	const out = emptyLike(x, x.shape, dtype);
	x.storage.backend.cumsum(x, d, out);
	return record(Cumsum, { dim: d }, [x], out);
}

function reverseCumsum(g: Tensor, dim: number): Tensor {
	const out = emptyLike(g);
	g.storage.backend.cumsum(flipped(g, dim), dim, flipped(out, dim));
	return out;
}

/** Returns a view of x reversed along `dim`, through a negative stride. */
function flipped(x: Tensor, dim: number): Tensor {
	if (x.shape.length === 0) return x;
	const strides = x.strides.slice();
	const offset = x.offset + (x.shape[dim] - 1) * strides[dim];
	strides[dim] = -strides[dim];
	return viewOf(x, x.shape, strides, x.shape[dim] === 0 ? x.offset : offset);
}

type VarParams = Reduced & { correction: number; std: boolean };

const Var = definePrimitive<VarParams>({
	gradFn: (p) => (p.std ? 'StdBackward0' : 'VarBackward0'),
	backward: (g, { saved, params }) => {
		const [x, out] = saved;
		const dof = Math.max(0, countOf(x.shape, params.dims) - params.correction);
		let gk = keepdimGrad(g, x.shape, params);
		// std = sqrt(var): chain through 1 / (2 std), with a zero gradient where std is 0.
		if (params.std) {
			const stdK = keepdimGrad(out, x.shape, params);
			gk = gk.div(stdK.mul(2)).masked_fill(stdK.eq(0), 0);
		}
		return [gk.mul(x.sub(x.mean(params.dims, true))).mul(2 / dof)];
	}
});

/** Variance (or standard deviation) with `correction` (1 = unbiased), as `torch.var`. */
export function variance(
	x: Tensor,
	dims: Dims,
	correction: number,
	keepdim: boolean,
	std: boolean
): Tensor {
	const op = std ? 'std' : 'var';
	if (!x.dtype.is_floating_point) {
		throw new DTypeError(
			`${op}(): expected a floating point input, got ${x.dtype}. Convert first with .float()`
		);
	}
	const r = { dims: resolveDims(x, dims, op), keepdim, correction, std };
	const dof = Math.max(0, countOf(x.shape, r.dims) - correction);
	const out = untracked(() => {
		const centred = x.sub(x.mean(r.dims, true));
		const v = centred.mul(centred).sum(r.dims, keepdim).div(dof);
		return std ? v.sqrt() : v;
	});
	return record(Var, r, [x], out, [x, out]);
}

export const primitives = { Sum, Mean, Prod, Extreme, SelectExtreme, VectorNorm, Cumsum, Var };
