import { describe, expect, test } from 'vitest';
import {
	Generator,
	RNG_STATE_BYTES,
	LEGACY_RNG_STATE_BYTES,
	bernoulliFromProbs,
	bernoulliFromProbsFloat64,
	bernoulliScalar,
	dataLoaderEpochOrder,
	dropoutFloat32,
	fma32,
	kaimingUniformLinearBound,
	normalFloat32,
	randintFloat32,
	randintValues,
	randomInt63,
	randomSplitIndices,
	randpermValues,
	uniformFloat32
} from '../../../src/lib/engine/random';
import rngJson from '../../fixtures/golden/rng.json?raw';
import seedExperimentsJson from '../../fixtures/golden/seed-experiments.json?raw';

type GoldenValue = number | string;
type GoldenTensor = { shape: number[]; dtype: string; data: GoldenValue[] };
type GoldenLinear = { weight: GoldenTensor; bias: GoldenTensor };

type SeedGolden = {
	stream: Record<'randn_16x32' | 'rand_5' | 'randn_3', GoldenTensor> & {
		linear_32_32: GoldenLinear;
	};
	fresh: Record<'randn_16x32' | 'rand_5' | 'randn_3', GoldenTensor> & {
		linear_32_32: GoldenLinear;
	};
	extras: {
		randn_3_then_randn_3: { first: GoldenTensor; second: GoldenTensor };
		cache_across_calls: Record<
			'randn_1_first' | 'randn_16' | 'rand_3' | 'randn_1_last',
			GoldenTensor
		>;
		linear_17_17: GoldenLinear;
		linear_4_3: GoldenLinear;
	} & Record<
		| 'randn_15'
		| 'randn_16'
		| 'randn_17'
		| 'randn_5x17'
		| 'rand_16x32'
		| 'normal_std2_32x32'
		| 'uniform_m05_05_100',
		{ value: GoldenTensor }
	>;
	mt19937_first_u32: number[];
};

type RandintCase = {
	call: string;
	seed: number;
	low: number;
	high: number;
	size: number[];
	u32_draws?: number;
	dtype?: string;
	value: GoldenTensor;
};
type DataLoaderEpoch = {
	batches: number[][];
	order: GoldenTensor;
	base_seed_decimal?: string;
	sampler_seed_decimal?: string;
};
type RngGolden = {
	seeds: Record<'0' | '42', SeedGolden>;
	integers: {
		randint: RandintCase[];
		randint_like: RandintCase[];
		random_int64: { call: string; seed: number; value_decimal: string; u32_draws: number }[];
		stream: Record<
			'randint_0_10_4' | 'rand_3' | 'randint_0_2p40_2' | 'randperm_5' | 'randn_3' | 'randint_0_6_3',
			GoldenTensor
		>;
		randperm: { call: string; seed: number; n: number; u32_draws: number; value: GoldenTensor }[];
		dataloader: {
			call: string;
			n: number;
			batch_size: number;
			epochs: DataLoaderEpoch[];
			default_generator_u32_draws_after: number;
		}[];
		random_split: { call: string; lengths: number[]; subsets: number[][] }[];
		bernoulli: Record<
			string,
			{ call: string; p?: number; probs?: GoldenTensor; value: GoldenTensor }
		>;
		dropout: Record<string, { call: string; p: number; input: GoldenTensor; value: GoldenTensor }>;
		draws_consumed: { call: string; u32_draws: number }[];
	};
};
type SeedExperiments = {
	experiments: {
		id: string;
		config: { seed: number; depth: number; hidden: number; batch: number };
		x: GoldenTensor;
		target: GoldenTensor;
		parameters: { name: string; shape: number[]; init: GoldenTensor }[];
	}[];
};

const rng: RngGolden = JSON.parse(rngJson);
const seedExperiments: SeedExperiments = JSON.parse(seedExperimentsJson);

/** Decodes a golden number, where non-finite values are the strings "NaN", "Infinity", "-Infinity". */
function toNumber(value: GoldenValue): number {
	if (typeof value === 'number') return value;
	if (value === 'NaN') return NaN;
	return value === 'Infinity' ? Infinity : -Infinity;
}

