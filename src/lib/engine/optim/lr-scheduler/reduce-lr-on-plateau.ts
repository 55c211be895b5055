/** Learning-rate reduction on a metric plateau, as `torch.optim.lr_scheduler.ReduceLROnPlateau`. */
import type { Optimizer } from '../optimizer';
import { groupLrs, perGroup } from './scheduler';

export interface ReduceLROnPlateauOptions {
	mode?: 'min' | 'max';
	factor?: number;
	patience?: number;
	threshold?: number;
	threshold_mode?: 'rel' | 'abs';
	cooldown?: number;
	min_lr?: number | number[];
	eps?: number;
}

/**
 * Divides the lr by 1/factor when a metric has stopped improving for `patience` epochs, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`. `step(metric)` takes a number: read a loss
 * tensor first with `await loss.item()`.
 */
export class ReduceLROnPlateau {
	optimizer: Optimizer;
	mode: 'min' | 'max';
	factor: number;
	patience: number;
	threshold: number;
	threshold_mode: 'rel' | 'abs';
	cooldown: number;
	cooldown_counter = 0;
	min_lrs: number[];
	eps: number;
	best: number;
	num_bad_epochs = 0;
	last_epoch = 0;
	protected _last_lr: number[];

	constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
		this.factor = options.factor ?? 0.1;
		if (this.factor >= 1) {
			throw new Error(`ReduceLROnPlateau: Factor should be < 1.0, got ${this.factor}.`);
		}
		this.optimizer = optimizer;
		this.min_lrs = perGroup('ReduceLROnPlateau min_lr', optimizer, options.min_lr ?? 0);
		this.patience = options.patience ?? 10;
		this.cooldown = options.cooldown ?? 0;
		this.mode = options.mode ?? 'min';
		this.threshold = options.threshold ?? 1e-4;
		this.threshold_mode = options.threshold_mode ?? 'rel';
		this.eps = options.eps ?? 1e-8;
		if (this.mode !== 'min' && this.mode !== 'max') {
			throw new Error(`ReduceLROnPlateau: mode ${this.mode} is unknown! Use 'min' or 'max'.`);
		}
		if (this.threshold_mode !== 'rel' && this.threshold_mode !== 'abs') {
			throw new Error(
				`ReduceLROnPlateau: threshold mode ${this.threshold_mode} is unknown! Use 'rel' or 'abs'.`
			);
		}
		this.best = this.modeWorse();
		this._last_lr = groupLrs(optimizer);
	}

	get in_cooldown(): boolean {
		return this.cooldown_counter > 0;
	}

	/** Records one epoch's metric and reduces the lr after `patience` epochs without improvement. */
	step(metrics: number): void {
		if (typeof metrics !== 'number') {
			throw new TypeError(
				'ReduceLROnPlateau.step: metrics must be a number, got a ' +
					typeof metrics +
					'. Read a tensor first: scheduler.step(await loss.item()).'
			);
		}
		this.last_epoch += 1;
		if (this.is_better(metrics, this.best)) {
			this.best = metrics;
			this.num_bad_epochs = 0;
		} else {
			this.num_bad_epochs += 1;
		}
		if (this.in_cooldown) {
			this.cooldown_counter -= 1;
			this.num_bad_epochs = 0;
		}
		if (this.num_bad_epochs > this.patience) {
			this.reduceLr();
			this.cooldown_counter = this.cooldown;
			this.num_bad_epochs = 0;
		}
		this._last_lr = groupLrs(this.optimizer);
	}

	/** Learning rates after the last `step()`, one per param group. */
	get_last_lr(): number[] {
		return this._last_lr;
	}

	/** Returns whether metric `a` improves on `best` by more than the threshold. */
	is_better(a: number, best: number): boolean {
		if (this.mode === 'min' && this.threshold_mode === 'rel')
			return a < best * (1 - this.threshold);
		if (this.mode === 'min') return a < best - this.threshold;
		if (this.threshold_mode === 'rel') return a > best * (this.threshold + 1);
		return a > best + this.threshold;
	}

	private modeWorse(): number {
		return this.mode === 'min' ? Infinity : -Infinity;
	}

	private reduceLr(): void {
		this.optimizer.param_groups.forEach((group, i) => {
			const oldLr = group.lr;
			const newLr = Math.max(oldLr * this.factor, this.min_lrs[i]);
			if (oldLr - newLr > this.eps) group.lr = newLr;
		});
	}
}
