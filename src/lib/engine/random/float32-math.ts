/**
 * Float32 arithmetic as torch 1.13's AVX2 kernels do it, emulated with binary64 numbers.
 *
 * Every `Math.fround` below rounds one float32 operation. For +, -, *, / and sqrt of float32
 * operands, rounding the binary64 result to float32 gives the correctly rounded float32 result,
 * because binary64 carries more than 2 * 24 + 2 significand bits. A fused multiply-add is the
 * exception, so it gets its own exact emulation (`fma32`).
 */

const FLT_MAX = 3.4028234663852886e38;
/** Half-way between FLT_MAX and 2^128: the smallest binary64 that rounds to float32 infinity. */
const FLT_OVERFLOW_MIDPOINT = 3.4028235677973366e38;
const FLT_MIN_NORMAL = 2 ** -126;

/**
 * Computes float32(a * b + c) with a single rounding, as a hardware FMA does, for float32 a, b, c.
 *
 * Why it is exact: the product of two float32 significands has at most 48 bits, and its exponent
 * stays inside binary64's normal range, so `p = a * b` is exact. Then `s = p + c` is the binary64
 * value nearest to the exact sum v. Rounding s to float32 can only differ from rounding v when a
 * float32 rounding boundary (a midpoint between two adjacent float32 values) lies between them.
 * Every such midpoint is itself a binary64 number, and s is the binary64 number nearest v, so a
 * midpoint strictly between v and s is impossible: the only bad case is s landing exactly on a
 * midpoint while v != s. We detect a midpoint cheaply (the point reflected from `Math.fround(s)`
 * through s is then a float32) and in that rare case take the sign of the exact error v - s
 * from the TwoSum error-free transformation to choose the float32 on the correct side.
 */
export function fma32(a: number, b: number, c: number): number {
	const p = a * b;
	const s = p + c;
	const r = Math.fround(s);
	if (r === s) return r;

	// Reflecting r through s lands on a float32 only when s is a midpoint between two of them.
	const other = s + (s - r);
	if (Math.fround(other) !== other) return r;
	return fma32AtMidpoint(p, c, s, r, other);
}

function fma32AtMidpoint(p: number, c: number, s: number, r: number, other: number): number {
	// TwoSum: p + c = s + error exactly.
	const pPart = s - c;
	const cPart = s - pPart;
	const error = p - pPart + (c - cPart);

	// A true tie, which Math.fround has already broken to even.
	if (error === 0) return r;

	if (!Number.isFinite(r)) {
		const beyondOverflow = Math.abs(s) !== FLT_OVERFLOW_MIDPOINT || error > 0 === s > 0;
		return beyondOverflow ? r : Math.sign(s) * FLT_MAX;
	}
	return error > 0 === other > r ? other : r;
}

// Cephes single-precision log polynomial, as used by the AVX2 Box-Muller kernel.
const SQRT_HALF = Math.fround(Math.SQRT1_2);
const LOG_P = [
	7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
	-1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1
].map(Math.fround);
const LOG_P0 = LOG_P[0];
const LOG_P1 = LOG_P[1];
const LOG_P2 = LOG_P[2];
const LOG_P3 = LOG_P[3];
const LOG_P4 = LOG_P[4];
const LOG_P5 = LOG_P[5];
const LOG_P6 = LOG_P[6];
const LOG_P7 = LOG_P[7];
const LOG_P8 = LOG_P[8];
const LOG_Q1 = Math.fround(-2.1219444e-4);
const LOG_Q2 = 0.693359375;

// One shared word for reading and writing float32 bit patterns without allocating.
const scratchFloat = new Float32Array(1);
const scratchBits = new Int32Array(scratchFloat.buffer);

/**
 * Computes log(a) for a float32 a > 0 with the 8-lane Cephes approximation of torch 1.13's AVX2
 * kernel, step for step, including the fused multiply-adds its compiler emitted.
 * Non-positive inputs are outside the domain; the sampler only passes values in (0, 1].
 */
