/**
 * `torch.nn.functional` (imported as F). Arguments follow PyTorch's order; keyword arguments
 * go in a trailing options object: `F.cross_entropy(logits, target, { label_smoothing: 0.1 })`,
 * `F.leaky_relu(x, 0.2)` or `F.leaky_relu(x, { negative_slope: 0.2 })`. Composites (those
 * without a primitive of their own) are built from primitives here.
 */
import { int64 } from './dtype';
import { DTypeError, IndexError, ShapeError, ValueError } from './errors';
import { isOptions } from './ops/args';
import { dropout as dropoutOp } from './ops/dropout';
import {
	binary_cross_entropy as bceOp,
	binary_cross_entropy_with_logits as bceLogitsOp,
	checkReduction,
	mse_loss as mseOp,
	nll_loss as nllOp,
	type Reduction
} from './ops/loss';
import { batch_norm as batchNormOp, layer_norm as layerNormOp } from './ops/normalization';
import { log_softmax as logSoftmaxOp, softmax as softmaxOp } from './ops/softmax';
import { gelu as geluOp, gelu_tanh as geluTanhOp, leaky_relu as leakyReluOp } from './ops/unary';
import type { Generator } from './random';
import { broadcastShapes, formatShape } from './shape';
import type { Tensor } from './tensor';

/**
 * Merges positional arguments (named in PyTorch's order) with a trailing options object, so
 * `f(x, 0.2)` and `f(x, { negative_slope: 0.2 })` read the same.
 */
function keywords<T extends object>(
	args: readonly unknown[],
	names: readonly (keyof T)[]
): Partial<T> {
	const result: Partial<T> = {};
	let i = 0;
	for (; i < args.length && i < names.length; i++) {
		if (isOptions(args[i])) break;
		if (args[i] !== undefined) result[names[i]] = args[i] as T[keyof T];
	}
	const last = args[args.length - 1];
	if (args.length > 0 && isOptions<Partial<T>>(last)) Object.assign(result, last);
	return result;
}

type Rest = unknown[];

/** y = x W^T + b, as `F.linear`; W is [out_features, in_features]. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
	return input._linear(weight, bias ?? null);
}

export function relu(input: Tensor): Tensor {
	return input.relu();
}

export function sigmoid(input: Tensor): Tensor {
	return input.sigmoid();
}

export function tanh(input: Tensor): Tensor {
	return input.tanh();
}

/** x for x > 0, negative_slope * x otherwise (default 0.01), as `F.leaky_relu`. */
export function leaky_relu(input: Tensor, ...rest: Rest): Tensor {
	const o = keywords<{ negative_slope: number }>(rest, ['negative_slope']);
	return leakyReluOp(input, o.negative_slope ?? 0.01);
}

/** GELU, exact (erf) by default or `{ approximate: 'tanh' }`, as `F.gelu`. */
export function gelu(input: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
	const approximate = options.approximate ?? 'none';
	if (approximate !== 'none' && approximate !== 'tanh') {
		throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
	}
	return approximate === 'tanh' ? geluTanhOp(input) : geluOp(input);
}

/** x * sigmoid(x), as `F.silu`. */
export function silu(input: Tensor): Tensor {
	return input.mul(input.sigmoid());
}

/** log(1 + e^(beta x)) / beta, linear above `threshold`, as `F.softplus`. */
export function softplus(input: Tensor, ...rest: Rest): Tensor {
	const o = keywords<{ beta: number; threshold: number }>(rest, ['beta', 'threshold']);
	const beta = o.beta ?? 1;
	const scaled = input.mul(beta);
	const soft = scaled.exp().log1p().div(beta);
	return input.where(scaled.gt(o.threshold ?? 20), soft);
}

function dimOf(op: string, rest: Rest): number {
	const o = keywords<{ dim: number }>(rest, ['dim']);
	if (o.dim === undefined)
		throw new ValueError(
			`${op}: missing required argument 'dim' (implicit dims are deprecated in PyTorch)`
		);
	return o.dim;
}

