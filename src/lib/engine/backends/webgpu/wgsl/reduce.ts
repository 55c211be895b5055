/**
 * Reductions over any set of dims, arg-reductions (max/min with the index of the first
 * extreme) and the two passes of the Euclidean norm.
 *
 * The output has `rows` elements (the kept dims), each reducing `cols` input elements (the
 * reduced dims, walked in row-major order at their own strides). Two layouts, neither with
 * workgroup barriers (SwiftShader runs each barrier as a switch between fibers, which made a
 * tree reduction three times slower than a loop):
 * - serial: one thread per row loops over its cols; for short rows.
 * - partials: `chunks` threads per row, thread t folding cols t, t + chunks, t + 2 chunks...
 *   (neighbouring threads read neighbouring elements) into one partial result; a further
 *   dispatch (`fromPartials`) reduces the [rows, chunks] partials the same way.
 * Each thread starts from the op's identity and reads only elements that exist, so sizes that
 * are not a multiple of anything never mix padding into max, min or mean.
 */
import {
	convert,
	emitFlatEntry,
	emitSplitIndex,
	PARAMS_BINDING,
	storageBinding,
	WgslWriter,
	type Params,
	type WgslType
} from './emit';
import { mathLibrary } from './math';
import type { KernelSource } from '../pipelines';

export type ReduceKernelOp =
	| 'sum'
	| 'mean'
	| 'prod'
	| 'amax'
	| 'amin'
	| 'all'
	| 'any'
	| 'argmax'
	| 'argmin'
	/** First pass of norm2: the largest |x| of each row. */
	| 'max_abs'
	/** Second pass of norm2: squares of x scaled by the row's max, summed; then unscaled. */
	| 'norm2_scaled'
	| 'sum_squares'
	| 'mean_squares'
	/** Sum and mean of (x - y)^2 over a second input y with x's shape and its own strides. */
	| 'sum_squared_difference'
	| 'mean_squared_difference';

export interface ReduceSpec {
	op: ReduceKernelOp;
	inType: WgslType;
	/** Type of the accumulator and of partial results. */
	accType: WgslType;
	outType: WgslType;
	keptRank: number;
	reducedRank: number;
	workgroupSize: number;
	/** Reads partial results [rows, cols] (contiguous) written by a `toPartials` dispatch. */
	fromPartials: boolean;
	/** Writes partial results [rows, chunks] instead of the output view: the partials layout. */
	toPartials: boolean;
	/** Arg-reductions only: whether a values view is written beside the indices. */
	writesValues: boolean;
	/** norm2_scaled only: the thread finds its row's max itself instead of reading `row_max`. */
	fusedMax: boolean;
}

const isArg = (op: ReduceKernelOp) => op === 'argmax' || op === 'argmin';
const isDifference = (op: ReduceKernelOp) =>
	op === 'sum_squared_difference' || op === 'mean_squared_difference';

export function reduceKey(spec: ReduceSpec): string {
	const flags = [
		spec.fromPartials ? 'from-partials' : '',
		spec.toPartials ? 'to-partials' : '',
		spec.writesValues ? 'values' : '',
		spec.fusedMax ? 'fused-max' : ''
	].filter(Boolean);
	return (
		`reduce/${spec.op}/${spec.inType}:${spec.accType}->${spec.outType}` +
		`/kept${spec.keptRank}/reduced${spec.reducedRank}/workgroup${spec.workgroupSize}` +
		(flags.length ? `/${flags.join('+')}` : '')
	);
}

/** Storage bindings of a reduce kernel in binding order (1, 2, ...). */
export function reduceBindings(spec: ReduceSpec): string[] {
	const names: string[] = [];
	if (!isArg(spec.op) || spec.writesValues || spec.toPartials) names.push('out');
	if (isArg(spec.op)) names.push('out_index');
	names.push('x');
	if (isDifference(spec.op) && !spec.fromPartials) names.push('y');
	if (isArg(spec.op) && spec.fromPartials) names.push('x_index');
	if (spec.op === 'norm2_scaled' && !spec.fusedMax) names.push('row_max');
	return names;
}

export function reduceSource(spec: ReduceSpec, params: Params): KernelSource {
	return { pipelineKey: reduceKey(spec), wgsl: () => reduceWgsl(spec, params) };
}

interface Combine {
	identity: string;
	/** Maps a loaded element (in the accumulator type) before combining. */
	map: (x: string) => string;
	/** Combines two accumulators. */
	combine: (a: string, b: string) => string;
	/** Turns the row's accumulator into the output value. */
	finish: (acc: string) => string;
}

