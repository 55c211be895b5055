import { describe, expect, test } from 'vitest';
import { createPlt, histogram, parseFormat } from '../../../src/lib/notebook/plt';
import type { ChartSpec } from '../../../src/lib/worker/api';

type PlotSpec = Extract<ChartSpec, { kind: 'plot' }>;

/** Creates a plt whose emitted charts collect in `charts`. */
function recordingPlt(prefix = 'cell-a') {
	const charts: PlotSpec[] = [];
	const plt = createPlt((chart) => charts.push(chart as PlotSpec), prefix);
	return { plt, charts };
}

/** Stands in for an engine tensor: values come back from an async tolist(), as on WebGPU. */
function fakeTensor(values: unknown, delayMs = 0) {
	return {
		tolist: () => new Promise((resolve) => setTimeout(() => resolve(values), delayMs))
	};
}

describe('plt.plot', () => {
	test('plot(x, y, options) records one line series', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([0, 1, 2], [3, 4, 5], { marker: 'o', label: 'BatchNorm', color: 'C1' });
		plt.xlabel('step');
		plt.ylabel('loss');
		plt.title('Loss');
		await plt.show();

		expect(charts).toHaveLength(1);
		expect(charts[0]).toEqual({
			kind: 'plot',
			id: 'cell-a-0',
			rows: 1,
			cols: 1,
			axes: [
				{
					series: [
						{
							type: 'line',
							x: [0, 1, 2],
							y: [3, 4, 5],
							marker: 'o',
							label: 'BatchNorm',
							color: 'C1'
						}
					],
					xlabel: 'step',
					ylabel: 'loss',
					title: 'Loss'
				}
			]
		});
	});

	test('plot(y) uses 0..n-1 for x', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([5, 6, 7]);
		await plt.show();
		expect(charts[0].axes[0].series[0].x).toEqual([0, 1, 2]);
	});

	test('plot(x, y, fmt) reads a matplotlib format string', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([0, 1], [1, 2], 'ro--');
		await plt.show();
		const series = charts[0].axes[0].series[0];
		expect(series.color).toBe('r');
		expect(series.marker).toBe('o');
		expect(series.linestyle).toBe('--');
	});

	test('plot with a 2-D y draws one series per column', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot(
			[0, 1],
			[
				[1, 10],
				[2, 20]
			]
		);
		await plt.show();
		expect(charts[0].axes[0].series.map((s) => s.y)).toEqual([
			[1, 2],
			[10, 20]
		]);
	});

	test('plot of tensors awaits their tolist() in show()', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot(fakeTensor([0, 1, 2]), fakeTensor([0.5, 0.25, 0.125]), { label: 'loss' });
		expect(charts).toHaveLength(0);
		await plt.show();
		expect(charts[0].axes[0].series[0]).toMatchObject({ x: [0, 1, 2], y: [0.5, 0.25, 0.125] });
	});

	test('series keep call order when an earlier tensor read finishes last', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot(fakeTensor([1, 2], 20), { label: 'slow' });
		plt.plot([3, 4], { label: 'fast' });
		await plt.show();
		expect(charts[0].axes[0].series.map((s) => s.label)).toEqual(['slow', 'fast']);
	});

	test('plot copies arrays at call time', async () => {
		const { plt, charts } = recordingPlt();
		const ys = [1, 2, 3];
		plt.plot(ys);
		ys[0] = 99;
		await plt.show();
		expect(charts[0].axes[0].series[0].y).toEqual([1, 2, 3]);
	});

	test('plot with x and y of different lengths names both shapes', () => {
		const { plt } = recordingPlt();
		expect(() => plt.plot([0, 1, 2, 3, 4], [1, 2, 3, 4])).toThrow(
			'x and y must have same first dimension, but have shapes (5,) and (4,)'
		);
	});

	test('plot of a tensor with bad data rejects show()', async () => {
		const { plt } = recordingPlt();
		plt.plot(fakeTensor(['a', 'b']));
		await expect(plt.show()).rejects.toThrow('y[0] must be a number, got "a"');
	});

	test('plot writes None (null) as NaN, a gap', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([1, null, 3] as unknown as number[]);
		await plt.show();
		expect(charts[0].axes[0].series[0].y).toEqual([1, NaN, 3]);
	});
});

