/**
 * Checks every event the notebook worker posts before the page uses it. The worker runs code
 * from shared links, which anyone can write, so its messages are untrusted input. Each field of
 * each `WorkerEvent` in api.ts is checked for its type here, and an event that fails is dropped
 * and reported instead of reaching a view. Fields that api.ts does not declare are ignored.
 *
 * Shape rules between fields (a plot's x and y of equal length, a heat map's rows of one
 * width) are the views' to check: `chartSpecError` in views/validate.ts reports them in place
 * of the chart.
 */

import type { WorkerEvent } from './api';

/** Returns a problem, naming the path of the bad field, or null when `value` passes. */
type Check = (value: unknown, path: string, depth: number) => string | null;

/** Nesting deeper than this is rejected, so a crafted value cannot exhaust the stack. */
export const MAX_EVENT_DEPTH = 64;

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
	return typeof value;
}

function fail(path: string, expected: string, value: unknown): string {
	return `${path}: expected ${expected}, got ${describe(value)}`;
}

const string: Check = (value, path) =>
	typeof value === 'string' ? null : fail(path, 'a string', value);

// NaN and ±Infinity are valid: structured clone keeps them, and charts show non-finite values.
const number: Check = (value, path) =>
	typeof value === 'number' ? null : fail(path, 'a number', value);

const count: Check = (value, path) =>
	Number.isInteger(value) && (value as number) >= 0
		? null
		: fail(path, 'a non-negative integer', value);

const boolean: Check = (value, path) =>
	typeof value === 'boolean' ? null : fail(path, 'true or false', value);

function oneOf(...choices: string[]): Check {
	const expected = `one of ${choices.map((choice) => `'${choice}'`).join(', ')}`;
	return (value, path) =>
		typeof value === 'string' && choices.includes(value) ? null : fail(path, expected, value);
}

function nullable(check: Check): Check {
	return (value, path, depth) => (value === null ? null : check(value, path, depth));
}

function either(first: Check, second: Check): Check {
	return (value, path, depth) => {
		const problem = first(value, path, depth);
		return problem === null ? null : second(value, path, depth) === null ? null : problem;
	};
}

function array(item: Check): Check {
	return (value, path, depth) => {
		if (!Array.isArray(value)) return fail(path, 'an array', value);
		if (depth >= MAX_EVENT_DEPTH) return `${path}: nested deeper than ${MAX_EVENT_DEPTH} levels`;
		for (let i = 0; i < value.length; i++) {
			const problem = item(value[i], `${path}[${i}]`, depth + 1);
			if (problem !== null) return problem;
		}
		return null;
	};
}

/** Checks a fixed-length array, such as an [x, y] pair or an object entry's [key, value]. */
function tuple(...items: Check[]): Check {
	return (value, path, depth) => {
		if (!Array.isArray(value) || value.length !== items.length) {
			return fail(path, `an array of ${items.length}`, value);
		}
		for (let i = 0; i < items.length; i++) {
			const problem = items[i](value[i], `${path}[${i}]`, depth + 1);
			if (problem !== null) return problem;
		}
		return null;
	};
}

/** Checks an object with `required` fields and `optional` ones that may be missing or undefined. */
function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
	return (value, path, depth) => {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			return fail(path, 'an object', value);
		}
		if (depth >= MAX_EVENT_DEPTH) return `${path}: nested deeper than ${MAX_EVENT_DEPTH} levels`;
		const record = value as Record<string, unknown>;
		for (const [key, check] of Object.entries(required)) {
			const problem = check(record[key], `${path}.${key}`, depth + 1);
			if (problem !== null) return problem;
		}
		for (const [key, check] of Object.entries(optional)) {
			if (record[key] === undefined) continue;
			const problem = check(record[key], `${path}.${key}`, depth + 1);
			if (problem !== null) return problem;
		}
		return null;
	};
}

/** Checks an object whose `tag` field picks which of `cases` it must match. */
function tagged(tag: string, cases: Record<string, Check>): Check {
	const expectTag = oneOf(...Object.keys(cases));
	return (value, path, depth) => {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			return fail(path, 'an object', value);
		}
		const name = (value as Record<string, unknown>)[tag];
		const problem = expectTag(name, `${path}.${tag}`, depth);
		return problem ?? cases[name as string](value, path, depth);
	};
}

