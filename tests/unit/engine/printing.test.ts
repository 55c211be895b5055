import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';

describe('toString prints as PyTorch', () => {
	test('floats with 4 decimals and a grad_fn suffix', () => {
		const t = torch.tensor([[1.5, 2]], { requires_grad: true }).add(0);
		expect(String(t)).toBe('tensor([[1.5000, 2.0000]], grad_fn=<AddBackward0>)');
	});

	test('integral floats print with a trailing dot', () => {
		expect(
			String(
				torch.tensor([
					[1, 2],
					[3, 4]
				])
			)
		).toBe('tensor([[1., 2.],\n        [3., 4.]])');
	});

	test('a leaf that requires grad says so', () => {
		expect(String(torch.tensor([1, 2], { requires_grad: true }))).toBe(
			'tensor([1., 2.], requires_grad=True)'
		);
	});

	test('scientific notation when values span more than 1000x', () => {
		expect(String(torch.tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00])');
	});

	test('int64, bool and float64 dtypes', () => {
		expect(String(torch.tensor([1, 20], { dtype: 'int64' }))).toBe('tensor([ 1, 20])');
		expect(String(torch.tensor([true, false]))).toBe('tensor([ True, False])');
		expect(String(torch.tensor([0.5], { dtype: 'float64' }))).toBe(
			'tensor([0.5000], dtype=torch.float64)'
		);
	});

	test('scalars, non-finite values and empty tensors', () => {
		expect(String(torch.tensor(3.25))).toBe('tensor(3.2500)');
		expect(String(torch.tensor([Infinity, NaN, 1]))).toBe('tensor([inf, nan, 1.])');
		expect(String(torch.zeros(0))).toBe('tensor([])');
		expect(String(torch.zeros(2, 0))).toBe('tensor([], size=(2, 0))');
	});

	test('ties round to even as Python formats them', () => {
		expect(String(torch.tensor([0.03125, 0.09375]))).toBe('tensor([0.0312, 0.0938])');
	});

	test('large tensors are summarised with ...', () => {
		const text = String(torch.arange(2000));
		expect(text).toBe('tensor([   0,    1,    2,  ..., 1997, 1998, 1999])');
	});

	test('long rows wrap at 80 columns', () => {
		const text = String(torch.arange(30, { dtype: 'float32' }).div(7));
		expect(text.split('\n')[0]).toBe(
			'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,'
		);
		expect(text.split('\n')[1].startsWith('        1.2857,')).toBe(true);
	});
});
