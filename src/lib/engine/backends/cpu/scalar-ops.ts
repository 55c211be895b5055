/**
 * What each elementwise op computes, as row loops: one loop per arity with a switch on a
 * numeric op code inside. One function per arity (rather than one closure per op) keeps
 * V8's type feedback per call site stable no matter how many ops a program uses. A switch on
 * a small integer compiles to a jump table, which the branch predictor follows cheaply.
 *
 * Values are read and computed as doubles; storing into a Float32Array rounds once, which
 * equals float32 arithmetic for +, -, *, / and sqrt. Ops whose float32 result in PyTorch
 * depends on intermediate rounding have a separate float32 code.
 */
import type { BinaryOp, UnaryOp } from '../backend';
import { erf, roundHalfEven, tanhFloat32 } from './math';

export type Data = Float32Array | Float64Array | Uint8Array;

const SQRT1_2 = Math.SQRT1_2;
// sqrt(2/pi) and the cubic coefficient of the tanh approximation of GELU.
const GELU_BETA = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const GELU_KAPPA = 0.044715;
// 1/sqrt(2 pi), the standard normal density at 0.
const GELU_ALPHA = (2 / Math.sqrt(Math.PI)) * SQRT1_2 * 0.5;

const UNARY_CODES: Record<UnaryOp, number> = {
	neg: 0,
	exp: 1,
	expm1: 2,
	log: 3,
	log1p: 4,
	sqrt: 5,
	rsqrt: 6,
	abs: 7,
	sign: 8,
	sin: 9,
	cos: 10,
	tan: 11,
	erf: 12,
	sigmoid: 13,
	tanh: 14,
	relu: 15,
	reciprocal: 16,
	square: 17,
	floor: 18,
	ceil: 19,
	round: 20,
	trunc: 21,
	isnan: 22,
	isinf: 23,
	isfinite: 24,
	logical_not: 25,
	leaky_relu: 26,
	gelu: 27,
	gelu_tanh: 28,
	clamp: 29,
	pow_scalar: 30,
	rpow_scalar: 31
};

/** Codes of float32 variants, for ops whose float32 result differs from rounding once. */
const SIGMOID_F32 = 100;
const POW_SCALAR_F32 = 101;
const COPY = 102;
const COPY_TRUNC = 103;
const COPY_BOOL = 104;
const TANH_F32 = 105;

/** Picks the code `unaryRow` runs for `op`, given whether the output is float32. */
export function unaryCode(op: UnaryOp, float32Out: boolean): number {
	if (float32Out && op === 'sigmoid') return SIGMOID_F32;
	if (float32Out && op === 'pow_scalar') return POW_SCALAR_F32;
	if (float32Out && op === 'tanh') return TANH_F32;
	return UNARY_CODES[op];
}

/** Codes for copies that convert: to int64 truncates, to bool tests for nonzero. */
export const COPY_CODES = { plain: COPY, trunc: COPY_TRUNC, bool: COPY_BOOL };

/** out[oo + j os] = op(x[xo + j xs]) for j < n, with scalar parameters p and q. */
export function unaryRow(
	code: number,
	out: Data,
	oo: number,
	os: number,
	x: Data,
	xo: number,
	xs: number,
	n: number,
	p: number,
	q: number
): void {
	for (let j = 0; j < n; j++) {
		const v = x[xo + j * xs];
		let r: number;
		// prettier-ignore
		switch (code) {
			case 0: r = -v; break;
			case 1: r = Math.exp(v); break;
			case 2: r = Math.expm1(v); break;
			case 3: r = Math.log(v); break;
			case 4: r = Math.log1p(v); break;
			case 5: r = Math.sqrt(v); break;
			case 6: r = 1 / Math.sqrt(v); break;
			case 7: r = Math.abs(v); break;
			case 8: r = v > 0 ? 1 : v < 0 ? -1 : 0; break;
			case 9: r = Math.sin(v); break;
			case 10: r = Math.cos(v); break;
			case 11: r = Math.tan(v); break;
			case 12: r = erf(v); break;
			case 13: r = 1 / (1 + Math.exp(-v)); break;
			case 14: r = Math.tanh(v); break;
			// v < 0 rather than v > 0, so that relu(-0) is -0 and relu(NaN) is NaN, as in PyTorch.
			case 15: r = v < 0 ? 0 : v; break;
			case 16: r = 1 / v; break;
			case 17: r = v * v; break;
			case 18: r = Math.floor(v); break;
			case 19: r = Math.ceil(v); break;
			case 20: r = roundHalfEven(v); break;
			case 21: r = Math.trunc(v); break;
			case 22: r = v !== v ? 1 : 0; break;
			case 23: r = v === Infinity || v === -Infinity ? 1 : 0; break;
			case 24: r = v - v === 0 ? 1 : 0; break;
			case 25: r = v === 0 ? 1 : 0; break;
			case 26: r = v > 0 ? v : v * p; break;
			case 27: r = 0.5 * v * (1 + erf(v * SQRT1_2)); break;
			case 28: r = 0.5 * v * (1 + Math.tanh(GELU_BETA * (v + GELU_KAPPA * v * v * v))); break;
			// min(max(v, p), q), keeping NaN.
			case 29: r = v !== v ? v : v < p ? p : v > q ? q : v; break;
			case 30: r = powScalar(v, p, identity); break;
			case 31: r = Math.pow(p, v); break;
			// PyTorch's float32 sigmoid rounds exp(-v) to float32 first, so sigmoid(-100) is
			// exactly 0 (exp(100) overflows) rather than the subnormal 3.8e-44.
			case SIGMOID_F32: r = 1 / Math.fround(1 + Math.fround(Math.exp(-v))); break;
			case POW_SCALAR_F32: r = powScalar(v, p, Math.fround); break;
			// Within 1 ulp of float32, and about half the cost of Math.tanh in V8 (Node 20).
			case TANH_F32: r = tanhFloat32(v); break;
			case COPY: r = v; break;
			case COPY_TRUNC: r = Math.trunc(v); break;
			// Any nonzero value, NaN included, converts to true, as in PyTorch.
			case COPY_BOOL: r = v !== 0 ? 1 : 0; break;
			default: r = NaN;
		}
		out[oo + j * os] = r;
	}
}