export function softmax(input: Tensor, ...rest: Rest): Tensor {
	return softmaxOp(input, dimOf('softmax', rest));
}

export function log_softmax(input: Tensor, ...rest: Rest): Tensor {
	return logSoftmaxOp(input, dimOf('log_softmax', rest));
}

/** x / max(||x||_p, eps) along `dim` (default 1), as `F.normalize`. */
export function normalize(input: Tensor, ...rest: Rest): Tensor {
	const o = keywords<{ p: number; dim: number; eps: number }>(rest, ['p', 'dim', 'eps']);
	const norm = input.norm(o.p ?? 2, o.dim ?? 1, true);
	return input.div(norm.clamp_min(o.eps ?? 1e-12).expand_as(input));
}

interface LossOptions {
	reduction: Reduction;
}

function reductionOf(op: string, o: Partial<LossOptions>): Reduction {
	return checkReduction(op, o.reduction ?? 'mean');
}

/** Throws a TypeError naming the argument when a loss gets something other than a tensor. */
function checkLossArguments(op: string, input: unknown, target: unknown): void {
	const args: [string, unknown][] = [
		['input', input],
		['target', target]
	];
	args.forEach(([name, value], i) => {
		if (typeof value === 'object' && value !== null && 'storage' in value) return;
		let got: string = typeof value;
		if (Array.isArray(value)) got = 'an array';
		else if (value === null) got = 'null';
		throw new TypeError(
			`${op}(): argument '${name}' (position ${i + 1}) must be a Tensor, not ${got}. Convert it first: torch.tensor(${name})`
		);
	});
}

/** Mean squared error, as `F.mse_loss(input, target, { reduction })`. */
export function mse_loss(
	input: Tensor,
	target: Tensor,
	options: Partial<LossOptions> = {}
): Tensor {
	checkLossArguments('mse_loss', input, target);
	const reduction = reductionOf('mse_loss', options);
	if (sameShape(input.shape, target.shape)) return mseOp(input, target, reduction);
	// PyTorch warns ("Using a target size ... different to the input size") and broadcasts; we
	// broadcast without the warning, because the engine does not log.
	let shape: number[];
	try {
		shape = broadcastShapes(input.shape, target.shape, 'mse_loss');
	} catch (error) {
		if (!(error instanceof ShapeError)) throw error;
		throw new ShapeError(
			`mse_loss: Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}), and the two do not broadcast. Reshape one of them to match`
		);
	}
	return mseOp(input.expand(shape), target.expand(shape), reduction);
}

/**
 * Encodes int64 class indices as one-hot rows, as `F.one_hot(x, num_classes)`: shape
 * [...x.shape, num_classes], dtype int64. Without num_classes it is max(x) + 1, which needs
 * a synchronous read, so only the CPU backend infers it.
 */
export function one_hot(input: Tensor, ...rest: Rest): Tensor {
	const o = keywords<{ num_classes: number }>(rest, ['num_classes']);
	if (input.dtype !== int64) {
		throw new DTypeError(
			`one_hot: one_hot is only applicable to index tensor of type int64, got ${input.dtype}. Create it with { dtype: torch.int64 } or call .long()`
		);
	}
	let classes = o.num_classes ?? -1;
	if (classes === -1) {
		if (input.numel() === 0) {
			throw new ValueError(
				'one_hot: Can not infer total number of classes from empty tensor. Pass num_classes'
			);
		}
		classes = Math.max(...Array.from(input._readSync(), Number)) + 1;
	}
	if (!Number.isInteger(classes) || classes < 0) {
		throw new ValueError(`one_hot: num_classes must be a non-negative integer, got ${classes}`);
	}
	const index = input.unsqueeze(-1);
	const out = input.new_zeros([...input.shape, classes], { dtype: int64 });
	try {
		return out.scatter_add(-1, index, index.new_ones(index.shape, { dtype: int64 }));
	} catch (error) {
		if (!(error instanceof IndexError)) throw error;
		throw new IndexError(
			`one_hot: Class values must be smaller than num_classes (${classes}) and non-negative. Pass a larger num_classes`
		);
	}
}

