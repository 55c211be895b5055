import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';
import rng from '../../fixtures/golden/rng.json';

const values = async (t: Tensor) => Array.from(await t.array());
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('seeded random streams match PyTorch', () => {
	const extras = rng.seeds['0'].extras;
	const fresh = rng.seeds['0'].fresh;
	const bits = (t: { data: number[] }) => f32(t.data);

	test('randn(3) with seed 10', async () => {
		torch.manual_seed(10);
		const drawn = await values(torch.randn(3));
		[-0.6013928, -1.01221, -0.3022693].forEach((v, i) => expect(drawn[i]).toBeCloseTo(v, 6));
	});

	test('randn(15) uses the serial transform', async () => {
		torch.manual_seed(0);
		expect(await values(torch.randn(15))).toEqual(bits(extras.randn_15.value));
	});

	test('randn(16) and randn(17) use the vectorised transform', async () => {
		torch.manual_seed(0);
		expect(await values(torch.randn(16))).toEqual(bits(extras.randn_16.value));
		torch.manual_seed(0);
		expect(await values(torch.randn(17))).toEqual(bits(extras.randn_17.value));
	});

	test('randn(16, 32) and rand(5) equal PyTorch bit for bit', async () => {
		torch.manual_seed(0);
		expect(await values(torch.randn(16, 32))).toEqual(bits(fresh.randn_16x32));
		torch.manual_seed(0);
		expect(await values(torch.rand(5))).toEqual(bits(fresh.rand_5));
	});

	test('randn(3) twice continues the stream like randn(6)', async () => {
		torch.manual_seed(0);
		const parts = [...(await values(torch.randn(3))), ...(await values(torch.randn(3)))];
		torch.manual_seed(0);
		expect(parts).toEqual(await values(torch.randn(6)));
	});

	test('randn(16) then randn(4) differs from randn(20)', async () => {
		torch.manual_seed(0);
		const parts = [...(await values(torch.randn(16))), ...(await values(torch.randn(4)))];
		torch.manual_seed(0);
		expect(parts).not.toEqual(await values(torch.randn(20)));
	});

	test('rand(3) with seed 0, and rand 3 + 13 equals rand 16', async () => {
		torch.manual_seed(0);
		const first = await values(torch.rand(3));
		[0.4962566, 0.7682218, 0.08847743].forEach((v, i) => expect(first[i]).toBeCloseTo(v, 7));
		const rest = await values(torch.rand(13));
		torch.manual_seed(0);
		expect([...first, ...rest]).toEqual(await values(torch.rand(16)));
	});

	test('randn takes sizes as varargs or one array, with options', () => {
		expect(torch.randn(16, 32).shape).toEqual([16, 32]);
		expect(torch.randn([2, 3], { requires_grad: true }).requires_grad).toBe(true);
		expect(torch.randn(2, 3, { dtype: torch.float64 }).dtype).toBe(torch.float64);
	});

	test('randint and randperm give int64', async () => {
		torch.manual_seed(0);
		const r = torch.randint(0, 10, [5]);
		expect(r.dtype).toBe(torch.int64);
		for (const v of await values(r)) expect(v >= 0 && v < 10 && Number.isInteger(v)).toBe(true);
		const p = await values(torch.randperm(6));
		expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5]);
	});
});

describe('tensor()', () => {
	test('tensor(nested numbers) makes float32 with the nested shape', async () => {
		const t = torch.tensor([
			[1, 2, 3],
			[4, 5, 6]
		]);
		expect(t.dtype).toBe(torch.float32);
		expect(t.shape).toEqual([2, 3]);
		expect(await values(t)).toEqual([1, 2, 3, 4, 5, 6]);
	});

	test('tensor() infers bool, float64 and int64 from the data, or takes a dtype', () => {
		expect(torch.tensor([true, false]).dtype).toBe(torch.bool);
		expect(torch.tensor(new Float64Array(2)).dtype).toBe(torch.float64);
		expect(torch.tensor(new Int32Array(2)).dtype).toBe(torch.int64);
		expect(torch.tensor([1, 2], { dtype: 'int64' }).dtype).toBe(torch.int64);
		expect(torch.tensor(3).shape).toEqual([]);
	});

	test('tensor() of ragged arrays raises naming the dim', () => {
		expect(() => torch.tensor([[1, 2], [3]])).toThrow(
			'expected sequence of length 2 at dim 1 (got 1)'
		);
	});

	test('requires_grad on an integer tensor raises', () => {
		expect(() => torch.tensor([1], { dtype: 'int64', requires_grad: true })).toThrow(
			'only Tensors of floating point dtype can require gradients'
		);
	});
});

describe('filled and ranged tensors', () => {
	test('zeros, ones, full and the _like forms', async () => {
		expect(await values(torch.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
		expect(await values(torch.ones(3))).toEqual([1, 1, 1]);
		expect(await values(torch.full([2], 7))).toEqual([7, 7]);
		const like = torch.ones_like(torch.zeros(2, 3, { dtype: torch.int64 }));
		expect(like.dtype).toBe(torch.int64);
		expect(like.shape).toEqual([2, 3]);
	});

	test('arange follows PyTorch dtype rules', async () => {
		expect(torch.arange(5).dtype).toBe(torch.int64);
		expect(await values(torch.arange(1, 4))).toEqual([1, 2, 3]);
		expect(torch.arange(0, 1, 0.25).dtype).toBe(torch.float32);
		const a = torch.arange(42, { dtype: 'float32' }).mul(2);
		expect(await a.index('-1').item()).toBe(82);
		expect(await a.sum().item()).toBe(1722);
	});

	test('linspace and eye', async () => {
		expect(await values(torch.linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
		expect(await values(torch.eye(2, 3))).toEqual([1, 0, 0, 0, 1, 0]);
	});
});
