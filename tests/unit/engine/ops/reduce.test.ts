import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../../src/lib/engine';

const values = async (t: Tensor | null) => {
	if (t === null) throw new Error('expected a tensor, got null');
	return Array.from(await t.array());
};

describe('norm and sqrt at zero', () => {
	test('norm() of zeros has the zero subgradient', async () => {
		const x = torch.zeros(3, { requires_grad: true });
		x.norm().backward();
		expect(await values(x.grad)).toEqual([0, 0, 0]);
	});

	test('linalg.vector_norm of zeros has the zero subgradient', async () => {
		const x = torch.zeros(3, { requires_grad: true });
		torch.linalg.vector_norm(x).backward();
		expect(await values(x.grad)).toEqual([0, 0, 0]);
	});

	test('sqrt(0) has an infinite gradient', async () => {
		const y = torch.zeros(2, { requires_grad: true });
		y.sqrt().sum().backward();
		expect(await values(y.grad)).toEqual([Infinity, Infinity]);
	});

	test('sqrt(0) squared has a NaN gradient', async () => {
		const z = torch.zeros(2, { requires_grad: true });
		z.sqrt().pow(2).sum().backward();
		expect(await values(z.grad)).toEqual([NaN, NaN]);
	});

	test('sqrt of a sum of squares at zero has a NaN gradient', async () => {
		const w = torch.zeros(2, { requires_grad: true });
		w.mul(w).sum().sqrt().backward();
		expect(await values(w.grad)).toEqual([NaN, NaN]);
	});

	test('norm() with a zero entry divides by the norm elsewhere', async () => {
		const v = torch.tensor([0, 3, 4], { requires_grad: true });
		v.norm().backward();
		const grad = await values(v.grad);
		expect(grad[0]).toBe(0);
		expect(grad[1]).toBeCloseTo(0.6, 7);
		expect(grad[2]).toBeCloseTo(0.8, 7);
	});
});

describe('norm at the float32 limits', () => {
	test('norm() is Infinity when the float32 sum of squares overflows', async () => {
		expect(await torch.tensor([3e19, 4e19]).norm().item()).toBe(Infinity);
		expect(await torch.tensor([1e19, 1e19]).norm().item()).toBeCloseTo(1.4142135e19, -13);
	});

	test('norm(1) and norm(inf)', async () => {
		const x = torch.tensor([
			[-3, 4],
			[1, -2]
		]);
		expect(await x.norm(1).item()).toBe(10);
		expect(await x.norm(Infinity).item()).toBe(4);
		expect(await values(x.norm({ p: Infinity, dim: 1 }))).toEqual([4, 2]);
	});

	test('norm(inf) splits the gradient among tied maxima', async () => {
		const x = torch.tensor([-4, 4, 1], { requires_grad: true });
		x.norm(Infinity).backward();
		expect(await values(x.grad)).toEqual([-0.5, 0.5, 0]);
	});
});

describe('reductions', () => {
	test('sum(x, 1) drops dim 1 and keepdim keeps it', () => {
		const x = torch.ones(2, 3, 4);
		expect(x.sum(1).shape).toEqual([2, 4]);
		expect(x.sum(1, true).shape).toEqual([2, 1, 4]);
		expect(x.sum({ dim: [0, 2] }).shape).toEqual([3]);
	});

	test('sum of int64 stays int64 and mean of int64 raises', () => {
		const x = torch.tensor([1, 2, 3], { dtype: torch.int64 });
		expect(x.sum().dtype).toBe(torch.int64);
		expect(() => x.mean()).toThrow('mean(): could not infer output dtype');
	});

	test('max(dim) returns values and first indices, destructurable both ways', async () => {
		const x = torch.tensor([
			[1, 5, 5],
			[7, 2, 7]
		]);
		const { values: v, indices } = x.max(1);
		const [v2, i2] = x.max(1);
		expect(await values(v)).toEqual([5, 7]);
		expect(await values(indices)).toEqual([1, 0]);
		expect(indices.dtype).toBe(torch.int64);
		expect(await values(v2)).toEqual([5, 7]);
		expect(await values(i2)).toEqual([1, 0]);
	});

	test('argmax over all elements and along a dim', async () => {
		const x = torch.tensor([
			[1, 9, 3],
			[4, 2, 8]
		]);
		expect(await x.argmax().item()).toBe(1);
		expect(await values(x.argmin(1))).toEqual([0, 1]);
		expect(
			await torch
				.cat([torch.full([64], -3), torch.tensor([-1])])
				.argmax()
				.item()
		).toBe(64);
	});

	test('var and std use the unbiased estimate unless told otherwise', async () => {
		const x = torch.tensor([1, 2, 3, 4]);
		expect(await x.var().item()).toBeCloseTo(1.6666666, 6);
		expect(await x.var({ unbiased: false }).item()).toBeCloseTo(1.25, 6);
		expect(await x.var({ correction: 0 }).item()).toBeCloseTo(1.25, 6);
		expect(await x.std().item()).toBeCloseTo(1.2909944, 6);
	});

	test('prod gradient handles a single zero', async () => {
		const x = torch.tensor([2, 0, 3], { requires_grad: true });
		x.prod().backward();
		expect(await values(x.grad)).toEqual([0, 6, 0]);
	});

	test('cumsum and its gradient', async () => {
		const x = torch.tensor([1, 2, 3], { requires_grad: true });
		const y = x.cumsum(0);
		expect(await values(y)).toEqual([1, 3, 6]);
		y.backward(torch.tensor([1, 10, 100]));
		expect(await values(x.grad)).toEqual([111, 110, 100]);
	});

	test('logsumexp is finite for large inputs', async () => {
		const x = torch.tensor([1000, 1000]);
		expect(await x.logsumexp(0).item()).toBeCloseTo(1000.6931, 3);
		expect(await torch.tensor([-Infinity, -Infinity]).logsumexp(0).item()).toBe(-Infinity);
	});

	test('all and any', async () => {
		const x = torch.tensor([
			[1, 0],
			[1, 1]
		]);
		expect(await x.all().item()).toBe(0);
		expect(await values(x.all(1))).toEqual([0, 1]);
		expect(await x.any().item()).toBe(1);
	});

	test('full max and min ignore nothing at awkward sizes', async () => {
		expect(await torch.full([65], -5).max().item()).toBe(-5);
		expect(await torch.full([65], 5).min().item()).toBe(5);
		expect(await torch.ones(65).mean().item()).toBe(1);
		for (const n of [1, 63, 64, 65, 130]) expect(await torch.ones(n).sum().item()).toBe(n);
	});
});
