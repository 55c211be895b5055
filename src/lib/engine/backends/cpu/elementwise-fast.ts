/**
 * Fast float32 row loops for the elementwise ops that training steps run most, beside the
 * reference loops of scalar-ops.ts. Each op has its own small function whose one loop reads and
 * writes only Float32Arrays. So V8 optimizes each loop on its own and keeps values as unboxed
 * doubles, and one op's first run never throws away another op's optimized code. The
 * reference loops switch per element on arrays of three types, and V8 boxes their results as
 * heap numbers, which makes them slower and gives the GC work.
 *
 * Each loop computes the same expression as its case in unaryRow or binaryRow, so results are
 * bit for bit the same (tests check this). For ops without a loop here the getters return
 * undefined, and the caller runs the reference loop.
 */
import { tanhFloat32 } from './math';
import {
	binaryRepeatedWasm,
	binaryRowWasm,
	reluRowWasm,
	WASM_ROW_MIN,
	type WasmBinaryOp
} from './wasm/elementwise';
import { tanhRowWasm } from './wasm/tanh';
import { binaryCode, COPY_CODES, unaryCode } from './scalar-ops';

const NEG = unaryCode('neg', true);
const EXP = unaryCode('exp', true);
const LOG = unaryCode('log', true);
const SQRT = unaryCode('sqrt', true);
const ABS = unaryCode('abs', true);
const SIGMOID = unaryCode('sigmoid', true);
const TANH = unaryCode('tanh', true);
const RELU = unaryCode('relu', true);
const SQUARE = unaryCode('square', true);
const POW_SCALAR = unaryCode('pow_scalar', true);
const COPY = COPY_CODES.plain;

const ADD = binaryCode('add', true);
const SUB = binaryCode('sub', true);
const MUL = binaryCode('mul', true);
const DIV = binaryCode('div', true);
const SIGMOID_BACKWARD = binaryCode('sigmoid_backward', true);
const TANH_BACKWARD = binaryCode('tanh_backward', true);
const RELU_BACKWARD = binaryCode('relu_backward', true);

/** A row loop over Float32Arrays: out[oo + j os] = f(x[xo + j xs]) for j < n. */
export type UnaryLoop = (
	out: Float32Array,
	oo: number,
	os: number,
	x: Float32Array,
	xo: number,
	xs: number,
	n: number
) => void;

/** A row loop over Float32Arrays: out[oo + j os] = f(a[ao + j as], b[bo + j bs]) for j < n. */
export type BinaryLoop = (
	out: Float32Array,
	oo: number,
	os: number,
	a: Float32Array,
	ao: number,
	as: number,
	b: Float32Array,
	bo: number,
	bs: number,
	n: number,
	p: number
) => void;

/**
 * Returns the fast loop for a unary op code (from `unaryCode`) with scalar parameter p, or
 * undefined where the op has none and the reference loop must run.
 */
export function unaryLoopFloat32(code: number, p: number): UnaryLoop | undefined {
	// x ** 2 is one product in the reference too; other exponents take the reference loop.
	if (code === POW_SCALAR) return p === 2 ? squareRow : undefined;
	return UNARY_LOOPS[code];
}

/** Returns the fast loop for a binary op code (from `binaryCode`), or undefined if none. */
export function binaryLoopFloat32(code: number): BinaryLoop | undefined {
	return BINARY_LOOPS[code];
}

const negRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = -x[xo + j * xs];
};

const expRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = Math.exp(x[xo + j * xs]);
};

const logRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = Math.log(x[xo + j * xs]);
};

const sqrtRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = Math.sqrt(x[xo + j * xs]);
};

const absRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = Math.abs(x[xo + j * xs]);
};

const sigmoidRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) {
		const v = x[xo + j * xs];
		out[oo + j * os] = 1 / Math.fround(1 + Math.fround(Math.exp(-v)));
	}
};

/** Below this many contiguous elements, copying into WebAssembly memory costs more than it saves. */
const TANH_WASM_MIN = 16;

const tanhRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	// The kernel returns the same values as tanhFloat32, about 3 times faster (Node 20).
	if (os === 1 && xs === 1 && n >= TANH_WASM_MIN && tanhRowWasm(out, oo, x, xo, n)) return;
	for (let j = 0; j < n; j++) out[oo + j * os] = tanhFloat32(x[xo + j * xs]);
};

const reluRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	// Random signs make the JS loop's branch mispredict half the time; the kernel has none.
	if (os === 1 && xs === 1 && n >= WASM_ROW_MIN && reluRowWasm(out, oo, x, xo, n)) return;
	for (let j = 0; j < n; j++) {
		const v = x[xo + j * xs];
		out[oo + j * os] = v < 0 ? 0 : v;
	}
};

const squareRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) {
		const v = x[xo + j * xs];
		out[oo + j * os] = v * v;
	}
};

const copyRow: UnaryLoop = (out, oo, os, x, xo, xs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = x[xo + j * xs];
};

const addRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n, p) => {
	if (contiguousRows(os, as, bs, n) && binaryRowWasm('add', out, oo, a, ao, b, bo, n, p)) return;
	for (let j = 0; j < n; j++) out[oo + j * os] = a[ao + j * as] + p * b[bo + j * bs];
};

const subRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n, p) => {
	if (contiguousRows(os, as, bs, n) && binaryRowWasm('sub', out, oo, a, ao, b, bo, n, p)) return;
	for (let j = 0; j < n; j++) out[oo + j * os] = a[ao + j * as] - p * b[bo + j * bs];
};

const mulRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n) => {
	if (contiguousRows(os, as, bs, n) && binaryRowWasm('mul', out, oo, a, ao, b, bo, n)) return;
	for (let j = 0; j < n; j++) out[oo + j * os] = a[ao + j * as] * b[bo + j * bs];
};

const divRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n) => {
	for (let j = 0; j < n; j++) out[oo + j * os] = a[ao + j * as] / b[bo + j * bs];
};

const sigmoidBackwardRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n) => {
	for (let j = 0; j < n; j++) {
		const g = a[ao + j * as];
		const y = b[bo + j * bs];
		out[oo + j * os] = Math.fround(g * Math.fround(1 - y)) * y;
	}
};

const tanhBackwardRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n) => {
	for (let j = 0; j < n; j++) {
		const y = b[bo + j * bs];
		out[oo + j * os] = a[ao + j * as] * (1 - y * y);
	}
};

const reluBackwardRow: BinaryLoop = (out, oo, os, a, ao, as, b, bo, bs, n) => {
	if (contiguousRows(os, as, bs, n) && binaryRowWasm('reluBackward', out, oo, a, ao, b, bo, n))
		return;
	for (let j = 0; j < n; j++) {
		const y = b[bo + j * bs];
		out[oo + j * os] = y <= 0 ? 0 : a[ao + j * as];
	}
};

const WASM_BINARY: (WasmBinaryOp | undefined)[] = [];
WASM_BINARY[ADD] = 'add';
WASM_BINARY[SUB] = 'sub';
WASM_BINARY[MUL] = 'mul';
WASM_BINARY[RELU_BACKWARD] = 'reluBackward';

/**
 * Runs a binary op over `total` contiguous float32 elements of a and out, with b's `period`
 * elements repeated along them (a bias added to a batch), in one WebAssembly call instead of
 * one per row. Returns false, having written nothing, where the op has no kernel or the
 * kernel cannot run; the caller then runs the rows in JS.
 */
export function binaryRepeatedFloat32(
	code: number,
	out: Float32Array,
	oo: number,
	a: Float32Array,
	ao: number,
	b: Float32Array,
	bo: number,
	period: number,
	total: number,
	p: number
): boolean {
	const op = WASM_BINARY[code];
	if (op === undefined || total < WASM_ROW_MIN) return false;
	return binaryRepeatedWasm(op, out, oo, a, ao, b, bo, period, total, p);
}

/** Tells whether a binary row is long and contiguous in all three arrays, as the kernels need. */
function contiguousRows(os: number, as: number, bs: number, n: number): boolean {
	return os === 1 && as === 1 && bs === 1 && n >= WASM_ROW_MIN;
}

// Indexed by op code, which are small integers, so a lookup is one array read.
const UNARY_LOOPS: (UnaryLoop | undefined)[] = [];
UNARY_LOOPS[NEG] = negRow;
UNARY_LOOPS[EXP] = expRow;
UNARY_LOOPS[LOG] = logRow;
UNARY_LOOPS[SQRT] = sqrtRow;
UNARY_LOOPS[ABS] = absRow;
UNARY_LOOPS[SIGMOID] = sigmoidRow;
UNARY_LOOPS[TANH] = tanhRow;
UNARY_LOOPS[RELU] = reluRow;
UNARY_LOOPS[SQUARE] = squareRow;
UNARY_LOOPS[COPY] = copyRow;

const BINARY_LOOPS: (BinaryLoop | undefined)[] = [];
BINARY_LOOPS[ADD] = addRow;
BINARY_LOOPS[SUB] = subRow;
BINARY_LOOPS[MUL] = mulRow;
BINARY_LOOPS[DIV] = divRow;
BINARY_LOOPS[SIGMOID_BACKWARD] = sigmoidBackwardRow;
BINARY_LOOPS[TANH_BACKWARD] = tanhBackwardRow;
BINARY_LOOPS[RELU_BACKWARD] = reluBackwardRow;