/** Asserts bit-exact float32 equality (Object.is, so -0 and NaN count) and lists the first misses. */
function expectFloat32Exact(actual: ArrayLike<number>, expected: GoldenValue[]): void {
	expect(actual.length).toBe(expected.length);
	const misses: string[] = [];
	let count = 0;
	for (let i = 0; i < expected.length; i++) {
		const want = Math.fround(toNumber(expected[i]));
		if (Object.is(actual[i], want)) continue;
		count++;
		if (misses.length < 8) misses.push(`[${i}] got ${actual[i]}, expected ${want}`);
	}
	expect(misses, `${count} of ${expected.length} values differ`).toEqual([]);
}

function expectIntegersExact(actual: ArrayLike<number>, expected: GoldenValue[]): void {
	expect(Array.from(actual)).toEqual(expected.map(toNumber));
}

/** Asserts that `gen` has made exactly `count` 32-bit draws since `manual_seed(seed)`. */
function expectDrawsUsed(gen: Generator, seed: number, count: number): void {
	const reference = new Generator(seed);
	for (let i = 0; i < count; i++) reference.nextUint32();
	const next = [gen.nextUint32(), gen.nextUint32(), gen.nextUint32()];
	const expected = [reference.nextUint32(), reference.nextUint32(), reference.nextUint32()];
	expect(next, `the next draws after ${count} draws`).toEqual(expected);
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** nn.Linear(inFeatures, outFeatures) default init: weight first, row-major, then bias. */
function linearInit(gen: Generator, inFeatures: number, outFeatures: number) {
	const weightBound = kaimingUniformLinearBound(inFeatures);
	const weight = uniformFloat32(gen, outFeatures * inFeatures, -weightBound, weightBound);
	const biasBound = 1 / Math.sqrt(inFeatures);
	const bias = uniformFloat32(gen, outFeatures, -biasBound, biasBound);
	return { weight, bias };
}

function once<T>(compute: () => T): () => T {
	let value: T | undefined;
	return () => (value ??= compute());
}

describe.each(['0', '42'] as const)('manual_seed(%s)', (seedKey) => {
	const golden = rng.seeds[seedKey];
	const seed = Number(seedKey);

	test('first 16 MT19937 outputs', () => {
		const gen = new Generator(seed);
		const outputs = Array.from({ length: 16 }, () => gen.nextUint32());
		expect(outputs).toEqual(golden.mt19937_first_u32);
	});

	describe('stream: randn(16, 32), rand(5), randn(3), nn.Linear(32, 32)', () => {
		const stream = once(() => {
			const gen = new Generator(seed);
			const randn16x32 = normalFloat32(gen, 512);
			const rand5 = uniformFloat32(gen, 5);
			const randn3 = normalFloat32(gen, 3);
			return { randn16x32, rand5, randn3, linear: linearInit(gen, 32, 32) };
		});

		test('torch.randn(16, 32)', () => {
			expectFloat32Exact(stream().randn16x32, golden.stream.randn_16x32.data);
		});
		test('torch.rand(5)', () => {
			expectFloat32Exact(stream().rand5, golden.stream.rand_5.data);
		});
		test('torch.randn(3)', () => {
			expectFloat32Exact(stream().randn3, golden.stream.randn_3.data);
		});
		test('nn.Linear(32, 32).weight', () => {
			expectFloat32Exact(stream().linear.weight, golden.stream.linear_32_32.weight.data);
		});
		test('nn.Linear(32, 32).bias', () => {
			expectFloat32Exact(stream().linear.bias, golden.stream.linear_32_32.bias.data);
		});
	});

	describe('fresh: each call right after its own seed', () => {
		test('torch.randn(16, 32)', () => {
			expectFloat32Exact(normalFloat32(new Generator(seed), 512), golden.fresh.randn_16x32.data);
		});
		test('torch.rand(5)', () => {
			expectFloat32Exact(uniformFloat32(new Generator(seed), 5), golden.fresh.rand_5.data);
		});
		test('torch.randn(3)', () => {
			expectFloat32Exact(normalFloat32(new Generator(seed), 3), golden.fresh.randn_3.data);
		});
		test('nn.Linear(32, 32)', () => {
			const { weight, bias } = linearInit(new Generator(seed), 32, 32);
			expectFloat32Exact(weight, golden.fresh.linear_32_32.weight.data);
			expectFloat32Exact(bias, golden.fresh.linear_32_32.bias.data);
		});
	});

	describe('extras', () => {
		const extras = golden.extras;

		test('torch.randn(3) twice: the second starts with the cached normal', () => {
			const gen = new Generator(seed);
			expectFloat32Exact(normalFloat32(gen, 3), extras.randn_3_then_randn_3.first.data);
			expectFloat32Exact(normalFloat32(gen, 3), extras.randn_3_then_randn_3.second.data);
		});

		test('torch.randn(1), randn(16), rand(3), randn(1): the cache survives the middle calls', () => {
			const gen = new Generator(seed);
			const calls = extras.cache_across_calls;
			expectFloat32Exact(normalFloat32(gen, 1), calls.randn_1_first.data);
			expectFloat32Exact(normalFloat32(gen, 16), calls.randn_16.data);
			expectFloat32Exact(uniformFloat32(gen, 3), calls.rand_3.data);
			expectFloat32Exact(normalFloat32(gen, 1), calls.randn_1_last.data);
		});

		test.each([
			['torch.randn(15)', 'randn_15', (g: Generator) => normalFloat32(g, 15)],
			['torch.randn(16)', 'randn_16', (g: Generator) => normalFloat32(g, 16)],
			['torch.randn(17)', 'randn_17', (g: Generator) => normalFloat32(g, 17)],
			['torch.randn(5, 17)', 'randn_5x17', (g: Generator) => normalFloat32(g, 85)],
			['torch.rand(16, 32)', 'rand_16x32', (g: Generator) => uniformFloat32(g, 512)],
			[
				'nn.init.normal_(torch.empty(32, 32), std=2.0)',
				'normal_std2_32x32',
				(g: Generator) => normalFloat32(g, 1024, 0, 2)
			],
			[
				'torch.empty(100).uniform_(-0.5, 0.5)',
				'uniform_m05_05_100',
				(g: Generator) => uniformFloat32(g, 100, -0.5, 0.5)
			]
		] as const)('%s', (_call, key, sample) => {
			expectFloat32Exact(sample(new Generator(seed)), extras[key].value.data);
		});

		test.each([
			['nn.Linear(17, 17)', 'linear_17_17', 17, 17],
			['nn.Linear(4, 3)', 'linear_4_3', 4, 3]
		] as const)('%s', (_call, key, inFeatures, outFeatures) => {
			const { weight, bias } = linearInit(new Generator(seed), inFeatures, outFeatures);
			expectFloat32Exact(weight, extras[key].weight.data);
			expectFloat32Exact(bias, extras[key].bias.data);
		});

		test('torch.randn(16) is not torch.randn(15) plus one value', () => {
			const randn15 = normalFloat32(new Generator(seed), 15);
			const randn16 = normalFloat32(new Generator(seed), 16);
			expectFloat32Exact(randn15, extras.randn_15.value.data);
			expectFloat32Exact(randn16, extras.randn_16.value.data);

			const golden16Prefix = extras.randn_16.value.data.slice(0, 15).map(toNumber);
			expect(golden16Prefix).not.toEqual(extras.randn_15.value.data.map(toNumber));
			expect(Array.from(randn16.subarray(0, 15))).not.toEqual(Array.from(randn15));
		});
	});
});

describe('Generator', () => {
	const firstOutputs = (gen: Generator, count = 16) =>
		Array.from({ length: count }, () => gen.nextUint32());

	test('manual_seed(2**32 + 7) seeds like 7 but keeps the 64-bit seed', () => {
		const gen = new Generator().manual_seed(2 ** 32 + 7);
		expect(gen.initial_seed()).toBe(2n ** 32n + 7n);
		expect(firstOutputs(gen)).toEqual(firstOutputs(new Generator(7)));
	});

	test('manual_seed(2n ** 63n + 42n) seeds like 42', () => {
		const gen = new Generator(2n ** 63n + 42n);
		expect(gen.initial_seed()).toBe(2n ** 63n + 42n);
		expect(firstOutputs(gen)).toEqual(rng.seeds['42'].mt19937_first_u32);
	});

	test('manual_seed(-1) wraps to 2**64 - 1', () => {
		const gen = new Generator(-1);
		expect(gen.initial_seed()).toBe(2n ** 64n - 1n);
		expect(firstOutputs(gen)).toEqual(firstOutputs(new Generator(2 ** 32 - 1)));
	});

	test('manual_seed(-(2n ** 32n)) seeds like 0', () => {
		const gen = new Generator(-(2n ** 32n));
		expect(gen.initial_seed()).toBe(2n ** 64n - 2n ** 32n);
		expect(firstOutputs(gen)).toEqual(rng.seeds['0'].mt19937_first_u32);
	});

	test('manual_seed rejects seeds outside [-2^63, 2^64)', () => {
		expect(() => new Generator(2n ** 64n)).toThrow(/Overflow.*2\^64/);
		expect(() => new Generator(-(2n ** 63n) - 1n)).toThrow(/Overflow/);
		expect(() => new Generator(NaN)).toThrow(/finite integer, got NaN/);
	});

	test('manual_seed(0.9) truncates like int() in torch.manual_seed', () => {
		expect(firstOutputs(new Generator(0.9))).toEqual(rng.seeds['0'].mt19937_first_u32);
	});

	test('new Generator() uses torch.Generator() default seed 67280421310721', () => {
		expect(new Generator().initial_seed()).toBe(67280421310721n);
	});

	test('nextUint64 puts the first draw in the high word', () => {
		const [first, second] = rng.seeds['0'].mt19937_first_u32;
		expect(new Generator(0).nextUint64()).toBe((BigInt(first) << 32n) | BigInt(second));
	});

	test('draws past 624 continue the MT19937 stream', () => {
		// 10000th output of std::mt19937 with its default seed 5489 (C++11 [rand.predef]).
		const gen = new Generator(5489);
		for (let i = 0; i < 9999; i++) gen.nextUint32();
		expect(gen.nextUint32()).toBe(4123659995);
	});

	test('seed() reseeds non-deterministically and returns the seed', () => {
		const gen = new Generator(0);
		const seed = gen.seed();
		expect(typeof seed).toBe('bigint');
		expect(gen.initial_seed()).toBe(seed);
		expect(firstOutputs(gen)).toEqual(firstOutputs(new Generator(seed)));
	});

	test('manual_seed clears the cached normal', () => {
		const extras = rng.seeds['0'].extras.randn_3_then_randn_3;
		const gen = new Generator(0);
		normalFloat32(gen, 3);
		expect(gen.nextDoubleNormalSample).not.toBeNull();
		gen.manual_seed(0);
		expectFloat32Exact(normalFloat32(gen, 3), extras.first.data);
	});

	test('get_state has torch.get_rng_state() size and layout', () => {
		const gen = new Generator(2n ** 40n + 5n);
		const [first] = firstOutputs(gen, 1);
		const state = gen.get_state();
		const view = new DataView(state.buffer);
		expect(state.length).toBe(RNG_STATE_BYTES);
		expect(view.getBigUint64(0, true)).toBe(2n ** 40n + 5n);
		expect(view.getInt32(8, true)).toBe(624);
		expect(view.getInt32(12, true)).toBe(1);
		expect(view.getBigUint64(16, true)).toBe(1n);
		expect(first).toBe(firstOutputs(new Generator(5), 1)[0]);
	});

	test('set_state(get_state()) restores the twister and the cached normal', () => {
		const golden = rng.seeds['0'].extras.randn_3_then_randn_3;
		const gen = new Generator(0);
		expectFloat32Exact(normalFloat32(gen, 3), golden.first.data);
		const state = gen.get_state();

		expectFloat32Exact(normalFloat32(gen, 3), golden.second.data);
		gen.set_state(state);
		expectFloat32Exact(normalFloat32(gen, 3), golden.second.data);

		const other = new Generator(123);
		other.set_state(state);
		expect(other.initial_seed()).toBe(0n);
		expectFloat32Exact(normalFloat32(other, 3), golden.second.data);
	});

	test('set_state restores a position in the middle of a regenerated block', () => {
		const gen = new Generator(42);
		for (let i = 0; i < 1000; i++) gen.nextUint32();
		const state = gen.get_state();
		const expected = [...firstOutputs(gen, 700), ...normalFloat32(gen, 40)];
		gen.set_state(state);
		expect([...firstOutputs(gen, 700), ...normalFloat32(gen, 40)]).toEqual(expected);
	});

	test('set_state reads the legacy 5048-byte layout', () => {
		const legacy = new Generator(0).get_state().slice(0, LEGACY_RNG_STATE_BYTES);
		const view = new DataView(legacy.buffer);
		view.setFloat64(5016, 0.25, true);
		view.setFloat64(5032, 1.5, true);
		view.setInt32(5040, 1, true);
		const gen = new Generator(7);
		gen.set_state(legacy);

		// The legacy cache is rebuilt as rho * sin(2 pi x) = 1.5 * sin(pi / 2).
		expect(Array.from(normalFloat32(gen, 1))).toEqual([1.5]);
		expectFloat32Exact(normalFloat32(gen, 3), rng.seeds['0'].fresh.randn_3.data);
	});

	test('set_state rejects a state of the wrong size', () => {
		expect(() => new Generator(0).set_state(new Uint8Array(100))).toThrow(/5056.*size to be 100/);
	});

	test('set_state rejects an invalid twister position', () => {
		const state = new Generator(0).get_state();
		new DataView(state.buffer).setInt32(8, 0, true);
		expect(() => new Generator(0).set_state(state)).toThrow(/Invalid mt19937 state.*left=0/);
	});
});

describe('fma32', () => {
	const FLOAT32_QUANTUM = 2 ** 149;

	/** Rounds n * 2^exponent to float32, ties to even, from exact integers. */
	function roundScaledToFloat32(n: bigint, exponent: number): number {
		const negative = n < 0n;
		const magnitude = negative ? -n : n;
		const top = magnitude.toString(2).length - 1 + exponent;
		const quantumExponent = Math.max(top - 23, -149);
		const shift = BigInt(quantumExponent - exponent);
		let quotient = magnitude >> shift;
		const remainder = magnitude - (quotient << shift);
		const half = 1n << (shift - 1n);
		if (remainder > half || (remainder === half && (quotient & 1n) === 1n)) quotient += 1n;
		const rounded = Number(quotient) * 2 ** quantumExponent;
		const value = rounded >= 2 ** 128 ? Infinity : rounded;
		return negative ? -value : value;
	}

	/** float32(a * b + c) rounded once, computed with BigInt from the exact value. */
	function fmaReference(a: number, b: number, c: number): number {
		const scaled = (x: number) => BigInt(x * FLOAT32_QUANTUM);
		const exact = scaled(a) * scaled(b) + scaled(c) * BigInt(FLOAT32_QUANTUM);
		if (exact === 0n) return a * b + c;
		return roundScaledToFloat32(exact, -298);
	}

	const bits = new Int32Array(1);
	const float = new Float32Array(bits.buffer);
	function float32FromParts(sign: number, exponentField: number, mantissa: number): number {
		bits[0] = (sign << 31) | (exponentField << 23) | (mantissa & 0x7fffff);
		return float[0];
	}

	/** Midpoint cases: c plus (or minus) just under half an ulp of c, which binary64 rounds to the midpoint. */
	function midpointCases(gen: Generator, count: number): [number, number, number][] {
		const cases: [number, number, number][] = [];
		for (let i = 0; i < count; i++) {
			const exponentField = 40 + (gen.nextUint32() % 170);
			const c = float32FromParts(gen.nextUint32() & 1, exponentField, gen.nextUint32());
			const halfUlp = 2 ** (exponentField - 127 - 24);
			const a = Math.fround(halfUlp * (1 + 2 ** -23));
			const b = gen.nextUint32() & 1 ? 1 - 2 ** -23 : -(1 - 2 ** -23);
			cases.push([a, b, c]);
		}
		return cases;
	}

	function randomCases(gen: Generator, count: number): [number, number, number][] {
		const cases: [number, number, number][] = [];
		for (let i = 0; i < count; i++) {
			const draw = () => gen.nextUint32();
			const a = float32FromParts(draw() & 1, draw() % 200, draw());
			const b = float32FromParts(draw() & 1, 97 + (draw() % 60), draw());
			// c near a * b, so the sum rounds in interesting places, with some exact cancellations.
			const product = Math.fround(a * b);
			const c =
				draw() % 8 === 0
					? -product
					: Math.fround(product * float32FromParts(draw() & 1, 100 + (draw() % 54), draw()));
			cases.push([a, b, c]);
		}
		return cases;
	}

	test('fma32 matches an exact BigInt reference on 20000 random triples', () => {
		const misses = randomCases(new Generator(1), 20000)
			.filter(([a, b, c]) => !Object.is(fma32(a, b, c), fmaReference(a, b, c)))
			.slice(0, 5);
		expect(misses).toEqual([]);
	});

	test('fma32 rounds sums that binary64 puts on a float32 midpoint', () => {
		const cases = midpointCases(new Generator(2), 2000);
		const naiveMisses = cases.filter(
			([a, b, c]) => Math.fround(a * b + c) !== fmaReference(a, b, c)
		);
		expect(naiveMisses.length, 'cases where binary64-then-float32 rounds twice').toBeGreaterThan(
			500
		);

		const misses = cases.filter(([a, b, c]) => !Object.is(fma32(a, b, c), fmaReference(a, b, c)));
		expect(misses.slice(0, 5)).toEqual([]);
	});

	test('fma32 rounds subnormal midpoints', () => {
		const gen = new Generator(3);
		const a = Math.fround(2 ** -126 * (1 + 2 ** -23));
		const b = Math.fround(2 ** -24 * (1 - 2 ** -23));
		const cases: [number, number, number][] = [];
		for (let i = 0; i < 500; i++) {
			const c = (gen.nextUint32() % 2 ** 23) * 2 ** -149;
			cases.push([a, b, c], [-a, b, c], [a, b, -c]);
		}
		const naiveMisses = cases.filter(
			([x, y, z]) => Math.fround(x * y + z) !== fmaReference(x, y, z)
		);
		expect(naiveMisses.length, 'cases where binary64-then-float32 rounds twice').toBeGreaterThan(
			100
		);

		const misses = cases.filter(([x, y, z]) => !Object.is(fma32(x, y, z), fmaReference(x, y, z)));
		expect(misses.slice(0, 5)).toEqual([]);
	});

	test('fma32 keeps FLT_MAX when the sum falls just short of the overflow midpoint', () => {
		const fltMax = Math.fround(3.4028234663852886e38);
		const a = Math.fround(2 ** 103 * (1 + 2 ** -23));
		const b = 1 - 2 ** -23;
		expect(Math.fround(a * b + fltMax)).toBe(Infinity);
		expect(fma32(a, b, fltMax)).toBe(fltMax);
		expect(fma32(-a, b, -fltMax)).toBe(-fltMax);
		expect(fma32(a, -b, -fltMax)).toBe(fmaReference(a, -b, -fltMax));
	});

	test('fma32 passes NaN and infinities through', () => {
		expect(fma32(NaN, 1, 0)).toBeNaN();
		expect(fma32(Infinity, 1, 0)).toBe(Infinity);
		expect(fma32(Infinity, 0, 1)).toBeNaN();
		expect(fma32(1, 1, -Infinity)).toBe(-Infinity);
	});
});

describe('integers', () => {
	const integers = rng.integers;

	test.each(integers.randint)('$call', (entry) => {
		const gen = new Generator(entry.seed);
		const values = randintValues(gen, entry.low, entry.high, product(entry.size));
		expectIntegersExact(values, entry.value.data);
		expectDrawsUsed(gen, entry.seed, entry.u32_draws ?? NaN);
	});

	test.each(integers.randint_like)('$call', (entry) => {
		const gen = new Generator(entry.seed);
		const n = product(entry.size);
		if (entry.dtype === 'float32') {
			expectFloat32Exact(randintFloat32(gen, entry.low, entry.high, n), entry.value.data);
		} else {
			expectIntegersExact(randintValues(gen, entry.low, entry.high, n), entry.value.data);
		}
	});

	test.each(integers.random_int64)('$call', (entry) => {
		const gen = new Generator(entry.seed);
		expect(randomInt63(gen)).toBe(BigInt(entry.value_decimal));
		expectDrawsUsed(gen, entry.seed, entry.u32_draws);
	});

	test('torch.manual_seed(0); randint, rand, randint, randperm, randn, randint on one stream', () => {
		const stream = integers.stream;
		const gen = new Generator(0);
		expectIntegersExact(randintValues(gen, 0, 10, 4), stream.randint_0_10_4.data);
		expectFloat32Exact(uniformFloat32(gen, 3), stream.rand_3.data);
		expectIntegersExact(randintValues(gen, 0, 2 ** 40, 2), stream.randint_0_2p40_2.data);
		expectIntegersExact(randpermValues(gen, 5), stream.randperm_5.data);
		expectFloat32Exact(normalFloat32(gen, 3), stream.randn_3.data);
		expectIntegersExact(randintValues(gen, 0, 6, 3), stream.randint_0_6_3.data);
	});

	test.each(integers.randperm)('$call', (entry) => {
		const gen = new Generator(entry.seed);
		expectIntegersExact(randpermValues(gen, entry.n), entry.value.data);
		expectDrawsUsed(gen, entry.seed, entry.u32_draws);
	});

	/** DataLoader(shuffle=False) still draws its base seed each epoch, then keeps the order. */
	function unshuffledEpochOrder(gen: Generator, n: number): Float64Array {
		randomInt63(gen);
		return Float64Array.from({ length: n }, (_, i) => i);
	}

	test.each(integers.dataloader)('$call', (entry) => {
		const gen = new Generator(0);
		const shuffled = !entry.call.includes('shuffle=False');
		const shared = entry.call.includes('generator=torch.Generator().manual_seed(0)')
			? new Generator(0)
			: undefined;

		// The seeds drawn from the default generator: per epoch a base seed, then (when shuffling
		// without a generator) the sampler's seed.
		const seedStream = new Generator(0);
		for (const epoch of entry.epochs) {
			if (epoch.base_seed_decimal) {
				expect(randomInt63(seedStream)).toBe(BigInt(epoch.base_seed_decimal));
			}
			if (epoch.sampler_seed_decimal) {
				expect(randomInt63(seedStream)).toBe(BigInt(epoch.sampler_seed_decimal));
			}
		}

		for (const epoch of entry.epochs) {
			const order = shuffled
				? dataLoaderEpochOrder(gen, entry.n, { generator: shared })
				: unshuffledEpochOrder(gen, entry.n);
			expectIntegersExact(order, epoch.order.data);
			const batches = [];
			for (let i = 0; i < order.length; i += entry.batch_size) {
				batches.push(Array.from(order.subarray(i, i + entry.batch_size)));
			}
			expect(batches).toEqual(epoch.batches);
		}
		expectDrawsUsed(gen, 0, entry.default_generator_u32_draws_after);
	});

	test.each(integers.random_split)('$call', (entry) => {
		const match = /random_split\(range\((\d+)\), \[([^\]]+)\]/.exec(entry.call);
		expect(match, 'call has the form random_split(range(n), [lengths])').not.toBeNull();
		const n = Number(match![1]);
		const lengths = match![2].split(',').map(Number);
		const seed = entry.call.includes('manual_seed(42)') ? 42 : 0;
		expect(randomSplitIndices(new Generator(seed), n, lengths)).toEqual(entry.subsets);
	});

	describe('bernoulli', () => {
		const bernoulli = integers.bernoulli;

		const scalarCases = ['bernoulli__p0.5', 'bernoulli__p0.3', 'bernoulli_fn_p0.5'].map(
			(key) => bernoulli[key]
		);

		test.each(scalarCases)('$call', (entry) => {
			const values = bernoulliScalar(new Generator(0), 32, entry.p!);
			expectFloat32Exact(values, entry.value.data);
		});

		test(bernoulli.bernoulli_probs_f32.call, () => {
			const entry = bernoulli.bernoulli_probs_f32;
			const probs = Float32Array.from(entry.probs!.data, toNumber);
			expectFloat32Exact(bernoulliFromProbs(new Generator(0), probs), entry.value.data);
		});

		test(bernoulli.bernoulli_probs_f64.call, () => {
			const entry = bernoulli.bernoulli_probs_f64;
			const probs = Float64Array.from(entry.probs!.data, (v) => Math.fround(toNumber(v)));
			expectFloat32Exact(bernoulliFromProbsFloat64(new Generator(0), probs), entry.value.data);
		});
	});

	describe('dropout', () => {
		test.each(Object.values(integers.dropout))('$call', (entry) => {
			const gen = new Generator(0);
			const input = entry.call.includes('torch.randn(4, 8)')
				? normalFloat32(gen, 32)
				: Float32Array.from(entry.input.data, toNumber);
			expectFloat32Exact(input, entry.input.data);
			expectFloat32Exact(dropoutFloat32(gen, input, entry.p), entry.value.data);
		});

		test('F.dropout(x, 1.0) gives -0 for negatives and NaN for infinities', () => {
			const x = Float32Array.of(2, -3, Infinity, -0);
			expect(Array.from(dropoutFloat32(new Generator(0), x, 1))).toEqual([0, -0, NaN, -0]);
		});
	});

	describe('draws consumed', () => {
		const ones = () => new Float32Array(32).fill(1);
		const consumers: Record<string, (gen: Generator) => unknown> = {
			'torch.randperm(1)': (gen) => randpermValues(gen, 1),
			'torch.randperm(5)': (gen) => randpermValues(gen, 5),
			'torch.randint(0, 10, (5,))': (gen) => randintValues(gen, 0, 10, 5),
			'torch.randint(0, 2**32, (5,))': (gen) => randintValues(gen, 0, 2 ** 32, 5),
			'torch.empty(4, 8).bernoulli_(0.5)': (gen) => bernoulliScalar(gen, 32, 0.5),
			'torch.bernoulli(torch.full((4, 8), 0.5))': (gen) =>
				bernoulliFromProbs(gen, new Float32Array(32).fill(0.5)),
			'torch.bernoulli(torch.full((4, 8), 0.5, dtype=torch.float64))': (gen) =>
				bernoulliFromProbsFloat64(gen, new Float64Array(32).fill(0.5)),
			'F.dropout(torch.ones(4, 8), 0.5, True)': (gen) => dropoutFloat32(gen, ones(), 0.5),
			'F.dropout(torch.ones(4, 8), 1.0, True)': (gen) => dropoutFloat32(gen, ones(), 1),
			'F.dropout(torch.ones(4, 8), 0.0, True)': (gen) => dropoutFloat32(gen, ones(), 0),
			'torch.empty((), dtype=torch.int64).random_()': (gen) => randomInt63(gen),
			'random_split(range(10), [8, 2])': (gen) => randomSplitIndices(gen, 10, [8, 2])
		};
		// Eval-mode dropout (training=False) returns its input before reaching these samplers.
		const entries = integers.draws_consumed.filter((entry) => !entry.call.endsWith('False)'));

		test.each(entries)('$call uses $u32_draws draws', (entry) => {
			const consume = consumers[entry.call];
			expect(consume, `an engine call for ${entry.call}`).toBeDefined();
			const gen = new Generator(0);
			consume(gen);
			expectDrawsUsed(gen, 0, entry.u32_draws);
		});
	});
});

describe('deep_sigmoid initial stream (seed-experiments.json)', () => {
	const experiment = seedExperiments.experiments.find((e) => e.id === 'deep_sigmoid')!;
	const { seed, depth, hidden, batch } = experiment.config;

	const stream = once(() => {
		const gen = new Generator(seed);
		const parameters = new Map<string, Float32Array>();
		for (let layer = 0; layer < depth; layer++) {
			const { weight, bias } = linearInit(gen, hidden, hidden);
			parameters.set(`layers.${layer}.weight`, weight);
			parameters.set(`layers.${layer}.bias`, bias);
		}
		const x = normalFloat32(gen, batch * hidden);
		const target = normalFloat32(gen, batch * hidden);
		return { parameters, x, target };
	});

	test('has one weight and one bias per layer', () => {
		expect(experiment.parameters.map((p) => p.name)).toEqual([...stream().parameters.keys()]);
	});

	test.each(experiment.parameters)('$name init', (parameter) => {
		expectFloat32Exact(stream().parameters.get(parameter.name)!, parameter.init.data);
	});

	test('x = torch.randn(16, 32)', () => {
		expectFloat32Exact(stream().x, experiment.x.data);
	});

	test('target = torch.randn(16, 32)', () => {
		expectFloat32Exact(stream().target, experiment.target.data);
	});
});

describe('argument checks', () => {
	const gen = new Generator(0);

	test('uniformFloat32 rejects low > high', () => {
		expect(() => uniformFloat32(gen, 3, 2, 1)).toThrow(/from=2 > to=1/);
	});

	test('normalFloat32 rejects a negative std', () => {
		expect(() => normalFloat32(gen, 20, 0, -1)).toThrow(/std >= 0.0, but found std -1/);
	});

	test('randintValues rejects low >= high', () => {
		expect(() => randintValues(gen, 5, 5, 2)).toThrow(/from=5 >= to=5/);
	});

	test('bernoulliScalar rejects p outside [0, 1]', () => {
		expect(() => bernoulliScalar(gen, 2, 1.5)).toThrow(/got p=1.5/);
	});

	test('bernoulliFromProbs names the bad probability', () => {
		expect(() => bernoulliFromProbs(gen, Float32Array.of(0.5, -1))).toThrow(/-1 at flat index 1/);
	});

	test('dropoutFloat32 rejects p outside [0, 1]', () => {
		expect(() => dropoutFloat32(gen, Float32Array.of(1), 2)).toThrow(/between 0 and 1, but got 2/);
	});

	test('randomSplitIndices rejects lengths that miss the dataset size', () => {
		expect(() => randomSplitIndices(gen, 10, [3, 3])).toThrow(/summing to 6 for 10 items/);
	});

	test('kaimingUniformLinearBound rejects fanIn 0', () => {
		expect(() => kaimingUniformLinearBound(0)).toThrow(/positive integer, got 0/);
	});
});
