/** nn.Parameter: a tensor that a Module registers as trainable when assigned to a field. */
import { Tensor } from '../tensor';
import { empty } from '../creation';

/**
 * A leaf tensor that requires grad by default, as `nn.Parameter(data, requires_grad=True)`.
 * It shares `data`'s storage, so `new nn.Parameter(t)` reflects t's later in-place changes.
 */
export class Parameter extends Tensor {
	constructor(data: Tensor = empty(0), requires_grad = true) {
		super(data.storage, data.shape, data.strides, data.offset);
		this.requires_grad_(requires_grad);
	}

	toString(): string {
		return `Parameter containing:\n${super.toString()}`;
	}
}
