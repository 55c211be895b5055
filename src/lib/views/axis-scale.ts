/**
 * Axis limits, positions and ticks. Limits follow matplotlib 3.6's `Axes.autoscale_view`, so a
 * ported figure gets the same limits. The data limits come from the finite values (only the
 * positive ones on a log axis). Margins of 5% are measured in the axis' own space, which is
 * log10 space on a log axis. Sticky edges, such as the base of a bar or the border of an
 * image, stop a margin.
 *
 * Every position these helpers return is a finite number. A value that cannot be placed
 * (zero or negative on a log axis, NaN, an infinity) goes to an edge with a `state` that
 * says why, so a view can mark it instead of dropping it or writing NaN into the SVG.
 */

import { format as d3Format, scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';

export type ScaleType = 'linear' | 'log';

/** Why a value sits where it does: on the scale, or at an edge it was clipped to. */
export type PlacementState = 'ok' | 'nonpositive' | 'nan' | 'inf' | '-inf';

export interface Placed {
	pos: number;
	state: PlacementState;
}

export interface AxisScale {
	type: ScaleType;
	domain: [number, number];
	range: [number, number];
	scale: ScaleContinuousNumeric<number, number>;
	/** Position of `value`; an unplaceable value goes to range[0] (+Infinity to range[1]). */
	place(value: number): Placed;
}

export interface AutoscaleOptions {
	/** Fraction of the data span added on each side; matplotlib's default is 0.05. */
	margin?: number;
	/** Values the margins may not cross (matplotlib's sticky edges). */
	sticky?: number[];
}

const TINY = 2.2250738585072014e-308;

/**
 * Returns the data limits matplotlib autoscales to: the extent of the finite values, and on a
 * log axis of the positive ones only. Returns null when no value qualifies.
 */
export function dataLimits(values: Iterable<number>, type: ScaleType): [number, number] | null {
	let min = Infinity;
	let max = -Infinity;
	for (const v of values) {
		if (!Number.isFinite(v) || (type === 'log' && v <= 0)) continue;
		if (v < min) min = v;
		if (v > max) max = v;
	}
	return min <= max ? [min, max] : null;
}

/**
 * Computes axis limits from data limits as matplotlib 3.6 does. A zero-width range is widened
 * first. Then `margin` of the span is added on each side, in log10 space on a log axis. Last,
 * each end is pulled back to the nearest sticky value it crossed. Without data the limits are
 * [0, 1], or [1, 10] on a log axis.
 */
export function autoscale(
	limits: [number, number] | null,
	type: ScaleType,
	{ margin = 0.05, sticky = [] }: AutoscaleOptions = {}
): [number, number] {
	// An axis without data keeps matplotlib's default limits, without margins.
	if (!limits) return type === 'log' ? [1, 10] : [0, 1];
	const [lo, hi] = type === 'log' ? nonsingularLog(limits) : nonsingularLinear(limits);

	// A sticky value at or beyond an end of the data bounds that end's margin.
	const stickies = sticky.filter((s) => Number.isFinite(s) && (type === 'linear' || s > 0));
	const tol = 1e-5 * Math.abs(hi - lo);
	const lowBound = Math.max(...stickies.filter((s) => s <= lo + tol));
	const highBound = Math.min(...stickies.filter((s) => s >= hi - tol));

	const forward = type === 'log' ? Math.log10 : (v: number) => v;
	const inverse = type === 'log' ? (v: number) => 10 ** v : (v: number) => v;
	let delta = (forward(hi) - forward(lo)) * margin;
	if (!Number.isFinite(delta)) delta = 0;

	let min = inverse(forward(lo) - delta);
	let max = inverse(forward(hi) + delta);
	if (Number.isFinite(lowBound)) min = Math.max(min, lowBound);
	if (Number.isFinite(highBound)) max = Math.min(max, highBound);
	return [min, max];
}

function nonsingularLinear(limits: [number, number]): [number, number] {
	let [lo, hi] = limits;
	const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
	if (maxAbs < 1e6 * TINY) return [-0.05, 0.05];
	if (hi - lo <= maxAbs * 1e-15) {
		lo -= 0.05 * Math.abs(lo);
		hi += 0.05 * Math.abs(hi);
	}
	return [lo, hi];
}

function nonsingularLog([lo, hi]: [number, number]): [number, number] {
	if (lo !== hi) return [lo, hi];

	// A single value spans the decade below it to the decade above it.
	const exponent = Math.floor(Math.log10(lo));
	const below = 10 ** exponent;
	const above = 10 ** Math.ceil(Math.log10(hi));
	return [below === lo ? below / 10 : below, above === hi ? above * 10 : above];
}

/** A scale over `domain` onto `range` whose `place` never returns a non-finite position. */
export function axisScale(
	type: ScaleType,
	domain: [number, number],
	range: [number, number]
): AxisScale {
	const safeDomain = safeDomainFor(type, domain);
	const scale = (type === 'log' ? scaleLog() : scaleLinear()).domain(safeDomain).range(range);

	function place(value: number): Placed {
		const state = placementState(type, value);
		if (state === 'inf') return { pos: range[1], state };
		if (state !== 'ok') return { pos: range[0], state };
		const pos = scale(value);
		return Number.isFinite(pos) ? { pos, state } : { pos: range[0], state: 'nan' };
	}

	return { type, domain: safeDomain, range, scale, place };
}

/** Classifies a value: placeable on an axis of this type, or the reason it is not. */
export function placementState(type: ScaleType, value: number): PlacementState {
	if (Number.isNaN(value)) return 'nan';
	if (value === Infinity) return 'inf';
	if (value === -Infinity) return '-inf';
	if (type === 'log' && value <= 0) return 'nonpositive';
	return 'ok';
}

function safeDomainFor(type: ScaleType, [lo, hi]: [number, number]): [number, number] {
	const usable = (v: number) => Number.isFinite(v) && (type === 'linear' || v > 0);
	if (!usable(lo) || !usable(hi)) return type === 'log' ? [1, 10] : [0, 1];
	if (lo === hi) return type === 'log' ? [lo / 10, hi * 10] : [lo - 0.5, hi + 0.5];
	return [lo, hi];
}

export interface Tick {
	value: number;
	pos: number;
	/** Empty for a minor tick. */
	label: string;
}

/** Ticks for an axis, about one per `spacing` pixels; log axes label powers of ten. */
export function axisTicks(axis: AxisScale, spacing = 60): Tick[] {
	const length = Math.abs(axis.range[1] - axis.range[0]);
	const count = Math.max(3, Math.floor(length / spacing));
	const ticks = axis.type === 'log' ? logTicks(axis.domain, count) : linearTicks(axis, count);
	return ticks.map((t) => ({ ...t, pos: axis.scale(t.value) }));
}

function linearTicks(axis: AxisScale, count: number): Omit<Tick, 'pos'>[] {
	const values = axis.scale.ticks(count);
	const largest = Math.max(...values.map(Math.abs));
	const exponential = largest !== 0 && (largest >= 1e5 || largest < 1e-3);
	const format = axis.scale.tickFormat(count, exponential ? '~e' : '~f');
	return values.map((value) => ({ value, label: format(value).replace('-', '−') }));
}

/** Powers of ten as major ticks (every k-th decade when there are many), 2..9 as minor ones. */
export function logTicks([lo, hi]: [number, number], count: number): Omit<Tick, 'pos'>[] {
	const first = Math.ceil(Math.log10(lo) - 1e-9);
	const last = Math.floor(Math.log10(hi) + 1e-9);
	const decades = last - first + 1;
	if (decades < 2) return withinDecadeTicks(lo, hi, count);

	const step = Math.ceil(decades / count);
	const ticks: Omit<Tick, 'pos'>[] = [];
	for (let e = first - 1; e <= last; e++) {
		if (e >= first && (e - first) % step === 0)
			ticks.push({ value: 10 ** e, label: powerOfTen(e) });
		if (step > 1 || decades > 8) continue;
		for (let m = 2; m <= 9; m++) {
			const value = m * 10 ** e;
			if (value >= lo && value <= hi) ticks.push({ value, label: '' });
		}
	}
	return ticks;
}

/**
 * Leading digits whose ticks get labels, tried in turn until at most `count` labels remain.
 * Labelling every other tick instead gave 0.3, 0.5, 0.7, 0.9, 2, 4 on [0.22, 5.5], without 1.
 */
const LABELLED_DIGITS = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1, 3], [1]];

