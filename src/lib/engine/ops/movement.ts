/**
 * View primitives: reshape, permute, expand, slice and select return tensors that share
 * storage with their input, so none of them copies (reshape of a non-viewable layout does).
 */
import { definePrimitive, record } from '../autograd';
import type { DType } from '../dtype';
import { IndexError, ShapeError } from '../errors';
import {
	formatShape,
	inferShape,
	isContiguous,
	normalizeDim,
	numelOf,
	viewStrides
} from '../shape';
import type { Tensor } from '../tensor';
import { runCopy, viewOf } from './kernel';

type Named = { gradFn: string };

const View = definePrimitive<Named>({
	gradFn: (p) => p.gradFn,
	backward: (g, { inputShapes }) => [g.reshape(inputShapes[0])]
});

/** Returns a view with a new shape; throws when the layout does not allow one, as `Tensor.view`. */
export function view(x: Tensor, shape: readonly number[], gradFn = 'ViewBackward0'): Tensor {
	const target = inferShape(shape, numelOf(x.shape), 'view', x.shape);
	const strides = viewStrides(x.shape, x.strides, target);
	if (strides === null) {
		throw new ShapeError(
			`view: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces), got shape ${formatShape(x.shape)} and requested ${formatShape(target)}. Use .reshape(...) instead.`
		);
	}
	return record(View, { gradFn }, [x], viewOf(x, target, strides));
}

/** Returns a view with a new shape when the layout allows one, else a copy, as `torch.reshape`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
	const target = inferShape(shape, numelOf(x.shape), 'reshape', x.shape);
	const strides = viewStrides(x.shape, x.strides, target);
	if (strides !== null)
		return record(View, { gradFn: 'ViewBackward0' }, [x], viewOf(x, target, strides));
	return view(clone(x), target, 'UnsafeViewBackward0');
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
	const d = normalizeDim(dim, x.shape.length + 1, 'unsqueeze');
	const shape = x.shape.slice();
	shape.splice(d, 0, 1);
	const strides = x.strides.slice();
	strides.splice(d, 0, d < x.shape.length ? x.shape[d] * x.strides[d] : 1);
	return record(View, { gradFn: 'UnsqueezeBackward0' }, [x], viewOf(x, shape, strides));
}

/** Drops size-1 dims: all of them, or those listed that have size 1, as `torch.squeeze`. */
export function squeeze(x: Tensor, dims: readonly number[] | null = null): Tensor {
	const drop =
		dims === null
			? x.shape.map((_, d) => d)
			: dims.map((d) => normalizeDim(d, x.shape.length, 'squeeze'));
	const keep = x.shape.map((s, d) => s !== 1 || !drop.includes(d));
	const shape = x.shape.filter((_, d) => keep[d]);
	const strides = x.strides.filter((_, d) => keep[d]);
	const gradFn = dims === null ? 'SqueezeBackward0' : 'SqueezeBackward1';
	return record(View, { gradFn }, [x], viewOf(x, shape, strides));
}

/** Merges dims start_dim..end_dim into one, as `torch.flatten`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
	if (x.shape.length === 0) return reshape(x, [1]);
	const start = normalizeDim(startDim, x.shape.length, 'flatten');
	const end = normalizeDim(endDim, x.shape.length, 'flatten');
	if (start > end) {
		throw new IndexError(
			`flatten: start_dim cannot come after end_dim, got ${startDim} and ${endDim}`
		);
	}
	const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
	return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

type PermuteParams = { dims: number[]; gradFn: string };

const Permute = definePrimitive<PermuteParams>({
	gradFn: (p) => p.gradFn,
	backward: (g, { params }) => {
		const inverse = new Array<number>(params.dims.length);
		params.dims.forEach((d, i) => (inverse[d] = i));
		return [g.permute(inverse)];
	}
});

/** Reorders dims, as `torch.permute`; a view. */
export function permute(x: Tensor, dims: readonly number[], gradFn = 'PermuteBackward0'): Tensor {
	if (dims.length !== x.shape.length) {
		throw new ShapeError(
			`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.shape.length} is not equal to len(dims) = ${dims.length}`
		);
	}
	const order = dims.map((d) => normalizeDim(d, x.shape.length, 'permute'));
	if (new Set(order).size !== order.length)
		throw new IndexError(`permute: repeated dim in ${formatShape(dims)}`);
	const shape = order.map((d) => x.shape[d]);
	const strides = order.map((d) => x.strides[d]);
	return record(Permute, { dims: order, gradFn }, [x], viewOf(x, shape, strides));
}

/** Swaps two dims, as `torch.transpose`; a view. */
export function transpose(
	x: Tensor,
	dim0: number,
	dim1: number,
	gradFn = 'TransposeBackward0'
): Tensor {
	if (x.shape.length === 0) return x;
	const a = normalizeDim(dim0, x.shape.length, 'transpose');
	const b = normalizeDim(dim1, x.shape.length, 'transpose');
	const order = x.shape.map((_, d) => (d === a ? b : d === b ? a : d));
	return permute(x, order, gradFn);
}

const Expand = definePrimitive({
	gradFn: 'ExpandBackward0',
	// autograd sums the output-shaped gradient back to the input's shape.
	backward: (g) => [g]
});

