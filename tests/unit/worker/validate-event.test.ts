import { describe, expect, test } from 'vitest';
import type { TensorView, WorkerEvent } from '../../../src/lib/worker/api';
import {
	MAX_EVENT_DEPTH,
	isWorkerEvent,
	workerEventError
} from '../../../src/lib/worker/validate-event';

const tensor: TensorView = {
	kind: 'tensor',
	text: 'tensor([1., 2.])',
	shape: [2],
	dtype: 'float32',
	backend: 'cpu',
	requires_grad: false,
	stats: { min: 1, max: 2, mean: 1.5, nan: 0, inf: 0 }
};

/** One valid event of every type, as the worker sends them. */
const valid: WorkerEvent[] = [
	{ type: 'state', cell: 'a', state: 'running', runCount: 3 },
	{ type: 'log', cell: 'a', line: { level: 'warn', text: 'careful' } },
	{ type: 'value', cell: 'a', value: { kind: 'none' } },
	{ type: 'value', cell: 'a', value: tensor },
	{
		type: 'value',
		cell: 'a',
		value: {
			kind: 'inspect',
			value: {
				kind: 'object',
				name: 'Object',
				truncated: false,
				entries: [
					['n', { kind: 'primitive', text: '1', type: 'number' }],
					['f', { kind: 'function', name: 'f' }],
					['t', tensor],
					['list', { kind: 'array', length: 1, truncated: true, items: [] }]
				]
			}
		}
	},
	{
		type: 'error',
		cell: 'a',
		error: { cell: 'a', kind: 'duplicate', message: "'x' is also declared", related: ['b'] }
	},
	{
		type: 'chart',
		cell: 'a',
		chart: {
			kind: 'plot',
			id: 'p',
			rows: 1,
			cols: 1,
			axes: [
				{
					series: [{ type: 'line', x: [0, 1], y: [NaN, Infinity] }],
					yscale: 'log',
					ylim: [1e-3, null],
					grid: true
				}
			]
		}
	},
	{
		type: 'chart',
		cell: 'a',
		chart: {
			kind: 'grad-norms',
			id: 'g',
			layers: ['0.weight'],
			values: [[1]],
			float32Values: [[Infinity]],
			steps: [0]
		}
	},
	{
		type: 'chart',
		cell: 'a',
		chart: { kind: 'landscape', id: 'l', x: [0, 1], z: [2, 3], path: [[0, 2]] }
	},
	{
		type: 'inputs',
		cell: 'a',
		inputs: [
			{ kind: 'slider', label: 'depth', min: 1, max: 50, step: 1, value: 20 },
			{ kind: 'select', label: 'act', options: ['relu', 'tanh'], value: 'relu' },
			{ kind: 'checkbox', label: 'bn', value: true }
		]
	},
	{ type: 'progress', cell: 'a', done: 3, total: 10 },
	{ type: 'backend', backend: 'webgpu', adapter: 'SwiftShader' },
	{
		type: 'display',
		cell: 'a',
		value: {
			kind: 'chart',
			chart: { kind: 'plot', id: 'd', rows: 1, cols: 1, axes: [{ series: [] }] }
		}
	},
	{ type: 'heartbeat' }
];

