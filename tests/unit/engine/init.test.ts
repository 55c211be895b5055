import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import type { Tensor } from '../../../src/lib/engine/tensor';
import type { Nonlinearity } from '../../../src/lib/engine/init';

const { nn } = torch;
const { init } = nn;

interface Measured {
	n: number;
	mean: number;
	std: number;
	min: number;
	max: number;
	kurtosis: number;
}
interface GoldenInit {
	name: string;
	call: string;
	shape: number[];
	fan_in: number;
	fan_out: number;
	distribution: 'uniform' | 'normal';
	bound?: number;
	expected_std: number;
	measured: Measured;
	std_rel_standard_error: number;
	seed: number;
	float32_bounds?: [number, number];
}
const golden = JSON.parse(
	readFileSync(new URL('../../fixtures/golden/init.json', import.meta.url), 'utf8')
) as {
	initializers: GoldenInit[];
	gains: Record<string, number>;
	deterministic_inits: Record<string, Record<string, number>>;
};

/** Draws the tensor an init.json entry describes, right after torch.manual_seed(seed). */
function draw(entry: GoldenInit): Tensor {
	torch.manual_seed(entry.seed);
	const [rows, cols] = entry.shape;
	const [out, inFeatures] = entry.name.startsWith('linear_default')
		? [entry.fan_out, entry.fan_in]
		: [rows, cols];
	switch (entry.name) {
		case 'linear_default_weight':
			return new nn.Linear(inFeatures, out).weight;
		case 'linear_default_bias':
			return new nn.Linear(inFeatures, out).bias as Tensor;
		case 'xavier_uniform':
			return init.xavier_uniform_(torch.empty(rows, cols));
		case 'xavier_normal':
			return init.xavier_normal_(torch.empty(rows, cols));
		case 'kaiming_uniform_relu':
			return init.kaiming_uniform_(torch.empty(rows, cols), {
				mode: 'fan_in',
				nonlinearity: 'relu'
			});
		case 'kaiming_normal_relu':
			return init.kaiming_normal_(torch.empty(rows, cols), {
				mode: 'fan_in',
				nonlinearity: 'relu'
			});
		case 'normal_std2':
			return init.normal_(torch.empty(rows, cols), { std: 2.0 });
	}
	throw new Error(`no draw for init entry ${entry.name}`);
}

function statistics(values: ArrayLike<number>): Measured {
	const n = values.length;
	let sum = 0;
	let min = Infinity;
	let max = -Infinity;
	for (let i = 0; i < n; i++) {
		sum += values[i];
		min = Math.min(min, values[i]);
		max = Math.max(max, values[i]);
	}
	const mean = sum / n;
	let m2 = 0;
	let m4 = 0;
	for (let i = 0; i < n; i++) {
		const d = values[i] - mean;
		m2 += d * d;
		m4 += d * d * d * d;
	}
	const variance = m2 / n;
	return { n, mean, std: Math.sqrt(variance), min, max, kurtosis: m4 / n / (variance * variance) };
}

describe('init.json initialisers', () => {
	for (const entry of golden.initializers) {
		test(`${entry.call} passes the statistical acceptance rules`, async () => {
			const stats = statistics(await draw(entry).array());
			const n = stats.n;
			expect(n).toBe(entry.measured.n);
			expect(Math.abs(stats.std / entry.expected_std - 1)).toBeLessThan(
				6 * entry.std_rel_standard_error
			);
			expect(Math.abs(stats.mean)).toBeLessThan((6 * entry.expected_std) / Math.sqrt(n));
			if (n >= 100000) {
				const theory = entry.distribution === 'uniform' ? 1.8 : 3.0;
				const slack = entry.distribution === 'uniform' ? 0.05 : 0.1;
				expect(Math.abs(stats.kurtosis - theory)).toBeLessThan(slack);
			}
			if (entry.distribution === 'uniform') {
				const [low, high] = entry.float32_bounds as [number, number];
				expect(stats.min).toBeGreaterThanOrEqual(low);
				expect(stats.max).toBeLessThanOrEqual(high);
				if (n >= 100000) {
					expect(Math.abs(stats.min / low - 1)).toBeLessThan(0.01);
					expect(Math.abs(stats.max / high - 1)).toBeLessThan(0.01);
				}
			}
		});

		test(`${entry.call} with seed ${entry.seed} draws PyTorch's values`, async () => {
			// The draw is bit-exact, so its statistics equal PyTorch's up to summation order.
			const stats = statistics(await draw(entry).array());
			expect(stats.min).toBe(entry.measured.min);
			expect(stats.max).toBe(entry.measured.max);
			expect(stats.mean).toBeCloseTo(entry.measured.mean, 12);
			expect(stats.std / entry.measured.std - 1).toBeCloseTo(0, 10);
		});
	}
});

