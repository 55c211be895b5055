import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';
import { defaultGenerator, dropoutFloat32 } from '../../../src/lib/engine/random';

const F = torch.nn.functional;
const values = async (t: Tensor | null) => {
	if (t === null) throw new Error('expected a tensor, got null');
	return Array.from(await t.array());
};
const classes = (...ids: number[]) => torch.tensor(ids, { dtype: 'int64' });

function expectClose(actual: number[], expected: number[], digits = 5): void {
	expect(actual).toHaveLength(expected.length);
	actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));
}

describe('cross_entropy with huge logits', () => {
	test('equal logits of 1e8 give log 2', async () => {
		const logits = torch.tensor([[1e8, 1e8]], { requires_grad: true });
		const loss = F.cross_entropy(logits, classes(1));
		expect(await loss.item()).toBeCloseTo(0.6931472, 6);
		loss.backward();
		expectClose(await values(logits.grad), [0.5, -0.5]);
	});

	test('a wrong class 2000 apart costs 2000', async () => {
		const logits = torch.tensor([[1000, 0, -1000]], { requires_grad: true });
		const loss = F.cross_entropy(logits, classes(2));
		expect(await loss.item()).toBe(2000);
		loss.backward();
		expect(await values(logits.grad)).toEqual([1, 0, -1]);
	});

	test('the right class with a huge margin costs 0', async () => {
		const logits = torch.tensor([[1000, 0, -1000]], { requires_grad: true });
		const loss = F.cross_entropy(logits, classes(0));
		expect(await loss.item()).toBe(0);
		loss.backward();
		expect(await values(logits.grad)).toEqual([0, 0, 0]);
	});

	test('log_softmax and softmax of huge logits stay finite', async () => {
		const x = torch.tensor([1000, 0, -1000]);
		expect(await values(F.log_softmax(x, 0))).toEqual([0, -1000, -2000]);
		expect(await values(F.softmax(x, { dim: 0 }))).toEqual([1, 0, 0]);
	});

	test('cross_entropy rejects float32 class indices with a clear error', () => {
		const logits = torch.randn(2, 3);
		expect(() => F.nll_loss(logits, torch.tensor([0, 1]))).toThrow(
			'nll_loss: expected target of dtype int64 (class indices), got torch.float32'
		);
	});

	test('cross_entropy accepts class probabilities', async () => {
		const logits = torch.tensor([[1, 2, 3]]);
		const probs = torch.tensor([[0, 0, 1]]);
		const fromIndex = await F.cross_entropy(logits, classes(2)).item();
		expect(await F.cross_entropy(logits, probs).item()).toBeCloseTo(fromIndex, 6);
	});
});

describe('binary_cross_entropy with logits vs of sigmoid', () => {
	const logits = () => torch.tensor([-100, 200, 0, 30], { requires_grad: true });
	const target = torch.tensor([0, 0, 1, 1]);

	test('with logits uses the stable form', async () => {
		const x = logits();
		const loss = F.binary_cross_entropy_with_logits(x, target, { reduction: 'none' });
		expectClose(await values(loss), [0, 200, 0.6931472, 0]);
		loss.sum().backward();
		expectClose(await values(x.grad), [0, 1, -0.5, 0]);
		expect(await F.binary_cross_entropy_with_logits(x, target).item()).toBeCloseTo(50.173286, 4);
	});

	test('of sigmoid clamps each log at -100', async () => {
		const x = logits();
		const loss = F.binary_cross_entropy(x.sigmoid(), target, { reduction: 'none' });
		const out = await values(loss);
		expectClose(out, [0, 100, 0.6931472, 0]);
		expect(Object.is(out[3], -0)).toBe(true);
		loss.sum().backward();
		expectClose(await values(x.grad), [0, 0, -0.5, 0]);
		expect(await F.binary_cross_entropy(x.sigmoid(), target).item()).toBeCloseTo(25.173286, 4);
	});

	test('sigmoid(-100) is exactly 0 in float32', async () => {
		expect(await torch.tensor([-100]).sigmoid().item()).toBe(0);
	});

	test('pos_weight scales the positive term', async () => {
		const x = torch.tensor([0.5, -1]);
		const t = torch.tensor([1, 0]);
		const weighted = F.binary_cross_entropy_with_logits(x, t, {
			pos_weight: torch.tensor([3, 3]),
			reduction: 'none'
		});
		const plain = await values(F.binary_cross_entropy_with_logits(x, t, { reduction: 'none' }));
		const out = await values(weighted);
		expect(out[0]).toBeCloseTo(3 * plain[0], 5);
		expect(out[1]).toBeCloseTo(plain[1], 6);
	});
});

