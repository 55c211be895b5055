/** Activation modules, each a thin wrapper over its function in nn.functional. */
import * as F from '../functional';
import type { Tensor } from '../tensor';
import { Module } from './module';

/** max(0, x), as `nn.ReLU`. */
export class ReLU extends Module<[Tensor], Tensor> {
	forward(input: Tensor): Tensor {
		return F.relu(input);
	}
}

/** 1 / (1 + e^-x), as `nn.Sigmoid`. */
export class Sigmoid extends Module<[Tensor], Tensor> {
	forward(input: Tensor): Tensor {
		return F.sigmoid(input);
	}
}

/** Hyperbolic tangent, as `nn.Tanh`. */
export class Tanh extends Module<[Tensor], Tensor> {
	forward(input: Tensor): Tensor {
		return F.tanh(input);
	}
}

/** x Φ(x), as `nn.GELU`; `approximate: 'tanh'` uses the tanh formula. */
export class GELU extends Module<[Tensor], Tensor> {
	readonly approximate: 'none' | 'tanh';

	constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
		super();
		this.approximate = options.approximate ?? 'none';
	}

	forward(input: Tensor): Tensor {
		return F.gelu(input, { approximate: this.approximate });
	}

	extra_repr(): string {
		return `approximate='${this.approximate}'`;
	}
}

/** x for x > 0, else negative_slope * x, as `nn.LeakyReLU` (slope 0.01 by default). */
export class LeakyReLU extends Module<[Tensor], Tensor> {
	readonly negative_slope: number;

	constructor(negative_slope: number | { negative_slope?: number } = 0.01) {
		super();
		this.negative_slope =
			typeof negative_slope === 'number' ? negative_slope : (negative_slope.negative_slope ?? 0.01);
	}

	forward(input: Tensor): Tensor {
		return F.leaky_relu(input, this.negative_slope);
	}

	extra_repr(): string {
		return `negative_slope=${this.negative_slope}`;
	}
}

type DimOption = number | { dim?: number | null } | null | undefined;

function dimOf(dim: DimOption): number | null {
	if (dim === undefined || dim === null) return null;
	return typeof dim === 'number' ? dim : (dim.dim ?? null);
}

/**
 * Returns the dim PyTorch's legacy rule picks when a softmax module is built without one: 0 for
 * 0-, 1- and 3-D inputs, 1 otherwise (PyTorch also warns).
 */
function legacySoftmaxDim(input: Tensor): number {
	const ndim = input.dim();
	return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Softmax along `dim`, as `nn.Softmax(dim)`. */
export class Softmax extends Module<[Tensor], Tensor> {
	readonly dim: number | null;

	constructor(dim?: DimOption) {
		super();
		this.dim = dimOf(dim);
	}

	forward(input: Tensor): Tensor {
		return F.softmax(input, this.dim ?? legacySoftmaxDim(input));
	}

	extra_repr(): string {
		return `dim=${this.dim ?? 'None'}`;
	}
}

/** Log-softmax along `dim`, as `nn.LogSoftmax(dim)`. */
export class LogSoftmax extends Module<[Tensor], Tensor> {
	readonly dim: number | null;

	constructor(dim?: DimOption) {
		super();
		this.dim = dimOf(dim);
	}

	forward(input: Tensor): Tensor {
		return F.log_softmax(input, this.dim ?? legacySoftmaxDim(input));
	}

	extra_repr(): string {
		return `dim=${this.dim ?? 'None'}`;
	}
}