const LOWEST: Record<WgslType, string> = {
	f32: '-f32_inf()',
	i32: '(-2147483647i - 1i)',
	u32: '0u'
};
const HIGHEST: Record<WgslType, string> = {
	f32: 'f32_inf()',
	i32: '2147483647i',
	u32: '0xffffffffu'
};

const lowest = (type: WgslType) => LOWEST[type];
const highest = (type: WgslType) => HIGHEST[type];

function combineOf(spec: ReduceSpec): Combine {
	const t = spec.accType;
	const zero = t === 'f32' ? '0.0' : `0${t[0]}`;
	const one = t === 'f32' ? '1.0' : `1${t[0]}`;
	const identityMap = (x: string) => x;
	const plain = { map: identityMap, finish: identityMap };
	switch (spec.op) {
		case 'sum':
			return { ...plain, identity: zero, combine: (a, b) => `${a} + ${b}` };
		case 'mean':
			return {
				identity: zero,
				map: identityMap,
				combine: (a, b) => `${a} + ${b}`,
				finish: (acc) => `${acc} / params.count`
			};
		case 'sum_squares':
		case 'mean_squares':
		case 'sum_squared_difference':
		case 'mean_squared_difference': {
			const mean = spec.op === 'mean_squares' || spec.op === 'mean_squared_difference';
			return {
				identity: zero,
				// Partial sums are squares already. A difference arrives already subtracted.
				// NOTE: a GPU compiler may fuse the square into the add, and results would then
				// differ from the unfused ops in the last bit. SwiftShader does not fuse them.
				map: spec.fromPartials ? identityMap : (x) => `${x} * ${x}`,
				combine: (a, b) => `${a} + ${b}`,
				finish: mean ? (acc) => `${acc} / params.count` : identityMap
			};
		}
		case 'prod':
			return { ...plain, identity: one, combine: (a, b) => `${a} * ${b}` };
		case 'amax':
		case 'amin': {
			const fn = spec.op === 'amax' ? 'max' : 'min';
			const identity = spec.op === 'amax' ? lowest(t) : highest(t);
			const combine =
				t === 'f32'
					? (a: string, b: string) =>
							`select(${fn}(${a}, ${b}), f32_nan(), is_nan(${a}) || is_nan(${b}))`
					: (a: string, b: string) => `${fn}(${a}, ${b})`;
			return { ...plain, identity, combine };
		}
		case 'all':
			return { ...plain, identity: '1u', combine: (a, b) => `${a} & ${b}` };
		case 'any':
			return { ...plain, identity: '0u', combine: (a, b) => `${a} | ${b}` };
		case 'max_abs':
			return {
				identity: '0.0',
				map: spec.fromPartials ? identityMap : (x) => `abs(${x})`,
				combine: (a, b) => `select(max(${a}, ${b}), f32_nan(), is_nan(${a}) || is_nan(${b}))`,
				finish: identityMap
			};
		case 'norm2_scaled':
			return {
				identity: '0.0',
				map: spec.fromPartials ? identityMap : (x) => `scaled_square(${x}, row_exponent)`,
				combine: (a, b) => `${a} + ${b}`,
				finish: (acc) => `unscaled_norm(${acc}, row_max_value)`
			};
		default:
			throw new Error(`internal: ${spec.op} is not a plain reduction`);
	}
}

const NORM_HELPERS = `
// The k for which m 2^k lies in [0.5, 1): scaling a row by 2^k keeps every square <= 1 and,
// for rows of tiny values, keeps squares that would be subnormal in normal range.
fn norm_exponent(m: f32) -> i32 {
	return -frexp(m).exp;
}

// x 2^n for |n| <= 254, in two steps that each stay inside ldexp's range.
fn scale2_wide(x: f32, n: i32) -> f32 {
	let half = n / 2;
	return ldexp(ldexp(x, half), n - half);
}

// (x 2^k)^2, rounded as float32 would round x^2 before scaling: PyTorch's float32 norm
// squares without rescaling, so squares below 2^-126 land on the subnormal grid (spacing
// 2^-149), which here is 2^(2k-149). With k < 12 that grid lies below 2^-102, beneath the
// precision of a sum whose largest term is at least 1/4.
fn scaled_square(x: f32, k: i32) -> f32 {
	let y = scale2_wide(x, k);
	let square = y * y;
	if (k < 12 || square >= ldexp(1.0, 2 * k - 126)) {
		return square;
	}
	let grid = ldexp(1.0, 2 * k - 149);
	return round(square / grid) * grid;
}

// sqrt(sum) 2^-k, or Infinity where the unscaled float32 sum of squares, sum 2^-2k,
// reaches 2^128 (PyTorch's float32 norm overflows there).
fn unscaled_norm(sum: f32, m: f32) -> f32 {
	if (is_nan(m) || is_inf(m) || m == 0.0) {
		return m;
	}
	let k = norm_exponent(m);
	if (k < 0 && sum >= ldexp(1.0, 128 + 2 * k)) {
		return f32_inf();
	}
	return scale2_wide(sqrt(sum), -k);
}`;

