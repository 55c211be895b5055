/** Special functions that Math lacks, accurate to double precision well beyond float32 needs. */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** Computes the error function: a series below |x| = 2.5, a continued fraction for erfc above. */
export function erf(x: number): number {
	// The series would turn -0 into +0 at its first term; erf is odd, so erf(±0) = ±0.
	if (Number.isNaN(x) || x === 0) return x;
	const ax = Math.abs(x);
	if (ax < 2.5) return erfSeries(x);
	if (ax >= 6) return x > 0 ? 1 : -1;
	const e = erfcContinuedFraction(ax);
	return x > 0 ? 1 - e : e - 1;
}

// erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); terms fall below 1e-17 of the
// sum by n = 45 for |x| < 2.5.
function erfSeries(x: number): number {
	const x2 = x * x;
	let term = x;
	let sum = x;
	for (let n = 1; n < 60; n++) {
		term *= -x2 / n;
		const add = term / (2 * n + 1);
		sum += add;
		if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
	}
	return TWO_OVER_SQRT_PI * sum;
}

// erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
// evaluated with the modified Lentz method; it converges fast for x >= 2.5.
function erfcContinuedFraction(x: number): number {
	const tiny = 1e-300;
	let f = x;
	let c = x;
	let d = 0;
	for (let n = 1; n < 200; n++) {
		const a = n / 2;
		d = x + a * d;
		d = d === 0 ? tiny : d;
		c = x + a / c;
		c = c === 0 ? tiny : c;
		d = 1 / d;
		const delta = c * d;
		f *= delta;
		if (Math.abs(delta - 1) < 1e-16) break;
	}
	return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/** Rounds half to even, as torch.round. */
export function roundHalfEven(x: number): number {
	const r = Math.round(x);
	return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** Below this |x|, tanh(x) = x - x^3/3 rounds to x in float32: x^2/3 < 2^-25. */
export const TANH_TINY = 2 ** -12;
/**
 * From this |x| on, float32 tanh is +-1: 1 - tanh(x) < 2e^(-2x) < 2^-25, half the float32 spacing
 * just below 1.
 */
export const TANH_ONE = 9.5;
/** Taylor coefficients of expm1(r) / r, highest power first: 1/8!, 1/7!, ..., 1/2!, 1. */
export const EXPM1_TAYLOR = [1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1];
/** 2^k for the k that range reduction of 2|x| < 2 * TANH_ONE can give (k <= 27). */
const POW2 = Float64Array.from({ length: 28 }, (_, k) => 2 ** k);

/**
 * Computes tanh for a float32 result, within 1 ulp of float32 of the correctly rounded tanh once
 * stored to a Float32Array (tests sweep this), but not a double-precision tanh. For
 * 2|x| = k ln 2 + r with |r| <= ln(2)/2, it forms expm1(2|x|) = 2^k expm1(r) + (2^k - 1) from
 * Taylor terms of expm1(r) up to r^8 (relative error below 1e-9), and returns
 * expm1(2|x|) / (expm1(2|x|) + 2) with the sign of x. No step cancels, so the relative error
 * stays small near 0 too.
 *
 * The WebAssembly kernel of wasm/tanh.ts runs the same double operations in the same order, so
 * both give the same float32 results; change them together.
 */
export function tanhFloat32(x: number): number {
	const a = Math.abs(x);
	// Returning x keeps -0, subnormals and the sign of tiny values.
	if (a < TANH_TINY) return x;
	if (a >= TANH_ONE) return x > 0 ? 1 : -1;
	if (a !== a) return x;
	const t = 2 * a;
	const k = Math.round(t * Math.LOG2E);
	const r = t - k * Math.LN2;
	// Horner's rule for expm1(r) = r + r^2/2! + ... + r^8/8!.
	// The terms are written out, because V8 runs a loop over EXPM1_TAYLOR 1.5 times slower.
	let sum = r * (1 / 40320) + 1 / 5040;
	sum = sum * r + 1 / 720;
	sum = sum * r + 1 / 120;
	sum = sum * r + 1 / 24;
	sum = sum * r + 1 / 6;
	sum = sum * r + 1 / 2;
	sum = sum * r + 1;
	const em1 = sum * r;
	const scale = POW2[k];
	const m = scale * em1 + (scale - 1);
	const q = m / (m + 2);
	return x < 0 ? -q : q;
}
