/** Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW`. */
import type { Tensor } from '../tensor';
import {
	Optimizer,
	checkRange,
	engineRule,
	lrAndOptions,
	penalizedGradient,
	type OptimizerState,
	type ParamGroup,
	type Params
} from './optimizer';

export interface AdamOptions {
	lr?: number;
	betas?: [number, number];
	eps?: number;
	weight_decay?: number;
	amsgrad?: boolean;
	maximize?: boolean;
}

function adamDefaults(opts: AdamOptions, weightDecay: number) {
	const defaults = {
		lr: opts.lr ?? 1e-3,
		betas: opts.betas ?? [0.9, 0.999],
		eps: opts.eps ?? 1e-8,
		weight_decay: opts.weight_decay ?? weightDecay,
		amsgrad: opts.amsgrad ?? false,
		maximize: opts.maximize ?? false
	};
	const [beta1, beta2] = defaults.betas;
	checkRange(defaults.lr >= 0, `Invalid learning rate: ${defaults.lr}`);
	checkRange(defaults.eps >= 0, `Invalid epsilon value: ${defaults.eps}`);
	checkRange(beta1 >= 0 && beta1 < 1, `Invalid beta parameter at index 0: ${beta1}`);
	checkRange(beta2 >= 0 && beta2 < 1, `Invalid beta parameter at index 1: ${beta2}`);
	checkRange(defaults.weight_decay >= 0, `Invalid weight_decay value: ${defaults.weight_decay}`);
	return defaults;
}

/**
 * Shared Adam update in PyTorch 1.13's single-tensor order. `decoupled` selects AdamW: decay
 * the weights by (1 - lr * wd) first instead of adding wd * p to the gradient. Bias
 * corrections are binary64 numbers; the moments and parameters stay float32 tensors.
 */
function adamUpdate(
	p: Tensor,
	grad: Tensor,
	state: Record<string, unknown>,
	group: ParamGroup,
	decoupled: boolean
) {
	const lr = group.lr;
	const [beta1, beta2] = group.betas as [number, number];
	const eps = group.eps as number;
	const weightDecay = group.weight_decay as number;

	if (state.step === undefined) {
		state.step = 0;
		state.exp_avg = p.new_zeros(p.shape);
		state.exp_avg_sq = p.new_zeros(p.shape);
		if (group.amsgrad) state.max_exp_avg_sq = p.new_zeros(p.shape);
	}
	const expAvg = state.exp_avg as Tensor;
	const expAvgSq = state.exp_avg_sq as Tensor;
	const step = (state.step as number) + 1;
	state.step = step;

	if (decoupled) p.mul_(1 - lr * weightDecay);
	const g = penalizedGradient(p, grad, group, decoupled ? 0 : weightDecay);

	expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
	expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });

	const biasCorrection1 = 1 - beta1 ** step;
	const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
	const stepSize = lr / biasCorrection1;
	let second = expAvgSq;
	if (group.amsgrad) {
		const maxExpAvgSq = state.max_exp_avg_sq as Tensor;
		maxExpAvgSq.copy_(maxExpAvgSq.maximum(expAvgSq));
		second = maxExpAvgSq;
	}
	const denom = second.sqrt().div(biasCorrection2Sqrt).add_(eps);
	p.addcdiv_(expAvg, denom, { value: -stepSize });
}

/**
 * Adam, as `torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`. `weight_decay`
 * adds wd * p to the gradient (an L2 penalty, scaled away by the adaptive step); use AdamW for
 * decoupled weight decay.
 */
export class Adam extends Optimizer {
	constructor(params: Params, lr?: number | AdamOptions, options?: AdamOptions) {
		super(params, adamDefaults(lrAndOptions(lr, options), 0));
	}

	protected update(p: Tensor, grad: Tensor, group: ParamGroup, state: OptimizerState): void {
		adamUpdate(p, grad, state, group, false);
	}
}

/**
 * AdamW, as `torch.optim.AdamW(params, lr=1e-3, ..., weight_decay=1e-2)`: Adam with decoupled
 * weight decay, p *= 1 - lr * wd before the Adam update. Note the default weight_decay of 0.01.
 */
export class AdamW extends Optimizer {
	constructor(params: Params, lr?: number | AdamOptions, options?: AdamOptions) {
		super(params, adamDefaults(lrAndOptions(lr, options), 1e-2));
	}

	protected update(p: Tensor, grad: Tensor, group: ParamGroup, state: OptimizerState): void {
		adamUpdate(p, grad, state, group, true);
	}
}

engineRule(Adam);
engineRule(AdamW);