describe('calculate_gain', () => {
	const calls: Record<string, () => number> = {
		linear: () => init.calculate_gain('linear'),
		sigmoid: () => init.calculate_gain('sigmoid'),
		tanh: () => init.calculate_gain('tanh'),
		relu: () => init.calculate_gain('relu'),
		'leaky_relu (default slope 0.01)': () => init.calculate_gain('leaky_relu'),
		'leaky_relu (a=sqrt(5), nn.Linear default)': () =>
			init.calculate_gain('leaky_relu', Math.sqrt(5)),
		selu: () => init.calculate_gain('selu')
	};
	for (const [key, value] of Object.entries(golden.gains)) {
		test(`calculate_gain for ${key} is ${value}`, () => {
			expect(calls[key], `no call for gain ${key}`).toBeDefined();
			expect(calls[key]()).toBe(value);
		});
	}

	test('calculate_gain rejects an unknown nonlinearity', () => {
		expect(() => init.calculate_gain('swish' as Nonlinearity)).toThrow(
			/Unsupported nonlinearity swish/
		);
	});
});

describe('init fan modes and default Linear init', () => {
	test('kaiming_normal_ uses fan_in by default and fan_out on request', async () => {
		torch.manual_seed(0);
		const w = torch.empty(3, 2000);
		const fanIn = statistics(await init.kaiming_normal_(w).array());
		expect(fanIn.std).toBeCloseTo(0.03158, 4);
		const fanOut = statistics(await init.kaiming_normal_(w, { mode: 'fan_out' }).array());
		expect(fanOut.std).toBeCloseTo(0.819, 3);
	});

	test('kaiming_uniform_ with relu stays within sqrt(6 / fan_in)', async () => {
		torch.manual_seed(0);
		const values = await init
			.kaiming_uniform_(torch.empty(3, 2000), { nonlinearity: 'relu' })
			.array();
		const bound = Math.sqrt(6 / 2000);
		expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(Math.fround(bound));
		expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.99 * bound);
	});

	test('xavier_uniform_ stays within sqrt(6 / (fan_in + fan_out))', async () => {
		torch.manual_seed(0);
		const values = await init.xavier_uniform_(torch.empty(3, 2000)).array();
		const bound = Math.sqrt(6 / 2003);
		expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(Math.fround(bound));
		expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.99 * bound);
	});

	test('fan computation rejects a 1-D tensor', () => {
		expect(() => init.kaiming_normal_(torch.empty(5))).toThrow(
			/Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/
		);
		expect(() => init.xavier_uniform_(torch.empty(5))).toThrow(/fewer than 2 dimensions/);
	});

	test('calculate_gain for kaiming and leaky_relu defaults', () => {
		// kaiming's default a = 0 gives sqrt(2), while leaky_relu's own default slope is 0.01.
		expect(init.calculate_gain('leaky_relu', 0)).toBe(Math.SQRT2);
		expect(init.calculate_gain('leaky_relu')).toBeCloseTo(1.4141428, 6);
		expect(init.calculate_gain('relu')).toBeCloseTo(1.4142136, 7);
		expect(init.calculate_gain('tanh')).toBe(5 / 3);
		expect(init.calculate_gain('sigmoid')).toBe(1);
	});

	test('Linear(4, 3) with seed 0 draws PyTorch weight row 0 and bias', async () => {
		torch.manual_seed(0);
		const lin = new nn.Linear(4, 3);
		const weight = await lin.weight.array();
		// PyTorch's values as printed, rounded in their last digit.
		const row0 = [-0.00374341, 0.2682218, -0.4115226, -0.3679695];
		row0.forEach((v, i) => expect(weight[i]).toBeCloseTo(v, 7));
		const bias = await (lin.bias as Tensor).array();
		[-0.4776742, -0.3311411, -0.2061116].forEach((v, i) => expect(bias[i]).toBeCloseTo(v, 7));
		for (const v of weight) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
	});

	test('zeros_, ones_ and constant_ fill without drawing', async () => {
		torch.manual_seed(0);
		const expected = await torch.randn(3).array();
		torch.manual_seed(0);
		expect(Array.from(await init.zeros_(torch.empty(2, 2)).array())).toEqual([0, 0, 0, 0]);
		expect(Array.from(await init.ones_(torch.empty(2)).array())).toEqual([1, 1]);
		expect(Array.from(await init.constant_(torch.empty(2), 0.5).array())).toEqual([0.5, 0.5]);
		expect(await torch.randn(3).array()).toEqual(expected);
	});

	test('uniform_ and normal_ take positional or named bounds', async () => {
		torch.manual_seed(0);
		const a = await init.uniform_(torch.empty(100), -2, -1).array();
		torch.manual_seed(0);
		const b = await init.uniform_(torch.empty(100), { a: -2, b: -1 }).array();
		expect(a).toEqual(b);
		for (const v of a) expect(v >= -2 && v < -1).toBe(true);
		torch.manual_seed(0);
		const c = await init.normal_(torch.empty(100), 5, 0.1).array();
		const stats = statistics(c);
		expect(stats.mean).toBeCloseTo(5, 1);
	});

	test('orthogonal_ wide and tall matrices', async () => {
		// A wide result has orthonormal rows, a tall one orthonormal columns.
		torch.manual_seed(0);
		for (const [rows, cols] of [
			[3, 5],
			[5, 3]
		]) {
			const q = init.orthogonal_(torch.empty(rows, cols));
			const gram = rows < cols ? q.matmul(q.t()) : q.t().matmul(q);
			const values = await gram.array();
			const size = Math.min(rows, cols);
			for (let i = 0; i < size; i++) {
				for (let j = 0; j < size; j++) expect(values[i * size + j]).toBeCloseTo(i === j ? 1 : 0, 5);
			}
		}
	});

	test('orthogonal_ rejects a 1-D tensor', () => {
		expect(() => init.orthogonal_(torch.empty(4))).toThrow(
			/Only tensors with 2 or more dimensions/
		);
	});
});

