/**
 * Sorting and comparison helpers built from other ops: sort, topk, isclose, allclose. They need
 * no value read, so they stay lazy on WebGPU, and the values' gradient flows through gather.
 */
import { int64 } from './dtype';
import { DTypeError, ValueError } from './errors';
import { isOptions } from './ops/args';
import { uploadOn } from './ops/kernel';
import { normalizeDim } from './shape';
import type { Tensor } from './tensor';

/** The result of sort and topk: `{ values, indices }`, also destructurable as an array. */
export interface SortResult extends Iterable<Tensor> {
	values: Tensor;
	indices: Tensor;
}

function sortResult(values: Tensor, indices: Tensor): SortResult {
	return {
		values,
		indices,
		*[Symbol.iterator]() {
			yield values;
			yield indices;
		}
	};
}

export interface SortOptions {
	dim?: number;
	descending?: boolean;
	/** Accepted for PyTorch compatibility; the sort here is always stable. */
	stable?: boolean;
}

/**
 * Indices that sort x along `dim`, stable for ties. Each element's position is the number of
 * elements that sort before it: smaller ones (larger ones when descending) plus equal ones
 * earlier in the dim. TODO: this compares every pair, so it costs O(n^2) memory along `dim`.
 * TODO: NaN compares false with everything, so NaNs do not sort last as in PyTorch.
 */
function stableArgsort(x: Tensor, dim: number, descending: boolean): Tensor {
	const last = x.transpose(dim, -1);
	const n = last.shape[last.shape.length - 1];
	const mine = last.unsqueeze(-1);
	const others = last.unsqueeze(-2);
	const before = descending ? others.gt(mine) : others.lt(mine);
	const positions = uploadOn(
		x.storage.backend,
		Array.from({ length: n }, (_, i) => i),
		[n],
		int64
	);
	const earlier = positions.unsqueeze(0).lt(positions.unsqueeze(1));
	const tiedEarlier = others.eq(mine).logical_and(earlier);
	const rank = before.sum(-1).add(tiedEarlier.sum(-1)).to(int64);
	const order = positions.expand(last.shape).contiguous();
	const sorted = rank.new_zeros(last.shape).scatter_add(-1, rank, order);
	return sorted.transpose(dim, -1);
}

/**
 * Sorts along `dim` (default -1), as `torch.sort(x, { dim, descending, stable })`; returns
 * `{ values, indices }`. Ties keep their original order, as PyTorch's `stable=True` does.
 */
export function sort(
	x: Tensor,
	dim: number | SortOptions = -1,
	descending: boolean | SortOptions = false
): SortResult {
	const o: SortOptions = isOptions<SortOptions>(dim)
		? dim
		: { dim, ...(isOptions<SortOptions>(descending) ? descending : { descending }) };
	if (x.shape.length === 0) return sortResult(x.clone(), x.new_zeros([], { dtype: int64 }));
	const d = normalizeDim(o.dim ?? -1, x.shape.length, 'sort');
	const indices = stableArgsort(x, d, o.descending ?? false);
	return sortResult(x.gather(d, indices), indices);
}

/** Indices that sort x along `dim`, as `torch.argsort`. */
export function argsort(x: Tensor, dim: number | SortOptions = -1, descending = false): Tensor {
	return sort(x, dim, descending).indices;
}

export interface TopkOptions {
	dim?: number;
	largest?: boolean;
	sorted?: boolean;
}

/**
 * The k largest (or smallest, with `largest: false`) entries along `dim` (default -1), as
 * `torch.topk(x, k, { dim, largest })`; returns `{ values, indices }`, always sorted.
 */
export function topk(x: Tensor, k: number, options: number | TopkOptions = {}): SortResult {
	const o: TopkOptions = typeof options === 'number' ? { dim: options } : options;
	const d = normalizeDim(o.dim ?? -1, Math.max(x.shape.length, 1), 'topk');
	const size = x.shape.length === 0 ? 1 : x.shape[d];
	if (!Number.isInteger(k) || k < 0 || k > size) {
		throw new ValueError(
			`topk: k must be an integer in [0, ${size}] (selected index k out of range), got ${k} for dim ${d} of shape [${x.shape}]`
		);
	}
	const sorted = sort(x, { dim: d, descending: o.largest ?? true });
	if (x.shape.length === 0) return sorted;
	return sortResult(sorted.values.narrow(d, 0, k), sorted.indices.narrow(d, 0, k));
}

export interface IscloseOptions {
	rtol?: number;
	atol?: number;
	equal_nan?: boolean;
}

/**
 * Elementwise |a - b| <= atol + rtol * |b| (defaults 1e-5 and 1e-8), as `torch.isclose`;
 * equal infinities count as close and NaNs only with `equal_nan`.
 */
export function isclose(a: Tensor, b: Tensor, options: IscloseOptions = {}): Tensor {
	const rtol = options.rtol ?? 1e-5;
	const atol = options.atol ?? 1e-8;
	if (!(rtol >= 0) || !(atol >= 0)) {
		throw new ValueError(
			`isclose: rtol and atol must be non-negative, got rtol=${rtol} and atol=${atol}`
		);
	}
	if (a.dtype !== b.dtype) {
		throw new DTypeError(
			`isclose: expected a and b to have the same dtype, got ${a.dtype} and ${b.dtype}. Convert one with .to(other.dtype)`
		);
	}
	const close = a.sub(b).abs().le(b.abs().mul(rtol).add(atol)).logical_or(a.eq(b));
	if (!options.equal_nan) return close;
	return close.logical_or(a.isnan().logical_and(b.isnan()));
}

/**
 * Whether every element of a is close to b, as `torch.allclose`. Awaited, because reading the
 * answer back is asynchronous on the GPU: `await torch.allclose(a, b)`.
 */
export async function allclose(
	a: Tensor,
	b: Tensor,
	options: IscloseOptions = {}
): Promise<boolean> {
	return (await isclose(a, b, options).all().item()) !== 0;
}
