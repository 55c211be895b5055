/** Schedulers that multiply the learning rate: StepLR, MultiStepLR, ExponentialLR, LambdaLR. */
import type { Optimizer } from '../optimizer';
import { LRScheduler, groupLrs, perGroup } from './scheduler';

export interface StepLROptions {
	step_size?: number;
	gamma?: number;
	last_epoch?: number;
}

/** Multiplies the lr by `gamma` every `step_size` epochs, as `torch.optim.lr_scheduler.StepLR`. */
export class StepLR extends LRScheduler {
	step_size: number;
	gamma: number;

	constructor(
		optimizer: Optimizer,
		step_size: number | StepLROptions,
		options: StepLROptions = {}
	) {
		const opts = typeof step_size === 'number' ? { ...options, step_size } : step_size;
		super(optimizer, opts.last_epoch ?? -1);
		if (opts.step_size === undefined) throw new Error('StepLR: step_size is required.');
		this.step_size = opts.step_size;
		this.gamma = opts.gamma ?? 0.1;
		this.initialStep();
	}

	get_lr(): number[] {
		if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) {
			return groupLrs(this.optimizer);
		}
		return groupLrs(this.optimizer).map((lr) => lr * this.gamma);
	}
}

export interface MultiStepLROptions {
	milestones?: number[];
	gamma?: number;
	last_epoch?: number;
}

/** Multiplies the lr by `gamma` at each milestone epoch, as `torch.optim.lr_scheduler.MultiStepLR`. */
export class MultiStepLR extends LRScheduler {
	/** How many times each epoch appears in the milestones (PyTorch keeps a Counter). */
	milestones: Map<number, number>;
	gamma: number;

	constructor(
		optimizer: Optimizer,
		milestones: number[] | MultiStepLROptions,
		options: MultiStepLROptions = {}
	) {
		const opts = Array.isArray(milestones) ? { ...options, milestones } : milestones;
		super(optimizer, opts.last_epoch ?? -1);
		if (opts.milestones === undefined) throw new Error('MultiStepLR: milestones is required.');
		this.milestones = new Map();
		for (const m of opts.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
		this.gamma = opts.gamma ?? 0.1;
		this.initialStep();
	}

	get_lr(): number[] {
		const count = this.milestones.get(this.last_epoch);
		if (count === undefined) return groupLrs(this.optimizer);
		return groupLrs(this.optimizer).map((lr) => lr * this.gamma ** count);
	}
}

export interface ExponentialLROptions {
	gamma?: number;
	last_epoch?: number;
}

/** Multiplies the lr by `gamma` every epoch, as `torch.optim.lr_scheduler.ExponentialLR`. */
export class ExponentialLR extends LRScheduler {
	gamma: number;

	constructor(
		optimizer: Optimizer,
		gamma: number | ExponentialLROptions,
		options: ExponentialLROptions = {}
	) {
		const opts: ExponentialLROptions = typeof gamma === 'number' ? { ...options, gamma } : gamma;
		super(optimizer, opts.last_epoch ?? -1);
		if (opts.gamma === undefined) throw new Error('ExponentialLR: gamma is required.');
		this.gamma = opts.gamma;
		this.initialStep();
	}

	get_lr(): number[] {
		if (this.last_epoch === 0) return groupLrs(this.optimizer);
		return groupLrs(this.optimizer).map((lr) => lr * this.gamma);
	}
}

export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
	last_epoch?: number;
}

/** Sets each group's lr to its base lr times `lr_lambda(epoch)`, as `torch.optim.lr_scheduler.LambdaLR`. */
export class LambdaLR extends LRScheduler {
	lr_lambdas: LrLambda[];

	constructor(
		optimizer: Optimizer,
		lr_lambda: LrLambda | LrLambda[],
		options: LambdaLROptions = {}
	) {
		super(optimizer, options.last_epoch ?? -1);
		this.lr_lambdas = perGroup('LambdaLR', optimizer, lr_lambda);
		this.initialStep();
	}

	get_lr(): number[] {
		return this.base_lrs.map((base, i) => base * this.lr_lambdas[i](this.last_epoch));
	}
}
