/** Normalisation layers: BatchNorm1d and LayerNorm. Neither draws random numbers when built. */
import * as F from '../functional';
import * as init from '../init';
import { ValueError } from '../errors';
import { int64 } from '../dtype';
import type { Tensor } from '../tensor';
import { empty, ones, tensor, zeros } from '../creation';
import { Module } from './module';
import { Parameter } from './parameter';
import { formatShape } from '../shape';

export interface BatchNormOptions {
	eps?: number;
	/** Weight of the new batch statistic in the running average; null for a cumulative average. */
	momentum?: number | null;
	affine?: boolean;
	track_running_stats?: boolean;
}

/**
 * Batch normalisation over (N, C) or (N, C, L) inputs, as `nn.BatchNorm1d(num_features)`.
 * Training mode normalises with the batch statistics (biased variance) and updates
 * running_mean and running_var (unbiased variance) with `momentum`; eval mode uses the running
 * statistics. Training on one value per channel throws, as in PyTorch (F.batch_norm checks).
 */
export class BatchNorm1d extends Module<[Tensor], Tensor> {
	readonly num_features: number;
	readonly eps: number;
	momentum: number | null;
	readonly affine: boolean;
	readonly track_running_stats: boolean;
	declare weight: Parameter | null;
	declare bias: Parameter | null;
	declare running_mean: Tensor | null;
	declare running_var: Tensor | null;
	declare num_batches_tracked: Tensor | null;
	/** Mirror of num_batches_tracked, read only by the cumulative average (momentum null). */
	private batchesTracked = 0;

	constructor(num_features: number, options: BatchNormOptions = {}) {
		super();
		this.num_features = num_features;
		this.eps = options.eps ?? 1e-5;
		this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
		this.affine = options.affine ?? true;
		this.track_running_stats = options.track_running_stats ?? true;
		if (this.affine) {
			this.weight = new Parameter(empty(num_features));
			this.bias = new Parameter(empty(num_features));
		} else {
			this.register_parameter('weight', null);
			this.register_parameter('bias', null);
		}
		if (this.track_running_stats) {
			this.register_buffer('running_mean', zeros(num_features));
			this.register_buffer('running_var', ones(num_features));
			this.register_buffer('num_batches_tracked', tensor(0, { dtype: int64 }));
		} else {
			this.register_buffer('running_mean', null);
			this.register_buffer('running_var', null);
			this.register_buffer('num_batches_tracked', null);
		}
		this.reset_parameters();
	}

	/** Resets the running statistics to mean 0, variance 1 and a batch count of 0. */
	reset_running_stats(): void {
		if (!this.track_running_stats) return;
		this.running_mean?.zero_();
		this.running_var?.fill_(1);
		this.num_batches_tracked?.zero_();
		this.batchesTracked = 0;
	}

	/** Resets the running statistics, the weight to ones and the bias to zeros. */
	reset_parameters(): void {
		this.reset_running_stats();
		if (this.weight !== null) init.ones_(this.weight);
		if (this.bias !== null) init.zeros_(this.bias);
	}

	forward(input: Tensor): Tensor {
		if (input.dim() !== 2 && input.dim() !== 3) {
			throw new ValueError(
				`expected 2D or 3D input (got ${input.dim()}D input) with shape ${formatShape(input.shape)}. BatchNorm1d takes (N, C) or (N, C, L).`
			);
		}

		let factor = this.momentum ?? 0;
		if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
			this.num_batches_tracked.add_(1);
			this.batchesTracked += 1;
			// TODO: the cumulative average counts batches in JS, so after load_state_dict it
			// restarts from the loaded module's own count, not the checkpoint's.
			if (this.momentum === null) factor = 1 / this.batchesTracked;
		}

		// Batch statistics in training; running statistics in eval, unless there are none.
		const useBatchStats =
			this.training || (this.running_mean === null && this.running_var === null);
		const trackStats = !this.training || this.track_running_stats;
		return F.batch_norm(
			input,
			trackStats ? this.running_mean : null,
			trackStats ? this.running_var : null,
			{
				weight: this.weight,
				bias: this.bias,
				training: useBatchStats,
				momentum: factor,
				eps: this.eps
			}
		);
	}

	extra_repr(): string {
		const momentum = this.momentum === null ? 'None' : this.momentum;
		return `${this.num_features}, eps=${this.eps}, momentum=${momentum}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.track_running_stats)}`;
	}
}

function pyBool(value: boolean): string {
	return value ? 'True' : 'False';
}

export interface LayerNormOptions {
	eps?: number;
	elementwise_affine?: boolean;
}

/**
 * Normalises over the last dims given by `normalized_shape` (biased variance), then scales by
 * weight and shifts by bias, as `nn.LayerNorm(normalized_shape)`. Same in train and eval.
 */
export class LayerNorm extends Module<[Tensor], Tensor> {
	readonly normalized_shape: number[];
	readonly eps: number;
	readonly elementwise_affine: boolean;
	declare weight: Parameter | null;
	declare bias: Parameter | null;

	constructor(normalized_shape: number | number[], options: LayerNormOptions = {}) {
		super();
		this.normalized_shape =
			typeof normalized_shape === 'number' ? [normalized_shape] : [...normalized_shape];
		this.eps = options.eps ?? 1e-5;
		this.elementwise_affine = options.elementwise_affine ?? true;
		if (this.elementwise_affine) {
			this.weight = new Parameter(ones(...this.normalized_shape));
			this.bias = new Parameter(zeros(...this.normalized_shape));
		} else {
			this.register_parameter('weight', null);
			this.register_parameter('bias', null);
		}
	}

	forward(input: Tensor): Tensor {
		return F.layer_norm(input, this.normalized_shape, {
			weight: this.weight,
			bias: this.bias,
			eps: this.eps
		});
	}

	extra_repr(): string {
		return `(${this.normalized_shape.join(', ')}${this.normalized_shape.length === 1 ? ',' : ''}), eps=${this.eps}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
	}
}
