/**
 * The fixed chart specs the views harness draws, for browser tests and for looking at. The
 * numbers are made up but shaped like the real cases: a log plot with a zero, exploding and
 * vanishing gradient norms, a loss bowl with an optimiser path.
 *
 * Only +, -, *, / and decimal literals make the numbers, because those round the same in every
 * JavaScript engine. Math.exp, Math.sin and ** may differ in the last bit between Node and the
 * browser, and the browser tests compare the drawn numbers with these exactly.
 */

import type { ChartSpec, InspectValue, TensorView } from '$lib/worker/api';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** 10 to an integer power, parsed from its decimal form so that it is exact everywhere. */
const decade = (exponent: number) => Number(`1e${exponent}`);

/** matplotlib's own example of a log axis with a zero: the zero must not break the chart. */
export const logZero: ChartSpec = {
	kind: 'plot',
	id: 'log-zero',
	rows: 1,
	cols: 1,
	axes: [
		{
			series: [{ type: 'line', x: [0, 1, 2, 3, 4], y: [1.0, 0.1, 0.0, 0.01, 0.001], marker: 'o' }],
			yscale: 'log',
			title: 'Log y with a zero'
		}
	]
};

const steps = range(40);
export const lossCurves: ChartSpec = {
	kind: 'plot',
	id: 'loss-curves',
	rows: 1,
	cols: 1,
	axes: [
		{
			series: [
				{
					type: 'line',
					label: 'plain',
					x: steps,
					y: steps.map((s) => 2.3 / (1 + s / 25) + 0.4)
				},
				{
					type: 'line',
					label: 'BatchNorm',
					x: steps,
					y: steps.map((s) => 2.3 / ((1 + s / 6) * (1 + s / 6)) + 0.1),
					linestyle: '--'
				},
				{
					type: 'scatter',
					label: 'validation',
					x: [0, 10, 20, 30],
					y: [2.4, 1.1, 0.6, 0.45],
					marker: 's'
				}
			],
			title: 'Training loss',
			xlabel: 'step',
			ylabel: 'loss',
			ylim: [0, null],
			grid: true,
			legend: true
		}
	]
};

export const subplotGrid: ChartSpec = {
	kind: 'plot',
	id: 'subplots',
	rows: 2,
	cols: 2,
	suptitle: 'Four panels',
	axes: [
		{
			series: [
				{ type: 'line', label: 'norm', x: range(10), y: range(10).map((i) => decade(i - 6)) }
			],
			title: 'log scale',
			yscale: 'log'
		},
		{
			series: [
				{ type: 'scatter', x: [0.1, 0.5, 0.9, 1.4, 2.0], y: [1.2, 0.7, 1.9, 1.1, 0.3], marker: 'o' }
			],
			title: 'scatter'
		},
		{
			series: [{ type: 'bar', label: 'count', x: [0, 1, 2, 3], y: [3, 7, -2, 5] }],
			title: 'bar'
		},
		{
			series: [{ type: 'hist', x: [0, 0.5, 1, 1.5, 2], y: [1, 4, 3, 2] }],
			title: 'hist',
			xlabel: 'value'
		}
	]
};

export const image: ChartSpec = {
	kind: 'plot',
	id: 'imshow',
	rows: 1,
	cols: 1,
	axes: [
		{
			series: [],
			title: 'weight matrix',
			image: {
				rows: 6,
				cols: 8,
				data: range(48).map((i) => ((i * 7) % 11) / 10 - 0.5 + (i % 8) / 20)
			}
		}
	]
};

const layers20 = range(20).map((i) => `layers.${i}.weight`);

/** Layer i's norm in the one-step example: ten times the layer before, and 0 for layer 3. */
function singleNorm(i: number): number {
	return i === 3 ? 0 : decade(i - 2);
}

/**
 * One step of an exploding network: the scaled norms are finite, but float32 `.norm()`
 * overflows to Infinity in the last ten layers. Layer 3 has a zero gradient.
 */
export const gradSingle: ChartSpec = {
	kind: 'grad-norms',
	id: 'grad-single',
	layers: layers20,
	values: [range(20).map(singleNorm)],
	float32Values: [range(20).map((i) => (i >= 10 ? Infinity : singleNorm(i)))],
	steps: [0]
};

const layers8 = range(8).map((i) => `net.${2 * i}.weight`);
const heatSteps = range(30);

