import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';

const values = async (t: Tensor | null) => {
	if (t === null) throw new Error('expected a gradient, got null');
	return Array.from(await t.array());
};

describe('backward calling rules', () => {
	test('backward twice through saved tensors raises', () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.mul(x).sum();
		y.backward();
		expect(() => y.backward()).toThrow('Trying to backward through the graph a second time');
	});

	test('backward with retain_graph accumulates on the second call', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.mul(x).sum();
		y.backward({ retain_graph: true });
		expect(await values(x.grad)).toEqual([2, 4]);
		y.backward();
		expect(await values(x.grad)).toEqual([4, 8]);
	});

	test('backward of fresh graphs accumulates without zero_grad', async () => {
		const a = torch.tensor([1], { requires_grad: true });
		const b = torch.tensor([2], { requires_grad: true });
		a.mul(b).backward();
		expect(await values(a.grad)).toEqual([2]);
		expect(await values(b.grad)).toEqual([1]);
		a.mul(b).backward();
		expect(await values(a.grad)).toEqual([4]);
		expect(await values(b.grad)).toEqual([2]);
	});

	test('backward of a non-scalar without gradient raises', () => {
		const m = torch.tensor([[1, 2, 3]], { requires_grad: true });
		expect(() => m.add(1).backward()).toThrow(
			'grad can be implicitly created only for scalar outputs'
		);
		expect(() => m.add(1).backward()).toThrow('got shape [1, 3]');
	});

	test('backward of a non-scalar with an explicit gradient', async () => {
		const m = torch.tensor([[1, 2, 3]], { requires_grad: true });
		const c = m.mul(3);
		c.backward(torch.ones_like(c));
		expect(m.grad?.shape).toEqual([1, 3]);
		expect(await values(m.grad)).toEqual([3, 3, 3]);
	});

	test('backward twice through an op that saves nothing works', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.add(x).sum();
		y.backward();
		y.backward();
		expect(await values(x.grad)).toEqual([4, 4]);
	});

	test('backward on a tensor without grad raises', () => {
		expect(() => torch.ones(2).sum().backward()).toThrow('does not require grad');
	});

	test('backward with a gradient of the wrong shape raises naming both shapes', () => {
		const x = torch.ones(2, 3, { requires_grad: true });
		expect(() => x.mul(2).backward(torch.ones(3))).toThrow(
			'[3] and output[0] has a shape of [2, 3]'
		);
	});
});

describe('broadcasting gradient reduction', () => {
	const column = () => torch.tensor([[1], [2], [3]], { requires_grad: true });
	const row = () => torch.tensor([[1, 2, 3, 4]], { requires_grad: true });

	test('mul of (3,1) and (1,4) reduces each gradient to its input shape', async () => {
		const a = column();
		const b = row();
		const out = a.mul(b);
		expect(out.shape).toEqual([3, 4]);
		out.sum().backward();
		expect(a.grad?.shape).toEqual([3, 1]);
		expect(await values(a.grad)).toEqual([10, 10, 10]);
		expect(b.grad?.shape).toEqual([1, 4]);
		expect(await values(b.grad)).toEqual([6, 6, 6, 6]);
	});

	test('pow of a broadcast sum reduces through the chain', async () => {
		const a = column();
		const b = row();
		a.add(b).pow(2).sum().backward();
		expect(await values(a.grad)).toEqual([28, 36, 44]);
		expect(await values(b.grad)).toEqual([18, 24, 30, 36]);
	});

	test('a 0-d tensor times a matrix gets a 0-d gradient', async () => {
		const s = torch.tensor(2, { requires_grad: true });
		s.mul(torch.ones(2, 3)).sum().backward();
		expect(s.grad?.shape).toEqual([]);
		expect(await values(s.grad)).toEqual([6]);
	});

	test('a bias added to rows sums over the batch', async () => {
		const bias = torch.zeros(4, { requires_grad: true });
		torch.ones(3, 4).add(bias).sum().backward();
		expect(bias.grad?.shape).toEqual([4]);
		expect(await values(bias.grad)).toEqual([3, 3, 3, 3]);
	});
});

describe('grad accumulation and hooks', () => {
	test('leaf grad is not shared between two leaves that get the same gradient', async () => {
		const a = torch.ones(2, { requires_grad: true });
		const b = torch.ones(2, { requires_grad: true });
		a.add(b).sum().backward();
		a.grad?.add_(1);
		expect(await values(b.grad)).toEqual([1, 1]);
	});

	test('register_hook replaces the gradient of a leaf', async () => {
		const x = torch.ones(2, { requires_grad: true });
		x.register_hook((g) => g.mul(10));
		x.mul(2).sum().backward();
		expect(await values(x.grad)).toEqual([20, 20]);
	});

	test('register_hook on a non-leaf sees its gradient and can be removed', async () => {
		const x = torch.ones(2, { requires_grad: true });
		const y = x.mul(3);
		const seen: number[][] = [];
		const handle = y.register_hook((g) => {
			seen.push(Array.from(g._readSync()));
		});
		y.sum().backward();
		expect(seen).toEqual([[1, 1]]);
		handle.remove();
		x.mul(3).sum().backward();
		expect(seen).toHaveLength(1);
	});

	test('retain_grad keeps a non-leaf gradient', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.mul(2);
		y.retain_grad();
		y.pow(2).sum().backward();
		expect(y.retains_grad).toBe(true);
		expect(await values(y.grad)).toEqual([4, 8]);
	});

	test('no_grad records nothing and returns the callback result', () => {
		const x = torch.ones(2, { requires_grad: true });
		const y = torch.no_grad(() => x.mul(2));
		expect(y.requires_grad).toBe(false);
		expect(y.grad_fn).toBeNull();
		expect(torch.is_grad_enabled()).toBe(true);
	});

	test('enable_grad inside no_grad records again', () => {
		const x = torch.ones(2, { requires_grad: true });
		const y = torch.no_grad(() => torch.enable_grad(() => x.mul(2)));
		expect(y.grad_fn?.name()).toBe('MulBackward0');
	});

	test('autograd.grad returns gradients without touching .grad', async () => {
		const x = torch.tensor([1, 2, 3], { requires_grad: true });
		const [g] = torch.autograd.grad(x.pow(2).sum(), [x]);
		expect(await values(g)).toEqual([2, 4, 6]);
		expect(x.grad).toBeNull();
	});
});

