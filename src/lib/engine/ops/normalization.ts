/**
 * layer_norm and batch_norm as single primitives (PyTorch's NativeLayerNormBackward0 and
 * NativeBatchNormBackward0), so backward uses the closed-form gradient instead of walking a
 * graph of means and variances. Both normalise with the biased variance.
 */
import { definePrimitive, no_grad, record, untracked } from '../autograd';
import { ShapeError, ValueError } from '../errors';
import { formatShape, numelOf } from '../shape';
import type { Tensor } from '../tensor';

/**
 * Computes the input gradient of x_hat = (x - mean) * rstd over `dims` from the gradient g
 * of x_hat: rstd * (g - mean(g) - x_hat * mean(g * x_hat)).
 */
function normalizedInputGrad(gHat: Tensor, xHat: Tensor, rstd: Tensor, dims: number[]): Tensor {
	const meanG = gHat.mean(dims, true);
	const meanGX = gHat.mul(xHat).mean(dims, true);
	return gHat.sub(meanG).sub(xHat.mul(meanGX)).mul(rstd);
}

type LayerNormParams = { dims: number[]; hasWeight: boolean; hasBias: boolean };

const LayerNorm = definePrimitive<LayerNormParams>({
	gradFn: 'NativeLayerNormBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		const [xHat, rstd, weight] = saved;
		const gHat = params.hasWeight ? g.mul(weight) : g;
		const grads: (Tensor | null)[] = [
			needsInputGrad[0] ? normalizedInputGrad(gHat, xHat, rstd, params.dims) : null
		];
		// Weight and bias gradients keep x's shape; autograd sums the leading dims away.
		if (params.hasWeight) grads.push(needsInputGrad[1] ? g.mul(xHat) : null);
		if (params.hasBias) grads.push(g);
		return grads;
	}
});

/** Normalises over the trailing `normalizedShape` dims, as `F.layer_norm`. */
export function layer_norm(
	x: Tensor,
	normalizedShape: readonly number[],
	weight: Tensor | null = null,
	bias: Tensor | null = null,
	eps = 1e-5
): Tensor {
	const k = normalizedShape.length;
	const trailing = x.shape.slice(x.shape.length - k);
	if (k > x.shape.length || trailing.some((s, i) => s !== normalizedShape[i])) {
		throw new ShapeError(
			`layer_norm: Given normalized_shape=${formatShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size${formatShape(x.shape)}`
		);
	}
	const dims = normalizedShape.map((_, i) => x.shape.length - k + i);
	const { out, xHat, rstd } = untracked(() => {
		const centred = x.sub(x.mean(dims, true));
		const rstd = centred.mul(centred).mean(dims, true).add(eps).rsqrt();
		const xHat = centred.mul(rstd);
		let out = weight ? xHat.mul(weight) : xHat;
		if (bias) out = out.add(bias);
		return { out, xHat, rstd };
	});
	const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
	const saved = weight ? [xHat, rstd, weight] : [xHat, rstd];
	const params = { dims, hasWeight: weight !== null, hasBias: bias !== null };
	return record(LayerNorm, params, inputs, out, saved);
}

type BatchNormParams = { dims: number[]; training: boolean; hasWeight: boolean; hasBias: boolean };

const BatchNorm = definePrimitive<BatchNormParams>({
	gradFn: 'NativeBatchNormBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		const [xHat, rstd, weight] = saved;
		const gHat = params.hasWeight ? g.mul(weight) : g;
		// In eval mode the statistics are constants, so x_hat is affine in x.
		const gx = params.training
			? normalizedInputGrad(gHat, xHat, rstd, params.dims)
			: gHat.mul(rstd);
		const grads: (Tensor | null)[] = [needsInputGrad[0] ? gx : null];
		if (params.hasWeight) grads.push(g.mul(xHat).sum(params.dims));
		if (params.hasBias) grads.push(g.sum(params.dims));
		return grads;
	}
});

export interface BatchNormOptions {
	weight?: Tensor | null;
	bias?: Tensor | null;
	training?: boolean;
	momentum?: number;
	eps?: number;
}

/**
 * Normalises each channel (dim 1) of x [N, C, *], as `F.batch_norm`. In training it uses the
 * batch mean and biased variance and updates the running statistics in place, the variance
 * with the unbiased estimate: running = (1 - momentum) running + momentum * batch statistic.
 * In eval it uses the running statistics.
 */
export function batch_norm(
	x: Tensor,
	runningMean: Tensor | null,
	runningVar: Tensor | null,
	options: BatchNormOptions = {}
): Tensor {
	const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
	if (x.shape.length < 2) {
		throw new ShapeError(
			`batch_norm: expected input with at least 2 dims [N, C, *], got shape ${formatShape(x.shape)}`
		);
	}
	const channels = x.shape[1];
	const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
	const perChannel = numelOf(x.shape) / channels;
	const broadcast = x.shape.map((s, d) => (d === 1 ? s : 1));
	if (training && perChannel <= 1) {
		throw new ValueError(
			`Expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`
		);
	}
	if (!training && (runningMean === null || runningVar === null)) {
		throw new ValueError(
			'batch_norm: running_mean and running_var must be defined in evaluation mode'
		);
	}

	const { out, xHat, rstd, weightB } = untracked(() => {
		let mean: Tensor;
		let variance: Tensor;
		if (training) {
			mean = x.mean(dims, true);
			const centred = x.sub(mean);
			variance = centred.mul(centred).mean(dims, true);
			if (runningMean && runningVar)
				updateRunning(runningMean, runningVar, mean, variance, momentum, perChannel);
		} else {
			mean = (runningMean as Tensor).reshape(broadcast);
			variance = (runningVar as Tensor).reshape(broadcast);
		}
		const rstd = variance.add(eps).rsqrt();
		const xHat = x.sub(mean).mul(rstd);
		const weightB = weight ? weight.reshape(broadcast) : null;
		let out = weightB ? xHat.mul(weightB) : xHat;
		if (bias) out = out.add(bias.reshape(broadcast));
		return { out, xHat, rstd, weightB };
	});

	const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
	const saved = weightB ? [xHat, rstd, weightB] : [xHat, rstd];
	const params = { dims, training, hasWeight: weight !== null, hasBias: bias !== null };
	return record(BatchNorm, params, inputs, out, saved);
}

function updateRunning(
	runningMean: Tensor,
	runningVar: Tensor,
	mean: Tensor,
	variance: Tensor,
	momentum: number,
	n: number
): void {
	no_grad(() => {
		const unbiased = variance.mul(n / (n - 1));
		runningMean.mul_(1 - momentum).add_(mean.reshape(runningMean.shape), { alpha: momentum });
		runningVar.mul_(1 - momentum).add_(unbiased.reshape(runningVar.shape), { alpha: momentum });
	});
}

export const primitives = { LayerNorm, BatchNorm };