/** Repeats size-1 dims without copying (stride 0), as `Tensor.expand`; -1 keeps a size. */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
	const lead = sizes.length - x.shape.length;
	if (lead < 0) {
		throw new ShapeError(
			`expand: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${x.shape.length})`
		);
	}
	const shape = new Array<number>(sizes.length);
	const strides = new Array<number>(sizes.length);
	for (let d = 0; d < sizes.length; d++) {
		const own = d - lead;
		const size = sizes[d] === -1 && own >= 0 ? x.shape[own] : sizes[d];
		if (own >= 0 && x.shape[own] !== 1 && x.shape[own] !== size) {
			throw new ShapeError(
				`expand: The expanded size of the tensor (${size}) must match the existing size (${x.shape[own]}) at non-singleton dimension ${d}.  Target sizes: ${formatShape(sizes)}.  Tensor sizes: ${formatShape(x.shape)}`
			);
		}
		shape[d] = size;
		strides[d] = own < 0 || x.shape[own] !== size ? 0 : x.strides[own];
	}
	if (sameLayout(x, shape, strides)) return x;
	return record(Expand, null, [x], viewOf(x, shape, strides));
}

function sameLayout(x: Tensor, shape: number[], strides: number[]): boolean {
	return (
		shape.length === x.shape.length &&
		shape.every((s, d) => s === x.shape[d] && strides[d] === x.strides[d])
	);
}

/** The part of one dim a slice or select keeps: start, step and count (null for select). */
type SliceParams = { dim: number; start: number; step: number; count: number | null };

/** Applies a slice's metadata transform to x; its backward applies it to a zero tensor. */
function sliceView(x: Tensor, p: SliceParams): Tensor {
	const shape = x.shape.slice();
	const strides = x.strides.slice();
	const offset = x.offset + p.start * x.strides[p.dim];
	if (p.count === null) {
		shape.splice(p.dim, 1);
		strides.splice(p.dim, 1);
	} else {
		shape[p.dim] = p.count;
		strides[p.dim] *= p.step;
	}
	return viewOf(x, shape, strides, offset);
}

const Slice = definePrimitive<SliceParams>({
	gradFn: (p) => (p.count === null ? 'SelectBackward0' : 'SliceBackward0'),
	// The gradient is zero outside the slice; inside it is written through the same view.
	backward: (g, { params, inputShapes }) => {
		const grad = g.new_zeros(inputShapes[0]);
		g.storage.backend.copy(g, sliceView(grad, params));
		return [grad];
	}
});

/** Elements start, start+step, ... below end along `dim`, as Python's `x[start:end:step]`. */
export function slice(x: Tensor, dim: number, start = 0, end = Infinity, step = 1): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'slice');
	if (!(step > 0) || !Number.isInteger(step))
		throw new IndexError(`slice: step must be greater than zero, got ${step}`);
	const size = x.shape[d];
	const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
	const first = clampIndex(start);
	const stop = Math.max(first, clampIndex(end));
	const count = Math.ceil((stop - first) / step);
	const params = { dim: d, start: first, step, count };
	return record(Slice, params, [x], sliceView(x, params));
}

/** `length` elements from `start` along `dim`, as `torch.narrow`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'narrow');
	const size = x.shape[d];
	const first = start < 0 ? start + size : start;
	if (first < 0 || length < 0 || first + length > size) {
		throw new IndexError(
			`narrow: start (${start}) + length (${length}) exceeds dimension size (${size}) of dim ${d}, or is negative`
		);
	}
	const params = { dim: d, start: first, step: 1, count: length };
	return record(Slice, params, [x], sliceView(x, params));
}

/** Returns the slice at `index` along `dim`, with that dim removed, as `torch.select`. */
export function select(x: Tensor, dim: number, index: number): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'select');
	const size = x.shape[d];
	if (!Number.isInteger(index) || index < -size || index >= size) {
		throw new IndexError(
			`select(): index ${index} out of range for tensor of size ${formatShape(x.shape)} at dimension ${d}`
		);
	}
	const params = { dim: d, start: index < 0 ? index + size : index, step: 1, count: null };
	return record(Slice, params, [x], sliceView(x, params));
}

const Clone = definePrimitive({ gradFn: 'CloneBackward0', backward: (g) => [g] });

/** Copies x into contiguous memory, as `Tensor.clone`. */
export function clone(x: Tensor): Tensor {
	return record(Clone, null, [x], runCopy(x));
}

/** x itself when contiguous, else a contiguous copy, as `Tensor.contiguous`. */
export function contiguous(x: Tensor): Tensor {
	return isContiguous(x.shape, x.strides) ? x : clone(x);
}

const ToCopy = definePrimitive({
	gradFn: 'ToCopyBackward0',
	// autograd casts the gradient back to the input's dtype.
	backward: (g) => [g]
});

/** Converts x to `dtype` in a copy, or returns x itself when it already has it. */
export function toDtype(x: Tensor, dtype: DType): Tensor {
	if (x.dtype === dtype) return x;
	const out = runCopy(x, dtype);
	return dtype.is_floating_point ? record(ToCopy, null, [x], out) : out;
}

export const primitives = { View, Permute, Expand, Slice, Clone, ToCopy };
