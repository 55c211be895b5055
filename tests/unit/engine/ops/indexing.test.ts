import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../../src/lib/engine';

const values = async (t: Tensor) => Array.from(await t.array());
const grid = () => torch.arange(12, { dtype: 'float32' }).reshape(3, 4);

describe('index() with Python slice syntax', () => {
	test("index(':, 1:3') takes columns 1 and 2 as a view", async () => {
		const x = grid();
		const y = x.index(':, 1:3');
		expect(y.shape).toEqual([3, 2]);
		expect(y.storage).toBe(x.storage);
		expect(await values(y)).toEqual([1, 2, 5, 6, 9, 10]);
	});

	test("index('::2, -1') steps rows and counts columns from the end", async () => {
		expect(await values(grid().index('::2, -1'))).toEqual([3, 11]);
	});

	test("index('..., None') and index('None') add dims", () => {
		expect(grid().index('..., None').shape).toEqual([3, 4, 1]);
		expect(grid().index('None').shape).toEqual([1, 3, 4]);
		expect(grid().index('1, ...').shape).toEqual([4]);
	});

	test('index() clamps slice bounds like Python', async () => {
		expect(await values(grid().index('0, 2:100'))).toEqual([2, 3]);
		expect(await values(grid().index('0, -2:'))).toEqual([2, 3]);
		expect(grid().index('0, 3:1').shape).toEqual([0]);
	});

	test('index() rejects out-of-range integers and too many indices', () => {
		expect(() => grid().index('3')).toThrow(
			'index 3 out of range for tensor of size [3, 4] at dimension 0'
		);
		expect(() => grid().index('0, 0, 0')).toThrow('too many indices for tensor of dimension 2');
		expect(() => grid().index('a')).toThrow("got 'a'");
	});
});

describe('joining and splitting', () => {
	test('cat and stack shapes and errors', () => {
		const a = torch.ones(2, 3);
		expect(torch.cat([a, torch.zeros(1, 3)]).shape).toEqual([3, 3]);
		expect(torch.stack([a, a], 1).shape).toEqual([2, 2, 3]);
		expect(() => torch.cat([a, torch.ones(2, 2)])).toThrow('got shapes [2, 3] and [2, 2]');
		expect(() => torch.stack([a, torch.ones(3)])).toThrow(
			'stack expects each tensor to be equal size'
		);
	});

	test('split, chunk and unbind', async () => {
		const x = torch.arange(5);
		expect(await Promise.all(x.split(2).map(values))).toEqual([[0, 1], [2, 3], [4]]);
		expect(x.chunk(2).map((t) => t.shape[0])).toEqual([3, 2]);
		expect(x.split([1, 4]).map((t) => t.shape[0])).toEqual([1, 4]);
		expect(grid().unbind(1)).toHaveLength(4);
	});

	test('repeat tiles along each dim', async () => {
		const x = torch.tensor([[1, 2]]);
		expect(await values(x.repeat(2, 2))).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
		expect(x.repeat(3, 1, 1).shape).toEqual([3, 1, 2]);
	});

	test('gather and index_select with an index out of range raise', () => {
		const idx = torch.tensor([[5]], { dtype: 'int64' });
		expect(() => grid().gather(1, idx)).toThrow(
			'index 5 is out of bounds for dimension 1 with size 4'
		);
		expect(() => grid().index_select(0, torch.tensor([0], { dtype: 'float32' }))).toThrow(
			'Expected dtype int64 for index'
		);
	});

	test('scatter_add adds at the indices and its gradient gathers', async () => {
		const base = torch.zeros(2, 3, { requires_grad: true });
		const src = torch.ones(2, 2, { requires_grad: true });
		const idx = torch.tensor(
			[
				[0, 0],
				[2, 1]
			],
			{ dtype: 'int64' }
		);
		const out = base.scatter_add(1, idx, src);
		expect(await values(out)).toEqual([2, 0, 0, 0, 1, 1]);
		out.backward(
			torch.tensor([
				[1, 2, 3],
				[4, 5, 6]
			])
		);
		expect(await values(src.grad as Tensor)).toEqual([1, 1, 6, 5]);
	});
});

describe('views share storage', () => {
	test('transpose, permute, expand and select are views', () => {
		const x = grid();
		for (const view of [
			x.t(),
			x.permute(1, 0),
			x.index('0').expand(2, 4),
			x.select(1, 2),
			x.T,
			x.mT
		]) {
			expect(view.storage).toBe(x.storage);
		}
		expect(x.t().is_contiguous()).toBe(false);
		expect(x.t().contiguous().is_contiguous()).toBe(true);
	});

	test('expand of a non-singleton dim raises naming the sizes', () => {
		expect(() => torch.ones(2, 3).expand(2, 4)).toThrow(
			'The expanded size of the tensor (4) must match the existing size (3)'
		);
	});
});
