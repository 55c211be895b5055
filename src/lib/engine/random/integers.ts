/**
 * Integer draws with torch 1.13's CPU streams: randint, int64 random_(), randperm, and the
 * permutations that DataLoader(shuffle=True) and random_split build from them. int64 results
 * come back as JS numbers, so values beyond 2^53 are rounded to the nearest binary64.
 */

import { Generator } from './generator';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const INT63_MASK = (1n << 63n) - 1n;

/**
 * Samples n integers uniformly from [low, high), as int64 `torch.randint(low, high, size)`:
 * `(draw mod (high - low)) + low` without correcting the modulo bias, with one 32-bit draw per
 * element when the range is below 2^32 and one `random64()` otherwise.
 */
export function randintValues(gen: Generator, low: number, high: number, n: number): Float64Array {
	checkLength('randint', n);
	const from = toInt64('randint', 'low', low);
	const to = toInt64('randint', 'high', high);
	checkOrder(from, to);

	const out = new Float64Array(n);
	const range = to - from;
	if (range < 1n << 32n) {
		const rangeNumber = Number(range);
		for (let i = 0; i < n; i++) out[i] = (gen.nextUint32() % rangeNumber) + low;
	} else {
		for (let i = 0; i < n; i++) out[i] = Number((gen.nextUint64() % range) + from);
	}
	return out;
}

/**
 * Samples n integers from [low, high) into float32, as `torch.randint_like` of a float32 tensor.
 * Bounds that float32 cannot hold are first pulled inwards as torch does: if float32(high - 1)
 * reaches high, high becomes that value minus 2^(k - 23) with k = floor(log2 |high - 1|), and
 * low likewise. So `randintFloat32(g, 0, 2 ** 25, n)` draws modulo 2^25 - 2, not 2^25.
 */
export function randintFloat32(gen: Generator, low: number, high: number, n: number): Float32Array {
	checkLength('randint_like', n);
	let from = toInt64('randint_like', 'low', low);
	let to = toInt64('randint_like', 'high', high);
	checkOrder(from, to);

	from = adjustLowForFloat32(from);
	to = adjustHighForFloat32(to);
	if (from >= to) {
		throw new RangeError(
			`random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, ` +
				`but got from=${from} >= to=${to}. Widen the range.`
		);
	}

	const out = new Float32Array(n);
	const range = to - from;
	for (let i = 0; i < n; i++) {
		const draw = range < 1n << 32n ? BigInt(gen.nextUint32()) : gen.nextUint64();
		out[i] = int64ToFloat32((draw % range) + from);
	}
	return out;
}

/** Returns a value in [0, 2^63) from one `random64()` with its top bit cleared, as int64 `random_()`. */
export function randomInt63(gen: Generator): bigint {
	return gen.nextUint64() & INT63_MASK;
}

/**
 * Returns a permutation of 0..n-1, as `torch.randperm(n)` on the CPU: starting from the identity,
 * for i = 0..n-2 swap position i with i + (draw mod (n - i)). Uses n - 1 draws.
 */
export function randpermValues(gen: Generator, n: number): Float64Array {
	checkLength('randperm', n);
	const out = new Float64Array(n);
	for (let i = 0; i < n; i++) out[i] = i;
	for (let i = 0; i < n - 1; i++) {
		const j = i + (gen.nextUint32() % (n - i));
		const saved = out[i];
		out[i] = out[j];
		out[j] = saved;
	}
	return out;
}

/**
 * Returns the sample order of one full epoch of `DataLoader(dataset, shuffle=True)` over n
 * samples with `num_workers=0`. Without `opts.generator` it takes four draws from `gen`: the
 * loader's `_base_seed`, then the seed of a private generator whose `randperm(n)` is the order.
 * With `opts.generator` it draws from that generator only: the base seed, the order, and the
 * extra permutation that RandomSampler computes and discards when the epoch ends.
 */
export function dataLoaderEpochOrder(
	gen: Generator,
	n: number,
	opts: { generator?: Generator } = {}
): Float64Array {
	if (!Number.isInteger(n) || n <= 0) {
		throw new RangeError(
			`RandomSampler: num_samples should be a positive integer value, but got num_samples=${n}.`
		);
	}

	const shared = opts.generator;
	randomInt63(shared ?? gen);
	const sampler = shared ?? new Generator(randomInt63(gen));
	const order = randpermValues(sampler, n);
	for (let i = 0; i < n - 1; i++) sampler.nextUint32();
	return order;
}