/** Ticks for limits less than two decades apart: d3's 1..9 ticks, 1-2-5 ones labelled. */
function withinDecadeTicks(lo: number, hi: number, count: number): Omit<Tick, 'pos'>[] {
	const scale = scaleLog().domain([lo, hi]);
	const exponential = d3Format('.2~e');
	const format = (v: number) => (v >= 1e-4 && v < 1e6 ? String(+v.toPrecision(6)) : exponential(v));
	const values = scale.ticks(count).filter((v) => v >= lo && v <= hi);
	const leadingDigit = (v: number) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
	let labelled = values;
	for (const digits of LABELLED_DIGITS) {
		const chosen = values.filter((v) => digits.includes(leadingDigit(v)));
		if (chosen.length < 2) break;
		labelled = chosen;
		if (chosen.length <= count) break;
	}
	// Ticks such as 0.31, 0.32, ... share their leading digit, so every k-th gets a label.
	const stride = Math.ceil(labelled.length / count);
	if (stride > 1) labelled = labelled.filter((_, i) => i % stride === 0);
	return values.map((value) => ({ value, label: labelled.includes(value) ? format(value) : '' }));
}

const SUPERSCRIPT: Record<string, string> = {
	'-': '⁻',
	'0': '⁰',
	'1': '¹',
	'2': '²',
	'3': '³',
	'4': '⁴',
	'5': '⁵',
	'6': '⁶',
	'7': '⁷',
	'8': '⁸',
	'9': '⁹'
};

/** `10⁻³` for -3, as matplotlib labels log ticks. */
export function powerOfTen(exponent: number): string {
	return `10${[...String(exponent)].map((ch) => SUPERSCRIPT[ch] ?? ch).join('')}`;
}