describe('workerEventError', () => {
	test.each(valid.map((event) => [event.type, event]))('valid %s event passes', (_, event) => {
		expect(workerEventError(event)).toBeNull();
		expect(isWorkerEvent(event)).toBe(true);
	});

	test('optional fields may be undefined', () => {
		const event = { type: 'backend', backend: 'cpu', adapter: 'CPU', note: undefined };
		expect(workerEventError(event)).toBeNull();
	});

	test('fields api.ts does not declare are ignored', () => {
		const event = { type: 'progress', cell: 'a', done: 1, total: 2, extra: { deep: true } };
		expect(workerEventError(event)).toBeNull();
	});

	test.each([
		['not an object', 'hello', 'event: expected an object, got the string "hello"'],
		['null', null, 'event: expected an object, got null'],
		['unknown type', { type: 'eval', code: 'x' }, "event.type: expected one of 'state'"],
		[
			'state of a wrong name',
			{ type: 'state', cell: 'a', state: 'finished', runCount: 1 },
			"event.state: expected one of 'queued'"
		],
		[
			'negative run count',
			{ type: 'state', cell: 'a', state: 'done', runCount: -1 },
			'event.runCount: expected a non-negative integer, got number'
		],
		[
			'cell id that is a number',
			{ type: 'log', cell: 7, line: { level: 'log', text: 'x' } },
			'event.cell: expected a string, got number'
		],
		[
			'log text that is an object',
			{ type: 'log', cell: 'a', line: { level: 'log', text: { toString: 1 } } },
			'event.line.text: expected a string, got object'
		],
		[
			'string in a chart value row',
			{
				type: 'chart',
				cell: 'a',
				chart: {
					kind: 'grad-norms',
					id: 'g',
					layers: ['w'],
					values: [[1], ['2']],
					float32Values: [[1], [2]],
					steps: [0, 1]
				}
			},
			'event.chart.values[1][0]: expected a number, got the string "2"'
		],
		[
			'unknown chart kind',
			{ type: 'chart', cell: 'a', chart: { kind: 'html', id: 'x', html: '<script>' } },
			"event.chart.kind: expected one of 'plot', 'grad-norms', 'landscape'"
		],
		[
			'series colour that is not a string',
			{
				type: 'chart',
				cell: 'a',
				chart: {
					kind: 'plot',
					id: 'p',
					rows: 1,
					cols: 1,
					axes: [{ series: [{ type: 'line', x: [], y: [], color: ['red'] }] }]
				}
			},
			'event.chart.axes[0].series[0].color: expected a string, got an array'
		],
		[
			'axis limit that is a string',
			{
				type: 'chart',
				cell: 'a',
				chart: {
					kind: 'plot',
					id: 'p',
					rows: 1,
					cols: 1,
					axes: [{ series: [], xlim: [0, '1'] }]
				}
			},
			'event.chart.axes[0].xlim[1]: expected a number, got the string "1"'
		],
		[
			'landscape path of triples',
			{
				type: 'chart',
				cell: 'a',
				chart: { kind: 'landscape', id: 'l', x: [], z: [], path: [[1, 2, 3]] }
			},
			'event.chart.path[0]: expected an array of 2, got an array'
		],
		[
			'tensor shape with a fraction',
			{ type: 'value', cell: 'a', value: { ...tensor, shape: [1.5] } },
			'event.value.shape[0]: expected a non-negative integer, got number'
		],
		[
			'tensor stats missing',
			{ type: 'value', cell: 'a', value: { ...tensor, stats: undefined } },
			'event.value.stats: expected an object, got undefined'
		],
		[
			'slider without a max',
			{
				type: 'inputs',
				cell: 'a',
				inputs: [{ kind: 'slider', label: 'd', min: 0, step: 1, value: 0 }]
			},
			'event.inputs[0].max: expected a number, got undefined'
		],
		[
			'error of an unknown kind',
			{ type: 'error', cell: 'a', error: { cell: 'a', kind: 'panic', message: 'x' } },
			"event.error.kind: expected one of 'compile'"
		],
		[
			'backend name that is not ours',
			{ type: 'backend', backend: 'cuda', adapter: 'x' },
			"event.backend: expected one of 'cpu', 'webgpu', got the string \"cuda\""
		]
	])('%s is rejected with the field named', (_, event, message) => {
		const problem = workerEventError(event);
		expect(problem).not.toBeNull();
		expect(problem).toContain(message);
		expect(isWorkerEvent(event)).toBe(false);
	});

	test('inspect values nested past the limit are rejected, not recursed into', () => {
		let value: unknown = { kind: 'primitive', text: '1', type: 'number' };
		for (let i = 0; i < MAX_EVENT_DEPTH * 4; i++) {
			value = { kind: 'array', length: 1, truncated: false, items: [value] };
		}
		const problem = workerEventError({
			type: 'value',
			cell: 'a',
			value: { kind: 'inspect', value }
		});

		expect(problem).toMatch(new RegExp(`nested deeper than ${MAX_EVENT_DEPTH} levels`));
	});
});
