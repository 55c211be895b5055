/**
 * softmax, log_softmax and logsumexp. Each subtracts the max first, so that exp never
 * overflows: softmax([1000, 0, -1000]) is [1, 0, 0], not NaN.
 */
import { definePrimitive, record, untracked } from '../autograd';
import { normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { floatTypeOf } from './kernel';
import { resolveDims, type Dims } from './reduce';

type DimParams = { dim: number };

const Softmax = definePrimitive<DimParams>({
	gradFn: 'SoftmaxBackward0',
	// dy_i/dx_j = y_i (delta_ij - y_j), so grad = y * (g - sum(g * y)).
	backward: (g, { saved, params }) => {
		const y = saved[0];
		return [g.sub(g.mul(y).sum(params.dim, true)).mul(y)];
	}
});

const LogSoftmax = definePrimitive<DimParams>({
	gradFn: 'LogSoftmaxBackward0',
	// d log_softmax_i / dx_j = delta_ij - softmax_j, so grad = g - softmax * sum(g).
	backward: (g, { saved, params }) => {
		const y = saved[0];
		return [g.sub(y.exp().mul(g.sum(params.dim, true)))];
	}
});

function shifted(x: Tensor, dim: number): Tensor {
	const input = x.dtype.is_floating_point ? x : x.to(floatTypeOf(x.dtype));
	return input.sub(input.amax(dim, true));
}

/** exp(x) / sum(exp(x)) along `dim`, as `torch.softmax`. */
export function softmax(x: Tensor, dim: number): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'softmax');
	const out = untracked(() => {
		const e = shifted(x, d).exp();
		return e.div(e.sum(d, true));
	});
	return record(Softmax, { dim: d }, [x], out, [out]);
}

/** x - logsumexp(x) along `dim`, as `torch.log_softmax`. */
export function log_softmax(x: Tensor, dim: number): Tensor {
	const d = normalizeDim(dim, x.shape.length, 'log_softmax');
	const out = untracked(() => {
		const s = shifted(x, d);
		return s.sub(s.exp().sum(d, true).log());
	});
	return record(LogSoftmax, { dim: d }, [x], out, [out]);
}

type LogsumexpParams = { dims: number[]; keepdim: boolean };

const Logsumexp = definePrimitive<LogsumexpParams>({
	gradFn: 'LogsumexpBackward0',
	backward: (g, { saved, params }) => {
		const [x, out] = saved;
		const kept = x.shape.map((s, d) => (params.dims.includes(d) ? 1 : s));
		const gk = params.keepdim ? g : g.reshape(kept);
		const outK = params.keepdim ? out : out.reshape(kept);
		return [gk.mul(x.sub(outK).exp())];
	}
});

/** log(sum(exp(x))) over `dims`, as `torch.logsumexp`; a max of +-inf is not subtracted. */
export function logsumexp(x: Tensor, dims: Dims, keepdim = false): Tensor {
	const r = { dims: resolveDims(x, dims, 'logsumexp'), keepdim };
	const input = x.dtype.is_floating_point ? x : x.to(floatTypeOf(x.dtype));
	const out = untracked(() => {
		const m = input.amax(r.dims, true);
		const shift = m.masked_fill(m.isinf(), 0);
		const total = input.sub(shift).exp().sum(r.dims, true).log().add(shift);
		return keepdim ? total : total.squeeze(r.dims);
	});
	return record(Logsumexp, r, [input], out, [input, out]);
}

export const primitives = { Softmax, LogSoftmax, Logsumexp };
