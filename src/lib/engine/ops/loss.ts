/**
 * Loss primitives with PyTorch's backward rules and grad_fn names: mse_loss, nll_loss,
 * binary_cross_entropy (log clamped at -100) and binary_cross_entropy_with_logits (the
 * stable max(x, 0) form). Forwards are composed from other ops in the same float32 order
 * as PyTorch's kernels; cross_entropy is a composite in functional.ts.
 */
import { definePrimitive, gradMode, record, untracked } from '../autograd';
import { int64 } from '../dtype';
import { AutogradError, DTypeError, IndexError, ShapeError, ValueError } from '../errors';
import { formatShape, numelOf } from '../shape';
import type { Tensor } from '../tensor';
import { squaredDifferenceReduced } from './reduce';

export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(op: string, reduction: string): Reduction {
	if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
		throw new ValueError(
			`${op}: ${reduction} is not a valid value for reduction; use 'mean', 'sum' or 'none'`
		);
	}
	return reduction;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
	if (reduction === 'sum') return loss.sum();
	if (reduction === 'mean') return loss.mean();
	return loss;
}

/** Spreads the reduced loss's gradient over the elements: g / n for mean, g otherwise. */
function elementGrad(g: Tensor, reduction: Reduction, n: number): Tensor {
	return reduction === 'mean' ? g.div(n) : g;
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
	if (
		input.shape.length !== target.shape.length ||
		input.shape.some((s, d) => s !== target.shape[d])
	) {
		throw new ShapeError(
			`${op}: Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}). Reshape one of them to match`
		);
	}
}

type ReductionParams = { reduction: Reduction };

const MseLoss = definePrimitive<ReductionParams>({
	gradFn: 'MseLossBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		const [input, target] = saved;
		// d/dx (x - t)^2 = 2 (x - t).
		const grad = input
			.sub(target)
			.mul(2)
			.mul(elementGrad(g, params.reduction, numelOf(input.shape)));
		return [needsInputGrad[0] ? grad : null, needsInputGrad[1] ? grad.neg() : null];
	}
});

/** Squared error, as `F.mse_loss`. */
export function mse_loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
	checkSameShape('mse_loss', input, target);
	// The reduction subtracts and squares as it sums, which saves two kernel launches on
	// WebGPU. A loss landscape computes one loss per grid point, and launches are most of its time.
	const out = untracked(() => {
		if (reduction !== 'none') return squaredDifferenceReduced(input, target, reduction);
		const d = input.sub(target);
		return d.mul(d);
	});
	return record(MseLoss, { reduction }, [input, target], out, [input, target]);
}

type NllParams = ReductionParams & { ignoreIndex: number; classDim: number };

const NllLoss = definePrimitive<NllParams>({
	gradFn: 'NllLossBackward0',
	backward: (g, { saved, params, inputShapes }) => {
		const [safeTarget, weights, total] = saved;
		let scale = params.reduction === 'none' ? g : g.expand(weights.shape as number[]);
		if (params.reduction === 'mean') scale = scale.div(total);
		const picked = weights.mul(scale).neg().unsqueeze(params.classDim);
		const index = safeTarget.unsqueeze(params.classDim);
		return [g.new_zeros(inputShapes[0]).scatter_add(params.classDim, index, picked)];
	}
});

/**
 * Negative log-likelihood of class-index targets, as `F.nll_loss`: input [N, C] (or [C], or
 * [N, C, d1, ...]) of log-probabilities, target int64 [N] (or [], or [N, d1, ...]).
 */
export function nll_loss(
	input: Tensor,
	target: Tensor,
	weight: Tensor | null = null,
	ignoreIndex = -100,
	reduction: Reduction = 'mean',
	op = 'nll_loss'
): Tensor {
	if (target.dtype !== int64) {
		throw new DTypeError(
			`${op}: expected target of dtype int64 (class indices), got ${target.dtype} of shape ${formatShape(target.shape)}. Create it with torch.tensor([...], { dtype: torch.int64 }).`
		);
	}
	if (weight?.requires_grad && gradMode.enabled) {
		throw new AutogradError(
			`${op}: the derivative for 'weight' is not implemented. Pass weight.detach(), as class weights are constants in PyTorch too`
		);
	}
	const classDim = input.shape.length === 1 ? 0 : 1;
	const expected = input.shape.filter((_, d) => d !== classDim);
	if (target.shape.length !== expected.length || target.shape.some((s, d) => s !== expected[d])) {
		throw new ShapeError(
			`${op}: expected target of shape ${formatShape(expected)} for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`
		);
	}

	const { out, safeTarget, weights, total } = untracked(() => {
		const valid = target.ne(ignoreIndex);
		const safeTarget = target.masked_fill(valid.logical_not(), 0);
		const classWeights = weight
			? weight.index_select(0, safeTarget.reshape(-1)).reshape(target.shape)
			: null;
		const weights = classWeights ? classWeights.mul(valid) : valid.to(input.dtype);
		const picked = gatherTargets(op, input, classDim, safeTarget);
		const losses = picked.mul(weights).neg();
		const total = weights.sum();
		const out =
			reduction === 'none' ? losses : reduction === 'sum' ? losses.sum() : losses.sum().div(total);
		return { out, safeTarget, weights, total };
	});
	const params = { reduction, ignoreIndex, classDim };
	return record(NllLoss, params, [input], out, [safeTarget, weights, total]);
}

/**
 * Picks each target's log-probability, turning the gather's out-of-range index error into one
 * that names the target. TODO: on WebGPU the range check runs on the device, so a bad target
 * surfaces at the next read with the gather's message.
 */
