/**
 * torch.nn.utils: gradient clipping and flattening parameters into one vector. Norms and
 * clipping coefficients stay tensors, so on WebGPU the whole clip runs without a readback.
 */
import { no_grad } from '../autograd';
import { UnsupportedOpError, ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { cat, stack } from '../ops/indexing';
import { tensor } from '../creation';
import { formatShape } from '../shape';

type Parameters = Tensor | Iterable<Tensor>;

function toList(parameters: Parameters): Tensor[] {
	return Symbol.iterator in parameters
		? [...(parameters as Iterable<Tensor>)]
		: [parameters as Tensor];
}

export interface ClipGradNormOptions {
	/** Order of the norm: a number, or Infinity / 'inf' for the max norm (default 2). */
	norm_type?: number | 'inf';
	/** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
	error_if_nonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their combined norm is at most
 * `max_norm`, as `nn.utils.clip_grad_norm_`. Returns the total norm before clipping as a 0-d
 * tensor. The coefficient is max_norm / (norm + 1e-6), clamped to 1, so gradients already
 * within the limit are unchanged. A norm that overflows float32 is Infinity, which zeroes
 * finite gradients and turns infinite ones into NaN, as in PyTorch.
 * Example: `nn.utils.clip_grad_norm_(model.parameters(), 1.0)`.
 */
export function clip_grad_norm_(
	parameters: Parameters,
	max_norm: number,
	options: number | 'inf' | ClipGradNormOptions = {}
): Tensor {
	const opts = typeof options === 'object' ? options : { norm_type: options };
	const normType = opts.norm_type === 'inf' ? Infinity : (opts.norm_type ?? 2);
	const grads = toList(parameters)
		.map((p) => p.grad)
		.filter((g): g is Tensor => g !== null);
	if (grads.length === 0) return tensor(0);

	return no_grad(() => {
		const total = totalNorm(grads, normType);
		if (opts.error_if_nonfinite) checkFinite(total, normType);

		// Python's `max_norm / (total + 1e-6)` runs as reciprocal-then-multiply on a tensor.
		const coef = total.add(1e-6).reciprocal().mul(max_norm);
		const clamped = coef.clamp({ max: 1.0 });
		for (const g of grads) g.detach().mul_(clamped);
		return total;
	});
}

function totalNorm(grads: Tensor[], normType: number): Tensor {
	if (normType === Infinity) {
		const norms = grads.map((g) => g.detach().abs().max());
		return norms.length === 1 ? norms[0] : stack(norms).max();
	}
	return stack(grads.map((g) => g.detach().norm(normType))).norm(normType);
}

function checkFinite(total: Tensor, normType: number): void {
	// TODO: the check reads the norm synchronously, so it runs on the CPU backend only. A lazy
	// backend needs a deferred assert that fails the next read, which its interface lacks.
	if (!total.storage.backend.readSync) {
		throw new UnsupportedOpError(
			'clip_grad_norm_',
			total.dtype.name,
			total.storage.backend.name,
			'error_if_nonfinite needs a synchronous read; check `await total.item()` instead'
		);
	}
	const value = total._readSync()[0];
	if (Number.isFinite(value)) return;
	const order =
		normType === Infinity
			? 'inf'
			: Number.isInteger(normType)
				? normType.toFixed(1)
				: String(normType);
	throw new ValueError(
		`The total norm of order ${order} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
			'To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`'
	);
}

/** Clamps every gradient of `parameters` to [-clip_value, clip_value] in place, as `nn.utils.clip_grad_value_`. */
export function clip_grad_value_(parameters: Parameters, clip_value: number): void {
	const limit = Number(clip_value);
	no_grad(() => {
		for (const p of toList(parameters)) {
			if (p.grad !== null) p.grad.detach().clamp_({ min: -limit, max: limit });
		}
	});
}

/** Concatenates the parameters, flattened, into one 1-D tensor, as `nn.utils.parameters_to_vector`. */
export function parameters_to_vector(parameters: Iterable<Tensor>): Tensor {
	return cat([...parameters].map((p) => p.reshape(-1)));
}

/** Copies consecutive slices of `vec` into the parameters, as `nn.utils.vector_to_parameters`. */
export function vector_to_parameters(vec: Tensor, parameters: Iterable<Tensor>): void {
	if (vec.dim() !== 1) {
		throw new ValueError(`expected vec to be a 1-D tensor, got shape ${formatShape(vec.shape)}`);
	}
	let offset = 0;
	no_grad(() => {
		for (const p of parameters) {
			const n = p.numel();
			p.copy_(vec.narrow(0, offset, n).reshape(p.shape));
			offset += n;
		}
	});
}
