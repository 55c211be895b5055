import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';
import rng from '../../fixtures/golden/rng.json';

const values = async (t: Tensor) => Array.from(await t.array());

describe('Tensor metadata', () => {
	test('shape, ndim, numel, size and stride', () => {
		const x = torch.zeros(2, 3, 4);
		expect(x.shape).toEqual([2, 3, 4]);
		expect(x.ndim).toBe(3);
		expect(x.dim()).toBe(3);
		expect(x.numel()).toBe(24);
		expect(x.size()).toEqual([2, 3, 4]);
		expect(x.size(-1)).toBe(4);
		expect(x.stride()).toEqual([12, 4, 1]);
		expect(x.t === undefined).toBe(false);
		expect(() => x.size(3)).toThrow('expected to be in range of [-3, 2]');
	});

	test('is_leaf, requires_grad and grad_fn', () => {
		const w = torch.ones(2, { requires_grad: true });
		expect(w.is_leaf).toBe(true);
		const y = w.mul(2);
		expect(y.is_leaf).toBe(false);
		expect(y.requires_grad).toBe(true);
		expect(() => {
			y.requires_grad = false;
		}).toThrow('you can only change requires_grad flags of leaf variables');
		expect(torch.ones(2).mul(2).is_leaf).toBe(true);
	});

	test('data is a detached alias and assigning it swaps the storage', async () => {
		const w = torch.ones(2, { requires_grad: true });
		const d = w.data;
		expect(d.requires_grad).toBe(false);
		expect(d.storage).toBe(w.storage);
		d.mul_(3);
		expect(await values(w)).toEqual([3, 3]);
		w.data = torch.zeros(4);
		expect(w.shape).toEqual([4]);
		expect(w.requires_grad).toBe(true);
	});

	test('detach shares storage and leaves the graph', () => {
		const x = torch.ones(2, { requires_grad: true }).mul(2);
		const d = x.detach();
		expect(d.grad_fn).toBeNull();
		expect(d.storage).toBe(x.storage);
	});

	test('grad is settable to null', async () => {
		const w = torch.ones(2, { requires_grad: true });
		w.sum().backward();
		w.grad = null;
		w.mul(3).sum().backward();
		expect(await values(w.grad as unknown as Tensor)).toEqual([3, 3]);
	});
});

describe('reading values', () => {
	test('item, tolist and array are awaited', async () => {
		expect(await torch.tensor(2.5).item()).toBe(2.5);
		expect(
			await torch
				.tensor([
					[1, 2],
					[3, 4]
				])
				.tolist()
		).toEqual([
			[1, 2],
			[3, 4]
		]);
		expect(await torch.tensor([true, false]).tolist()).toEqual([true, false]);
		expect(await torch.tensor([1, 2]).array()).toBeInstanceOf(Float32Array);
		await expect(torch.ones(2).item()).rejects.toThrow(
			'a Tensor with 2 elements cannot be converted to Scalar'
		);
	});
});

describe('int64 reads', () => {
	test('int64 zero reads as +0', async () => {
		const zeros = torch.tensor([0, 1], { dtype: 'int64' }).mul(-1);
		expect(Object.is((await zeros.array())[0], 0)).toBe(true);
		expect(Object.is(((await zeros.tolist()) as number[])[0], 0)).toBe(true);
		expect(Object.is(await zeros.select(0, 0).item(), 0)).toBe(true);
		const truncated = torch.tensor([-0.5, 2.5]).to('int64');
		expect(Object.is((await truncated.array())[0], 0)).toBe(true);
		expect(Array.from(await truncated.array())).toEqual([0, 2]);
	});
});

describe('conversions', () => {
	test('to(dtype), float, long, double and bool', async () => {
		const x = torch.tensor([1.7, -1.7, 0]);
		expect(await values(x.long())).toEqual([1, -1, 0]);
		expect(x.to(torch.int64).dtype).toBe(torch.int64);
		expect(x.to('float64').dtype).toBe(torch.float64);
		expect(x.to({ dtype: 'float64' }).dtype).toBe(torch.float64);
		expect(await values(x.bool())).toEqual([1, 1, 0]);
		expect(x.float()).toBe(x);
	});

	test('to(dtype) keeps the graph for floats', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.double().mul(2);
		y.sum().backward();
		expect(x.grad?.dtype).toBe(torch.float32);
		expect(await values(x.grad as Tensor)).toEqual([2, 2]);
	});

	test('new_zeros, new_ones and new_full keep dtype and backend', () => {
		const x = torch.zeros(2, { dtype: 'int64' });
		expect(x.new_ones(3).dtype).toBe(torch.int64);
		expect(x.new_zeros([2, 2]).shape).toEqual([2, 2]);
		expect(x.new_full([1], 5).dtype).toBe(torch.int64);
	});
});