const identity = (v: number) => v;

/**
 * Computes v ** exponent with PyTorch's special cases, which matter at signed zeros. Exponent
 * 0.5 is sqrt, so (-0) ** 0.5 is -0 where Math.pow gives +0. Exponent -0.5 is 1 / sqrt, and
 * small integer exponents are products, each rounded by `round` as the float32 kernel rounds.
 */
function powScalar(v: number, exponent: number, round: (v: number) => number): number {
	switch (exponent) {
		case 0.5:
			return Math.sqrt(v);
		case -0.5:
			return 1 / round(Math.sqrt(v));
		case 2:
			return v * v;
		case 3:
			return round(v * v) * v;
		case -1:
			return 1 / v;
		case -2:
			return 1 / round(v * v);
		default:
			return Math.pow(v, exponent);
	}
}

const BINARY_CODES: Record<BinaryOp, number> = {
	add: 0,
	sub: 1,
	mul: 2,
	div: 3,
	pow: 4,
	maximum: 5,
	minimum: 6,
	eq: 7,
	ne: 8,
	lt: 9,
	le: 10,
	gt: 11,
	ge: 12,
	logical_and: 13,
	logical_or: 14,
	logical_xor: 15,
	sigmoid_backward: 16,
	tanh_backward: 17,
	relu_backward: 18,
	leaky_relu_backward: 19,
	gelu_backward: 20,
	gelu_tanh_backward: 21,
	clamp_backward: 22
};

const SIGMOID_BACKWARD_F32 = 100;

export function binaryCode(op: BinaryOp, float32Out: boolean): number {
	if (float32Out && op === 'sigmoid_backward') return SIGMOID_BACKWARD_F32;
	return BINARY_CODES[op];
}

/** out[oo + j os] = op(a[ao + j as], b[bo + j bs]) for j < n, with parameters p and q. */
export function binaryRow(
	code: number,
	out: Data,
	oo: number,
	os: number,
	a: Data,
	ao: number,
	as: number,
	b: Data,
	bo: number,
	bs: number,
	n: number,
	p: number,
	q: number
): void {
	for (let j = 0; j < n; j++) {
		const x = a[ao + j * as];
		const y = b[bo + j * bs];
		let r: number;
		// prettier-ignore
		switch (code) {
			case 0: r = x + p * y; break;
			case 1: r = x - p * y; break;
			case 2: r = x * y; break;
			case 3: r = x / y; break;
			case 4: r = Math.pow(x, y); break;
			case 5: r = x !== x || y !== y ? NaN : Math.max(x, y); break;
			case 6: r = x !== x || y !== y ? NaN : Math.min(x, y); break;
			case 7: r = x === y ? 1 : 0; break;
			case 8: r = x !== y ? 1 : 0; break;
			case 9: r = x < y ? 1 : 0; break;
			case 10: r = x <= y ? 1 : 0; break;
			case 11: r = x > y ? 1 : 0; break;
			case 12: r = x >= y ? 1 : 0; break;
			case 13: r = x !== 0 && y !== 0 ? 1 : 0; break;
			case 14: r = x !== 0 || y !== 0 ? 1 : 0; break;
			case 15: r = (x !== 0) !== (y !== 0) ? 1 : 0; break;
			// Fused gradient rules: x is the output's gradient, y the saved tensor.
			case 16: r = x * (1 - y) * y; break;
			case 17: r = x * (1 - y * y); break;
			// PyTorch's threshold_backward: zero where the output is <= 0, so relu'(0) = 0.
			case 18: r = y <= 0 ? 0 : x; break;
			case 19: r = y > 0 ? x : x * p; break;
			case 20: r = x * geluDerivative(y); break;
			case 21: r = x * geluTanhDerivative(y); break;
			// Boundaries count as inside, so clamp(min=0) passes the gradient at 0 (relu does not).
			case 22: r = y >= p && y <= q ? x : 0; break;
			// sigmoid's backward in float32 is (g * (1 - y)) * y, rounded after each step.
			case SIGMOID_BACKWARD_F32: r = Math.fround(x * Math.fround(1 - y)) * y; break;
			default: r = NaN;
		}
		out[oo + j * os] = r;
	}
}

function geluDerivative(x: number): number {
	const cdf = 0.5 * (1 + erf(x * SQRT1_2));
	const pdf = Math.exp(-0.5 * x * x) * GELU_ALPHA;
	return cdf + x * pdf;
}

function geluTanhDerivative(x: number): number {
	const t = Math.tanh(GELU_BETA * (x + GELU_KAPPA * x * x * x));
	const innerDerivative = GELU_BETA * (1 + 3 * GELU_KAPPA * x * x);
	return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * innerDerivative;
}
