import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Tensor } from '../../../../src/lib/engine/tensor';

const { nn } = torch;

async function list(t: Tensor | null): Promise<number[]> {
	if (t === null) throw new Error('expected a tensor, got null');
	return Array.from(await t.array());
}

function expectAllClose(actual: number[], expected: number[], digits = 6) {
	expect(actual.length).toBe(expected.length);
	actual.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i], digits));
}

describe('BatchNorm1d train and eval semantics', () => {
	test('training normalises with the biased variance and updates running stats', async () => {
		const bn = new nn.BatchNorm1d(1);
		const x = torch.tensor([[1], [2], [3], [4]]);
		expectAllClose(await list(bn(x)), [-1.3416353, -0.4472117, 0.4472119, 1.3416355]);
		expectAllClose(await list(bn.running_mean), [0.25]);
		// 0.9 * 1 + 0.1 * 1.6666667: the running update uses the unbiased variance.
		expectAllClose(await list(bn.running_var), [1.0666666]);
		expect(await list(bn.num_batches_tracked)).toEqual([1]);
	});

	test('eval mode normalises with the running statistics', async () => {
		const bn = new nn.BatchNorm1d(1);
		const x = torch.tensor([[1], [2], [3], [4]]);
		bn(x);
		bn.eval();
		expectAllClose(await list(bn(x)), [0.726181, 1.6944225, 2.6626639, 3.6309052]);
		expect(await list(bn.num_batches_tracked)).toEqual([1]);
	});

	test('training on one value per channel throws', () => {
		expect(() => new nn.BatchNorm1d(3)(torch.randn(1, 3))).toThrow(
			/Expected more than 1 value per channel when training, got input size \[1, 3\]/
		);
		expect(() => new nn.BatchNorm1d(3)(torch.randn(1, 3, 1))).toThrow(
			/more than 1 value per channel/
		);
		expect(new nn.BatchNorm1d(3)(torch.randn(1, 3, 2)).shape).toEqual([1, 3, 2]);
	});

	test('eval mode accepts a batch of one', async () => {
		const bn = new nn.BatchNorm1d(3);
		bn.eval();
		expectAllClose(await list(bn(torch.tensor([[1, 2, 3]]))), [0.999995, 1.99999, 2.999985]);
	});

	test('a 4-D input is rejected with the accepted shapes', () => {
		expect(() => new nn.BatchNorm1d(3)(torch.zeros(2, 3, 1, 1))).toThrow(
			/expected 2D or 3D input \(got 4D input\)/
		);
	});

	test('track_running_stats false keeps no buffers and always uses batch stats', async () => {
		const bn = new nn.BatchNorm1d(1, { track_running_stats: false, affine: false });
		expect(bn.named_buffers()).toEqual([]);
		expect(bn.parameters()).toEqual([]);
		bn.eval();
		expectAllClose(await list(bn(torch.tensor([[1], [3]]))), [-0.999995, 0.999995]);
	});

	test('momentum null keeps a cumulative average', async () => {
		const bn = new nn.BatchNorm1d(1, { momentum: null });
		bn(torch.tensor([[0], [2]]));
		bn(torch.tensor([[4], [6]]));
		expectAllClose(await list(bn.running_mean), [3]);
	});
});

describe('LayerNorm', () => {
	test('LayerNorm normalises the last dim with the biased variance', async () => {
		const ln = new nn.LayerNorm(4);
		expectAllClose(
			await list(ln(torch.tensor([[1, 2, 3, 4]]))),
			[-1.3416353, -0.4472117, 0.4472119, 1.3416355]
		);
		expect(ln.named_parameters().map(([n]) => n)).toEqual(['weight', 'bias']);
	});
});

