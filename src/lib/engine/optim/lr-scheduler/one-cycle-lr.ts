/** The 1cycle learning-rate and momentum policy, as `torch.optim.lr_scheduler.OneCycleLR`. */
import type { Optimizer, ParamGroup } from '../optimizer';
import { LRScheduler, perGroup } from './scheduler';

export interface OneCycleLROptions {
	max_lr?: number | number[];
	total_steps?: number;
	epochs?: number;
	steps_per_epoch?: number;
	pct_start?: number;
	anneal_strategy?: 'cos' | 'linear';
	cycle_momentum?: boolean;
	base_momentum?: number | number[];
	max_momentum?: number | number[];
	div_factor?: number;
	final_div_factor?: number;
	three_phase?: boolean;
	last_epoch?: number;
}

type GroupKey = 'initial_lr' | 'max_lr' | 'min_lr' | 'max_momentum' | 'base_momentum';

interface Phase {
	end_step: number;
	start_lr: GroupKey;
	end_lr: GroupKey;
	start_momentum: GroupKey;
	end_momentum: GroupKey;
}

/**
 * The 1cycle policy, as `torch.optim.lr_scheduler.OneCycleLR`. The lr rises from
 * max_lr / div_factor to max_lr over the first `pct_start` of the steps, then anneals to
 * initial_lr / final_div_factor. Meanwhile the momentum (or Adam's beta1) cycles the other
 * way between `max_momentum` and `base_momentum`. Stepping past `total_steps` throws.
 */
export class OneCycleLR extends LRScheduler {
	total_steps: number;
	cycle_momentum: boolean;
	use_beta1 = false;
	anneal_strategy: 'cos' | 'linear';
	protected _schedule_phases: Phase[];

	constructor(
		optimizer: Optimizer,
		max_lr: number | number[] | OneCycleLROptions,
		options: OneCycleLROptions = {}
	) {
		const opts: OneCycleLROptions =
			typeof max_lr === 'number' || Array.isArray(max_lr) ? { ...options, max_lr } : max_lr;
		const total = oneCycleTotalSteps(opts);
		const pct = opts.pct_start ?? 0.3;
		const phases = oneCyclePhases(total, pct, opts.three_phase ?? false);
		if (pct < 0 || pct > 1) {
			throw new Error(`OneCycleLR: Expected float between 0 and 1 pct_start, but got ${pct}.`);
		}
		const strategy = opts.anneal_strategy ?? 'cos';
		if (strategy !== 'cos' && strategy !== 'linear') {
			throw new Error(
				`OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got ${strategy}.`
			);
		}
		const last_epoch = opts.last_epoch ?? -1;
		if (opts.max_lr === undefined) throw new Error('OneCycleLR: max_lr is required.');
		const maxLrs = perGroup('OneCycleLR max_lr', optimizer, opts.max_lr);
		if (last_epoch === -1) {
			optimizer.param_groups.forEach((group, i) => {
				group.initial_lr = maxLrs[i] / (opts.div_factor ?? 25);
				group.max_lr = maxLrs[i];
				group.min_lr = group.initial_lr / (opts.final_div_factor ?? 1e4);
			});
		}
		const cycle = opts.cycle_momentum ?? true;
		const useBeta1 = cycle && setUpMomentumCycle(optimizer, opts, last_epoch);

		super(optimizer, last_epoch);
		this.total_steps = total;
		this._schedule_phases = phases;
		this.anneal_strategy = strategy;
		this.cycle_momentum = cycle;
		this.use_beta1 = useBeta1;
		this.initialStep();
	}

	get_lr(): number[] {
		const stepNum = this.last_epoch;
		if (stepNum > this.total_steps) {
			throw new Error(
				`OneCycleLR: Tried to step ${stepNum} times. The specified number of total steps is ${this.total_steps}. Create a new scheduler or raise total_steps.`
			);
		}
		return this.optimizer.param_groups.map((group) => this.groupLr(group, stepNum));
	}

