/**
 * sin, cos and tan in WGSL, accurate for every float32 argument. WGSL's builtins only promise
 * an absolute error of 2^-11 on [-pi, pi], so sin(1000) would be wrong. The argument is
 * reduced by pi/2 to about 2^-70 (Payne-Hanek, with 96 bits of 2/pi chosen by the exponent),
 * and the remainder, at most pi/4, goes into Taylor polynomials.
 */
import type { MathFunction } from './math';

export const TRIG_FUNCTIONS: Record<string, MathFunction> = {
	reduce_pio2: {
		requires: [],
		source: `
// The bits of 2/pi: word 0 is the integer part (0), word k contains fraction bits 32k-31..32k.
var<private> TWO_OVER_PI: array<u32, 10> = array<u32, 10>(
	0x00000000u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u,
	0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u, 0xb7246e3au
);

// The full 64-bit product a * b as (low word, high word).
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
	let a_lo = a & 0xffffu;
	let a_hi = a >> 16u;
	let b_lo = b & 0xffffu;
	let b_hi = b >> 16u;
	let lo_lo = a_lo * b_lo;
	let lo_hi = a_lo * b_hi;
	let hi_lo = a_hi * b_lo;
	let middle = (lo_lo >> 16u) + (lo_hi & 0xffffu) + (hi_lo & 0xffffu);
	let low = (lo_lo & 0xffffu) | (middle << 16u);
	let high = a_hi * b_hi + (lo_hi >> 16u) + (hi_lo >> 16u) + (middle >> 16u);
	return vec2<u32>(low, high);
}

// 32 bits of 2/pi starting s bits into word w.
fn two_over_pi_window(w: u32, s: u32) -> u32 {
	let next = select(0u, TWO_OVER_PI[w + 1u] >> (32u - s), s > 0u);
	return (TWO_OVER_PI[w] << s) | next;
}

struct Reduced {
	// The remainder, in [-pi/4, pi/4].
	r: f32,
	// The quadrant: x = (4j + q) pi/2 + r for some integer j.
	q: u32,
}

// Payne-Hanek reduction of a finite ax >= 0. ax = m 2^(e-23) with m a 24-bit integer, and
// ax * 2/pi mod 4 only needs the 96 bits of 2/pi from bit e - 24 on: earlier bits add
// multiples of 4. The 120-bit product m * window contains the quadrant in bits 94-95 and the
// fraction below them, exact to about 2^-70.
fn reduce_pio2(ax: f32) -> Reduced {
	if (ax <= 0.785398163) {
		return Reduced(ax, 0u);
	}
	let bits = bitcast<u32>(ax);
	let e = i32((bits >> 23u) & 0xffu) - 127;
	let m = (bits & 0x7fffffu) | 0x800000u;
	let first = u32(e + 7);
	let w = first / 32u;
	let s = first % 32u;

	let low = mul_wide(m, two_over_pi_window(w + 2u, s));
	let middle = mul_wide(m, two_over_pi_window(w + 1u, s));
	let high = mul_wide(m, two_over_pi_window(w, s));
	let p0 = low.x;
	let p1 = low.y + middle.x;
	let carry1 = select(0u, 1u, p1 < low.y);
	let sum2 = middle.y + high.x;
	let p2 = sum2 + carry1;

	var q = (p2 >> 30u) & 3u;
	var frac_hi = (p2 << 2u) | (p1 >> 30u);
	var frac_lo = (p1 << 2u) | (p0 >> 30u);
	var sign = 1.0;
	// A fraction of 1/2 or more rounds to the next quadrant, leaving a negative remainder.
	if (frac_hi >= 0x80000000u) {
		q = (q + 1u) & 3u;
		frac_lo = ~frac_lo + 1u;
		frac_hi = ~frac_hi + select(0u, 1u, frac_lo == 0u);
		sign = -1.0;
	}

	var f = 0.0;
	if (frac_hi != 0u) {
		let lz = countLeadingZeros(frac_hi);
		let top = select(frac_hi, (frac_hi << lz) | (frac_lo >> (32u - lz)), lz > 0u);
		f = ldexp(f32(top), -32 - i32(lz));
	} else if (frac_lo != 0u) {
		let lz = countLeadingZeros(frac_lo);
		f = ldexp(f32(frac_lo << lz), -64 - i32(lz));
	}
	// pi/2 = PIO2_HI + PIO2_LO to about 2^-50.
	let r = f * 1.57079637 + f * -4.37113883e-8;
	return Reduced(sign * r, q);
}

// sin r and cos r for |r| <= pi/4: Taylor series, truncation error below 3e-9.
fn sin_reduced(r: f32) -> f32 {
	let z = r * r;
	let poly = -1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0)));
	return r + r * z * poly;
}

fn cos_reduced(r: f32) -> f32 {
	let z = r * r;
	let half_z = 0.5 * z;
	let poly = 1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0)));
	let w = 1.0 - half_z;
	// (1 - w) - half_z recovers the rounding error of w.
	return w + (((1.0 - w) - half_z) + z * z * poly);
}`
	},

	sin_f32: {
		requires: ['special_values', 'reduce_pio2'],
		source: `
fn sin_f32(x: f32) -> f32 {
	if (is_nan(x) || is_inf(x)) {
		return f32_nan();
	}
	let reduced = reduce_pio2(abs(x));
	var y: f32;
	switch (reduced.q) {
		case 0u: { y = sin_reduced(reduced.r); }
		case 1u: { y = cos_reduced(reduced.r); }
		case 2u: { y = -sin_reduced(reduced.r); }
		default: { y = -cos_reduced(reduced.r); }
	}
	return select(y, -y, x < 0.0);
}`
	},

	cos_f32: {
		requires: ['special_values', 'reduce_pio2'],
		source: `
fn cos_f32(x: f32) -> f32 {
	if (is_nan(x) || is_inf(x)) {
		return f32_nan();
	}
	let reduced = reduce_pio2(abs(x));
	switch (reduced.q) {
		case 0u: { return cos_reduced(reduced.r); }
		case 1u: { return -sin_reduced(reduced.r); }
		case 2u: { return -cos_reduced(reduced.r); }
		default: { return sin_reduced(reduced.r); }
	}
}`
	},

	tan_f32: {
		requires: ['special_values', 'reduce_pio2'],
		source: `
fn tan_f32(x: f32) -> f32 {
	if (is_nan(x) || is_inf(x)) {
		return f32_nan();
	}
	let reduced = reduce_pio2(abs(x));
	let s = sin_reduced(reduced.r);
	let c = cos_reduced(reduced.r);
	// tan(r + pi/2) = -cot(r).
	let y = select(s / c, -c / s, (reduced.q & 1u) == 1u);
	return select(y, -y, x < 0.0);
}`
	}
};