describe('plt figures', () => {
	test('show() numbers charts in call order with the id prefix', async () => {
		const { plt, charts } = recordingPlt('cell-7');
		plt.plot([1, 2]);
		const first = plt.show();
		plt.plot([3, 4]);
		const second = plt.show();
		await Promise.all([first, second]);
		expect(charts.map((c) => c.id)).toEqual(['cell-7-0', 'cell-7-1']);
	});

	test('show() emits in call order even when the first figure reads slower', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot(fakeTensor([1, 2], 30), { label: 'first' });
		const first = plt.show();
		plt.plot([3, 4], { label: 'second' });
		const second = plt.show();
		await Promise.all([first, second]);
		expect(charts.map((c) => c.axes[0].series[0].label)).toEqual(['first', 'second']);
	});

	test('show() with nothing drawn emits nothing', async () => {
		const { plt, charts } = recordingPlt();
		plt.figure();
		await plt.show();
		expect(charts).toHaveLength(0);
	});

	test('figure() starts a second figure that show() emits after the first', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([1]);
		plt.figure();
		plt.plot([2]);
		await plt.show();
		expect(charts.map((c) => c.axes[0].series[0].y)).toEqual([[1], [2]]);
	});

	test('close() discards the current figure', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([1]);
		plt.close();
		await plt.show();
		expect(charts).toHaveLength(0);
	});

	test('legend(labels) names the series in drawing order', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot(fakeTensor([1, 2]));
		plt.plot([3, 4]);
		plt.legend(['plain', 'BatchNorm']);
		await plt.show();
		const axes = charts[0].axes[0];
		expect(axes.legend).toBe(true);
		expect(axes.series.map((s) => s.label)).toEqual(['plain', 'BatchNorm']);
	});
});

describe('plt.subplots', () => {
	test('subplots(1, 2) returns a list of two axes drawn in order', async () => {
		const { plt, charts } = recordingPlt();
		const [fig, [left, right]] = plt.subplots(1, 2);
		fig.suptitle('Depth 20');
		left.plot([1, 2, 3], { label: 'plain' });
		left.set_title('plain');
		left.set_yscale('log');
		right.scatter([0, 1], [2, 3]);
		right.set_xlabel('layer');
		await plt.show();

		const spec = charts[0];
		expect(spec.rows).toBe(1);
		expect(spec.cols).toBe(2);
		expect(spec.suptitle).toBe('Depth 20');
		expect(spec.axes[0]).toMatchObject({ title: 'plain', yscale: 'log' });
		expect(spec.axes[0].series[0].type).toBe('line');
		expect(spec.axes[1]).toMatchObject({ xlabel: 'layer' });
		expect(spec.axes[1].series[0]).toMatchObject({ type: 'scatter', x: [0, 1], y: [2, 3] });
	});

	test('subplots(2, 2) returns rows of axes', () => {
		const { plt } = recordingPlt();
		const [, axes] = plt.subplots(2, 2);
		expect(axes.map((row) => row.length)).toEqual([2, 2]);
	});

	test('subplots() returns a single axes', () => {
		const { plt } = recordingPlt();
		const [, axes] = plt.subplots();
		expect(Array.isArray(axes)).toBe(false);
		expect(typeof axes.plot).toBe('function');
	});

	test('subplots(1, 1, { squeeze: false }) still returns rows of axes', () => {
		const { plt } = recordingPlt();
		const [, axes] = plt.subplots(1, 1, { squeeze: false });
		expect(axes).toHaveLength(1);
		expect(axes[0]).toHaveLength(1);
	});

	test('subplot(2, 1, 2) draws into the second panel', async () => {
		const { plt, charts } = recordingPlt();
		plt.subplot(2, 1, 1);
		plt.plot([1]);
		plt.subplot(2, 1, 2);
		plt.bar([0, 1], [3, 4]);
		await plt.show();
		expect(charts[0].axes.map((a) => a.series.map((s) => s.type))).toEqual([['line'], ['bar']]);
	});

	test('subplots with a zero size names the bad argument', () => {
		const { plt } = recordingPlt();
		expect(() => plt.subplots(0, 2)).toThrow(
			'plt.subplots: rows must be a positive integer, got 0.'
		);
	});
});