	private groupLr(group: ParamGroup, stepNum: number): number {
		const anneal = this.anneal_strategy === 'cos' ? annealCos : annealLinear;
		const phases = this._schedule_phases;
		let startStep = 0;
		for (let i = 0; i < phases.length; i++) {
			const phase = phases[i];
			if (stepNum <= phase.end_step || i === phases.length - 1) {
				const pct = (stepNum - startStep) / (phase.end_step - startStep);
				if (this.cycle_momentum) {
					const momentum = anneal(
						group[phase.start_momentum] as number,
						group[phase.end_momentum] as number,
						pct
					);
					setMomentum(group, momentum, this.use_beta1);
				}
				return anneal(group[phase.start_lr] as number, group[phase.end_lr] as number, pct);
			}
			startStep = phase.end_step;
		}
		throw new Error('internal: OneCycleLR found no phase for step ' + stepNum);
	}
}

function oneCycleTotalSteps(opts: OneCycleLROptions): number {
	const isPositiveInt = (v: number | undefined) => v !== undefined && Number.isInteger(v) && v > 0;
	if (opts.total_steps !== undefined) {
		if (!isPositiveInt(opts.total_steps)) {
			throw new Error(
				`OneCycleLR: Expected positive integer total_steps, but got ${opts.total_steps}.`
			);
		}
		return opts.total_steps;
	}
	if (opts.epochs === undefined && opts.steps_per_epoch === undefined) {
		throw new Error(
			'OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch).'
		);
	}
	if (!isPositiveInt(opts.epochs)) {
		throw new Error(`OneCycleLR: Expected positive integer epochs, but got ${opts.epochs}.`);
	}
	if (!isPositiveInt(opts.steps_per_epoch)) {
		throw new Error(
			`OneCycleLR: Expected positive integer steps_per_epoch, but got ${opts.steps_per_epoch}.`
		);
	}
	return (opts.epochs as number) * (opts.steps_per_epoch as number);
}

function oneCyclePhases(total: number, pct: number, threePhase: boolean): Phase[] {
	const up: Phase = {
		end_step: pct * total - 1,
		start_lr: 'initial_lr',
		end_lr: 'max_lr',
		start_momentum: 'max_momentum',
		end_momentum: 'base_momentum'
	};
	if (!threePhase) {
		const down: Phase = {
			end_step: total - 1,
			start_lr: 'max_lr',
			end_lr: 'min_lr',
			start_momentum: 'base_momentum',
			end_momentum: 'max_momentum'
		};
		return [up, down];
	}
	return [
		up,
		{
			end_step: 2 * pct * total - 2,
			start_lr: 'max_lr',
			end_lr: 'initial_lr',
			start_momentum: 'base_momentum',
			end_momentum: 'max_momentum'
		},
		{
			end_step: total - 1,
			start_lr: 'initial_lr',
			end_lr: 'min_lr',
			start_momentum: 'max_momentum',
			end_momentum: 'max_momentum'
		}
	];
}

/** Writes max/base momentum into the groups; returns whether the optimizer uses Adam's betas. */
function setUpMomentumCycle(optimizer: Optimizer, opts: OneCycleLROptions, lastEpoch: number) {
	const defaults = optimizer.defaults;
	if (!('momentum' in defaults) && !('betas' in defaults)) {
		throw new Error(
			'OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled. Pass cycle_momentum: false.'
		);
	}
	const useBeta1 = 'betas' in defaults;
	const maxMomentums = perGroup('OneCycleLR max_momentum', optimizer, opts.max_momentum ?? 0.95);
	const baseMomentums = perGroup('OneCycleLR base_momentum', optimizer, opts.base_momentum ?? 0.85);
	if (lastEpoch === -1) {
		optimizer.param_groups.forEach((group, i) => {
			setMomentum(group, maxMomentums[i], useBeta1);
			group.max_momentum = maxMomentums[i];
			group.base_momentum = baseMomentums[i];
		});
	}
	return useBeta1;
}

function setMomentum(group: ParamGroup, momentum: number, useBeta1: boolean): void {
	if (useBeta1) {
		const betas = group.betas as [number, number];
		group.betas = [momentum, betas[1]];
	} else {
		group.momentum = momentum;
	}
}

function annealCos(start: number, end: number, pct: number): number {
	const cosOut = Math.cos(Math.PI * pct) + 1;
	return end + ((start - end) / 2) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
	return (end - start) * pct + start;
}
