import { describe, expect, test } from 'vitest';
import type { ChartSpec, PlotAxes } from '../../../src/lib/worker/api';
import { layoutPlot, plotDataValues, type PlotSpec } from '../../../src/lib/views/plot-model';
import { nonFinitePaths } from './numbers';

function singlePlot(axes: PlotAxes): PlotSpec {
	return { kind: 'plot', id: 'p', rows: 1, cols: 1, axes: [axes] };
}

const logZero = singlePlot({
	series: [{ type: 'line', x: [0, 1, 2, 3, 4], y: [1.0, 0.1, 0.0, 0.01, 0.001], marker: 'o' }],
	yscale: 'log'
});

describe('layoutPlot on a log axis with a zero', () => {
	const model = layoutPlot(logZero, 600);
	const panel = model.panels[0];
	const series = panel.series[0];

	test('layoutPlot takes the y limits from the positive values', () => {
		expect(panel.y.domain[0] / 7.08e-4).toBeCloseTo(1, 2);
		expect(panel.y.domain[1] / 1.41).toBeCloseTo(1, 2);
	});

	test('layoutPlot clips the zero to the bottom edge and marks it', () => {
		expect(series.clipped).toHaveLength(1);
		expect(series.clipped[0].state).toBe('nonpositive');
		expect(series.clipped[0].y).toBe(panel.box.top + panel.box.height);
		expect(series.clipped[0].title).toContain('y = 0');
		expect(model.clippedCount).toBe(1);
	});

	test('layoutPlot draws the other points and one unbroken line', () => {
		expect(series.points).toHaveLength(4);
		expect(series.path?.match(/M/g)).toHaveLength(1);
	});

	test('layoutPlot produces no NaN anywhere in the drawing', () => {
		expect(nonFinitePaths(model)).toEqual([]);
		expect(series.path).not.toMatch(/NaN|Infinity/);
	});
});

describe('layoutPlot with non-finite values', () => {
	const model = layoutPlot(
		singlePlot({ series: [{ type: 'line', x: [0, 1, 2, 3, 4], y: [1, NaN, 2, Infinity, 3] }] }),
		500
	);
	const panel = model.panels[0];
	const series = panel.series[0];

	test('layoutPlot breaks the line at NaN and Infinity', () => {
		expect(series.path?.match(/M/g)).toHaveLength(3);
	});

	test('layoutPlot marks NaN at the bottom and Infinity at the top', () => {
		const states = series.clipped.map((p) => [p.state, p.y]);
		expect(states).toEqual([
			['nan', panel.box.top + panel.box.height],
			['inf', panel.box.top]
		]);
	});

	test('layoutPlot keeps the y limits on the finite values', () => {
		expect(panel.y.domain[0]).toBeCloseTo(0.9, 12);
		expect(panel.y.domain[1]).toBeCloseTo(3.1, 12);
		expect(nonFinitePaths(model)).toEqual([]);
	});
});

describe('layoutPlot bars', () => {
	test('layoutPlot starts bars at zero with no margin below', () => {
		const model = layoutPlot(singlePlot({ series: [{ type: 'bar', x: [0, 1], y: [2, 4] }] }), 400);
		const panel = model.panels[0];
		expect(panel.y.domain[0]).toBe(0);
		expect(panel.series[0].bars).toHaveLength(2);
		const bottom = panel.box.top + panel.box.height;
		for (const bar of panel.series[0].bars) expect(bar.top + bar.height).toBeCloseTo(bottom, 9);
	});

	test('layoutPlot leaves empty histogram bins without marks', () => {
		const spec = singlePlot({ series: [{ type: 'hist', x: [0, 1, 2, 3], y: [2, 0, 1] }] });
		const series = layoutPlot(spec, 400).panels[0].series[0];
		expect(series.bars).toHaveLength(2);
		expect(series.clipped).toHaveLength(0);
	});

	test('layoutPlot marks a zero bar on a log axis', () => {
		const spec = singlePlot({ series: [{ type: 'bar', x: [0, 1], y: [0, 10] }], yscale: 'log' });
		const model = layoutPlot(spec, 400);
		expect(model.panels[0].series[0].clipped.map((p) => p.state)).toEqual(['nonpositive']);
		expect(nonFinitePaths(model)).toEqual([]);
	});
});