describe('deterministic inits', () => {
	test('BatchNorm1d and LayerNorm start at the golden values and draw nothing', async () => {
		const bnGolden = golden.deterministic_inits.BatchNorm1d;
		const lnGolden = golden.deterministic_inits.LayerNorm;
		torch.manual_seed(0);
		const expected = await torch.randn(3).array();
		torch.manual_seed(0);
		const bn = new nn.BatchNorm1d(4);
		const ln = new nn.LayerNorm(4);
		expect(await torch.randn(3).array()).toEqual(expected);

		expect(Array.from(await (bn.weight as Tensor).array())).toEqual(
			new Array(4).fill(bnGolden.weight)
		);
		expect(Array.from(await (bn.bias as Tensor).array())).toEqual(new Array(4).fill(bnGolden.bias));
		expect(Array.from(await (bn.running_mean as Tensor).array())).toEqual(
			new Array(4).fill(bnGolden.running_mean)
		);
		expect(Array.from(await (bn.running_var as Tensor).array())).toEqual(
			new Array(4).fill(bnGolden.running_var)
		);
		expect(bn.eps).toBe(bnGolden.eps);
		expect(bn.momentum).toBe(bnGolden.momentum);
		expect(Array.from(await (ln.weight as Tensor).array())).toEqual(
			new Array(4).fill(lnGolden.weight)
		);
		expect(Array.from(await (ln.bias as Tensor).array())).toEqual(new Array(4).fill(lnGolden.bias));
		expect(ln.eps).toBe(lnGolden.eps);
	});
});