function gatherTargets(op: string, input: Tensor, classDim: number, target: Tensor): Tensor {
	try {
		return input.gather(classDim, target.unsqueeze(classDim)).squeeze(classDim);
	} catch (error) {
		const bad =
			error instanceof IndexError ? /index (-?\d+) is out of bounds/.exec(error.message) : null;
		if (!bad) throw error;
		const classes = input.shape[classDim];
		throw new IndexError(
			`${op}: target ${bad[1]} is out of bounds for ${classes} classes (PyTorch: "Target ${bad[1]} is out of bounds."). Class indices must lie in [0, ${classes - 1}].`
		);
	}
}

type BceParams = ReductionParams & { hasWeight: boolean };

const BinaryCrossEntropy = definePrimitive<BceParams>({
	gradFn: 'BinaryCrossEntropyBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		const [input, target, weight] = saved;
		const n = numelOf(input.shape);
		let scale = elementGrad(g, params.reduction, n);
		if (params.hasWeight) scale = scale.mul(weight);
		// dL/dx = (x - t) / (x (1 - x)), with the denominator kept above 1e-12 as PyTorch does.
		const gInput = needsInputGrad[0]
			? input.sub(target).div(input.neg().add(1).mul(input).clamp_min(1e-12)).mul(scale)
			: null;
		// dL/dt = log((1 - x) / x) = -logit(x).
		const gTarget = needsInputGrad[1] ? input.div(input.neg().add(1)).log().neg().mul(scale) : null;
		return [gInput, gTarget];
	}
});

/**
 * Binary cross-entropy of probabilities, as `F.binary_cross_entropy`: each log is clamped at
 * -100, so a saturated input costs at most 100 per element instead of Infinity.
 */
export function binary_cross_entropy(
	input: Tensor,
	target: Tensor,
	weight: Tensor | null = null,
	reduction: Reduction = 'mean'
): Tensor {
	checkSameShape('binary_cross_entropy', input, target);
	const out = untracked(() => {
		const logOneMinus = input.neg().log1p().clamp_min(-100);
		const logInput = input.log().clamp_min(-100);
		let loss = target.sub(1).mul(logOneMinus).sub(target.mul(logInput));
		if (weight) loss = loss.mul(weight);
		return reduce(loss, reduction);
	});
	const saved = weight ? [input, target, weight] : [input, target];
	return record(
		BinaryCrossEntropy,
		{ reduction, hasWeight: weight !== null },
		[input, target],
		out,
		saved
	);
}

type BceLogitsParams = ReductionParams & { weightIndex: number; posWeightIndex: number };

const BinaryCrossEntropyWithLogits = definePrimitive<BceLogitsParams>({
	gradFn: 'BinaryCrossEntropyWithLogitsBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		const [input, target] = saved;
		const weight = params.weightIndex >= 0 ? saved[params.weightIndex] : null;
		const posWeight = params.posWeightIndex >= 0 ? saved[params.posWeightIndex] : null;
		let scale = elementGrad(g, params.reduction, numelOf(input.shape));
		if (weight) scale = scale.mul(weight);

		// dL/dx = sigmoid(x) - t, or ((p - 1) t + 1) sigmoid(x) - p t with pos_weight p.
		let gInput: Tensor | null = null;
		if (needsInputGrad[0]) {
			const s = input.sigmoid();
			gInput = posWeight
				? posWeight.mul(target).add(1).sub(target).mul(s).sub(posWeight.mul(target))
				: s.sub(target);
			gInput = gInput.mul(scale);
		}
		// dL/dt = -x, or log_sigmoid(-x) - p log_sigmoid(x) with pos_weight p.
		let gTarget: Tensor | null = null;
		if (needsInputGrad[1]) {
			gTarget = posWeight
				? logSigmoid(input.neg()).sub(logSigmoid(input).mul(posWeight))
				: input.neg();
			gTarget = gTarget.mul(scale);
		}
		return [gInput, gTarget];
	}
});

// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for every x.
function logSigmoid(x: Tensor): Tensor {
	return x.clamp_max(0).sub(x.abs().neg().exp().log1p());
}

/**
 * Binary cross-entropy of logits, as `F.binary_cross_entropy_with_logits`, in the stable
 * form (1 - t) x + m + log(e^-m + e^(-x-m)) with m = max(-x, 0): finite for any logit.
 */
export function binary_cross_entropy_with_logits(
	input: Tensor,
	target: Tensor,
	weight: Tensor | null = null,
	posWeight: Tensor | null = null,
	reduction: Reduction = 'mean'
): Tensor {
	checkSameShape('binary_cross_entropy_with_logits', input, target);
	const out = untracked(() => {
		const m = input.neg().clamp_min(0);
		const logTerm = m.neg().exp().add(input.neg().sub(m).exp()).log();
		let loss: Tensor;
		if (posWeight) {
			const logWeight = posWeight.sub(1).mul(target).add(1);
			loss = target
				.neg()
				.add(1)
				.mul(input)
				.add(logWeight.mul(logTerm.add(m)));
		} else {
			loss = target.neg().add(1).mul(input).add(m).add(logTerm);
		}
		if (weight) loss = loss.mul(weight);
		return reduce(loss, reduction);
	});
	const saved = [input, target];
	const weightIndex = weight ? saved.push(weight) - 1 : -1;
	const posWeightIndex = posWeight ? saved.push(posWeight) - 1 : -1;
	const params = { reduction, weightIndex, posWeightIndex };
	return record(BinaryCrossEntropyWithLogits, params, [input, target], out, saved);
}

export const primitives = { MseLoss, NllLoss, BinaryCrossEntropy, BinaryCrossEntropyWithLogits };