/** Norms at step `s`: growing with depth, layer 5 exactly zero, layer 7 overflowing if asked. */
function heatNorms(s: number, overflow = false): number[] {
	return layers8.map((_, l) => {
		if (l === 5) return 0;
		if (overflow && l === 7) return Infinity;
		return decade(l - 8) * (1 + s / 30);
	});
}

/** A vanishing-gradient run: layer 5's gradient is exactly zero throughout, one step overflows. */
export const gradHeatMap: ChartSpec = {
	kind: 'grad-norms',
	id: 'grad-heatmap',
	layers: layers8,
	values: heatSteps.map((s) => heatNorms(s, s === 20)),
	float32Values: heatSteps.map((s) => heatNorms(s, s === 20)),
	steps: heatSteps
};

/** Builds a path whose steps shrink both coordinates, the second faster, as descent would. */
function descentPath(count: number): [number, number][] {
	const path: [number, number][] = [[1.2, 1.3]];
	while (path.length < count) {
		const [a, b] = path[path.length - 1];
		path.push([a * 0.8, b * 0.55]);
	}
	return path;
}

const grid = range(31).map((i) => -1.5 + i * 0.1);

/** A tilted quadratic bowl with a gradient-descent path from (1.2, 1.3) towards its minimum. */
export const landscape2d: ChartSpec = {
	kind: 'landscape',
	id: 'landscape-2d',
	x: grid,
	y: grid,
	z: grid.map((b) => grid.map((a) => 0.5 * a * a + 2 * b * b + 0.6 * a * b + 0.1)),
	path: descentPath(12),
	xlabel: 'direction 1',
	ylabel: 'direction 2'
};

const line = range(41).map((i) => -1 + i * 0.05);

export const landscape1d: ChartSpec = {
	kind: 'landscape',
	id: 'landscape-1d',
	x: line,
	z: line.map((a) => (a - 0.2) * (a - 0.2) + 0.05 * a * (a - 0.5) * (a + 0.5) + 0.1),
	path: [
		[-0.8, 1.1],
		[-0.2, 0.28],
		[0.15, 0.12]
	]
};

export const charts: ChartSpec[] = [
	logZero,
	lossCurves,
	subplotGrid,
	image,
	gradSingle,
	gradHeatMap,
	landscape2d,
	landscape1d
];

export const tensor: TensorView = {
	kind: 'tensor',
	text: 'tensor([[ 0.1000, -1.2000,  0.3000],\n        [ 2.0000,  0.0000, -0.5000]], grad_fn=<AddBackward0>)',
	shape: [2, 3],
	dtype: 'float32',
	backend: 'cpu',
	requires_grad: true,
	stats: { min: -1.2, max: 2, mean: 0.11666666666666667, nan: 0, inf: 0 },
	histogram: { edges: [-1.2, -0.4, 0.4, 1.2, 2.0], counts: [1, 1, 3, 1] }
};

/** torch.tensor([1, Infinity, -2]): statistics over the finite values, the infinity apart. */
export const tensorWithInf: TensorView = {
	kind: 'tensor',
	text: 'tensor([ 1., inf, -2.])',
	shape: [3],
	dtype: 'float32',
	backend: 'cpu',
	requires_grad: false,
	stats: { min: -2, max: 1, mean: -0.5, nan: 0, inf: 1 },
	histogram: { edges: [-2, -0.5, 1], counts: [1, 1] }
};

export const inspected: InspectValue = {
	kind: 'object',
	name: 'Object',
	truncated: false,
	entries: [
		['depth', { kind: 'primitive', text: '20', type: 'number' }],
		['activation', { kind: 'primitive', text: '"sigmoid"', type: 'string' }],
		[
			'widths',
			{
				kind: 'array',
				length: 3,
				truncated: false,
				items: [
					{ kind: 'primitive', text: '32', type: 'number' },
					{ kind: 'primitive', text: '32', type: 'number' },
					{ kind: 'primitive', text: '10', type: 'number' }
				]
			}
		],
		['init', { kind: 'function', name: 'normal_' }]
	]
};

/** Returns the heat map after `count` more steps, as a new object like a worker message. */
export function heatMapAfter(count: number): ChartSpec {
	const extra = range(count).map((k) => heatSteps.length + k);
	const base = gradHeatMap as Extract<ChartSpec, { kind: 'grad-norms' }>;
	return {
		...base,
		values: [...base.values, ...extra.map((s) => heatNorms(s))],
		float32Values: [...base.float32Values, ...extra.map((s) => heatNorms(s))],
		steps: [...base.steps, ...extra]
	};
}