describe('in-place ops used by optimisers and init', () => {
	test('add_ with alpha, mul_, sub_, div_ bump the version', async () => {
		const x = torch.ones(3);
		const version = x.storage.version;
		x.add_(torch.tensor([1, 2, 3]), { alpha: 2 })
			.mul_(2)
			.sub_(1)
			.div_(2);
		expect(await values(x)).toEqual([2.5, 4.5, 6.5]);
		expect(x.storage.version).toBe(version + 4);
	});

	test('addcmul_, addcdiv_ and lerp_', async () => {
		const x = torch.ones(2);
		x.addcmul_(torch.tensor([2, 3]), torch.tensor([4, 5]), { value: 0.5 });
		expect(await values(x)).toEqual([5, 8.5]);
		x.addcdiv_(torch.tensor([2, 3]), torch.tensor([4, 6]), { value: 2 });
		expect(await values(x)).toEqual([6, 9.5]);
		const y = torch.zeros(2);
		y.lerp_(torch.tensor([10, 20]), 0.25);
		expect(await values(y)).toEqual([2.5, 5]);
		y.lerp_(torch.tensor([10, 20]), 0.75);
		expect(await values(y)).toEqual([8.125, 16.25]);
	});

	test('copy_, zero_, fill_, clamp_, sqrt_, neg_, exp_, pow_ and masked_fill_', async () => {
		const x = torch.zeros(3);
		x.copy_(torch.tensor([4, 9, 16]));
		expect(await values(x.sqrt_())).toEqual([2, 3, 4]);
		expect(await values(x.neg_())).toEqual([-2, -3, -4]);
		expect(await values(x.clamp_(-3, -2.5))).toEqual([-2.5, -3, -3]);
		expect(await values(x.fill_(2).pow_(3))).toEqual([8, 8, 8]);
		expect(await values(x.zero_().exp_())).toEqual([1, 1, 1]);
		expect(await values(x.masked_fill_(torch.tensor([true, false, true]), 5))).toEqual([5, 1, 5]);
	});

	test('copy_ broadcasts and converts', async () => {
		const x = torch.zeros(2, 2, { dtype: 'int64' });
		x.copy_(torch.tensor([1.9, -2.9]));
		expect(await values(x)).toEqual([1, -2, 1, -2]);
	});

	test('in-place op on a partly overlapping input raises', () => {
		const b = torch.arange(10).float();
		expect(() => b.narrow(0, 1, 9).copy_(b.narrow(0, 0, 9))).toThrow(
			'copy_: some elements of the input tensor and the written-to tensor refer to a single memory location (elements 0 to 8 and 1 to 9'
		);
		expect(() => b.narrow(0, 0, 9).add_(b.narrow(0, 1, 9))).toThrow('.add_(input.clone())');
		const square = torch.zeros(3, 3);
		expect(() => square.copy_(square.t())).toThrow('refer to a single memory location');
	});

	test('in-place op on its own view or a disjoint part runs', async () => {
		const b = torch.arange(10).float();
		b.add_(b);
		b.narrow(0, 5, 5).copy_(b.narrow(0, 0, 5));
		expect(await values(b)).toEqual([0, 2, 4, 6, 8, 0, 2, 4, 6, 8]);
	});

	test('operand that is not a tensor or number raises', () => {
		const ones = torch.ones(2, 2);
		expect(() => ones.mul('a' as unknown as number)).toThrow(
			'mul(): argument \'other\' must be a Tensor or a number, not string ("a")'
		);
		expect(() => ones.add([1, 2] as unknown as number)).toThrow('not an array');
		expect(() => ones.add_('x' as unknown as number)).toThrow("add_(): argument 'other'");
		expect(() => ones.sub(null as unknown as number)).toThrow('not null');
	});

	test('in-place op with an operand that does not broadcast to self raises', () => {
		expect(() => torch.zeros(3).add_(torch.ones(2, 3))).toThrow(
			"output with shape [3] doesn't match the broadcast shape [2, 3]"
		);
		expect(() => torch.zeros(2, { dtype: 'int64' }).add_(0.5)).toThrow(
			"can't be cast to the desired output type int64"
		);
	});

	test('uniform_ and normal_ draw the same numbers as PyTorch', async () => {
		const extras = rng.seeds['0'].extras;
		torch.manual_seed(0);
		const u = torch.empty(100).uniform_(-0.5, 0.5);
		expect(await values(u)).toEqual(extras.uniform_m05_05_100.value.data.map(Math.fround));
		torch.manual_seed(0);
		const n = torch.empty(32, 32).normal_(0, 2);
		expect(await values(n)).toEqual(extras.normal_std2_32x32.value.data.map(Math.fround));
	});
});