/** Mean absolute error, as `F.l1_loss`; a composite, as in PyTorch. */
export function l1_loss(input: Tensor, target: Tensor, options: Partial<LossOptions> = {}): Tensor {
	checkLossArguments('l1_loss', input, target);
	const loss = input.sub(target).abs();
	const reduction = reductionOf('l1_loss', options);
	return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}

interface NllOptions extends LossOptions {
	weight: Tensor | null;
	ignore_index: number;
}

/** Negative log-likelihood of int64 class targets, as `F.nll_loss`. */
export function nll_loss(input: Tensor, target: Tensor, ...rest: Rest): Tensor {
	checkLossArguments('nll_loss', input, target);
	const o = keywords<NllOptions>(rest, ['weight']);
	return nllOp(input, target, o.weight ?? null, o.ignore_index ?? -100, reductionOf('nll_loss', o));
}

interface CrossEntropyOptions extends NllOptions {
	label_smoothing: number;
}

/**
 * Cross-entropy of logits, as `F.cross_entropy`: log_softmax (max-shifted, so huge logits stay
 * finite) then nll_loss. Targets are int64 class indices, or float class probabilities of the
 * input's shape. Options: weight, ignore_index (-100), reduction, label_smoothing.
 */
export function cross_entropy(input: Tensor, target: Tensor, ...rest: Rest): Tensor {
	checkLossArguments('cross_entropy', input, target);
	const o = keywords<CrossEntropyOptions>(rest, ['weight']);
	const reduction = reductionOf('cross_entropy', o);
	const smoothing = o.label_smoothing ?? 0;
	if (!(smoothing >= 0 && smoothing <= 1)) {
		throw new ValueError(
			`cross_entropy: label_smoothing must be between 0.0 and 1.0, got ${smoothing}`
		);
	}
	const classDim = input.ndim === 1 ? 0 : 1;
	const isProbabilities = target.dtype.is_floating_point && sameShape(target.shape, input.shape);
	if (target.dtype !== int64 && !isProbabilities) {
		throw new DTypeError(
			`cross_entropy: expected target of dtype int64 (class indices) or ${input.dtype} of the input's shape ${formatShape(input.shape)} (class probabilities), got ${target.dtype} of shape ${formatShape(target.shape)}. Create it with torch.tensor([...], { dtype: torch.int64 }).`
		);
	}
	const logProbs = logSoftmaxOp(input, classDim);
	const weight = o.weight ?? null;
	if (isProbabilities)
		return probabilityCrossEntropy(logProbs, target, weight, reduction, smoothing, classDim);

	const ignoreIndex = o.ignore_index ?? -100;
	const nll = nllOp(logProbs, target, weight, ignoreIndex, reduction, 'cross_entropy');
	if (smoothing === 0) return nll;

	// PyTorch's label smoothing: (1 - s) * nll + s / C * (the loss against a uniform target),
	// with ignored positions masked and the mean normalised like nll_loss's.
	const classes = input.shape[classDim];
	const weightShape = input.shape.map((size, d) => (d === classDim ? size : 1));
	const weighted = weight ? logProbs.mul(weight.reshape(weightShape)) : logProbs;
	const ignored = target.eq(ignoreIndex);
	const smooth = weighted.sum(classDim).neg().masked_fill(ignored, 0);
	let smoothLoss: Tensor;
	if (reduction === 'none') smoothLoss = smooth;
	else if (reduction === 'sum') smoothLoss = smooth.sum();
	else if (weight) {
		const picked = weight
			.index_select(0, target.masked_fill(ignored, 0).reshape(-1))
			.reshape(target.shape);
		smoothLoss = smooth.sum().div(picked.masked_fill(ignored, 0).sum());
	} else smoothLoss = smooth.sum().div(ignored.logical_not().sum());
	return nll.mul(1 - smoothing).add(smoothLoss.mul(smoothing / classes));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
	return a.length === b.length && a.every((size, d) => size === b[d]);
}

