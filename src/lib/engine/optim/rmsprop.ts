/** RMSprop, as `torch.optim.RMSprop`. */
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

export interface RMSpropOptions {
	lr?: number;
	alpha?: number;
	eps?: number;
	weight_decay?: number;
	momentum?: number;
	centered?: boolean;
	maximize?: boolean;
}

/**
 * RMSprop, as `torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8)`, in PyTorch 1.13's
 * single-tensor order: v = alpha v + (1 - alpha) g²; with `centered`, a = alpha a + (1 - alpha) g
 * and the denominator is sqrt(v - a²) + eps; with `momentum`, buf = momentum buf + g / denom
 * and p -= lr buf, else p -= lr g / denom.
 */
export class RMSprop extends Optimizer {
	constructor(params: Params, lr?: number | RMSpropOptions, options?: RMSpropOptions) {
		const opts = lrAndOptions(lr, options);
		const defaults = {
			lr: opts.lr ?? 1e-2,
			alpha: opts.alpha ?? 0.99,
			eps: opts.eps ?? 1e-8,
			weight_decay: opts.weight_decay ?? 0,
			momentum: opts.momentum ?? 0,
			centered: opts.centered ?? false,
			maximize: opts.maximize ?? false
		};
		checkRange(defaults.lr >= 0, `Invalid learning rate: ${defaults.lr}`);
		checkRange(defaults.eps >= 0, `Invalid epsilon value: ${defaults.eps}`);
		checkRange(defaults.momentum >= 0, `Invalid momentum value: ${defaults.momentum}`);
		checkRange(defaults.weight_decay >= 0, `Invalid weight_decay value: ${defaults.weight_decay}`);
		checkRange(defaults.alpha >= 0, `Invalid alpha value: ${defaults.alpha}`);
		super(params, defaults);
	}

	protected update(p: Tensor, grad: Tensor, group: ParamGroup, state: OptimizerState): void {
		const alpha = group.alpha as number;
		const momentum = group.momentum as number;
		const weightDecay = group.weight_decay as number;
		if (state.step === undefined) {
			state.step = 0;
			state.square_avg = p.new_zeros(p.shape);
			if (momentum > 0) state.momentum_buffer = p.new_zeros(p.shape);
			if (group.centered) state.grad_avg = p.new_zeros(p.shape);
		}
		state.step = (state.step as number) + 1;

		const g = penalizedGradient(p, grad, group, weightDecay);
		const squareAvg = (state.square_avg as Tensor).mul_(alpha).addcmul_(g, g, { value: 1 - alpha });

		let avg: Tensor;
		if (group.centered) {
			const gradAvg = (state.grad_avg as Tensor).mul_(alpha).add_(g, { alpha: 1 - alpha });
			avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
		} else {
			avg = squareAvg.sqrt();
		}
		avg = avg.add_(group.eps as number);

		if (momentum > 0) {
			const buf = (state.momentum_buffer as Tensor).mul_(momentum).addcdiv_(g, avg);
			p.add_(buf, { alpha: -group.lr });
		} else {
			p.addcdiv_(g, avg, { value: -group.lr });
		}
	}
}

engineRule(RMSprop);
