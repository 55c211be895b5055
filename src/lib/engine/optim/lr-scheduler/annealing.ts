/** Schedulers that interpolate the learning rate: CosineAnnealingLR and LinearLR. */
import type { Optimizer } from '../optimizer';
import { LRScheduler, groupLrs } from './scheduler';

export interface CosineAnnealingLROptions {
	T_max?: number;
	eta_min?: number;
	last_epoch?: number;
}

/**
 * Cosine annealing from the base lr to `eta_min` over `T_max` epochs, as
 * `torch.optim.lr_scheduler.CosineAnnealingLR`. PyTorch applies the recursive form
 * lr_e = eta_min + (lr_{e-1} - eta_min) * (1 + cos(pi e / T)) / (1 + cos(pi (e-1) / T)),
 * which can differ from the closed form in the last bits; this follows the recursion.
 */
export class CosineAnnealingLR extends LRScheduler {
	T_max: number;
	eta_min: number;

	constructor(
		optimizer: Optimizer,
		T_max: number | CosineAnnealingLROptions,
		options: CosineAnnealingLROptions = {}
	) {
		const opts = typeof T_max === 'number' ? { ...options, T_max } : T_max;
		super(optimizer, opts.last_epoch ?? -1);
		if (opts.T_max === undefined) throw new Error('CosineAnnealingLR: T_max is required.');
		this.T_max = opts.T_max;
		this.eta_min = opts.eta_min ?? 0;
		this.initialStep();
	}

	get_lr(): number[] {
		const { T_max, eta_min, last_epoch: e } = this;
		const groups = this.optimizer.param_groups;
		if (e === 0) return groupLrs(this.optimizer);
		if (this._step_count === 1 && e > 0) {
			return this.base_lrs.map(
				(base) => eta_min + ((base - eta_min) * (1 + Math.cos((e * Math.PI) / T_max))) / 2
			);
		}
		// At the start of each new cycle the recursion's denominator is zero, so PyTorch steps
		// back up by a fixed increment instead.
		if ((e - 1 - T_max) % (2 * T_max) === 0) {
			return groups.map(
				(group, i) =>
					group.lr + ((this.base_lrs[i] - eta_min) * (1 - Math.cos(Math.PI / T_max))) / 2
			);
		}
		return groups.map(
			(group) =>
				((1 + Math.cos((Math.PI * e) / T_max)) / (1 + Math.cos((Math.PI * (e - 1)) / T_max))) *
					(group.lr - eta_min) +
				eta_min
		);
	}
}

export interface LinearLROptions {
	start_factor?: number;
	end_factor?: number;
	total_iters?: number;
	last_epoch?: number;
}

/**
 * Scales the lr linearly from `start_factor` to `end_factor` of its base value over
 * `total_iters` epochs, as `torch.optim.lr_scheduler.LinearLR` (applied recursively, as
 * PyTorch does).
 */
export class LinearLR extends LRScheduler {
	start_factor: number;
	end_factor: number;
	total_iters: number;

	constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
		super(optimizer, options.last_epoch ?? -1);
		this.start_factor = options.start_factor ?? 1 / 3;
		this.end_factor = options.end_factor ?? 1;
		this.total_iters = options.total_iters ?? 5;
		if (this.start_factor > 1 || this.start_factor <= 0) {
			throw new Error(
				`LinearLR: Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got start_factor=${this.start_factor}.`
			);
		}
		if (this.end_factor > 1 || this.end_factor < 0) {
			throw new Error(
				`LinearLR: Ending multiplicative factor expected to be between 0 and 1, got end_factor=${this.end_factor}.`
			);
		}
		this.initialStep();
	}

	get_lr(): number[] {
		const { start_factor, end_factor, total_iters, last_epoch: e } = this;
		if (e === 0) return groupLrs(this.optimizer).map((lr) => lr * start_factor);
		if (e > total_iters) return groupLrs(this.optimizer);
		const span = end_factor - start_factor;
		const factor = 1 + span / (total_iters * start_factor + (e - 1) * span);
		return groupLrs(this.optimizer).map((lr) => lr * factor);
	}
}
