/** Linear layers and shape helpers: Linear, Identity, Flatten. */
import * as F from '../functional';
import { ShapeError, ValueError } from '../errors';
import * as init from '../init';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { empty } from '../creation';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * y = x Wᵀ + b, as `nn.Linear(in_features, out_features)`, with weight [out, in]. The default
 * init draws like PyTorch: the weight from kaiming_uniform_(a = sqrt(5)), i.e. U(±1/sqrt(in)),
 * row by row, then the bias from U(±1/sqrt(in)), so a seeded model equals PyTorch's.
 */
export class Linear extends Module<[Tensor], Tensor> {
	readonly in_features: number;
	readonly out_features: number;
	declare weight: Parameter;
	declare bias: Parameter | null;

	constructor(in_features: number, out_features: number, options: { bias?: boolean } = {}) {
		super();
		for (const [name, size] of [
			['in_features', in_features],
			['out_features', out_features]
		] as const) {
			if (!Number.isInteger(size) || size < 0) {
				throw new ValueError(
					`Linear: ${name} must be a non-negative integer, got ${String(size)}. ` +
						'Pass both sizes: new nn.Linear(in_features, out_features)'
				);
			}
		}
		this.in_features = in_features;
		this.out_features = out_features;
		this.weight = new Parameter(empty(out_features, in_features));
		if (options.bias ?? true) this.bias = new Parameter(empty(out_features));
		else this.register_parameter('bias', null);
		this.reset_parameters();
	}

	/** Redraws weight and bias from the default init. */
	reset_parameters(): void {
		init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
		if (this.bias !== null) {
			const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
			const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
			init.uniform_(this.bias, -bound, bound);
		}
	}

	forward(input: Tensor): Tensor {
		if (input.shape.length === 0 || input.shape[input.shape.length - 1] !== this.in_features) {
			throw new ShapeError(
				`Linear(${this.extra_repr()}) expects input.shape[-1] == ${this.in_features}, got shape ${formatShape(input.shape)}. Check the layer's in_features or the previous layer's output size.`
			);
		}
		return F.linear(input, this.weight, this.bias);
	}

	extra_repr(): string {
		const bias = this.bias !== null ? 'True' : 'False';
		return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${bias}`;
	}
}

/** Returns its input unchanged, as `nn.Identity`. */
export class Identity extends Module<[Tensor], Tensor> {
	forward(input: Tensor): Tensor {
		return input;
	}
}

/** Flattens dims start_dim..end_dim into one, as `nn.Flatten` (default: all but the batch dim). */
export class Flatten extends Module<[Tensor], Tensor> {
	readonly start_dim: number;
	readonly end_dim: number;

	constructor(options: { start_dim?: number; end_dim?: number } = {}) {
		super();
		this.start_dim = options.start_dim ?? 1;
		this.end_dim = options.end_dim ?? -1;
	}

	forward(input: Tensor): Tensor {
		return input.flatten(this.start_dim, this.end_dim);
	}

	extra_repr(): string {
		return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
	}
}