export function cephesLogFloat32(a: number): number {
	scratchFloat[0] = a < FLT_MIN_NORMAL ? FLT_MIN_NORMAL : a;
	const bits = scratchBits[0];

	// Split a = m * 2^e with the mantissa m in [0.5, 1).
	let e = (bits >>> 23) - 126;
	scratchBits[0] = (bits & 0x807fffff) | 0x3f000000;
	const m = scratchFloat[0];

	// Keep x = m - 1 within [sqrt(1/2) - 1, sqrt(2) - 1], where the polynomial is accurate.
	let x: number;
	if (m < SQRT_HALF) {
		e -= 1;
		x = m - 1 + m;
	} else {
		x = m - 1;
	}

	const z = Math.fround(x * x);
	let y = fma32(LOG_P0, x, LOG_P1);
	y = fma32(y, x, LOG_P2);
	y = fma32(y, x, LOG_P3);
	y = fma32(y, x, LOG_P4);
	y = fma32(y, x, LOG_P5);
	y = fma32(y, x, LOG_P6);
	y = fma32(y, x, LOG_P7);
	y = fma32(y, x, LOG_P8);
	y = Math.fround(y * x);
	y = fma32(y, z, Math.fround(e * LOG_Q1));
	y = Math.fround(y - Math.fround(0.5 * z));
	return Math.fround(Math.fround(x + y) + Math.fround(e * LOG_Q2));
}

// Cephes single-precision sin/cos: 4/pi, the three-part pi/4 and the two polynomials.
const FOUR_OVER_PI = Math.fround(1.27323954473516);
const MINUS_DP1 = -0.78515625;
const MINUS_DP2 = Math.fround(-2.4187564849853515625e-4);
const MINUS_DP3 = Math.fround(-3.774894977445941e-8);
const COS_P0 = Math.fround(2.443315711809948e-5);
const COS_P1 = Math.fround(-1.388731625493765e-3);
const COS_P2 = Math.fround(4.166664568298827e-2);
const SIN_P0 = Math.fround(-1.9515295891e-4);
const SIN_P1 = Math.fround(8.3321608736e-3);
const SIN_P2 = Math.fround(-1.6666654611e-1);

/** Outputs of `cephesSinCosFloat32`, kept in module state so the hot loop allocates nothing. */
export const sinCosResult = { sin: 0, cos: 0 };

/**
 * Computes sin(theta) and cos(theta) for a float32 theta >= 0 with the Cephes approximation of
 * torch 1.13's AVX2 kernel, writing them to `sinCosResult`. A negative theta would need the sign
 * handling that the sampler never exercises, so it is not supported.
 */
export function cephesSinCosFloat32(theta: number): void {
	// Reduce theta by j * pi/4, with j rounded up to even so x lies in [-pi/4, pi/4].
	let j = Math.trunc(Math.fround(theta * FOUR_OVER_PI));
	j = (j + 1) & ~1;
	let x = fma32(j, MINUS_DP1, theta);
	x = fma32(j, MINUS_DP2, x);
	x = fma32(j, MINUS_DP3, x);
	const z = Math.fround(x * x);

	let c = fma32(COS_P0, z, COS_P1);
	c = fma32(c, z, COS_P2);
	c = Math.fround(c * z);
	c = fma32(c, z, -Math.fround(0.5 * z));
	c = Math.fround(c + 1);

	let s = fma32(SIN_P0, z, SIN_P1);
	s = fma32(s, z, SIN_P2);
	s = Math.fround(s * z);
	s = fma32(s, x, x);

	// The octant picks which polynomial gives which function, and the signs.
	const swap = (j & 2) !== 0;
	const sinValue = swap ? c : s;
	const cosValue = swap ? s : c;
	sinCosResult.sin = (j & 4) !== 0 ? -sinValue : sinValue;
	sinCosResult.cos = ((j - 2) & 4) === 0 ? -cosValue : cosValue;
}
