/**
 * Float32 samplers with torch 1.13's CPU streams: uniform, normal, Bernoulli and dropout, plus the
 * bound of nn.Linear's default weight initialisation. The target is torch on x86-64 with AVX2 and
 * FMA; the portable kernels of other CPUs differ in the last bits of uniform_ and randn.
 */

import { cephesLogFloat32, cephesSinCosFloat32, fma32, sinCosResult } from './float32-math';
import type { Generator } from './generator';

const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
const FLT_MAX = 3.4028234663852886e38;
const TWO_PI_FLOAT32 = Math.fround(2 * Math.PI);

/** Below this many elements (or for non-contiguous tensors) torch samples normals serially. */
export const VECTORISED_NORMAL_MIN = 16;

/** Returns a float32 uniform in [0, 1) from one 32-bit draw: its low 24 bits times 2^-24. */
export function nextUniformFloat32(gen: Generator): number {
	return (gen.nextUint32() & 0xffffff) * TWO_POW_MINUS_24;
}

/** Returns a binary64 uniform in [0, 1) from `random64()`: its low 53 bits times 2^-53. */
export function nextUniformFloat64(gen: Generator): number {
	const high = gen.nextUint32() & 0x1fffff;
	const low = gen.nextUint32();
	return (high * TWO_POW_32 + low) * TWO_POW_MINUS_53;
}

/**
 * Samples n float32 values uniformly from [low, high), one 32-bit draw each, as `torch.rand` and
 * `Tensor.uniform_` on a float32 tensor: u * (high - low) + low in float32 with a fused
 * multiply-add, after rounding both bounds to float32.
 */
export function uniformFloat32(gen: Generator, n: number, low = 0, high = 1): Float32Array {
	checkLength('uniform_', n);
	const from = Math.fround(low);
	const to = Math.fround(high);
	if (!(from <= to)) {
		throw new RangeError(
			`uniform_ expects to return a [from, to) range, but found from=${low} > to=${high}.`
		);
	}
	if (to - from > FLT_MAX) {
		throw new RangeError(
			`uniform_ expects to-from <= float32 max, but found to=${high} and from=${low}. ` +
				`Narrow the range.`
		);
	}

	const out = new Float32Array(n);
	const range = Math.fround(to - from);
	if (from === 0 && range === 1) {
		for (let i = 0; i < n; i++) out[i] = nextUniformFloat32(gen);
	} else {
		for (let i = 0; i < n; i++) out[i] = fma32(nextUniformFloat32(gen), range, from);
	}
	return out;
}

/**
 * Samples n float32 normals, as `torch.randn` and `Tensor.normal_` on a contiguous float32 tensor.
 * From 16 elements up this is torch's vectorised Box-Muller in float32; below 16 it is the serial
 * binary64 path, which uses and refills the generator's cached normal.
 */
export function normalFloat32(gen: Generator, n: number, mean = 0, std = 1): Float32Array {
	checkLength('normal_', n);
	checkStd(std);
	if (n < VECTORISED_NORMAL_MIN) return normalFloat32Serial(gen, n, mean, std);

	// Fill with uniforms, transform each whole block of 16, then redraw the last 16 for a tail.
	const out = new Float32Array(n);
	fillUniformFloat32(gen, out, 0, n);
	const meanFloat32 = Math.fround(mean);
	const stdFloat32 = Math.fround(std);
	for (let offset = 0; offset + 16 <= n; offset += 16) {
		boxMullerBlock(out, offset, stdFloat32, meanFloat32);
	}
	if (n % 16 !== 0) {
		fillUniformFloat32(gen, out, n - 16, n);
		boxMullerBlock(out, n - 16, stdFloat32, meanFloat32);
	}
	return out;
}

/**
 * Samples n float32 normals one at a time in binary64, as torch does below 16 elements and for
 * non-contiguous tensors. Each pair of binary64 uniforms gives two normals; the second waits in
 * `gen.nextDoubleNormalSample` for the next element, even across calls.
 */
export function normalFloat32Serial(gen: Generator, n: number, mean = 0, std = 1): Float32Array {
	checkLength('normal_', n);
	checkStd(std);
	const out = new Float32Array(n);
	// NOTE: whether torch's AVX2 build fuses z * std + mean in binary64 is unverified. Fused and
	// unfused results differ in float32 only when they straddle a float32 rounding boundary.
	for (let i = 0; i < n; i++) out[i] = nextStandardNormalFloat64(gen) * std + mean;
	return out;
}

/** Returns one standard normal from the serial binary64 Box-Muller path, using the cache first. */
export function nextStandardNormalFloat64(gen: Generator): number {
	const cached = gen.nextDoubleNormalSample;
	if (cached !== null) {
		gen.nextDoubleNormalSample = null;
		return cached;
	}

	// The first uniform gives the angle and the second the radius (the reverse of the block path).
	const u1 = nextUniformFloat64(gen);
	const u2 = nextUniformFloat64(gen);
	const radius = Math.sqrt(-2 * Math.log(1 - u2));
	const theta = 2 * Math.PI * u1;
	gen.nextDoubleNormalSample = radius * Math.sin(theta);
	return radius * Math.cos(theta);
}

function fillUniformFloat32(gen: Generator, out: Float32Array, start: number, end: number): void {
	for (let i = start; i < end; i++) out[i] = nextUniformFloat32(gen);
}

