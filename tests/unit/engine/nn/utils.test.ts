import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Tensor } from '../../../../src/lib/engine/tensor';

const { nn } = torch;
const { clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters } = nn.utils;

async function grad(p: Tensor): Promise<number[]> {
	if (p.grad === null) throw new Error('expected a gradient');
	return Array.from(await p.grad.array());
}

/** Returns a parameter of `size` ones whose gradient is `scale` everywhere. */
function paramWithGrad(size: number, scale: number): Tensor {
	const p = torch.ones(size, { requires_grad: true });
	p.mul(scale).sum().backward();
	return p;
}

function paramWithValues(values: number[]): Tensor {
	const p = torch.zeros(values.length, { requires_grad: true });
	p.mul(torch.tensor(values)).sum().backward();
	return p;
}

describe('clip_grad_norm_ with large or non-finite gradients', () => {
	test('clip_grad_norm_ scales by max_norm / (norm + 1e-6)', async () => {
		const p = paramWithGrad(100, 1);
		const total = clip_grad_norm_([p], 1.0);
		expect(Number(await total.item())).toBe(10);
		expect(total.shape).toEqual([]);
		expect(new Set(await grad(p))).toEqual(new Set([Math.fround(0.099999994)]));
	});

	test('clip_grad_norm_ returns inf when the squares overflow and zeroes the grads', async () => {
		const p = paramWithGrad(100, 1e20);
		expect(Number(await clip_grad_norm_([p], 1.0).item())).toBe(Infinity);
		expect(new Set(await grad(p))).toEqual(new Set([0]));
	});

	test('clip_grad_norm_ turns infinite grads into NaN', async () => {
		const p = paramWithGrad(100, Infinity);
		expect(Number(await clip_grad_norm_([p], 1.0).item())).toBe(Infinity);
		expect((await grad(p)).every(Number.isNaN)).toBe(true);
	});

	test('clip_grad_norm_ with error_if_nonfinite raises on an overflowing norm', async () => {
		const p = paramWithGrad(100, 1e20);
		const call = async () => {
			const total = clip_grad_norm_([p], 1.0, { error_if_nonfinite: true });
			await total.item();
		};
		await expect(call()).rejects.toThrow(
			/The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped/
		);
	});

	test('clip_grad_norm_ combines the norms of several parameters', async () => {
		const a = paramWithValues([3, 0]);
		const b = paramWithValues([4]);
		expect(Number(await clip_grad_norm_([a, b], 1).item())).toBe(5);
		// Bit for bit what float32 gives for the coefficient reciprocal(5 + 1e-6) * 1 ...
		const coef = Math.fround(1 / Math.fround(5 + 1e-6));
		expect(await grad(a)).toEqual([Math.fround(3 * coef), 0]);
		expect(await grad(b)).toEqual([Math.fround(4 * coef)]);
		// ... which PyTorch prints as 0.5999999 and 0.7999998.
		expect((await grad(a))[0]).toBeCloseTo(0.5999999, 7);
		expect((await grad(b))[0]).toBeCloseTo(0.7999998, 7);
	});

	test('clip_grad_norm_ leaves grads within the limit unchanged', async () => {
		const a = paramWithValues([0.3, 0]);
		const b = paramWithValues([0.4]);
		expect(Number(await clip_grad_norm_([a, b], 1).item())).toBeCloseTo(0.5, 7);
		expect(await grad(a)).toEqual([Math.fround(0.3), 0]);
		expect(await grad(b)).toEqual([Math.fround(0.4)]);
	});

	test('clip_grad_norm_ with norm_type inf uses the largest magnitude', async () => {
		const a = paramWithValues([3, -6]);
		const b = paramWithValues([4]);
		expect(Number(await clip_grad_norm_([a, b], 3, { norm_type: 'inf' }).item())).toBe(6);
		// The coefficient in float32, as PyTorch computes it: reciprocal(6 + 1e-6) * 3.
		const coef = Math.fround(Math.fround(1 / Math.fround(6 + 1e-6)) * 3);
		expect(await grad(a)).toEqual([Math.fround(3 * coef), Math.fround(-6 * coef)]);
		expect(await grad(b)).toEqual([Math.fround(4 * coef)]);
	});

	test('clip_grad_norm_ skips parameters without grads and accepts a single tensor', async () => {
		const p = paramWithValues([3, 4]);
		const frozen = torch.ones(2, { requires_grad: true });
		expect(Number(await clip_grad_norm_([p, frozen], 10).item())).toBe(5);
		expect(Number(await clip_grad_norm_(p, 10).item())).toBe(5);
		expect(Number(await clip_grad_norm_([frozen], 1).item())).toBe(0);
	});
});

describe('clip_grad_value_ and vectors', () => {
	test('clip_grad_value_ clamps each gradient element', async () => {
		const p = paramWithValues([-3, 0.5, 7]);
		clip_grad_value_([p], 1);
		expect(await grad(p)).toEqual([-1, 0.5, 1]);
	});

	test('parameters_to_vector and vector_to_parameters round trip', async () => {
		const lin = new nn.Linear(2, 3);
		const vec = parameters_to_vector(lin.parameters());
		expect(vec.shape).toEqual([9]);
		vector_to_parameters(torch.arange(9).float(), lin.parameters());
		expect(await lin.weight.tolist()).toEqual([
			[0, 1],
			[2, 3],
			[4, 5]
		]);
		expect(await (lin.bias as Tensor).tolist()).toEqual([6, 7, 8]);
	});
});
