/**
 * Dropout with PyTorch's random stream. The keep mask is drawn on the host exactly as
 * `dropoutFloat32` draws it: a binary64 uniform below 1 - p keeps an element, which is scaled
 * by float32(1 / float32(1 - p)). The mask is then multiplied on the tensor's backend, so a
 * lazy backend never has to read x back first.
 */
import { definePrimitive, record } from '../autograd';
import { ValueError } from '../errors';
import { bernoulliScalar, defaultGenerator, type Generator } from '../random';
import { numelOf } from '../shape';
import type { Tensor } from '../tensor';
import { uploadOn } from './kernel';

const Dropout = definePrimitive({
	gradFn: 'NativeDropoutBackward0',
	backward: (g, { saved }) => [g.mul(saved[0])]
});

/** Zeroes elements with probability p and scales the rest by 1 / (1 - p), as `F.dropout`. */
export function dropout(
	x: Tensor,
	p = 0.5,
	training = true,
	generator: Generator = defaultGenerator
): Tensor {
	if (!(p >= 0 && p <= 1)) {
		throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
	}
	if (!training || p === 0) return x;

	const n = numelOf(x.shape);
	let mask: Float32Array;
	if (p === 1) {
		mask = new Float32Array(n);
	} else {
		const scale = Math.fround(1 / Math.fround(1 - p));
		mask = bernoulliScalar(generator, n, 1 - p);
		for (let i = 0; i < n; i++) mask[i] *= scale;
	}
	const maskTensor = uploadOn(x.storage.backend, mask, x.shape, x.dtype);
	const out = x.detach().mul(maskTensor);
	return record(Dropout, null, [x], out, [maskTensor]);
}

export const primitives = { Dropout };