/**
 * Turns the 16 uniforms at `offset` into normals in place: element k (the radius) pairs with
 * element k + 8 (the angle), and the pair's cosine and sine normals go back to those positions.
 */
function boxMullerBlock(data: Float32Array, offset: number, std: number, mean: number): void {
	const scaled = std !== 1 || mean !== 0;
	for (let k = offset; k < offset + 8; k++) {
		// 1 - u is exact and in (0, 1], so the logarithm is finite.
		const log = cephesLogFloat32(1 - data[k]);
		const radius = Math.fround(Math.sqrt(-2 * log));
		cephesSinCosFloat32(Math.fround(TWO_PI_FLOAT32 * data[k + 8]));
		const cosNormal = Math.fround(radius * sinCosResult.cos);
		const sinNormal = Math.fround(radius * sinCosResult.sin);
		data[k] = scaled ? fma32(cosNormal, std, mean) : cosNormal;
		data[k + 8] = scaled ? fma32(sinNormal, std, mean) : sinNormal;
	}
}

/**
 * Samples n Bernoulli(p) values as 0/1 float32, as `Tensor.bernoulli_(p)` with a scalar p:
 * 1 when a binary64 uniform (two 32-bit draws) is below p. This is torch's path without MKL;
 * torch wheels built with MKL sample differently on Intel CPUs.
 */
export function bernoulliScalar(gen: Generator, n: number, p: number): Float32Array {
	checkLength('bernoulli_', n);
	if (!(p >= 0 && p <= 1)) {
		throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}.`);
	}
	const out = new Float32Array(n);
	for (let i = 0; i < n; i++) out[i] = nextUniformFloat64(gen) < p ? 1 : 0;
	return out;
}

/**
 * Samples one Bernoulli value per float32 probability, as `torch.bernoulli(probs)`: 1 when a
 * float32 uniform (one 32-bit draw) is below the element's probability.
 */
export function bernoulliFromProbs(gen: Generator, probs: Float32Array): Float32Array {
	checkProbabilities(probs);
	const out = new Float32Array(probs.length);
	for (let i = 0; i < probs.length; i++) out[i] = nextUniformFloat32(gen) < probs[i] ? 1 : 0;
	return out;
}

/**
 * Samples one Bernoulli value per binary64 probability, as `torch.bernoulli(probs)` on a float64
 * tensor: 1 when a binary64 uniform (two 32-bit draws) is below the element's probability.
 */
export function bernoulliFromProbsFloat64(gen: Generator, probs: Float64Array): Float64Array {
	checkProbabilities(probs);
	const out = new Float64Array(probs.length);
	for (let i = 0; i < probs.length; i++) out[i] = nextUniformFloat64(gen) < probs[i] ? 1 : 0;
	return out;
}

function checkProbabilities(probs: Float32Array | Float64Array): void {
	const index = probs.findIndex((p) => !(p >= 0 && p <= 1));
	if (index !== -1) {
		throw new RangeError(
			`bernoulli: every probability must be in [0, 1], but got ${probs[index]} at flat index ${index}.`
		);
	}
}

/**
 * Applies `F.dropout(x, p, training=True)` to float32 values. Each element is kept when a binary64
 * uniform (two draws, the scalar Bernoulli path) is below 1 - p, and is then scaled by
 * float32(1 / float32(1 - p)). Dropped elements become x * 0, which is -0 for negative x and NaN
 * for infinities. p = 0 returns a copy and p = 1 returns x * 0, both without drawing.
 */
export function dropoutFloat32(gen: Generator, x: Float32Array, p: number): Float32Array {
	if (!(p >= 0 && p <= 1)) {
		throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}.`);
	}
	if (p === 0 || x.length === 0) return x.slice();
	if (p === 1) return x.map((value) => value * 0);

	const keep = 1 - p;
	const scale = Math.fround(1 / Math.fround(keep));
	const out = new Float32Array(x.length);
	for (let i = 0; i < x.length; i++) {
		out[i] = nextUniformFloat64(gen) < keep ? x[i] * scale : x[i] * 0;
	}
	return out;
}

/**
 * Returns the bound b of `nn.Linear`'s default weight init, `kaiming_uniform_(w, a=sqrt(5))`,
 * computed in binary64 in torch's order: sqrt(3) * (sqrt(2 / (1 + a^2)) / sqrt(fanIn)). It rounds
 * to the same float32 as 1 / sqrt(fanIn) but is not always the same binary64. torch skips
 * initialising zero-element weights, so fanIn must be positive.
 */
export function kaimingUniformLinearBound(fanIn: number): number {
	if (!Number.isInteger(fanIn) || fanIn <= 0) {
		throw new RangeError(
			`kaimingUniformLinearBound: fanIn must be a positive integer, got ${fanIn}. ` +
				`A zero-element weight draws nothing, so skip its initialisation.`
		);
	}
	const a = Math.sqrt(5);
	const gain = Math.sqrt(2 / (1 + a * a));
	const std = gain / Math.sqrt(fanIn);
	return Math.sqrt(3) * std;
}

function checkLength(op: string, n: number): void {
	if (!Number.isInteger(n) || n < 0) {
		throw new RangeError(`${op}: the number of elements must be a non-negative integer, got ${n}.`);
	}
}

function checkStd(std: number): void {
	if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}.`);
}