describe('batch_norm', () => {
	test('training uses the biased variance and updates running stats with the unbiased one', async () => {
		const x = torch.tensor([[1], [2], [3], [4]]);
		const mean = torch.zeros(1);
		const variance = torch.ones(1);
		const y = F.batch_norm(x, mean, variance, null, null, { training: true });
		expectClose(await values(y), [-1.3416353, -0.4472117, 0.4472119, 1.3416355]);
		expectClose(await values(mean), [0.25]);
		expectClose(await values(variance), [1.0666666]);
	});

	test('training with one value per channel raises', () => {
		const stats = () => [torch.zeros(3), torch.ones(3)] as const;
		expect(() => F.batch_norm(torch.randn(1, 3), ...stats(), { training: true })).toThrow(
			'Expected more than 1 value per channel when training, got input size [1, 3]'
		);
		expect(() => F.batch_norm(torch.randn(1, 3, 1), ...stats(), { training: true })).toThrow(
			'got input size [1, 3, 1]'
		);
		expect(F.batch_norm(torch.randn(1, 3, 2), ...stats(), { training: true }).shape).toEqual([
			1, 3, 2
		]);
	});

	test('eval mode with a batch of 1 uses running stats', async () => {
		const y = F.batch_norm(torch.tensor([[1, 2, 3]]), torch.zeros(3), torch.ones(3), {
			training: false
		});
		expectClose(await values(y), [0.999995, 1.99999, 2.999985]);
	});
});

describe('dropout', () => {
	test('dropout draws the same mask and values as dropoutFloat32', async () => {
		const x = torch.randn(40);
		torch.manual_seed(7);
		const ours = await values(F.dropout(x, 0.3));
		defaultGenerator.manual_seed(7);
		const reference = Array.from(
			dropoutFloat32(defaultGenerator, (await x.array()) as Float32Array, 0.3)
		);
		expect(ours).toEqual(reference);
	});

	test('dropout is the identity when not training or p = 0', () => {
		const x = torch.randn(5);
		expect(F.dropout(x, 0.5, false)).toBe(x);
		expect(F.dropout(x, { p: 0 })).toBe(x);
	});

	test('dropout backward scales by the same mask', async () => {
		const x = torch.ones(30, { requires_grad: true });
		torch.manual_seed(1);
		const y = F.dropout(x, 0.5);
		expect(y.grad_fn?.name()).toBe('NativeDropoutBackward0');
		y.sum().backward();
		expect(await values(x.grad)).toEqual(await values(y));
	});
});

describe('activations and linear', () => {
	test('gelu exact and tanh forms differ slightly', async () => {
		const x = torch.tensor([1]);
		expect(await F.gelu(x).item()).toBeCloseTo(0.8413447, 6);
		expect(await F.gelu(x, { approximate: 'tanh' }).item()).toBeCloseTo(0.841192, 6);
	});

	test('leaky_relu takes the slope positionally or as an option', async () => {
		const x = torch.tensor([-2, 3]);
		expect(await values(F.leaky_relu(x, 0.5))).toEqual([-1, 3]);
		expect(await values(F.leaky_relu(x, { negative_slope: 0.5 }))).toEqual([-1, 3]);
		expectClose(await values(F.leaky_relu(x)), [-0.02, 3]);
	});

	test('linear of a 3-D input and of a vector', () => {
		const w = torch.randn(5, 4);
		const b = torch.randn(5);
		expect(F.linear(torch.randn(2, 3, 4), w, b).shape).toEqual([2, 3, 5]);
		expect(F.linear(torch.randn(4), w, b).shape).toEqual([5]);
	});

	test('l1_loss and mse_loss reductions', async () => {
		const a = torch.tensor([1, 2, 3]);
		const b = torch.tensor([2, 2, 5]);
		expect(await F.l1_loss(a, b).item()).toBe(1);
		expect(await F.mse_loss(a, b, { reduction: 'sum' }).item()).toBe(5);
		expect(() => F.mse_loss(a, torch.ones(2))).toThrow(
			'target size ([2]) that is different to the input size ([3])'
		);
	});

	test('losses reject a target that is not a tensor', () => {
		const input = torch.randn(3, 4);
		const cases: [string, () => unknown][] = [
			['mse_loss', () => F.mse_loss(input, [1, 2, 3, 4] as never)],
			['l1_loss', () => F.l1_loss(input, 3 as never)],
			['cross_entropy', () => F.cross_entropy(input, [0, 1, 2] as never)]
		];
		for (const [op, call] of cases) {
			expect(call, op).toThrow(
				new RegExp(
					`${op}\\(\\): argument 'target' \\(position 2\\) must be a Tensor, not .*torch\\.tensor\\(target\\)`
				)
			);
		}
		expect(() => F.mse_loss(null as never, input)).toThrow(
			"mse_loss(): argument 'input' (position 1) must be a Tensor, not null"
		);
	});

	test('mse_loss equals the composite bitwise', async () => {
		torch.manual_seed(4);
		for (const dtype of [torch.float32, torch.float64]) {
			// A strided input, as a slice of a batched output is.
			const input = torch.randn(300, 7, { dtype }).mul(1e3).t();
			const target = torch.randn(7, 300, { dtype });
			const d = input.sub(target);
			const label = dtype.name;
			expect(await F.mse_loss(input, target).item(), label).toBe(await d.mul(d).mean().item());
			const sum = F.mse_loss(input, target, { reduction: 'sum' });
			expect(await sum.item(), label).toBe(await d.mul(d).sum().item());
		}
		expect(Number.isNaN(await F.mse_loss(torch.ones(0), torch.ones(0)).item())).toBe(true);
		expect(await F.mse_loss(torch.ones(0), torch.ones(0), { reduction: 'sum' }).item()).toBe(0);
	});
});
