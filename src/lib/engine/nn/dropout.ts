/** Dropout: zeroes elements at random in training mode. */
import * as F from '../functional';
import { ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { Module } from './module';

/**
 * Zeroes each element with probability p and scales the rest by 1/(1-p) in training mode, and
 * passes the input through in eval mode, as `nn.Dropout(p=0.5)`. Draws as PyTorch's CPU kernel.
 */
export class Dropout extends Module<[Tensor], Tensor> {
	readonly p: number;
	readonly inplace: boolean;

	constructor(p: number | { p?: number; inplace?: boolean } = 0.5) {
		super();
		const opts = typeof p === 'number' ? { p } : p;
		this.p = opts.p ?? 0.5;
		this.inplace = opts.inplace ?? false;
		if (!(this.p >= 0 && this.p <= 1)) {
			throw new ValueError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
		}
	}

	forward(input: Tensor): Tensor {
		const output = F.dropout(input, { p: this.p, training: this.training });
		return this.inplace && output !== input ? input.copy_(output) : output;
	}

	extra_repr(): string {
		return `p=${this.p}, inplace=${this.inplace ? 'True' : 'False'}`;
	}
}