describe('saved tensor versions', () => {
	test('modifying a saved output in place raises PyTorch error', () => {
		const a = torch.tensor([1, 2, 3], { requires_grad: true });
		const b = a.exp();
		b.add_(1);
		expect(() => b.sum().backward()).toThrow(
			'one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of AddBackward0, is at version 1; expected version 0 instead'
		);
	});

	test('modifying a saved leaf under no_grad raises at backward', () => {
		const w = torch.tensor([1, 2], { requires_grad: true });
		const loss = w.mul(w).sum();
		torch.no_grad(() => w.mul_(2));
		expect(() => loss.backward()).toThrow(
			'[torch.FloatTensor [2]] is at version 1; expected version 0 instead'
		);
	});

	test('in-place op on a leaf that requires grad raises', () => {
		const w = torch.ones(2, { requires_grad: true });
		expect(() => w.add_(1)).toThrow(
			'a leaf Variable that requires grad is being used in an in-place operation'
		);
	});

	test('in-place op on a non-leaf joins the graph', async () => {
		const x = torch.tensor([1, 2], { requires_grad: true });
		const y = x.mul(1);
		y.mul_(3);
		expect(y.grad_fn?.name()).toBe('MulBackward0');
		y.sum().backward();
		expect(await values(x.grad)).toEqual([3, 3]);
	});
});

describe('grad_fn names', () => {
	test('names follow PyTorch', () => {
		const x = torch.ones(2, 3, { requires_grad: true });
		expect(x.add(1).grad_fn?.name()).toBe('AddBackward0');
		expect(x.sum().grad_fn?.name()).toBe('SumBackward0');
		expect(x.sum(1).grad_fn?.name()).toBe('SumBackward1');
		expect(x.mean().grad_fn?.name()).toBe('MeanBackward0');
		expect(x.t().grad_fn?.name()).toBe('TBackward0');
		expect(x.reshape(6).grad_fn?.name()).toBe('ViewBackward0');
		expect(x.matmul(torch.ones(3, 2)).grad_fn?.name()).toBe('MmBackward0');
		expect(x.max().grad_fn?.name()).toBe('MaxBackward1');
		expect(x.max(1).values.grad_fn?.name()).toBe('MaxBackward0');
		expect(x.norm().grad_fn?.name()).toBe('LinalgVectorNormBackward0');
		expect(x.index(':, 1:').grad_fn?.name()).toBe('SliceBackward0');
		expect(x.index('0').grad_fn?.name()).toBe('SelectBackward0');
	});
});

describe('backward with inputs', () => {
	test('accumulates only into the inputs', async () => {
		const a = torch.tensor([1, 2], { requires_grad: true });
		const b = torch.tensor([3, 4], { requires_grad: true });
		const h = a.mul(b);
		h.retain_grad();
		const loss = h.sum().mul(2);
		loss.backward({ inputs: [a, h], retain_graph: true });
		expect(await values(a.grad)).toEqual([6, 8]);
		expect(b.grad).toBeNull();
		expect(await values(h.grad)).toEqual([2, 2]);
		loss.backward({ inputs: [a] });
		expect(await values(a.grad)).toEqual([12, 16]);
		expect(b.grad).toBeNull();
	});

	test('torch.autograd.backward takes inputs too', async () => {
		const a = torch.tensor([1, 2], { requires_grad: true });
		const b = torch.tensor([3, 4], { requires_grad: true });
		torch.autograd.backward(a.mul(b).sum(), null, { inputs: [b] });
		expect(a.grad).toBeNull();
		expect(await values(b.grad)).toEqual([1, 2]);
	});

	test('a seed gradient is copied into .grad', async () => {
		const a = torch.tensor([1, 2], { requires_grad: true });
		const seed = torch.tensor([5, 7]);
		a.backward(seed, { inputs: [a] });
		seed.mul_(0);
		expect(await values(a.grad)).toEqual([5, 7]);
	});

	test('inputs may be one tensor', async () => {
		const a = torch.tensor([1, 2], { requires_grad: true });
		const b = torch.tensor([3, 4], { requires_grad: true });
		a.mul(b).sum().backward({ inputs: a });
		expect(await values(a.grad)).toEqual([3, 4]);
		expect(b.grad).toBeNull();
	});

	test('empty inputs and inputs without grad raise', () => {
		const a = torch.tensor([1, 2], { requires_grad: true });
		const loss = a.sum();
		expect(() => loss.backward({ inputs: [] })).toThrow(/'inputs' cannot be empty/);
		expect(() => loss.backward({ inputs: [torch.tensor([1])] })).toThrow(
			/inputs\[0\] does not require grad/
		);
	});
});
