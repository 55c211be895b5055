import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { compute_jacobians, gradcheck, GradcheckError } from '../../../src/lib/engine/gradcheck';
import { definePrimitive, record } from '../../../src/lib/engine/autograd';
import type { Tensor } from '../../../src/lib/engine/tensor';

/** x³ whose backward rule is deliberately wrong (2x² instead of 3x²). */
const WrongCube = definePrimitive({
	gradFn: 'WrongCubeBackward',
	backward: (g: Tensor, { saved }) => [g.mul(saved[0].pow(2)).mul(2)]
});

function wrongCube(x: Tensor): Tensor {
	const out = torch.no_grad(() => x.pow(3));
	return record(WrongCube, null, [x], out, [x]);
}

describe('gradcheck', () => {
	test('gradcheck accepts correct gradients of composite functions', async () => {
		torch.manual_seed(0);
		const x = torch.randn(3, 2, { requires_grad: true });
		const w = torch.randn(2, 4, { requires_grad: true });
		await expect(gradcheck((a, b) => a.matmul(b).tanh().sum(1), [x, w])).resolves.toBe(true);
		await expect(gradcheck((a) => a.sigmoid().mul(a).softmax(1), [x])).resolves.toBe(true);
	});

	test('gradcheck names the input, the element and both values on a wrong backward', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const error = await gradcheck(wrongCube, [x]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GradcheckError);
		const message = (error as Error).message;
		expect(message).toMatch(
			/^Jacobian mismatch for output 0 with respect to input 0: at input element \[0\] and output element 0, numerical \S+ but analytical 2 /
		);
		// d x³ / dx at 1 is 3, and the wrong rule gives 2.
		expect(Number(/numerical (\S+)/.exec(message)?.[1])).toBeCloseTo(3, 6);
	});

	test('gradcheck returns false instead of throwing when asked', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		await expect(gradcheck(wrongCube, [x], { raise_exception: false })).resolves.toBe(false);
	});

	test('gradcheck requires an input that requires grad', async () => {
		await expect(gradcheck((a) => a.mul(2), [torch.ones(2)])).rejects.toThrow(
			/at least one input tensor to require gradient/
		);
	});

	test('compute_jacobians returns both Jacobians in PyTorch layout', async () => {
		const x = torch.tensor([1, 2, 3], { requires_grad: true });
		const [block] = await compute_jacobians((a) => a.pow(2).cumsum(0), [x]);
		// d cumsum(x²)_k / d x_j = 2 x_j for j <= k; rows are input elements.
		const expected = [
			[2, 2, 2],
			[0, 4, 4],
			[0, 0, 6]
		];
		expect(block.input).toBe(0);
		expect(block.output).toBe(0);
		expect(block.analytical).toEqual(expected);
		block.numerical.forEach((row, j) =>
			row.forEach((v, k) => expect(v).toBeCloseTo(expected[j][k], 6))
		);
	});

	test('gradcheck runs in float64 even for float32 inputs', async () => {
		const x = torch.tensor([0.1, 0.2], { requires_grad: true });
		const [block] = await compute_jacobians((a) => a.exp(), [x]);
		// float32 arithmetic would be off by about 1e-8; float64 agrees to 1e-14.
		expect(block.analytical[0][0]).toBeCloseTo(Math.exp(Math.fround(0.1)), 14);
		expect(block.numerical[0][0]).toBeCloseTo(Math.exp(Math.fround(0.1)), 9);
	});
});
