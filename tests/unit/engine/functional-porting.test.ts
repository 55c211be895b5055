import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';

const F = torch.nn.functional;
const classes = (...ids: number[]) => torch.tensor(ids, { dtype: torch.int64 });

describe('loss targets as ported code writes them', () => {
	test('cross_entropy rejects float class indices with the fix', () => {
		const call = () => F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 1]));
		expect(call).toThrow('cross_entropy: expected target of dtype int64 (class indices)');
		expect(call).toThrow("of the input's shape [4, 3] (class probabilities)");
		expect(call).toThrow('got torch.float32 of shape [4]');
		expect(call).toThrow('{ dtype: torch.int64 }');
	});

	test('nll_loss rejects float class indices with the fix', () => {
		const call = () => F.nll_loss(torch.randn(4, 3), torch.tensor([0, 1, 2, 1]));
		expect(call).toThrow('nll_loss: expected target of dtype int64 (class indices)');
		expect(call).toThrow('{ dtype: torch.int64 }');
	});

	test('cross_entropy names an out-of-range target', () => {
		const call = () => F.cross_entropy(torch.randn(4, 3), classes(0, 1, 3, 1));
		expect(call).toThrow('cross_entropy: target 3 is out of bounds for 3 classes');
		expect(call).toThrow('Target 3 is out of bounds.');
	});

	test('nll_loss names a negative target', () => {
		const call = () => F.nll_loss(torch.randn(2, 3), classes(-1, 0));
		expect(call).toThrow('nll_loss: target -1 is out of bounds for 3 classes');
	});

	test('cross_entropy with probabilities equals the index form', async () => {
		torch.manual_seed(0);
		const logits = torch.randn(4, 3);
		const target = classes(0, 2, 1, 1);
		const probabilities = F.one_hot(target, 3).float();
		for (const label_smoothing of [0, 0.2]) {
			const fromIndices = await F.cross_entropy(logits, target, { label_smoothing }).item();
			const fromProbs = await F.cross_entropy(logits, probabilities, { label_smoothing }).item();
			expect(fromProbs).toBeCloseTo(fromIndices, 5);
		}
	});

	test('mse_loss broadcasts [4, 1] against [4]', async () => {
		const input = torch.tensor([[1], [2], [3], [4]]);
		const target = torch.tensor([0, 1, 2, 3]);
		// Broadcasting gives a [4, 4] difference matrix: sum over i, j of (i + 1 - j)^2 / 16.
		let expected = 0;
		for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expected += (i + 1 - j) ** 2;
		expect(await F.mse_loss(input, target).item()).toBeCloseTo(expected / 16, 5);
	});
});

describe('one_hot', () => {
	test('one_hot(x, 4) gives int64 rows', async () => {
		const out = F.one_hot(classes(0, 3, 1), 4);
		expect(out.dtype).toBe(torch.int64);
		expect(out.shape).toEqual([3, 4]);
		expect(await out.tolist()).toEqual([
			[1, 0, 0, 0],
			[0, 0, 0, 1],
			[0, 1, 0, 0]
		]);
	});

	test('one_hot infers num_classes from the largest index', () => {
		expect(F.one_hot(classes(0, 2), { num_classes: -1 }).shape).toEqual([2, 3]);
		expect(F.one_hot(classes(0, 2)).shape).toEqual([2, 3]);
	});

	test('one_hot rejects float input and too-large classes', () => {
		expect(() => F.one_hot(torch.tensor([0, 1]), 2)).toThrow('type int64');
		expect(() => F.one_hot(classes(0, 5), 3)).toThrow('smaller than num_classes (3)');
	});
});