describe('layoutPlot subplots', () => {
	const spec: ChartSpec = {
		kind: 'plot',
		id: 'grid',
		rows: 1,
		cols: 2,
		axes: [
			{ series: [{ type: 'line', label: 'a', x: [0, 1], y: [1, 2] }] },
			{ series: [{ type: 'scatter', label: 'b', x: [2, 3], y: [3, 4] }] }
		]
	};

	test('layoutPlot puts the panels side by side', () => {
		const [left, right] = layoutPlot(spec, 800).panels;
		expect(left.box.left + left.box.width).toBeLessThan(right.box.left);
		expect(left.box.top).toBe(right.box.top);
	});

	test('layoutPlot restarts the colour cycle in each panel', () => {
		const [left, right] = layoutPlot(spec, 800).panels;
		expect(left.series[0].color).toBe('#1f77b4');
		expect(right.series[0].color).toBe('#1f77b4');
	});

	test('plotDataValues lists every series of every panel in order', () => {
		expect(plotDataValues(spec)).toEqual({
			series: [
				{ label: 'a', x: [0, 1], y: [1, 2] },
				{ label: 'b', x: [2, 3], y: [3, 4] }
			]
		});
	});
});

describe('layoutPlot legend', () => {
	test('layoutPlot lists labelled series only when legend() was called', () => {
		const axes: PlotAxes = {
			series: [
				{ type: 'line', label: 'plain', x: [0], y: [1] },
				{ type: 'line', x: [0], y: [2] },
				{ type: 'line', label: '_hidden', x: [0], y: [3] }
			]
		};
		expect(layoutPlot(singlePlot(axes), 400).panels[0].legend).toEqual([]);
		const legend = layoutPlot(singlePlot({ ...axes, legend: true }), 400).panels[0].legend;
		expect(legend.map((entry) => entry.label)).toEqual(['plain']);
	});
});

describe('layoutPlot image', () => {
	test('layoutPlot draws one cell per element with row 0 at the top', () => {
		const spec = singlePlot({
			series: [],
			image: { rows: 2, cols: 3, data: [0, 1, 2, 3, 4, NaN] }
		});
		const panel = layoutPlot(spec, 400).panels[0];
		expect(panel.image).toHaveLength(6);
		expect(panel.image[0].top).toBeLessThan(panel.image[3].top);
		expect(panel.image[5].fill).toBe('none');
		expect(panel.image[5].title).toBe('[1, 2] = NaN');
	});
});

describe('layoutPlot with fixed limits', () => {
	const series: PlotAxes['series'] = [{ type: 'line', x: [0, 1, 2, 3], y: [1, 4, 9, 16] }];

	test('layoutPlot uses set limits in place of the autoscaled ones', () => {
		const panel = layoutPlot(singlePlot({ series, xlim: [-2, 5], ylim: [0, 20] }), 600).panels[0];
		expect(panel.x.domain).toEqual([-2, 5]);
		expect(panel.y.domain).toEqual([0, 20]);
	});

	test('layoutPlot keeps an end given as null autoscaled', () => {
		const auto = layoutPlot(singlePlot({ series }), 600).panels[0];
		const panel = layoutPlot(singlePlot({ series, ylim: [0, null] }), 600).panels[0];
		expect(panel.y.domain[0]).toBe(0);
		expect(panel.y.domain[1]).toBe(auto.y.domain[1]);
	});

	test('layoutPlot flips an axis whose left limit is larger', () => {
		const panel = layoutPlot(singlePlot({ series, xlim: [3, 0] }), 600).panels[0];
		expect(panel.x.domain).toEqual([3, 0]);
		expect(panel.x.scale(3)).toBeLessThan(panel.x.scale(0));
	});

	test('layoutPlot ignores a non-positive limit on a log axis', () => {
		const auto = layoutPlot(singlePlot({ series, yscale: 'log' }), 600).panels[0];
		const panel = layoutPlot(singlePlot({ series, yscale: 'log', ylim: [0, 100] }), 600).panels[0];
		expect(panel.y.domain[0]).toBe(auto.y.domain[0]);
		expect(panel.y.domain[1]).toBe(100);
	});

	test('layoutPlot widens equal limits', () => {
		const panel = layoutPlot(singlePlot({ series, ylim: [2, 2] }), 600).panels[0];
		expect(panel.y.domain[0]).toBeLessThan(2);
		expect(panel.y.domain[1]).toBeGreaterThan(2);
	});

	test('layoutPlot passes the grid flag to the panel', () => {
		expect(layoutPlot(singlePlot({ series, grid: true }), 600).panels[0].grid).toBe(true);
		expect(layoutPlot(singlePlot({ series }), 600).panels[0].grid).toBe(false);
	});
});