describe('plt scales', () => {
	test("yscale('log') marks the current axes", async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([0, 1, 2, 3, 4], [1.0, 0.1, 0.0, 0.01, 0.001], { marker: 'o' });
		plt.yscale('log');
		await plt.show();
		expect(charts[0].axes[0].yscale).toBe('log');
		expect(charts[0].axes[0].series[0].y).toEqual([1.0, 0.1, 0.0, 0.01, 0.001]);
	});

	test("xscale('symlog') is rejected with the supported names", () => {
		const { plt } = recordingPlt();
		expect(() => plt.xscale('symlog' as 'log')).toThrow(
			"scale must be 'linear' or 'log', got 'symlog'"
		);
	});
});

describe('plt.hist', () => {
	test('hist(values, { bins }) records numpy edges and counts', async () => {
		const { plt, charts } = recordingPlt();
		plt.hist([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { bins: 4, label: 'values' });
		await plt.show();
		// numpy 2.4.6: np.histogram(range(11), bins=4)
		expect(charts[0].axes[0].series[0]).toEqual({
			type: 'hist',
			label: 'values',
			x: [0, 2.5, 5, 7.5, 10],
			y: [3, 2, 3, 3]
		});
	});

	test('hist of a tensor reads it before binning', async () => {
		const { plt, charts } = recordingPlt();
		plt.hist(fakeTensor([2, 2, 2]), { bins: 2 });
		await plt.show();
		expect(charts[0].axes[0].series[0]).toMatchObject({ x: [1.5, 2, 2.5], y: [0, 3] });
	});
});

describe('histogram', () => {
	// Expected edges and counts are numpy 2.4.6's np.histogram output for the same input.
	const numpyCases: [number[], number, number[], number[]][] = [
		[[0.1, 0.2, 0.3, 0.7], 3, [2, 1, 1], [0.1, 0.3, 0.5, 0.7]],
		[[2, 2, 2], 2, [0, 3], [1.5, 2, 2.5]],
		[
			[-1.3, 0.25, 0.5, 0.75, 1.0, 2.2, 2.2, 3.9],
			7,
			[1, 0, 3, 1, 2, 0, 1],
			[
				-1.3, -0.5571428571428572, 0.18571428571428572, 0.9285714285714286, 1.6714285714285715,
				2.4142857142857146, 3.1571428571428575, 3.9
			]
		],
		[
			Array.from({ length: 31 }, (_, i) => 0.1 * i),
			10,
			[3, 3, 3, 3, 3, 3, 3, 3, 3, 4],
			[
				0, 0.3, 0.6, 0.8999999999999999, 1.2, 1.5, 1.7999999999999998, 2.1, 2.4, 2.6999999999999997,
				3
			]
		]
	];

	test.each(numpyCases)('histogram(%j, %i) matches numpy', (values, bins, counts, edges) => {
		const result = histogram('test', values, bins);
		expect(result.edges).toEqual(edges);
		expect(result.counts).toEqual(counts);
	});

	test('histogram with explicit edges closes only the last bin', () => {
		// numpy: np.histogram([0, 0.5, 1, 2.9, 3, 3.1], bins=[0, 1, 3]) gives [2, 3].
		const result = histogram('test', [0, 0.5, 1, 2.9, 3, 3.1], [0, 1, 3]);
		expect(result.counts).toEqual([2, 3]);
	});

	test('histogram with density integrates to 1', () => {
		// numpy: np.histogram([0, 0.5, 1, 2.9, 3], bins=2, density=True)
		const result = histogram('test', [0, 0.5, 1, 2.9, 3], 2, { density: true });
		expect(result.counts[0]).toBeCloseTo(0.4, 15);
		expect(result.counts[1]).toBeCloseTo(0.26666666666666666, 15);
	});

	test('histogram leaves NaN out, as matplotlib does', () => {
		expect(histogram('test', [1, NaN, 2], 2).counts).toEqual([1, 1]);
	});

	test('histogram of Infinity asks for a range', () => {
		expect(() => histogram('plt.hist', [1, Infinity], 2)).toThrow(
			'autodetected range of [Infinity, Infinity] is not finite'
		);
	});

	test('histogram with a range drops values outside it', () => {
		expect(histogram('test', [-5, 0, 1, 2, Infinity], 2, { range: [0, 2] }).counts).toEqual([1, 2]);
	});
});

describe('parseFormat', () => {
	test("parseFormat('o') means markers without a line", () => {
		expect(parseFormat('o')).toEqual({ marker: 'o', linestyle: 'none' });
	});

	test("parseFormat('k:') is a black dotted line", () => {
		expect(parseFormat('k:')).toEqual({ color: 'k', linestyle: ':' });
	});

	test('parseFormat rejects an unknown character', () => {
		expect(() => parseFormat('oQ')).toThrow("'oQ' is not a valid format string");
	});
});

describe('plt limits and grid', () => {
	test('xlim and ylim take two numbers or a pair', async () => {
		const { plt, charts } = recordingPlt();
		plt.plot([1, 2, 3]);
		plt.xlim(0, 10);
		plt.ylim([-1, null]);
		plt.grid();
		await plt.show();

		expect(charts[0].axes[0].xlim).toEqual([0, 10]);
		expect(charts[0].axes[0].ylim).toEqual([-1, null]);
		expect(charts[0].axes[0].grid).toBe(true);
	});

	test('set_ylim with one end leaves the other autoscaled', async () => {
		const { plt, charts } = recordingPlt();
		const [, ax] = plt.subplots();
		ax.plot([1, 2, 3]);
		ax.set_ylim(0);
		ax.grid(false);
		await plt.show();

		expect(charts[0].axes[0].ylim).toEqual([0, null]);
		expect(charts[0].axes[0].grid).toBe(false);
	});

	test('xlim rejects NaN, infinities and strings', () => {
		const { plt } = recordingPlt();
		expect(() => plt.xlim(0, NaN)).toThrow(
			'plt.xlim: right must be a finite number or null, got NaN.'
		);
		expect(() => plt.ylim(-Infinity, 1)).toThrow('plt.ylim: bottom must be a finite number');
		expect(() => plt.xlim('0' as unknown as number, 1)).toThrow('left must be a finite number');
	});

	test('xlim rejects more than two values', () => {
		const { plt } = recordingPlt();
		const call = plt.xlim as unknown as (...args: unknown[]) => void;
		expect(() => call([0, 1, 2])).toThrow('expected (left, right) or ([left, right]), got 3');
	});
});

describe('plt figsize', () => {
	test('figsize passes to the chart and survives plt.subplot', async () => {
		const { plt, charts } = recordingPlt();
		plt.figure({ figsize: [10, 4] });
		plt.subplot(2, 1, 1);
		plt.plot([1, 2]);
		const [, axes] = plt.subplots(1, 2, { figsize: [12, 3] });
		axes[0].plot([3, 4]);
		await plt.show();

		expect(charts[0].figsize).toEqual([10, 4]);
		expect(charts[0].rows).toBe(2);
		expect(charts[1].figsize).toEqual([12, 3]);
	});

	test('figsize must be two positive numbers', () => {
		const { plt } = recordingPlt();
		const bad = [[0, 4], [6], [6, -1], [6, Infinity], 'big'];
		for (const figsize of bad) {
			expect(() => plt.figure({ figsize: figsize as [number, number] })).toThrow(
				'plt.figure: figsize must be [width, height] in inches'
			);
		}
	});
});

describe('plt categorical x', () => {
	test('bar with names places them at 0, 1, 2 and records the names', async () => {
		const { plt, charts } = recordingPlt();
		plt.bar(['SGD', 'Adam', 'RMSprop'], [0.9, 0.2, 0.4]);
		plt.plot(['Adam', 'AdamW'], [0.3, 0.25], 'o');
		await plt.show();

		const axes = charts[0].axes[0];
		expect(axes.xcategories).toEqual(['SGD', 'Adam', 'RMSprop', 'AdamW']);
		expect(axes.series[0].x).toEqual([0, 1, 2]);
		expect(axes.series[1].x).toEqual([1, 3]);
	});

	test('x mixing names and numbers is rejected', () => {
		const { plt } = recordingPlt();
		expect(() => plt.bar(['SGD', 2] as unknown as string[], [1, 2])).toThrow(/x\[0\]/);
	});
});
