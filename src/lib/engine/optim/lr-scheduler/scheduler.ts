/**
 * The base of torch.optim.lr_scheduler's epoch-indexed schedulers.
 *
 * Each scheduler follows PyTorch 1.13's own update, which is often recursive (the new lr is
 * computed from the group's current lr, not from a closed form), so the sequence of binary64
 * learning rates matches PyTorch's to the last bits. Construction performs the first `step()`,
 * as in PyTorch, so `get_last_lr()` is the lr of the first optimizer step.
 */
import type { Optimizer } from '../optimizer';

/** Base class of the epoch-indexed schedulers, as `torch.optim.lr_scheduler._LRScheduler`. */
export abstract class LRScheduler {
	optimizer: Optimizer;
	base_lrs: number[];
	last_epoch: number;
	protected _step_count = 0;
	protected _last_lr: number[] = [];

	constructor(optimizer: Optimizer, last_epoch = -1) {
		this.optimizer = optimizer;
		if (last_epoch === -1) {
			for (const group of optimizer.param_groups) group.initial_lr ??= group.lr;
		} else {
			optimizer.param_groups.forEach((group, i) => {
				if (group.initial_lr === undefined) {
					throw new Error(
						`${this.constructor.name}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer. Pass last_epoch: -1 to start a new schedule.`
					);
				}
			});
		}
		this.base_lrs = optimizer.param_groups.map((group) => group.initial_lr as number);
		this.last_epoch = last_epoch;
	}

	/** The learning rates for epoch `last_epoch`, computed from the groups' current values. */
	abstract get_lr(): number[];

	/** Learning rates set by the last `step()`, one per param group. */
	get_last_lr(): number[] {
		return this._last_lr;
	}

	/** Advances the schedule one epoch and writes the new lr into every param group. */
	step(): void {
		this._step_count += 1;
		this.last_epoch += 1;
		const values = this.get_lr();
		this.optimizer.param_groups.forEach((group, i) => (group.lr = values[i]));
		this._last_lr = this.optimizer.param_groups.map((group) => group.lr);
	}

	/** Returns the scheduler's fields except the optimizer and functions (LambdaLR's lambdas). */
	state_dict(): Record<string, unknown> {
		const state: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(this)) {
			if (key !== 'optimizer' && !holdsFunction(value)) state[key] = structuredClone(value);
		}
		return state;
	}

	/** Restores fields saved by `state_dict()`. */
	load_state_dict(state: Record<string, unknown>): void {
		Object.assign(this, structuredClone(state));
	}

	/** Runs the constructor's first step; subclasses call it once their own fields are set. */
	protected initialStep(): void {
		this.step();
	}
}

function holdsFunction(value: unknown): boolean {
	return typeof value === 'function' || (Array.isArray(value) && value.some(holdsFunction));
}

/** PyTorch 1.13's name for the base class. */
export { LRScheduler as _LRScheduler };

export function groupLrs(optimizer: Optimizer): number[] {
	return optimizer.param_groups.map((group) => group.lr);
}

export function perGroup<T>(name: string, optimizer: Optimizer, value: T | T[]): T[] {
	if (!Array.isArray(value)) return optimizer.param_groups.map(() => value);
	if (value.length !== optimizer.param_groups.length) {
		throw new Error(
			`${name}: expected ${optimizer.param_groups.length} values (one per param group), got ${value.length}.`
		);
	}
	return value;
}
