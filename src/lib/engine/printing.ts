/**
 * Tensor printing as PyTorch 1.13's `repr`. One formatter per tensor chooses integer, fixed
 * (4 decimals) or scientific notation from the finite nonzero values, and pads columns to one
 * width. Lines wrap at 80 characters, tensors over 1000 elements are summarised with "...",
 * and suffixes (dtype, grad_fn, requires_grad) follow the values.
 */
import { bool, float32, int64, type TypedArray } from './dtype';
import type { Tensor } from './tensor';

const PRECISION = 4;
const LINE_WIDTH = 80;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** Formats `repr(t)`; reads values synchronously, so other backends than the CPU get a placeholder. */
export function formatTensor(t: Tensor): string {
	const read = t.storage.backend.readSync;
	if (!read)
		return `tensor(<${t.device} tensor of shape [${t.shape.join(', ')}]: await t.tolist() to read>)`;
	return formatTensorValues(t, read.call(t.storage.backend, t));
}

/** Formats `repr(t)` from values already read back (row-major), for asynchronous backends. */
export function formatTensorValues(t: Tensor, values: TypedArray): string {
	const prefix = 'tensor(';
	const indent = prefix.length;
	const suffixes: string[] = [];
	let body: string;

	if (values.length === 0) {
		if (t.shape.length !== 1)
			suffixes.push(`size=(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
		if (t.dtype !== float32) suffixes.push(`dtype=${t.dtype}`);
		body = '[]';
	} else {
		if (t.dtype !== float32 && t.dtype !== int64 && t.dtype !== bool)
			suffixes.push(`dtype=${t.dtype}`);
		body = tensorString(t, values, indent);
	}

	if (t.device !== 'cpu') suffixes.unshift(`device='${t.device}'`);
	if (t.grad_fn) suffixes.push(`grad_fn=<${t.grad_fn.name()}>`);
	else if (t.requires_grad) suffixes.push('requires_grad=True');
	return addSuffixes(prefix + body, suffixes, indent);
}

function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
	let out = text;
	let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
	for (const suffix of suffixes) {
		if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
			out += `,\n${' '.repeat(indent)}${suffix}`;
			lastLineLength = indent + suffix.length;
		} else {
			out += `, ${suffix}`;
			lastLineLength += suffix.length + 2;
		}
	}
	return `${out})`;
}

/** Values addressed by nested position, so summarised printing can skip the middle. */
interface Nested {
	shape: readonly number[];
	at(index: readonly number[]): number;
}

function tensorString(t: Tensor, values: TypedArray, indent: number): string {
	const summarize = values.length > THRESHOLD;
	const strides = rowMajorStrides(t.shape);
	const nested: Nested = {
		shape: t.shape,
		at: (index) => values[index.reduce((sum, i, d) => sum + i * strides[d], 0)]
	};
	const shown = summarize ? summarizedValues(nested) : Array.from(values);
	const formatter = new Formatter(shown, t.dtype.is_floating_point, t.dtype === bool);
	return format(nested, [], indent, summarize, formatter);
}

function rowMajorStrides(shape: readonly number[]): number[] {
	const strides = new Array<number>(shape.length);
	let step = 1;
	for (let d = shape.length - 1; d >= 0; d--) {
		strides[d] = step;
		step *= shape[d];
	}
	return strides;
}

/** Collects the values a summarised print shows: the first and last 3 along every dim. */
function summarizedValues(nested: Nested): number[] {
	const out: number[] = [];
	const visit = (prefix: number[]) => {
		const d = prefix.length;
		if (d === nested.shape.length) {
			out.push(nested.at(prefix));
			return;
		}
		for (const i of edgeIndices(nested.shape[d])) visit([...prefix, i]);
	};
	visit([]);
	return out;
}

function edgeIndices(size: number): number[] {
	if (size <= 2 * EDGE_ITEMS) return Array.from({ length: size }, (_, i) => i);
	const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
	const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => size - EDGE_ITEMS + i);
	return [...head, ...tail];
}

function format(
	nested: Nested,
	prefix: number[],
	indent: number,
	summarize: boolean,
	f: Formatter
): string {
	const d = prefix.length;
	const ndim = nested.shape.length;
	if (ndim === 0) return f.format(nested.at([]));
	const size = nested.shape[d];
	const elided = summarize && size > 2 * EDGE_ITEMS;
	const indices = elided ? edgeIndices(size) : Array.from({ length: size }, (_, i) => i);

	if (d === ndim - 1) {
		const items = indices.map((i) => f.format(nested.at([...prefix, i])));
		if (elided) items.splice(EDGE_ITEMS, 0, ' ...');
		const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (f.width + 2)));
		const lines: string[] = [];
		for (let i = 0; i < items.length; i += perLine)
			lines.push(items.slice(i, i + perLine).join(', '));
		return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
	}

	const slices = indices.map((i) => format(nested, [...prefix, i], indent + 1, summarize, f));
	if (elided) slices.splice(EDGE_ITEMS, 0, '...');
	const separator = `,${'\n'.repeat(ndim - d - 1)}${' '.repeat(indent + 1)}`;
	return `[${slices.join(separator)}]`;
}

/** PyTorch's `_Formatter`: one notation and one column width for the whole tensor. */
class Formatter {
	width = 1;
	private intMode = true;
	private sciMode = false;

	constructor(
		values: readonly number[],
		private readonly floating: boolean,
		private readonly isBool: boolean
	) {
		if (!floating) {
			for (const v of values) this.width = Math.max(this.width, this.plain(v).length);
			return;
		}
		const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
		if (finite.length === 0) return;
		const abs = finite.map(Math.abs);
		const min = Math.min(...abs);
		const max = Math.max(...abs);
		this.intMode = finite.every((v) => v === Math.ceil(v));
		if (this.intMode) {
			this.sciMode = max / min > 1000 || max > 1e8;
			for (const v of finite) {
				this.width = Math.max(
					this.width,
					this.sciMode ? exponential(v).length : fixed(v, 0).length + 1
				);
			}
		} else {
			this.sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
			for (const v of finite) {
				this.width = Math.max(
					this.width,
					(this.sciMode ? exponential(v) : fixed(v, PRECISION)).length
				);
			}
		}
	}

	format(v: number): string {
		let text: string;
		if (!this.floating) text = this.plain(v);
		else if (this.sciMode) text = exponential(v);
		else if (this.intMode) text = fixed(v, 0) + (Number.isFinite(v) ? '.' : '');
		else text = fixed(v, PRECISION);
		return text.padStart(this.width);
	}

	private plain(v: number): string {
		return this.isBool ? (v ? 'True' : 'False') : String(v);
	}
}

function nonFinite(v: number): string | null {
	if (Number.isNaN(v)) return 'nan';
	if (v === Infinity) return 'inf';
	if (v === -Infinity) return '-inf';
	return null;
}

/** Formats as Python's `'{:.Nf}'.format(v)`: exact decimal expansion, ties to even, '-0.0000' kept. */
function fixed(v: number, digits: number): string {
	const special = nonFinite(v);
	if (special) return special;
	let text = roundHalfEven(Math.abs(v), digits);
	if (v < 0 || Object.is(v, -0)) text = `-${text}`;
	return text;
}

/** Formats as Python's `'{:.4e}'.format(v)`: 4 decimals and an exponent of at least two digits. */
function exponential(v: number): string {
	const special = nonFinite(v);
	if (special) return special;
	if (v === 0) return `${Object.is(v, -0) ? '-' : ''}0.${'0'.repeat(PRECISION)}e+00`;
	const [mantissa, exponent] = v.toExponential(PRECISION).split('e');
	const sign = exponent[0] === '-' ? '-' : '+';
	const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
	return `${mantissa}e${sign}${digits}`;
}

// JS toFixed rounds exact ties away from zero, but Python rounds them to even. A tie is only
// possible when the exact expansion ends in 5 right after the kept digits.
function roundHalfEven(abs: number, digits: number): string {
	const rounded = abs.toFixed(digits);
	const exact = abs.toFixed(Math.min(100, digits + 30));
	const tail = exact.slice(exact.indexOf('.') + 1 + digits);
	if (!/^50*$/.test(tail)) return rounded;
	const down = exact.slice(0, exact.indexOf('.') + (digits > 0 ? 1 + digits : 0));
	const lastDigit = Number(down[down.length - 1]);
	return lastDigit % 2 === 0 ? down : rounded;
}
