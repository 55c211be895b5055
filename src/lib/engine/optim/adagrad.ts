/** Adagrad, as `torch.optim.Adagrad`. */
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

export interface AdagradOptions {
	lr?: number;
	lr_decay?: number;
	weight_decay?: number;
	initial_accumulator_value?: number;
	eps?: number;
	maximize?: boolean;
}

/**
 * Adagrad, as `torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0,
 * initial_accumulator_value=0, eps=1e-10)`: s += g², p -= clr g / (sqrt(s) + eps) with
 * clr = lr / (1 + (step - 1) lr_decay).
 */
export class Adagrad extends Optimizer {
	constructor(params: Params, lr?: number | AdagradOptions, options?: AdagradOptions) {
		const opts = lrAndOptions(lr, options);
		const defaults = {
			lr: opts.lr ?? 1e-2,
			lr_decay: opts.lr_decay ?? 0,
			eps: opts.eps ?? 1e-10,
			weight_decay: opts.weight_decay ?? 0,
			initial_accumulator_value: opts.initial_accumulator_value ?? 0,
			maximize: opts.maximize ?? false
		};
		checkRange(defaults.lr >= 0, `Invalid learning rate: ${defaults.lr}`);
		checkRange(defaults.lr_decay >= 0, `Invalid lr_decay value: ${defaults.lr_decay}`);
		checkRange(defaults.weight_decay >= 0, `Invalid weight_decay value: ${defaults.weight_decay}`);
		checkRange(
			defaults.initial_accumulator_value >= 0,
			`Invalid initial_accumulator_value value: ${defaults.initial_accumulator_value}`
		);
		checkRange(defaults.eps >= 0, `Invalid epsilon value: ${defaults.eps}`);
		super(params, defaults);

		// PyTorch creates the state when the optimizer is built, not at the first step.
		for (const group of this.param_groups) {
			for (const p of group.params) {
				const state = this.stateOf(p);
				state.step = 0;
				state.sum = p.new_full(p.shape, group.initial_accumulator_value as number);
			}
		}
	}

	protected update(p: Tensor, grad: Tensor, group: ParamGroup, state: OptimizerState): void {
		// Groups added after construction get their state here.
		if (state.sum === undefined) {
			state.step = 0;
			state.sum = p.new_full(p.shape, group.initial_accumulator_value as number);
		}
		const step = (state.step as number) + 1;
		state.step = step;

		const g = penalizedGradient(p, grad, group, group.weight_decay as number);
		const clr = group.lr / (1 + (step - 1) * (group.lr_decay as number));

		const sum = (state.sum as Tensor).addcmul_(g, g, { value: 1 });
		const std = sum.sqrt().add_(group.eps as number);
		p.addcdiv_(g, std, { value: -clr });
	}
}

engineRule(Adagrad);
