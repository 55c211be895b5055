/**
 * float32 special functions written in WGSL. WGSL's builtins are not accurate enough to
 * match PyTorch within the golden tolerances: sin and cos only promise an absolute error of
 * 2^-11 on [-pi, pi] and nothing outside it, exp promises 3 + 2|x| ULP, and pow is
 * exp2(y * log2(x)). Each function here reduces its argument carefully (Cody-Waite splits of
 * ln 2, a Payne-Hanek reduction by pi/2) and evaluates a short polynomial. Against float64
 * references on SwiftShader, 200,000 random inputs per function stayed within 3 ULP (tan 4.2,
 * pow with a general exponent 12). NaN and infinity tests use the bit patterns, because a WGSL
 * compiler may assume that floating-point comparisons never see NaN.
 *
 * Results that would be subnormal come out as zero: GPUs flush subnormal floats, so a
 * consistent zero is the best we can return there.
 *
 * `mathLibrary(names)` returns the functions named and everything they call. The trigonometric
 * functions live in trig.ts.
 */
import { TRIG_FUNCTIONS } from './trig';

export interface MathFunction {
	requires: string[];
	source: string;
}

const LIBRARY: Record<string, MathFunction> = {
	...TRIG_FUNCTIONS,

	special_values: {
		requires: [],
		source: `
// Private variables, not constants: WGSL rejects infinity and NaN in constant expressions.
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;

fn f32_inf() -> f32 {
	return bitcast<f32>(INF_BITS);
}

fn f32_nan() -> f32 {
	return bitcast<f32>(NAN_BITS);
}

fn is_nan(x: f32) -> bool {
	return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_inf(x: f32) -> bool {
	return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

fn is_negative_zero_or_less(x: f32) -> bool {
	return (bitcast<u32>(x) & 0x80000000u) != 0u;
}`
	},

	scale2: {
		requires: [],
		source: `
// x * 2^n for n in [-126, 128], ldexp's safe range being n <= 127. Both sides are computed
// and one selected, because a branch that lanes take differently runs both anyway.
fn scale2(x: f32, n: i32) -> f32 {
	return select(ldexp(x, n), ldexp(x, n - 1) * 2.0, n > 127);
}`
	},

	exp_reduced: {
		requires: [],
		source: `
// e^r for |r| <= ln(2) / 2: Taylor series to r^8, truncation error below 6e-9 relative.
fn exp_reduced(r: f32) -> f32 {
	let tail = 1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0)));
	let poly = 0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * tail));
	return 1.0 + (r + r * r * poly);
}

// e^r - 1 for |r| <= 0.35, accurate relative to the (small) result.
fn expm1_reduced(r: f32) -> f32 {
	let tail = 1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0)));
	let poly = 0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * tail));
	return r + r * r * poly;
}`
	},

	ln2: {
		requires: [],
		source: `
// ln 2 split so that k * LN2_HI is exact for |k| < 2^15.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOG2E: f32 = 1.44269504;`
	},

	exp_f32: {
		requires: ['special_values', 'ln2', 'scale2', 'exp_reduced'],
		source: `
// Straight-line code: the input is clamped to the finite range, and selects then set the
// results outside it.
fn exp_f32(x: f32) -> f32 {
	// The largest float32 whose exponential is finite, and ln(2^-126): below it the result
	// is subnormal, which GPUs flush to zero.
	let c = clamp(x, -87.33654, 88.72283172607422);
	let k = round(c * LOG2E);
	let r = (c - k * LN2_HI) - k * LN2_LO;
	var y = scale2(exp_reduced(r), i32(k));
	y = select(y, f32_inf(), x > 88.72283172607422);
	y = select(y, 0.0, x < -87.33654);
	return select(y, x, is_nan(x));
}`
	},

	expm1_f32: {
		requires: ['exp_f32'],
		source: `
fn expm1_f32(x: f32) -> f32 {
	if (is_nan(x) || abs(x) < 0.35) {
		// expm1_reduced(-0) is -0 + 0 = +0, and PyTorch keeps the sign of zero.
		return select(expm1_reduced(x), x, is_nan(x) || x == 0.0);
	}
	if (x > 88.72283172607422) {
		return f32_inf();
	}
	if (x < 0.0) {
		return exp_f32(x) - 1.0;
	}
	// x = k ln 2 + r with k >= 1, so e^x - 1 = 2^k (e^r - 1) + (2^k - 1) without cancellation.
	let k = round(x * LOG2E);
	let r = (x - k * LN2_HI) - k * LN2_LO;
	let m = expm1_reduced(r);
	let n = i32(k);
	if (n > 24) {
		return scale2(1.0 + m, n) - 1.0;
	}
	return ldexp(m, n) + (ldexp(1.0, n) - 1.0);
}`
	},

	log_reduced: {
		requires: [],
		source: `
// 2 atanh(n / d) for |n / d| < 0.172: ln f is 2 atanh((f - 1) / (f + 1)).
fn log_ratio(n: f32, d: f32) -> f32 {
	let s = n / d;
	let z = s * s;
	let tail = 2.0 / 7.0 + z * (2.0 / 9.0 + z * (2.0 / 11.0));
	let poly = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * tail));
	return 2.0 * s + s * poly;
}

// ln f for f in [sqrt(1/2), sqrt(2)]; f - 1 is exact there.
fn log_reduced(f: f32) -> f32 {
	return log_ratio(f - 1.0, f + 1.0);
}`
	},

	log_f32: {
		requires: ['special_values', 'ln2', 'log_reduced'],
		source: `
fn log_f32(x: f32) -> f32 {
	if (is_nan(x) || x < 0.0) {
		return f32_nan();
	}
	if (x == 0.0) {
		return -f32_inf();
	}
	if (is_inf(x)) {
		return x;
	}
	let parts = frexp(x);
	var f = parts.fract;
	var e = parts.exp;
	if (f < 0.70710678) {
		f = f * 2.0;
		e = e - 1;
	}
	let fe = f32(e);
	return fe * LN2_HI + (fe * LN2_LO + log_reduced(f));
}`
	},

	log1p_f32: {
		requires: ['log_f32'],
		source: `
// ln(1 + x) = 2 atanh(x / (2 + x)) near 0, which never forms 1 + x. The usual compensation
// for the rounding of 1 + x fails when the compiler folds (1 + x) - 1 back into x.
fn log1p_f32(x: f32) -> f32 {
	if (is_nan(x) || abs(x) < 0.29) {
		return select(log_ratio(x, 2.0 + x), x, is_nan(x));
	}
	let u = 1.0 + x;
	if (is_inf(u)) {
		return select(f32_nan(), u, u > 0.0);
	}
	return log_f32(u);
}`
	},

	tanh_f32: {
		requires: ['special_values', 'ln2', 'exp_reduced'],
		source: `
// tanh |x| = m / (m + 2) with m = e^(2|x|) - 1, in straight-line code: expm1's branches cost
// twice as much as the arithmetic on SwiftShader, whose lanes run both sides of a branch.
fn tanh_f32(x: f32) -> f32 {
	// Past 9.01, 1 - tanh(x) is below half an ULP of 1, so clamping there changes nothing.
	let ax2 = 2.0 * min(abs(x), 9.02);
	// e^(k ln 2 + r) - 1 = 2^k (e^r - 1) + (2^k - 1): no cancellation, and exact e^r - 1 for
	// k = 0, where |x| is small. k <= 26, so 2^k is built from its exponent bits.
	let k = round(ax2 * LOG2E);
	let r = (ax2 - k * LN2_HI) - k * LN2_LO;
	let p = bitcast<f32>(u32(i32(k) + 127) << 23u);
	let m = p * expm1_reduced(r) + (p - 1.0);
	let t = m / (m + 2.0);
	return select(select(t, -t, x < 0.0), x, is_nan(x) || abs(x) < 0.000244140625);
}`
	},

	sigmoid_f32: {
		requires: ['exp_f32'],
		source: `
// As PyTorch's float32 kernel: 1 / (1 + e^-x), so e^-x overflowing gives exactly 0.
fn sigmoid_f32(x: f32) -> f32 {
	return 1.0 / (1.0 + exp_f32(-x));
}`
	},

	erf_f32: {
		requires: ['exp_f32'],
		source: `
// erf x: Taylor series below 0.75; above, erf x = 1 - e^(-x^2) g(x) with g(x) = erfc(x) e^(x^2)
// fitted by degree-9 polynomials on [0.75, 2] and [2, 4] (relative error below 5e-9).
fn erf_f32(x: f32) -> f32 {
	let ax = abs(x);
	if (is_nan(x)) {
		return x;
	}
	if (ax < 0.75) {
		let z = x * x;
		var series = 1.0 / 6894720.0;
		series = 1.0 / 685440.0 - z * series;
		series = 1.0 / 75600.0 - z * series;
		series = 1.0 / 9360.0 - z * series;
		series = 1.0 / 1320.0 - z * series;
		series = 1.0 / 216.0 - z * series;
		series = 1.0 / 42.0 - z * series;
		series = 1.0 / 10.0 - z * series;
		series = 1.0 / 3.0 - z * series;
		series = 1.0 - z * series;
		return 1.1283791671 * x * series;
	}
	if (ax >= 4.0) {
		return select(1.0, -1.0, x < 0.0);
	}
	var g: f32;
	if (ax < 2.0) {
		let t = ax - 1.375;
		g = -0.00012075083;
		g = 0.00035998577 + t * g;
		g = -0.00092709553 + t * g;
		g = 0.0025635464 + t * g;
		g = -0.0068054646 + t * g;
		g = 0.017086778 + t * g;
		g = -0.040503312 + t * g;
		g = 0.089862034 + t * g;
		g = -0.18431547 + t * g;
		g = 0.3432959 + t * g;
	} else {
		let t = ax - 3.0;
		g = -1.4334606e-06;
		g = 5.9357221e-06 + t * g;
		g = -2.0783402e-05 + t * g;
		g = 8.2843573e-05 + t * g;
		g = -0.00032421702 + t * g;
		g = 0.0012232965 + t * g;
		g = -0.0044794143 + t * g;
		g = 0.015884338 + t * g;
		g = -0.054372262 + t * g;
		g = 0.17900115 + t * g;
	}
	let y = 1.0 - exp_f32(-ax * ax) * g;
	return select(y, -y, x < 0.0);
}`
	},

	pow_f32: {
		requires: ['special_values', 'scale2', 'exp_reduced', 'log_reduced'],
		source: `
// x^y as C's powf, including its special values (pow(x, 0) = 1 and pow(1, y) = 1 even for NaN).
fn pow_f32(x: f32, y: f32) -> f32 {
	if (y == 0.0 || x == 1.0) {
		return 1.0;
	}
	if (is_nan(x) || is_nan(y)) {
		return f32_nan();
	}
	let ax = abs(x);
	let y_is_integer = trunc(y) == y;
	let y_is_odd = y_is_integer && abs(y) < 16777216.0 && (i32(y) & 1) == 1;
	let negative = is_negative_zero_or_less(x) && y_is_odd;
	let sign = select(1.0, -1.0, negative);
	if (is_inf(y)) {
		if (ax == 1.0) {
			return 1.0;
		}
		return select(0.0, f32_inf(), (ax > 1.0) == (y > 0.0));
	}
	if (is_inf(ax)) {
		return sign * select(0.0, f32_inf(), y > 0.0);
	}
	if (ax == 0.0) {
		return sign * select(f32_inf(), 0.0, y > 0.0);
	}
	if (x < 0.0 && !y_is_integer) {
		return f32_nan();
	}
	// x * x is the correctly rounded square, as C's powf returns it.
	if (y == 2.0) {
		return x * x;
	}

	// |x|^y = 2^(y log2 |x|), with log2 |x| = e + log2 f kept apart, y split into 12-bit halves
	// so that y_hi * e is exact, and the integer part of the exponent taken out before rounding.
	let parts = frexp(ax);
	var f = parts.fract;
	var e = parts.exp;
	if (f < 0.70710678) {
		f = f * 2.0;
		e = e - 1;
	}
	let log2_f = log_reduced(f) * 1.44269504;
	let y_hi = bitcast<f32>(bitcast<u32>(y) & 0xfffff000u);
	let y_lo = y - y_hi;
	let whole = y_hi * f32(e);
	let estimate = whole + y * log2_f;
	if (estimate > 140.0) {
		return sign * f32_inf();
	}
	if (estimate < -140.0) {
		return sign * 0.0;
	}
	var n = round(whole);
	var s = (whole - n) + y_lo * f32(e) + y * log2_f;
	let m = round(s);
	n = n + m;
	s = s - m;
	if (n > 128.0) {
		return sign * f32_inf();
	}
	if (n < -126.0) {
		return sign * 0.0;
	}
	return sign * scale2(exp_reduced(s * 0.693147181), i32(n));
}`
	},

	pow_scalar_f32: {
		requires: ['pow_f32'],
		source: `
// x ** p for a scalar p as PyTorch's float32 kernel computes it: a few exponents are products,
// sqrt or reciprocals (which decide the sign of zeros and infinities), the rest powf.
fn pow_scalar_f32(x: f32, p: f32) -> f32 {
	switch (bitcast<u32>(p)) {
		case 0x40000000u: { return x * x; }
		case 0x40400000u: { return x * x * x; }
		case 0x3f000000u: { return sqrt(x); }
		case 0xbf000000u: { return 1.0 / sqrt(x); }
		case 0xbf800000u: { return 1.0 / x; }
		case 0xc0000000u: { return 1.0 / (x * x); }
		default: { return pow_f32(x, p); }
	}
}`
	}
};

/** The WGSL of the named functions and of every function they call, each once, in order. */
export function mathLibrary(names: Iterable<string>): string {
	const ordered: string[] = [];
	const visit = (name: string) => {
		if (ordered.includes(name)) return;
		const entry = LIBRARY[name];
		if (!entry) throw new Error(`internal: no WGSL math function ${name}`);
		for (const dependency of entry.requires) visit(dependency);
		ordered.push(name);
	};
	for (const name of names) visit(name);
	return ordered.map((name) => LIBRARY[name].source.trim()).join('\n\n');
}