describe('layoutPlot with figsize', () => {
	const axes: PlotAxes = { series: [{ type: 'line', x: [0, 1], y: [0, 1] }] };

	test('layoutPlot keeps the height-to-width ratio of figsize', () => {
		const model = layoutPlot({ ...singlePlot(axes), figsize: [8, 4] }, 600);
		expect(model.height).toBe(300);
	});

	test('layoutPlot splits a figsize height between rows', () => {
		const spec: PlotSpec = { kind: 'plot', id: 'p', rows: 2, cols: 1, axes: [axes, axes] };
		const model = layoutPlot({ ...spec, figsize: [6, 6] }, 600);
		expect(model.height).toBe(600);
		expect(model.panels[1].box.top).toBeGreaterThan(300);
	});

	test('layoutPlot keeps panels readable for a very wide figsize', () => {
		const model = layoutPlot({ ...singlePlot(axes), figsize: [100, 1] }, 600);
		expect(model.height).toBe(120);
	});
});

describe('layoutPlot with categories', () => {
	test('layoutPlot labels one tick per category at its bar', () => {
		const spec = singlePlot({
			series: [{ type: 'bar', x: [0, 1, 2], y: [0.9, 0.2, 0.4] }],
			xcategories: ['SGD', 'Adam', 'RMSprop']
		});
		const panel = layoutPlot(spec, 600).panels[0];
		expect(panel.xTicks.map((tick) => tick.label)).toEqual(['SGD', 'Adam', 'RMSprop']);
		const centres = panel.series[0].bars.map((bar) => bar.left + bar.width / 2);
		panel.xTicks.forEach((tick, i) => expect(tick.pos).toBeCloseTo(centres[i], 6));
	});
});

describe('layoutPlot legend placement', () => {
	const xs = Array.from({ length: 41 }, (_, i) => i / 4);
	const panelFor = (ys: number[]) =>
		layoutPlot(
			singlePlot({ series: [{ type: 'line', label: 'loss', x: xs, y: ys }], legend: true }),
			600
		).panels[0];
	/** The data points of every series that the panel's legend box covers. */
	const coveredPoints = (panel: ReturnType<typeof panelFor>) => {
		const legend = panel.legendBox!;
		return panel.series.flatMap((series) =>
			series.points.filter(
				(p) =>
					p.x >= legend.left &&
					p.x <= legend.left + legend.width &&
					p.y >= legend.top &&
					p.y <= legend.top + legend.height
			)
		);
	};

	test('layoutPlot keeps the legend upper right when that corner is empty', () => {
		const panel = panelFor(xs.map((x) => 10 - x));
		expect(panel.legendBox!.left).toBeGreaterThan(panel.box.left + panel.box.width / 2);
		expect(panel.legendBox!.top).toBeLessThan(panel.box.top + panel.box.height / 2);
	});

	test('layoutPlot moves the legend off a line rising into the upper right', () => {
		const panel = panelFor(xs);
		expect(coveredPoints(panel)).toEqual([]);
		expect(panel.legendBox!.left).toBeLessThan(panel.box.left + panel.box.width / 2);
	});

	test('legend moves to the middle when every corner has data', () => {
		// A V and an upside-down V put line ends in all four corners, and their crossings sit
		// left and right of the middle, so only the middle of the plot stays empty.
		const down = xs.map((x) => Math.abs(x - 5));
		const up = xs.map((x) => 5 - Math.abs(x - 5));
		const panel = layoutPlot(
			singlePlot({
				series: [
					{ type: 'line', label: 'down', x: xs, y: down },
					{ type: 'line', label: 'up', x: xs, y: up }
				],
				legend: true
			}),
			600
		).panels[0];
		expect(coveredPoints(panel)).toEqual([]);
		const legend = panel.legendBox!;
		const middle = legend.top + legend.height / 2;
		expect(Math.abs(middle - (panel.box.top + panel.box.height / 2))).toBeLessThan(2);
	});

	test('layoutPlot has no legend box without labels', () => {
		expect(
			layoutPlot(singlePlot({ series: [{ type: 'line', x: xs, y: xs }] }), 600).panels[0].legendBox
		).toBeNull();
	});
});
