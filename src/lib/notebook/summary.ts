/**
 * Turns what a cell shows into plain data for the page: a tensor into a `TensorView` (its
 * PyTorch text, statistics and a histogram), a chart spec into a chart, anything else into an
 * `InspectValue` tree. Trees are cut at a depth, a number of entries and a number of tensors,
 * and an object met again on its own path is shown as a circular reference.
 */

import type { TypedArray } from '../engine/dtype';
import { formatTensorValues } from '../engine/printing';
import type { Tensor } from '../engine/tensor';
import type { BackendName, CellValue, ChartSpec, InspectValue, TensorView } from '../worker/api';

/** The part of an engine tensor that a summary reads. */
export interface TensorLike {
	shape: ArrayLike<number>;
	dtype: unknown;
	requires_grad: boolean;
	device?: unknown;
	array(): Promise<ArrayLike<number | bigint | boolean>>;
	toString(): string;
}

export const HISTOGRAM_BINS = 20;

const LIMITS = {
	depth: 4,
	entries: 50,
	tensors: 8,
	textLength: 2000
};

export function isTensor(value: unknown): value is TensorLike {
	if (typeof value !== 'object' || value === null) return false;
	const candidate = value as Partial<TensorLike>;
	return (
		typeof candidate.array === 'function' &&
		typeof candidate.shape === 'object' &&
		candidate.shape !== null &&
		'dtype' in candidate &&
		'requires_grad' in candidate
	);
}

const CHART_KINDS = new Set(['plot', 'grad-norms', 'landscape']);

export function isChartSpec(value: unknown): value is ChartSpec {
	if (typeof value !== 'object' || value === null) return false;
	const { kind, id } = value as { kind?: unknown; id?: unknown };
	return typeof kind === 'string' && CHART_KINDS.has(kind) && typeof id === 'string';
}

/** Summarises a cell's displayed value. Reading a tensor starts before the first await. */
export async function summarizeValue(value: unknown): Promise<CellValue> {
	if (value === undefined) return { kind: 'none' };
	if (isTensor(value)) return tensorView(value);
	if (isChartSpec(value)) return { kind: 'chart', chart: value };
	return { kind: 'inspect', value: await inspectValue(value) };
}

/** Reads a tensor once and describes it as PyTorch prints it, with statistics. */
export async function tensorView(tensor: TensorLike): Promise<TensorView> {
	const data = await tensor.array();
	const values = Float64Array.from(data as ArrayLike<number | bigint | boolean>, Number);
	const summary = summarizeNumbers(values);
	// The text comes from the values read above, so an in-place change made after `display`
	// changes neither the text nor the statistics.
	const text = formatTensorValues(tensor as unknown as Tensor, data as TypedArray);
	const view: TensorView = {
		kind: 'tensor',
		text,
		shape: Array.from(tensor.shape),
		dtype: dtypeName(tensor.dtype),
		backend: backendOf(tensor),
		requires_grad: Boolean(tensor.requires_grad),
		stats: summary?.stats ?? null
	};
	if (summary?.histogram) view.histogram = summary.histogram;
	return view;
}

/**
 * Statistics over the finite values, with NaN and ±Infinity counted apart, and a histogram of
 * the finite values in `HISTOGRAM_BINS` equal bins when there are two or more. Returns null for
 * no values at all.
 */
export function summarizeNumbers(values: ArrayLike<number>): {
	stats: NonNullable<TensorView['stats']>;
	histogram?: TensorView['histogram'];
} | null {
	if (values.length === 0) return null;

	let nan = 0;
	let inf = 0;
	let min = Infinity;
	let max = -Infinity;
	let sum = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (Number.isNaN(v)) nan++;
		else if (!Number.isFinite(v)) inf++;
		else {
			if (v < min) min = v;
			if (v > max) max = v;
			sum += v;
		}
	}

	const finite = values.length - nan - inf;
	if (finite === 0) return { stats: { min: NaN, max: NaN, mean: NaN, nan, inf } };
	const stats = { min, max, mean: sum / finite, nan, inf };
	// A single value (a scalar loss, say) would draw one full-height bar with no information.
	if (finite === 1) return { stats };
	return { stats, histogram: histogram(values, min, max) };
}

function histogram(values: ArrayLike<number>, min: number, max: number): TensorView['histogram'] {
	// A constant tensor gets bins of width 1/BINS around its value, so its bar sits in the middle.
	const low = min === max ? min - 0.5 : min;
	const high = min === max ? max + 0.5 : max;
	const width = (high - low) / HISTOGRAM_BINS;
	const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => low + i * width);
	edges[HISTOGRAM_BINS] = high;

	const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((v - low) / width));
		counts[bin]++;
	}
	return { edges, counts };
}

function dtypeName(dtype: unknown): string {
	const text = String(dtype);
	return text.startsWith('torch.') ? text.slice('torch.'.length) : text;
}

function backendOf(tensor: TensorLike): BackendName {
	const device = tensor.device as { type?: unknown } | string | undefined;
	const name = typeof device === 'string' ? device : String(device?.type ?? 'cpu');
	return name === 'webgpu' || name === 'cuda' ? 'webgpu' : 'cpu';
}

/** Describes any value as a tree, reading at most `LIMITS.tensors` tensors. */
export function inspectValue(value: unknown): Promise<InspectValue> {
	return new Inspector().inspect(value, 0, new Set());
}

class Inspector {
	private tensorsRead = 0;