/** Defers building a check, for the recursive InspectValue. */
function lazy(build: () => Check): Check {
	let check: Check | null = null;
	return (value, path, depth) => (check ??= build())(value, path, depth);
}

const numbers = array(number);
const matrix = array(numbers);

const tensorView = object(
	{
		text: string,
		shape: array(count),
		dtype: string,
		backend: oneOf('cpu', 'webgpu'),
		requires_grad: boolean,
		stats: nullable(object({ min: number, max: number, mean: number, nan: number, inf: number }))
	},
	{ histogram: object({ edges: numbers, counts: numbers }) }
);

const inspectValue: Check = lazy(() =>
	tagged('kind', {
		primitive: object({ text: string, type: string }),
		array: object({ length: count, items: array(inspectValue), truncated: boolean }),
		object: object({
			name: string,
			entries: array(tuple(string, inspectValue)),
			truncated: boolean
		}),
		function: object({ name: string }),
		tensor: tensorView
	})
);

const plotSeries = object(
	{ type: oneOf('line', 'scatter', 'bar', 'hist'), x: numbers, y: numbers },
	{ label: string, marker: string, linestyle: string, color: string }
);

const plotAxes = object(
	{ series: array(plotSeries) },
	{
		title: string,
		xlabel: string,
		ylabel: string,
		xscale: oneOf('linear', 'log'),
		yscale: oneOf('linear', 'log'),
		xlim: tuple(nullable(number), nullable(number)),
		ylim: tuple(nullable(number), nullable(number)),
		xcategories: array(string),
		grid: boolean,
		legend: boolean,
		image: object({ rows: count, cols: count, data: numbers }, { cmap: string })
	}
);

const chartSpec = tagged('kind', {
	plot: object(
		{ id: string, rows: count, cols: count, axes: array(plotAxes) },
		{ suptitle: string, figsize: tuple(number, number) }
	),
	'grad-norms': object({
		id: string,
		layers: array(string),
		values: matrix,
		float32Values: matrix,
		steps: numbers
	}),
	landscape: object(
		{ id: string, x: numbers, z: either(numbers, matrix), path: array(tuple(number, number)) },
		{
			y: numbers,
			paths: array(object({ label: string, points: array(tuple(number, number)) })),
			xlabel: string,
			ylabel: string,
			logScale: boolean
		}
	)
});

const cellValue = tagged('kind', {
	none: object({}),
	tensor: tensorView,
	inspect: object({ value: inspectValue }),
	chart: object({ chart: chartSpec })
});

const inputSpec = tagged('kind', {
	slider: object({ label: string, min: number, max: number, step: number, value: number }),
	number: object({ label: string, value: number }, { min: number, max: number, step: number }),
	select: object({ label: string, options: array(string), value: string }),
	checkbox: object({ label: string, value: boolean }),
	button: object({ label: string, value: number })
});

const cellError = object(
	{
		cell: string,
		kind: oneOf('compile', 'runtime', 'duplicate', 'cycle', 'undefined', 'stopped', 'device'),
		message: string
	},
	{ line: count, column: count, related: array(string) }
);

const workerEvent = tagged('type', {
	state: object({
		cell: string,
		state: oneOf('queued', 'running', 'done', 'error', 'stale', 'stopped'),
		runCount: count
	}),
	log: object({
		cell: string,
		line: object({ level: oneOf('log', 'info', 'warn', 'error'), text: string })
	}),
	value: object({ cell: string, value: cellValue }),
	error: object({ cell: string, error: cellError }),
	chart: object({ cell: string, chart: chartSpec }),
	inputs: object({ cell: string, inputs: array(inputSpec) }),
	progress: object({ cell: string, done: number, total: number }),
	backend: object({ backend: oneOf('cpu', 'webgpu'), adapter: string }, { note: string }),
	display: object({ cell: string, value: cellValue }),
	heartbeat: object({})
});

/**
 * Returns why `value` is not a valid `WorkerEvent`, naming the first bad field (for example
 * `event.chart.values[2][0]: expected a number, got string`), or null when it is valid.
 */
export function workerEventError(value: unknown): string | null {
	return workerEvent(value, 'event', 0);
}

/** Narrows `value` to a `WorkerEvent` when `workerEventError` finds no problem. */
export function isWorkerEvent(value: unknown): value is WorkerEvent {
	return workerEventError(value) === null;
}