describe('activations and shape modules', () => {
	test('activation modules apply their functions', async () => {
		const x = torch.tensor([-2, 0, 3]);
		expect(await list(new nn.ReLU()(x))).toEqual([0, 0, 3]);
		expectAllClose(await list(new nn.Sigmoid()(x)), [0.1192029, 0.5, 0.9525741]);
		expectAllClose(await list(new nn.Tanh()(x)), [-0.9640276, 0, 0.9950548]);
		expectAllClose(await list(new nn.LeakyReLU(0.1)(x)), [-0.2, 0, 3]);
		expectAllClose(await list(new nn.GELU()(x)), [-0.0455003, 0, 2.9959502]);
		expectAllClose(await list(new nn.Softmax(0)(x)), [0.0063775, 0.0471234, 0.9464991]);
		expectAllClose(
			await list(new nn.LogSoftmax({ dim: 0 })(x)),
			[-5.0549852, -3.0549852, -0.0549852]
		);
	});

	test('Flatten keeps the batch dim by default', () => {
		expect(new nn.Flatten()(torch.zeros(2, 3, 4)).shape).toEqual([2, 12]);
		expect(new nn.Flatten({ start_dim: 0 })(torch.zeros(2, 3)).shape).toEqual([6]);
	});

	test('Dropout is the identity in eval mode and scales kept values in training', async () => {
		const drop = new nn.Dropout(0.5);
		torch.manual_seed(0);
		const y = await list(drop(torch.ones(4, 8)));
		expect(y.every((v) => v === 0 || v === 2)).toBe(true);
		drop.eval();
		expect(await list(drop(torch.ones(3)))).toEqual([1, 1, 1]);
		expect(() => new nn.Dropout(1.5)).toThrow(
			/dropout probability has to be between 0 and 1, but got 1.5/
		);
	});

	test('Linear without bias registers only the weight', () => {
		const lin = new nn.Linear(3, 2, { bias: false });
		expect(lin.bias).toBeNull();
		expect(lin.named_parameters().map(([n]) => n)).toEqual(['weight']);
		expect(lin(torch.ones(5, 3)).shape).toEqual([5, 2]);
	});
});

describe('loss modules', () => {
	const input = torch.tensor([
		[0.5, 1.5],
		[2, -1]
	]);
	const target = torch.tensor([
		[1, 1],
		[1, 1]
	]);

	test('MSELoss and L1Loss honour reduction', async () => {
		expect(Number(await new nn.MSELoss()(input, target).item())).toBeCloseTo(
			(0.25 + 0.25 + 1 + 4) / 4,
			6
		);
		expect(Number(await new nn.MSELoss({ reduction: 'sum' })(input, target).item())).toBeCloseTo(
			5.5,
			6
		);
		expect(await list(new nn.L1Loss({ reduction: 'none' })(input, target))).toEqual([
			0.5, 0.5, 1, 2
		]);
	});

	test('CrossEntropyLoss matches NLLLoss of log_softmax and honours ignore_index', async () => {
		const logits = torch.tensor([
			[1, 2, 3],
			[1, 0, -1]
		]);
		const labels = torch.tensor([2, 0], { dtype: torch.int64 });
		const ce = Number(await new nn.CrossEntropyLoss()(logits, labels).item());
		const nll = Number(await new nn.NLLLoss()(logits.log_softmax(1), labels).item());
		expect(ce).toBeCloseTo(nll, 6);
		expect(ce).toBeCloseTo(0.4076059, 6);
		const ignored = torch.tensor([2, -100], { dtype: torch.int64 });
		expect(Number(await new nn.CrossEntropyLoss()(logits, ignored).item())).toBeCloseTo(
			0.4076059,
			6
		);
		const smoothed = Number(
			await new nn.CrossEntropyLoss({ label_smoothing: 0.1 })(logits, labels).item()
		);
		expect(smoothed).toBeGreaterThan(ce);
	});

	test('BCEWithLogitsLoss is stable where BCELoss saturates', async () => {
		const x = torch.tensor([-100, 200, 0, 30]);
		const t = torch.tensor([0, 0, 1, 1]);
		expectAllClose(
			await list(new nn.BCEWithLogitsLoss({ reduction: 'none' })(x, t)),
			[0, 200, 0.6931472, 0],
			4
		);
		expectAllClose(
			await list(new nn.BCELoss({ reduction: 'none' })(x.sigmoid(), t)),
			[0, 100, 0.6931472, 0],
			4
		);
	});

	test('an unknown reduction names the valid ones', () => {
		expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(
			/avg is not a valid value for reduction/
		);
	});
});

describe('Linear arguments', () => {
	test('missing out_features names it and the fix', () => {
		const create = () => new nn.Linear(32, undefined as unknown as number);
		expect(create).toThrow(
			'Linear: out_features must be a non-negative integer, got undefined. Pass both sizes'
		);
	});

	test('fractional in_features is rejected', () => {
		expect(() => new nn.Linear(2.5, 3)).toThrow('in_features must be a non-negative integer');
	});
});