	async inspect(value: unknown, depth: number, path: Set<object>): Promise<InspectValue> {
		// Modules are callable, so they are checked before other functions.
		if (isModule(value)) return moduleRepr(value);
		if (typeof value === 'function') return { kind: 'function', name: value.name || 'anonymous' };
		if (typeof value !== 'object' || value === null) return primitive(value);
		if (path.has(value)) return { kind: 'primitive', type: 'circular', text: '[Circular]' };

		if (isTensor(value)) return this.tensor(value);
		const special = describeSpecial(value);
		if (special) return special;
		if (depth >= LIMITS.depth) {
			return { kind: 'primitive', type: 'object', text: `${constructorName(value)} {…}` };
		}

		path.add(value);
		try {
			return await this.container(value, depth, path);
		} finally {
			path.delete(value);
		}
	}

	private async tensor(value: TensorLike): Promise<InspectValue> {
		if (this.tensorsRead >= LIMITS.tensors) {
			const shape = Array.from(value.shape).join(', ');
			const text = `tensor of shape [${shape}], ${dtypeName(value.dtype)} (not read: too many tensors)`;
			return { kind: 'primitive', type: 'Tensor', text };
		}
		this.tensorsRead++;
		return tensorView(value);
	}

	private async container(value: object, depth: number, path: Set<object>): Promise<InspectValue> {
		if (Array.isArray(value) || ArrayBuffer.isView(value)) {
			const list = value as ArrayLike<unknown>;
			const shown = Math.min(list.length, LIMITS.entries);
			const items: InspectValue[] = [];
			for (let i = 0; i < shown; i++) items.push(await this.inspect(list[i], depth + 1, path));
			return { kind: 'array', length: list.length, items, truncated: list.length > shown };
		}

		const pairs =
			value instanceof Map
				? [...value.entries()].map(([k, v]) => [String(k), v] as [string, unknown])
				: value instanceof Set
					? [...value].map((v, i) => [String(i), v] as [string, unknown])
					: Object.entries(value);
		const entries: [string, InspectValue][] = [];
		for (const [key, item] of pairs.slice(0, LIMITS.entries)) {
			entries.push([key, await this.inspect(item, depth + 1, path)]);
		}
		return {
			kind: 'object',
			name: constructorName(value),
			entries,
			truncated: pairs.length > LIMITS.entries
		};
	}
}

/** Values that read better as one line than as their fields. */
function describeSpecial(value: object): InspectValue | undefined {
	if (value instanceof Error) {
		return { kind: 'primitive', type: 'Error', text: clip(`${value.name}: ${value.message}`) };
	}
	if (value instanceof Date) return { kind: 'primitive', type: 'Date', text: value.toISOString() };
	if (value instanceof RegExp) return { kind: 'primitive', type: 'RegExp', text: String(value) };
	if (value instanceof Promise) {
		return {
			kind: 'primitive',
			type: 'Promise',
			text: 'Promise { <pending> } (add await to see its value)'
		};
	}
	return undefined;
}

/** Whether a value is an nn.Module: callable, with `forward` and `named_parameters`. */
function isModule(value: unknown): value is object {
	if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
	const candidate = value as { named_parameters?: unknown; forward?: unknown };
	return (
		typeof candidate.named_parameters === 'function' && typeof candidate.forward === 'function'
	);
}

/** Shows a module as PyTorch's repr prints it, which reads better than its fields. */
function moduleRepr(module: object): InspectValue {
	return { kind: 'primitive', type: constructorName(module), text: clip(String(module)) };
}

function primitive(value: unknown): InspectValue {
	const type = value === null ? 'null' : typeof value;
	const text = typeof value === 'bigint' ? `${value}n` : String(value);
	return { kind: 'primitive', type, text: clip(text) };
}

function constructorName(value: object): string {
	const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
	return proto === null ? 'Object' : proto.constructor?.name || 'Object';
}

function clip(text: string): string {
	return text.length > LIMITS.textLength ? `${text.slice(0, LIMITS.textLength)}…` : text;
}

/** Formats `console.log` arguments as one line, as a browser console would show them. */
export function formatLogArguments(args: readonly unknown[]): string {
	return clip(args.map((arg) => formatInline(arg, 0, new Set())).join(' '));
}

function formatInline(value: unknown, depth: number, path: Set<object>): string {
	if (isModule(value)) return String(value);
	if (typeof value === 'string') return depth === 0 ? value : JSON.stringify(value);
	if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
	if (typeof value === 'bigint') return `${value}n`;
	if (typeof value !== 'object' || value === null) return String(value);
	if (path.has(value)) return '[Circular]';
	if (isTensor(value)) return String(value);
	if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
	if (depth >= 2) return Array.isArray(value) ? '[…]' : '{…}';

	path.add(value);
	try {
		if (Array.isArray(value) || ArrayBuffer.isView(value)) {
			const list = Array.from(value as ArrayLike<unknown>);
			const shown = list
				.slice(0, LIMITS.entries)
				.map((item) => formatInline(item, depth + 1, path));
			if (list.length > shown.length) shown.push(`… ${list.length - shown.length} more`);
			return `[${shown.join(', ')}]`;
		}
		const entries = Object.entries(value).slice(0, LIMITS.entries);
		const body = entries.map(([k, v]) => `${k}: ${formatInline(v, depth + 1, path)}`).join(', ');
		const name = constructorName(value);
		return `${name === 'Object' ? '' : `${name} `}{${body}}`;
	} finally {
		path.delete(value);
	}
}