/**
 * Splits the indices 0..n-1 at random, as `torch.utils.data.random_split(range(n), lengths)`:
 * one `randperm(n)`, then consecutive slices. Fractions that sum to 1 become floor(n * f) each,
 * and the leftover indices go one at a time to the subsets in order, starting with the first.
 */
export function randomSplitIndices(gen: Generator, n: number, lengths: number[]): number[][] {
	checkLength('random_split', n);
	const counts = splitCounts(n, lengths);
	const order = randpermValues(gen, n);
	const subsets: number[][] = [];
	let offset = 0;
	for (const count of counts) {
		subsets.push(Array.from(order.subarray(offset, offset + count)));
		offset += count;
	}
	return subsets;
}

function splitCounts(n: number, lengths: number[]): number[] {
	const total = lengths.reduce((sum, length) => sum + length, 0);
	const isFractions = Math.abs(total - 1) <= 1e-9 * Math.max(1, Math.abs(total)) && total <= 1;
	let counts = lengths;
	if (isFractions) {
		counts = lengths.map((fraction, i) => {
			if (!(fraction >= 0 && fraction <= 1)) {
				throw new RangeError(`random_split: Fraction at index ${i} is not between 0 and 1.`);
			}
			return Math.floor(n * fraction);
		});
		const remainder = n - counts.reduce((sum, count) => sum + count, 0);
		for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
	}

	const badIndex = counts.findIndex((count) => !Number.isInteger(count) || count < 0);
	if (badIndex !== -1) {
		throw new RangeError(
			`random_split: lengths must be non-negative integers or fractions summing to 1, ` +
				`got ${lengths[badIndex]} at index ${badIndex}.`
		);
	}
	const sum = counts.reduce((a, b) => a + b, 0);
	if (sum !== n) {
		throw new RangeError(
			`random_split: Sum of input lengths does not equal the length of the input dataset! ` +
				`Got lengths [${lengths}] summing to ${sum} for ${n} items.`
		);
	}
	return counts;
}

function adjustLowForFloat32(low: bigint): bigint {
	const lowPlusOne = float32ToInt64(int64ToFloat32(low + 1n));
	if (lowPlusOne >= low) return low;
	return lowPlusOne + (1n << BigInt(floorLog2(abs(low + 1n)) - 23));
}

function adjustHighForFloat32(high: bigint): bigint {
	const highMinusOne = float32ToInt64(int64ToFloat32(high - 1n));
	if (highMinusOne < high) return high;
	return highMinusOne - (1n << BigInt(floorLog2(abs(high - 1n)) - 23));
}

/** Rounds an integer to the nearest float32 (ties to even) with a single rounding. */
function int64ToFloat32(value: bigint): number {
	const magnitude = abs(value);
	const excessBits = floorLog2(magnitude) - 52;
	if (excessBits <= 0) return Math.fround(Number(value));

	// Fold the dropped bits into a sticky bit so the binary64 step cannot round a second time.
	const highBits = magnitude >> BigInt(excessBits);
	const sticky = magnitude & ((1n << BigInt(excessBits)) - 1n) ? 1n : 0n;
	const rounded = Math.fround(Number(highBits | sticky) * 2 ** excessBits);
	return value < 0n ? -rounded : rounded;
}

/** Converts a float32 integer value to int64 the way x86's cvttss2si does (2^63 and up wrap to INT64_MIN). */
function float32ToInt64(value: number): bigint {
	return value >= 2 ** 63 ? INT64_MIN : BigInt(value);
}

function floorLog2(value: bigint): number {
	return value === 0n ? -1 : value.toString(2).length - 1;
}

function abs(value: bigint): bigint {
	return value < 0n ? -value : value;
}

function toInt64(op: string, name: string, value: number): bigint {
	if (!Number.isInteger(value)) {
		throw new RangeError(`${op}: ${name} must be an integer, got ${value}.`);
	}
	const integer = BigInt(value);
	if (integer < INT64_MIN || integer > INT64_MAX) {
		throw new RangeError(`${op}: ${name} must fit in int64, got ${value}.`);
	}
	return integer;
}

function checkOrder(from: bigint, to: bigint): void {
	if (from >= to) {
		throw new RangeError(
			`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}.`
		);
	}
}

function checkLength(op: string, n: number): void {
	if (!Number.isInteger(n) || n < 0) {
		throw new RangeError(`${op}: the number of elements must be a non-negative integer, got ${n}.`);
	}
}
