/** Loss modules, each a wrapper over its function in nn.functional with the same options. */
import * as F from '../functional';
import { ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { Module } from './module';

export type Reduction = 'none' | 'mean' | 'sum';

function checkReduction(reduction: string): Reduction {
	if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
		throw new ValueError(
			`${reduction} is not a valid value for reduction. Use 'none', 'mean' or 'sum'.`
		);
	}
	return reduction;
}

/** Base of the losses, with `reduction` ('mean' by default). */
abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
	readonly reduction: Reduction;

	constructor(options: { reduction?: Reduction } = {}) {
		super();
		this.reduction = checkReduction(options.reduction ?? 'mean');
	}

	abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** Base of the losses with a per-class `weight`, registered as a buffer as in PyTorch. */
abstract class WeightedLoss extends Loss {
	declare weight: Tensor | null;

	constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
		super(options);
		this.register_buffer('weight', options.weight ?? null);
	}
}

/** Mean squared error, as `nn.MSELoss`. */
export class MSELoss extends Loss {
	forward(input: Tensor, target: Tensor): Tensor {
		return F.mse_loss(input, target, { reduction: this.reduction });
	}
}

/** Mean absolute error, as `nn.L1Loss`. */
export class L1Loss extends Loss {
	forward(input: Tensor, target: Tensor): Tensor {
		return F.l1_loss(input, target, { reduction: this.reduction });
	}
}

export interface NLLLossOptions {
	weight?: Tensor | null;
	ignore_index?: number;
	reduction?: Reduction;
}

/** Negative log-likelihood of class indices given log-probabilities, as `nn.NLLLoss`. */
export class NLLLoss extends WeightedLoss {
	readonly ignore_index: number;

	constructor(options: NLLLossOptions = {}) {
		super(options);
		this.ignore_index = options.ignore_index ?? -100;
	}

	forward(input: Tensor, target: Tensor): Tensor {
		return F.nll_loss(input, target, {
			weight: this.weight,
			ignore_index: this.ignore_index,
			reduction: this.reduction
		});
	}
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
	label_smoothing?: number;
}

/**
 * Cross-entropy of logits against class indices or class probabilities, as
 * `nn.CrossEntropyLoss`, with `ignore_index` (-100) and `label_smoothing` (0).
 */
export class CrossEntropyLoss extends WeightedLoss {
	readonly ignore_index: number;
	readonly label_smoothing: number;

	constructor(options: CrossEntropyLossOptions = {}) {
		super(options);
		this.ignore_index = options.ignore_index ?? -100;
		this.label_smoothing = options.label_smoothing ?? 0;
	}

	forward(input: Tensor, target: Tensor): Tensor {
		return F.cross_entropy(input, target, {
			weight: this.weight,
			ignore_index: this.ignore_index,
			reduction: this.reduction,
			label_smoothing: this.label_smoothing
		});
	}
}

/** Binary cross-entropy of probabilities (log clamped at -100), as `nn.BCELoss`. */
export class BCELoss extends WeightedLoss {
	forward(input: Tensor, target: Tensor): Tensor {
		return F.binary_cross_entropy(input, target, {
			weight: this.weight,
			reduction: this.reduction
		});
	}
}

export interface BCEWithLogitsLossOptions {
	weight?: Tensor | null;
	reduction?: Reduction;
	pos_weight?: Tensor | null;
}

/** Binary cross-entropy of logits in its stable form, as `nn.BCEWithLogitsLoss`. */
export class BCEWithLogitsLoss extends Loss {
	declare weight: Tensor | null;
	declare pos_weight: Tensor | null;

	constructor(options: BCEWithLogitsLossOptions = {}) {
		super(options);
		this.register_buffer('weight', options.weight ?? null);
		this.register_buffer('pos_weight', options.pos_weight ?? null);
	}

	forward(input: Tensor, target: Tensor): Tensor {
		return F.binary_cross_entropy_with_logits(input, target, {
			weight: this.weight,
			pos_weight: this.pos_weight,
			reduction: this.reduction
		});
	}
}