function probabilityCrossEntropy(
	logProbs: Tensor,
	target: Tensor,
	weight: Tensor | null,
	reduction: Reduction,
	smoothing: number,
	classDim: number
): Tensor {
	const classes = logProbs.shape[classDim];
	const smoothed = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
	const weightShape = logProbs.shape.map((size, d) => (d === classDim ? size : 1));
	const weighted = weight ? logProbs.mul(weight.reshape(weightShape)) : logProbs;
	const loss = weighted.mul(smoothed).sum(classDim).neg();
	if (reduction === 'none') return loss;
	if (reduction === 'sum') return loss.sum();
	// PyTorch divides by the number of samples for probability targets, weights or not.
	return loss.mean();
}

interface BceOptions extends LossOptions {
	weight: Tensor | null;
}

/** Binary cross-entropy of probabilities, as `F.binary_cross_entropy`; logs clamp at -100. */
export function binary_cross_entropy(input: Tensor, target: Tensor, ...rest: Rest): Tensor {
	checkLossArguments('binary_cross_entropy', input, target);
	const o = keywords<BceOptions>(rest, ['weight']);
	return bceOp(input, target, o.weight ?? null, reductionOf('binary_cross_entropy', o));
}

interface BceLogitsOptions extends BceOptions {
	pos_weight: Tensor | null;
}

/** Binary cross-entropy of logits in the stable form, as `F.binary_cross_entropy_with_logits`. */
export function binary_cross_entropy_with_logits(
	input: Tensor,
	target: Tensor,
	...rest: Rest
): Tensor {
	checkLossArguments('binary_cross_entropy_with_logits', input, target);
	const o = keywords<BceLogitsOptions>(rest, ['weight']);
	const reduction = reductionOf('binary_cross_entropy_with_logits', o);
	return bceLogitsOp(input, target, o.weight ?? null, o.pos_weight ?? null, reduction);
}

interface LayerNormOptions {
	weight: Tensor | null;
	bias: Tensor | null;
	eps: number;
}

/** Normalises over the trailing dims, as `F.layer_norm(x, normalized_shape, weight, bias, eps)`. */
export function layer_norm(
	input: Tensor,
	normalized_shape: number | readonly number[],
	...rest: Rest
): Tensor {
	const o = keywords<LayerNormOptions>(rest, ['weight', 'bias', 'eps']);
	const shape = typeof normalized_shape === 'number' ? [normalized_shape] : normalized_shape;
	return layerNormOp(input, shape, o.weight ?? null, o.bias ?? null, o.eps ?? 1e-5);
}

interface BatchNormOptions {
	weight: Tensor | null;
	bias: Tensor | null;
	training: boolean;
	momentum: number;
	eps: number;
}

/**
 * Batch normalisation over dim 1, as `F.batch_norm(x, running_mean, running_var, weight,
 * bias, training, momentum, eps)`; training mode updates the running statistics in place.
 */
export function batch_norm(
	input: Tensor,
	running_mean: Tensor | null,
	running_var: Tensor | null,
	...rest: Rest
): Tensor {
	const o = keywords<BatchNormOptions>(rest, ['weight', 'bias', 'training', 'momentum', 'eps']);
	return batchNormOp(input, running_mean, running_var, {
		weight: o.weight ?? null,
		bias: o.bias ?? null,
		training: o.training ?? false,
		momentum: o.momentum ?? 0.1,
		eps: o.eps ?? 1e-5
	});
}

interface DropoutOptions {
	p: number;
	training: boolean;
	generator: Generator;
}

/** Zeroes elements with probability p (default 0.5) when training, as `F.dropout`. */
export function dropout(input: Tensor, ...rest: Rest): Tensor {
	const o = keywords<DropoutOptions>(rest, ['p', 'training']);
	return dropoutOp(input, o.p ?? 0.5, o.training ?? true, o.generator);
}
