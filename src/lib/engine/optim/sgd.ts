/** Stochastic gradient descent, as `torch.optim.SGD`. */
import { ValueError } from '../errors';
import type { Tensor } from '../tensor';
import {
	Optimizer,
	checkRange,
	engineRule,
	lrAndOptions,
	penalizedGradient,
	required,
	type OptimizerState,
	type ParamGroup,
	type Params
} from './optimizer';

export interface SGDOptions {
	lr?: number;
	momentum?: number;
	dampening?: number;
	weight_decay?: number;
	nesterov?: boolean;
	maximize?: boolean;
}

/**
 * SGD with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
 * `torch.optim.SGD(params, lr, ...)`. The update follows PyTorch 1.13's single-tensor code:
 * g = grad + wd * p; buf = g on the first step, else momentum * buf + (1 - dampening) * g;
 * p -= lr * (nesterov ? g + momentum * buf : buf).
 */
export class SGD extends Optimizer {
	constructor(params: Params, lr?: number | SGDOptions, options?: SGDOptions) {
		const opts = lrAndOptions(lr, options);
		const defaults = {
			lr: opts.lr ?? required,
			momentum: opts.momentum ?? 0,
			dampening: opts.dampening ?? 0,
			weight_decay: opts.weight_decay ?? 0,
			nesterov: opts.nesterov ?? false,
			maximize: opts.maximize ?? false
		};
		if (opts.lr !== undefined) checkRange(opts.lr >= 0, `Invalid learning rate: ${opts.lr}`);
		checkRange(defaults.momentum >= 0, `Invalid momentum value: ${defaults.momentum}`);
		checkRange(defaults.weight_decay >= 0, `Invalid weight_decay value: ${defaults.weight_decay}`);
		if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
			throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
		}
		super(params, defaults);
	}

	protected update(p: Tensor, grad: Tensor, group: ParamGroup, state: OptimizerState): void {
		const lr = group.lr;
		const momentum = group.momentum as number;
		const dampening = group.dampening as number;
		const weightDecay = group.weight_decay as number;

		let d_p = penalizedGradient(p, grad, group, weightDecay);
		if (momentum !== 0) {
			let buf = state.momentum_buffer as Tensor | null | undefined;
			if (!buf) {
				buf = d_p.clone().detach();
			} else {
				buf.mul_(momentum).add_(d_p, { alpha: 1 - dampening });
			}
			state.momentum_buffer = buf;
			d_p = group.nesterov ? d_p.add(buf, { alpha: momentum }) : buf;
		} else {
			state.momentum_buffer = null;
		}
		p.add_(d_p, { alpha: -lr });
	}
}

engineRule(SGD);
