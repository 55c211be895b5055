import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import {
	formatLogArguments,
	HISTOGRAM_BINS,
	inspectValue,
	summarizeNumbers,
	summarizeValue,
	tensorView
} from '../../../src/lib/notebook/summary';
import { createNotebook } from './notebook-harness';

describe('summarizeNumbers', () => {
	test('summarizeNumbers counts NaN and Infinity apart from the finite statistics', () => {
		const summary = summarizeNumbers([1, NaN, 3, Infinity, -Infinity, NaN, 2]);
		expect(summary?.stats).toEqual({ min: 1, max: 3, mean: 2, nan: 2, inf: 2 });
		expect(summary?.histogram?.counts.reduce((a, b) => a + b)).toBe(3);
	});

	test('summarizeNumbers bins finite values into equal bins', () => {
		const summary = summarizeNumbers([0, 0.5, 1, 1, 2]);
		const { edges, counts } = summary!.histogram!;
		expect(edges).toHaveLength(HISTOGRAM_BINS + 1);
		expect(edges[0]).toBe(0);
		expect(edges[HISTOGRAM_BINS]).toBe(2);
		expect(counts[0]).toBe(1);
		expect(counts[5]).toBe(1);
		expect(counts[10]).toBe(2);
		expect(counts[HISTOGRAM_BINS - 1]).toBe(1);
	});

	test('summarizeNumbers centres a constant in the middle bin', () => {
		const { edges, counts } = summarizeNumbers([4, 4, 4])!.histogram!;
		expect(edges[0]).toBe(3.5);
		expect(edges[HISTOGRAM_BINS]).toBe(4.5);
		expect(counts[HISTOGRAM_BINS / 2]).toBe(3);
	});

	test('summarizeNumbers draws no histogram for one finite value', () => {
		const summary = summarizeNumbers([NaN, 2.5]);
		expect(summary?.stats.mean).toBe(2.5);
		expect(summary?.histogram).toBeUndefined();
	});

	test('summarizeNumbers gives NaN statistics when nothing is finite', () => {
		const summary = summarizeNumbers([NaN, Infinity]);
		expect(summary?.stats).toEqual({ min: NaN, max: NaN, mean: NaN, nan: 1, inf: 1 });
		expect(summary?.histogram).toBeUndefined();
	});

	test('summarizeNumbers returns null for no values', () => {
		expect(summarizeNumbers([])).toBeNull();
	});
});

describe('inspectValue', () => {
	test('inspectValue marks a cycle instead of recursing', async () => {
		const a: Record<string, unknown> = { name: 'a' };
		const b = { back: a };
		a.child = b;
		const tree = await inspectValue(a);
		expect(tree).toEqual({
			kind: 'object',
			name: 'Object',
			truncated: false,
			entries: [
				['name', { kind: 'primitive', type: 'string', text: 'a' }],
				[
					'child',
					{
						kind: 'object',
						name: 'Object',
						truncated: false,
						entries: [['back', { kind: 'primitive', type: 'circular', text: '[Circular]' }]]
					}
				]
			]
		});
	});

	test('inspectValue shows a shared object twice when it is not a cycle', async () => {
		const shared = { v: 1 };
		const tree = await inspectValue([shared, shared]);
		expect(tree).toMatchObject({ kind: 'array', items: [{ kind: 'object' }, { kind: 'object' }] });
	});

	test('inspectValue limits depth and entries', async () => {
		const deep = { a: { b: { c: { d: { e: 1 } } } } };
		const tree = JSON.stringify(await inspectValue(deep));
		expect(tree).toContain('"text":"Object {…}"');

		const long = await inspectValue(Array.from({ length: 120 }, (_, i) => i));
		expect(long).toMatchObject({ kind: 'array', length: 120, truncated: true });
		expect((long as { items: unknown[] }).items).toHaveLength(50);
	});

	test('inspectValue names class instances, maps and functions', async () => {
		class Point {
			x = 1;
		}
		expect(await inspectValue(new Point())).toMatchObject({ kind: 'object', name: 'Point' });
		expect(await inspectValue(new Map([['k', 2]]))).toMatchObject({
			kind: 'object',
			name: 'Map',
			entries: [['k', { kind: 'primitive', text: '2' }]]
		});
		expect(await inspectValue(function train() {})).toEqual({ kind: 'function', name: 'train' });
	});
});

describe('summarizeValue', () => {
	test('summarizeValue passes a chart spec through as a chart', async () => {
		const chart = { kind: 'plot', id: 'p', rows: 1, cols: 1, axes: [] };
		expect(await summarizeValue(chart)).toEqual({ kind: 'chart', chart });
	});

	test('summarizeValue shows undefined as no value', async () => {
		expect(await summarizeValue(undefined)).toEqual({ kind: 'none' });
	});
});

describe('formatLogArguments', () => {
	test('formatLogArguments joins arguments as a console does', () => {
		expect(formatLogArguments(['step', 3, 'loss', NaN, null, 10n])).toBe(
			'step 3 loss NaN null 10n'
		);
		expect(formatLogArguments([{ a: [1, 'x'] }])).toBe('{a: [1, "x"]}');
	});
});

describe('tensorView', () => {
	test('tensorView describes a small tensor as PyTorch prints it', async () => {
		const t = torch.tensor([
			[1, NaN],
			[Infinity, -2]
		]);
		const view = await tensorView(t);
		expect(view.text).toBe(t.toString());
		expect(view.text).toBe('tensor([[ 1., nan],\n        [inf, -2.]])');
		expect(view.shape).toEqual([2, 2]);
		expect(view.dtype).toBe('float32');
		expect(view.backend).toBe('cpu');
		expect(view.requires_grad).toBe(false);
		expect(view.stats).toEqual({ min: -2, max: 1, mean: -0.5, nan: 1, inf: 1 });
		expect(view.histogram?.counts.reduce((a, b) => a + b)).toBe(2);
	});

	test('tensorView reads int64 tensors as numbers', async () => {
		const view = await tensorView(torch.tensor([3, 4, 5], { dtype: torch.int64 }));
		expect(view.dtype).toBe('int64');
		expect(view.stats).toEqual({ min: 3, max: 5, mean: 4, nan: 0, inf: 0 });
	});

	test('tensorView of an empty tensor has no statistics', async () => {
		const view = await tensorView(torch.zeros(0, 3));
		expect(view.shape).toEqual([0, 3]);
		expect(view.stats).toBeNull();
		expect(view.histogram).toBeUndefined();
	});

	test('a cell showing a tensor sends its view with grad_fn', async () => {
		const nb = createNotebook({ torch });
		await nb.load({
			a: 'const w = torch.ones(2, 2, { requires_grad: true });\nw.mul(3).sum()'
		});
		expect(nb.value('a')).toMatchObject({
			kind: 'tensor',
			text: 'tensor(12., grad_fn=<SumBackward0>)',
			shape: [],
			requires_grad: true,
			stats: { min: 12, max: 12, mean: 12, nan: 0, inf: 0 }
		});
	});

	test('inspectValue shows a module as its PyTorch repr', async () => {
		const tree = await inspectValue(new torch.nn.Linear(3, 2));
		expect(tree).toEqual({
			kind: 'primitive',
			type: 'Linear',
			text: 'Linear(in_features=3, out_features=2, bias=True)'
		});
	});
});
