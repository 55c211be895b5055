import { describe, expect, test } from 'vitest';
import {
	autoscale,
	axisScale,
	axisTicks,
	dataLimits,
	logTicks,
	placementState,
	powerOfTen
} from '../../../src/lib/views/axis-scale';

// matplotlib 3.6.3 gives y-limits of about (7.08e-4, 1.41) for
// plt.plot([0, 1, 2, 3, 4], [1, 0.1, 0, 0.01, 0.001]); plt.yscale('log').
const LOG_Y = [1.0, 0.1, 0.0, 0.01, 0.001];

describe('dataLimits', () => {
	test('dataLimits on a log axis keeps positive finite values only', () => {
		expect(dataLimits([...LOG_Y, -3, NaN, Infinity], 'log')).toEqual([0.001, 1]);
	});

	test('dataLimits on a linear axis skips NaN and infinities', () => {
		expect(dataLimits([NaN, -Infinity, -3, 2, Infinity], 'linear')).toEqual([-3, 2]);
	});

	test('dataLimits with nothing usable is null', () => {
		expect(dataLimits([0, -1, NaN], 'log')).toBeNull();
	});
});

describe('autoscale', () => {
	test('autoscale of a log axis with a zero matches matplotlib within 1%', () => {
		const [lo, hi] = autoscale(dataLimits(LOG_Y, 'log'), 'log');
		expect(Math.abs(lo / 7.08e-4 - 1)).toBeLessThan(0.01);
		expect(Math.abs(hi / 1.41 - 1)).toBeLessThan(0.01);
	});

	test('autoscale adds 5% margins on a linear axis', () => {
		const [lo, hi] = autoscale(dataLimits([0, 1, 2, 3, 4], 'linear'), 'linear');
		expect(lo).toBeCloseTo(-0.2, 12);
		expect(hi).toBeCloseTo(4.2, 12);
	});

	test('autoscale stops a margin at a sticky edge', () => {
		const [lo, hi] = autoscale([0, 3], 'linear', { sticky: [0] });
		expect(lo).toBe(0);
		expect(hi).toBeCloseTo(3.15, 12);
	});

	test('autoscale lets a margin pass a sticky value inside the data', () => {
		const [lo] = autoscale([-2, 7], 'linear', { sticky: [0] });
		expect(lo).toBeCloseTo(-2.45, 12);
	});

	test('autoscale widens a single linear value by 5% before the margins', () => {
		const [lo, hi] = autoscale([2, 2], 'linear');
		expect(lo).toBeCloseTo(1.89, 12);
		expect(hi).toBeCloseTo(2.11, 12);
	});

	test('autoscale of a single log value spans the decades around it', () => {
		const [lo, hi] = autoscale([5, 5], 'log');
		expect(lo).toBeCloseTo(10 ** -0.05, 12);
		expect(hi).toBeCloseTo(10 ** 1.05, 12);
	});

	test('autoscale without data gives matplotlib defaults', () => {
		expect(autoscale(null, 'linear')).toEqual([0, 1]);
		expect(autoscale(null, 'log')).toEqual([1, 10]);
	});
});

describe('axisScale', () => {
	const log = axisScale('log', autoscale(dataLimits(LOG_Y, 'log'), 'log'), [200, 10]);

	test('place(0) on a log axis goes to the bottom edge, marked', () => {
		expect(log.place(0)).toEqual({ pos: 200, state: 'nonpositive' });
	});

	test('place never returns NaN for values a log axis cannot show', () => {
		for (const value of [0, -0, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, 1e308]) {
			const { pos } = log.place(value);
			expect(Number.isFinite(pos), `place(${value}) gave ${pos}`).toBe(true);
		}
	});

	test('place(Infinity) goes to the top edge', () => {
		expect(log.place(Infinity)).toEqual({ pos: 10, state: 'inf' });
	});

	test('place of a positive value lands inside the range', () => {
		const { pos, state } = log.place(0.01);
		expect(state).toBe('ok');
		expect(pos).toBeGreaterThan(10);
		expect(pos).toBeLessThan(200);
	});

	test('axisScale with an unusable domain still places finite positions', () => {
		const domains: [number, number][] = [
			[NaN, NaN],
			[0, 0],
			[-1, 5],
			[3, 3],
			[Infinity, 1]
		];
		for (const type of ['linear', 'log'] as const) {
			for (const domain of domains) {
				const axis = axisScale(type, domain, [0, 100]);
				for (const value of [0, 1, -1, NaN, Infinity]) {
					const { pos } = axis.place(value);
					expect(Number.isFinite(pos), `${type} ${domain} place(${value})`).toBe(true);
				}
				for (const tick of axisTicks(axis)) {
					expect(Number.isFinite(tick.pos), `${type} ${domain} tick ${tick.value}`).toBe(true);
				}
			}
		}
	});
});

describe('placementState', () => {
	test('placementState names why a value is off the axis', () => {
		expect(placementState('log', 0)).toBe('nonpositive');
		expect(placementState('log', -2)).toBe('nonpositive');
		expect(placementState('linear', 0)).toBe('ok');
		expect(placementState('linear', NaN)).toBe('nan');
		expect(placementState('linear', -Infinity)).toBe('-inf');
	});
});

describe('ticks', () => {
	test('logTicks labels each power of ten inside the limits', () => {
		const labels = logTicks([7.08e-4, 1.41], 6)
			.filter((t) => t.label)
			.map((t) => t.label);
		expect(labels).toEqual(['10⁻³', '10⁻²', '10⁻¹', '10⁰']);
	});

	test('logTicks thins labels over many decades', () => {
		const labelled = logTicks([1e-19, 1e2], 5).filter((t) => t.label);
		expect(labelled.length).toBeLessThanOrEqual(6);
		expect(labelled.length).toBeGreaterThanOrEqual(3);
	});

	test('logTicks within one decade labels plain numbers', () => {
		const labels = logTicks([2, 9], 4).filter((t) => t.label);
		expect(labels.length).toBeGreaterThan(1);
		expect(labels.every((t) => !t.label.startsWith('10'))).toBe(true);
	});

	test('logTicks within one decade labels 1-2-5', () => {
		const labels = logTicks([0.22, 5.5], 4)
			.filter((t) => t.label)
			.map((t) => t.label);
		expect(labels).toEqual(['0.5', '1', '2', '5']);
	});

	test('logTicks writes plain numbers below 1e6', () => {
		const labels = logTicks([900, 8000], 4)
			.filter((t) => t.label)
			.map((t) => t.label);
		expect(labels).toEqual(['1000', '2000', '5000']);
		const huge = logTicks([1.5e34, 4.5e34], 4)
			.filter((t) => t.label)
			.map((t) => t.label);
		expect(huge).toEqual(['2e+34', '3e+34', '4e+34']);
	});

	test('logTicks keeps labels on a narrow range', () => {
		const labels = logTicks([0.31, 0.39], 4)
			.filter((t) => t.label)
			.map((t) => t.label);
		expect(labels.length).toBeGreaterThanOrEqual(2);
		expect(labels.length).toBeLessThanOrEqual(4);
	});

	test('axisTicks places every tick inside the range', () => {
		const axis = axisScale('linear', [-0.2, 4.2], [50, 450]);
		const ticks = axisTicks(axis);
		expect(ticks.map((t) => t.label)).toContain('2');
		for (const tick of ticks) {
			expect(tick.pos).toBeGreaterThanOrEqual(50);
			expect(tick.pos).toBeLessThanOrEqual(450);
		}
	});

	test('powerOfTen writes the exponent as superscript', () => {
		expect(powerOfTen(-12)).toBe('10⁻¹²');
	});
});
