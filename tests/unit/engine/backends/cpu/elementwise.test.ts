import { describe, expect, test } from 'vitest';
import { torch } from '../../../../../src/lib/engine';

/** Row-major values of x read through its shape, computed without the engine's kernels. */
async function logical(x: ReturnType<typeof torch.randn>): Promise<number[]> {
	const storage = x.storage.data as Float32Array;
	const out: number[] = [];
	const visit = (d: number, at: number) => {
		if (d === x.shape.length) return void out.push(storage[at]);
		for (let i = 0; i < x.shape[d]; i++) visit(d + 1, at + i * x.strides[d]);
	};
	visit(0, x.offset);
	return out;
}

describe('elementwise kernels on strided views', () => {
	test('binary on a transposed, a sliced and a broadcast operand', async () => {
		const a = torch.randn(4, 6).t();
		const b = torch.randn(6, 8).index(':, ::2');
		const c = torch.randn(1, 4);
		const out = a.add(b).mul(c);
		const [av, bv, cv] = [await logical(a), await logical(b), await logical(c)];
		const expected = av.map((v, i) => Math.fround(Math.fround(v + bv[i]) * cv[i % 4]));
		expect(Array.from(await out.array())).toEqual(expected);
	});

	test('unary on a 3-D permuted view matches elementwise on its logical order', async () => {
		const x = torch.randn(2, 3, 4).permute(2, 0, 1);
		const expected = (await logical(x)).map((v) => Math.fround(Math.exp(v)));
		expect(Array.from(await x.exp().array())).toEqual(expected);
	});

	test('in-place add into a strided view writes only that view', async () => {
		const x = torch.zeros(3, 4);
		x.index(':, 1').add_(5);
		expect(Array.from(await x.array())).toEqual([0, 5, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0]);
	});

	test('where broadcasts the condition and a scalar', async () => {
		const cond = torch.tensor([true, false, true]);
		const out = torch.where(cond, torch.ones(2, 3), 0);
		expect(Array.from(await out.array())).toEqual([1, 0, 1, 1, 0, 1]);
	});
});