function argBetter(spec: ReduceSpec): string {
	const t = spec.accType;
	const compare = spec.op === 'argmax' ? '>' : '<';
	const nanRules =
		t === 'f32'
			? [
					'	if (is_nan(value)) {',
					'		return !is_nan(best) || index < best_index;',
					'	}',
					'	if (is_nan(best)) {',
					'		return false;',
					'	}'
				]
			: [];
	return [
		'// NaN counts as the extreme; among equal values the first index wins.',
		`fn better(value: ${t}, index: u32, best: ${t}, best_index: u32) -> bool {`,
		...nanRules,
		`	return value ${compare} best || (value == best && index < best_index);`,
		'}'
	].join('\n');
}

function reduceWgsl(spec: ReduceSpec, params: Params): string {
	const w = new WgslWriter();
	const arg = isArg(spec.op);
	w.raw(params.struct()).line();
	w.line(PARAMS_BINDING);
	reduceBindings(spec).forEach((name, k) => {
		const type = bindingType(spec, name);
		const access = name.startsWith('out') ? 'read_write' : 'read';
		w.line(storageBinding(k + 1, name, type, access));
	});
	w.line();
	w.raw(mathLibrary(['special_values'])).line();
	if (spec.op === 'norm2_scaled') w.raw(NORM_HELPERS).line();
	if (arg) w.raw(argBetter(spec)).line();

	emitEntry(w, spec);
	emitRowBase(w, spec);
	emitAccumulate(w, spec);
	emitStore(w, spec);
	w.close();
	return w.toString();
}

function bindingType(spec: ReduceSpec, name: string): WgslType {
	if (name === 'out') return spec.toPartials ? spec.accType : spec.outType;
	if (name === 'out_index') return spec.toPartials ? 'u32' : 'i32';
	if (name === 'x') return spec.fromPartials ? spec.accType : spec.inType;
	if (name === 'y') return spec.inType;
	if (name === 'x_index') return 'u32';
	return 'f32';
}

function emitEntry(w: WgslWriter, spec: ReduceSpec): void {
	emitFlatEntry(w, spec.workgroupSize);
	if (!spec.toPartials) {
		w.line('let row = i;');
		w.open('if (row >= params.rows)').line('return;').close();
		w.line('let first = 0u;');
		w.line('let step = 1u;');
		return;
	}
	w.line('let row = i / params.chunks;');
	w.open('if (row >= params.rows)').line('return;').close();
	w.line('let first = i % params.chunks;');
	w.line('let step = params.chunks;');
}

function emitRowBase(w: WgslWriter, spec: ReduceSpec): void {
	const needsKept = !spec.fromPartials || !spec.toPartials;
	if (needsKept) emitSplitIndex(w, 'row', spec.keptRank, 'kept', 'k');
	if (spec.fromPartials) {
		w.line('let x_base = row * params.cols;');
	} else {
		const terms = ['params.x_offset'];
		for (let d = 0; d < spec.keptRank; d++) terms.push(`k_${d} * params.x_kept_stride_${d}`);
		w.line(`let x_base = ${terms.join(' + ')};`);
		if (isDifference(spec.op)) {
			const yTerms = ['params.y_offset'];
			for (let d = 0; d < spec.keptRank; d++) yTerms.push(`k_${d} * params.y_kept_stride_${d}`);
			w.line(`let y_base = ${yTerms.join(' + ')};`);
		}
	}
	if (spec.op !== 'norm2_scaled') return;
	if (!spec.fusedMax) {
		w.line('let row_max_value = row_max[row];');
	} else {
		w.line('var row_max_value = 0.0;');
		emitElementLoop(w, spec, (loaded) => {
			w.line(`let magnitude = abs(${loaded});`);
			w.line('let larger = max(row_max_value, magnitude);');
			w.line(
				'row_max_value = select(larger, f32_nan(), is_nan(row_max_value) || is_nan(magnitude));'
			);
		});
	}
	if (!spec.fromPartials) w.line('let row_exponent = norm_exponent(row_max_value);');
}

/** Emits the loop over this thread's elements of the row; `body` gets the loaded value. */
function emitElementLoop(w: WgslWriter, spec: ReduceSpec, body: (loaded: string) => void): void {
	w.open('for (var j = first; j < params.cols; j += step)');
	if (spec.fromPartials) {
		w.line('let at = x_base + j;');
	} else {
		emitSplitIndex(w, 'j', spec.reducedRank, 'reduced', 'r');
		const terms = ['x_base'];
		for (let d = 0; d < spec.reducedRank; d++) terms.push(`r_${d} * params.x_reduced_stride_${d}`);
		w.line(`let at = ${terms.join(' + ')};`);
	}
	const inType = spec.fromPartials ? spec.accType : spec.inType;
	if (isDifference(spec.op) && !spec.fromPartials) {
		const terms = ['y_base'];
		for (let d = 0; d < spec.reducedRank; d++) terms.push(`r_${d} * params.y_reduced_stride_${d}`);
		w.line(`let at_y = ${terms.join(' + ')};`);
		// Rounded to the input type before it is squared, as a separate sub kernel stores it.
		w.line(
			`let difference = ${loadAs(spec, 'x[at]', inType)} - ${loadAs(spec, 'y[at_y]', inType)};`
		);
		body('difference');
	} else {
		body(loadAs(spec, 'x[at]', inType));
	}
	w.close();
}

/** Terms folded into a block before the block joins the row's total: float32 sums stay short. */
const BLOCK = 64;

function emitAccumulate(w: WgslWriter, spec: ReduceSpec): void {
	const t = spec.accType;
	if (isArg(spec.op)) {
		const extreme = spec.op === 'argmax' ? lowest(t) : highest(t);
		w.line(`var acc: ${t} = ${extreme};`);
		w.line('var acc_index = 0xffffffffu;');
		emitElementLoop(w, spec, (loaded) => {
			w.line(`let value = ${loaded};`);
			w.line(`let index = ${spec.fromPartials ? 'x_index[at]' : 'j'};`);
			w.open('if (better(value, index, acc, acc_index))');
			w.line('acc = value;');
			w.line('acc_index = index;');
			w.close();
		});
		return;
	}

	// Two levels: blocks of BLOCK terms, then the blocks, so a long serial sum of n terms
	// rounds like sums of BLOCK and n / BLOCK terms.
	const { identity, map, combine } = combineOf(spec);
	w.line(`var acc: ${t} = ${identity};`);
	w.line(`var block: ${t} = ${identity};`);
	w.line('var block_terms = 0u;');
	emitElementLoop(w, spec, (loaded) => {
		w.line(`block = ${combine('block', map(loaded))};`);
		w.line('block_terms += 1u;');
		w.open(`if (block_terms == ${BLOCK}u)`);
		w.line(`acc = ${combine('acc', 'block')};`);
		w.line(`block = ${identity};`);
		w.line('block_terms = 0u;');
		w.close();
	});
	w.line(`acc = ${combine('acc', 'block')};`);
}

function loadAs(spec: ReduceSpec, expression: string, from: WgslType): string {
	if (spec.op === 'all' || spec.op === 'any') return convert(expression, from, 'u32');
	return convert(expression, from, spec.accType);
}

function emitStore(w: WgslWriter, spec: ReduceSpec): void {
	const arg = isArg(spec.op);
	if (spec.toPartials) {
		w.line('out[i] = acc;');
		if (arg) w.line('out_index[i] = acc_index;');
		return;
	}
	const outTerms = (name: string) => {
		const terms = [`params.${name}_offset`];
		for (let d = 0; d < spec.keptRank; d++) terms.push(`k_${d} * params.${name}_stride_${d}`);
		return terms.join(' + ');
	};
	if (arg) {
		w.line(`out_index[${outTerms('out_index')}] = i32(acc_index);`);
		if (spec.writesValues)
			w.line(`out[${outTerms('out')}] = ${convert('acc', spec.accType, spec.outType)};`);
		return;
	}
	const finished = combineOf(spec).finish('acc');
	w.line(`out[${outTerms('out')}] = ${convert(finished, spec.accType, spec.outType)};`);
}
