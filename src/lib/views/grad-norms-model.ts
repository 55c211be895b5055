/**
 * Lays out a 'grad-norms' chart spec. One step draws per-layer bars on a log axis; several
 * steps draw a layer-by-step heat map with a log colour scale. Norms that a log scale cannot
 * show get their own colours instead of being dropped: 0 ("zero"), Infinity and NaN.
 */

import type { ChartSpec } from '../worker/api';
import {
	autoscale,
	axisScale,
	axisTicks,
	dataLimits,
	logTicks,
	type AxisScale,
	type Tick
} from './axis-scale';
import { colorScale, CYCLE } from './color';
import { formatExact } from './data-values';
import type { HitTarget } from './hit-test';
import { boxTarget, type Box } from './plot-model';
import { interpolateViridis } from 'd3';

export type GradNormsSpec = Extract<ChartSpec, { kind: 'grad-norms' }>;

/** The colouring of a norm: on the scale ('ok'), or one of the marked colours. */
export type NormState = 'ok' | 'zero' | 'inf' | 'nan';

/** The states drawn in their own colours, each with a legend entry. */
export type MarkedState = Exclude<NormState, 'ok'>;

export interface NormCell extends Box {
	layer: number;
	state: NormState;
	/** A colour on the scale; empty when `state` picks a marked colour instead. */
	fill: string;
	/** The plain float32 norm is Infinity or 0 here although the scaled norm is not. */
	float32Lost: boolean;
	title: string;
}

export interface LabelTick {
	pos: number;
	label: string;
}

interface CommonModel {
	width: number;
	height: number;
	box: Box;
	cells: NormCell[];
	/** Marked states present in the drawn data, for the legend. */
	states: MarkedState[];
	notes: string[];
	targets: HitTarget[];
}

export interface BarsModel extends CommonModel {
	mode: 'bars';
	y: AxisScale;
	yTicks: Tick[];
	xTicks: LabelTick[];
}

export interface HeatMapModel extends CommonModel {
	mode: 'heatmap';
	xTicks: LabelTick[];
	yTicks: LabelTick[];
	/** The colour bar: its box, gradient stops and ticks on a log axis. */
	colorBar: { box: Box; stops: { offset: number; color: string }[]; ticks: LabelTick[] };
	/** Steps merged into each drawn column (1 unless there are more steps than pixels allow). */
	stepsPerColumn: number;
}

export type GradNormsModel = BarsModel | HeatMapModel;

export function normState(value: number): NormState {
	if (Number.isNaN(value)) return 'nan';
	if (value === Infinity) return 'inf';
	if (value <= 0) return 'zero';
	return 'ok';
}

/** True where float32 `.norm()` gives Infinity or 0 but the scaled norm is finite and positive. */
export function float32Lost(scaled: number, float32: number | undefined): boolean {
	if (float32 === undefined || normState(scaled) !== 'ok') return false;
	return float32 === Infinity || float32 === 0;
}

export function layoutGradNorms(spec: GradNormsSpec, width: number): GradNormsModel {
	return spec.values.length <= 1 ? layoutBars(spec, width) : layoutHeatMap(spec, width);
}

const STATE_TEXT: Record<NormState, string> = {
	ok: '',
	zero: ' (zero: not on the log scale)',
	inf: '',
	nan: ''
};

function cellTitle(
	spec: GradNormsSpec,
	layer: number,
	value: number,
	f32: number | undefined,
	step?: number
) {
	const at = step === undefined ? '' : ` at step ${step}`;
	const lost = float32Lost(value, f32) ? `; float32 .norm() gives ${formatExact(f32 ?? NaN)}` : '';
	return `${spec.layers[layer]}${at}: ${formatExact(value)}${STATE_TEXT[normState(value)]}${lost}`;
}

function layoutBars(spec: GradNormsSpec, width: number): BarsModel {
	const top = 14 + titleSpace(spec);
	const height = 246 + top;
	const values = spec.values[0] ?? [];
	const f32 = spec.float32Values[0] ?? [];
	const box: Box = { left: 64, top, width: Math.max(40, width - 80), height: height - top - 44 };

	const limits = dataLimits(values, 'log');
	const domain = autoscale(limits, 'log');
	// Bars start at the power of ten below the smallest norm. From the autoscaled limit, which
	// sits just under it, a 2x difference in norms drew as 9 px against 180 px.
	if (limits) domain[0] = Math.min(domain[0], 10 ** Math.floor(Math.log10(limits[0] * 0.999)));
	const y = axisScale('log', domain, [box.top + box.height, box.top]);
	const n = Math.max(1, spec.layers.length);
	const slot = box.width / n;

	// Before the first backward() there is nothing to draw; bars of NaN would look like a failure.
	const layers = spec.values.length === 0 ? [] : spec.layers;
	const cells = layers.map((_, layer): NormCell => {
		const value = values[layer] ?? NaN;
		const state = normState(value);
		return {
			layer,
			state,
			fill: state === 'ok' ? CYCLE[0] : '',
			left: box.left + layer * slot + slot * 0.1,
			width: slot * 0.8,
			...barExtent(state, value, y, box),
			float32Lost: float32Lost(value, f32[layer]),
			title: cellTitle(spec, layer, value, f32[layer])
		};
	});

	return {
		mode: 'bars',
		width,
		height,
		box,
		y,
		yTicks: axisTicks(y, 40),
		xTicks: layerTicks(n, box.width, (i) => box.left + (i + 0.5) * slot),
		cells,
		states: presentStates(cells),
		notes: float32Notes(spec),
		targets: cells.map((c) => boxTarget({ ...c, top: box.top, height: box.height }, c.title))
	};
}

/** Pixels above the plot box for the chart's title, drawn as plt.title draws a plot's. */
function titleSpace(spec: GradNormsSpec): number {
	return spec.title ? 20 : 0;
}

/**
 * Returns where a bar runs: from the bottom edge up to its value. Zero and NaN draw a short
 * block on the bottom edge, and Infinity a bar over the full height.
 */
function barExtent(state: NormState, value: number, y: AxisScale, box: Box) {
	const bottom = box.top + box.height;
	if (state === 'ok') {
		const top = y.place(value).pos;
		return { top, height: bottom - top };
	}
	if (state === 'inf') return { top: box.top, height: box.height };
	return { top: bottom - 6, height: 6 };
}

function layoutHeatMap(spec: GradNormsSpec, width: number): HeatMapModel {
	const layers = spec.layers.length;
	const top = 12 + titleSpace(spec);
	const box: Box = { left: 56, top, width: Math.max(40, width - 150), height: 0 };
	box.height = Math.min(420, Math.max(140, layers * 14));
	const height = box.top + box.height + 42;

	// Columns at least 2 px wide; past that, each column merges steps and shows the largest norm.
	const stepsPerColumn = Math.max(1, Math.ceil(spec.values.length / Math.floor(box.width / 2)));
	const columns = mergeSteps(spec, stepsPerColumn);
	const limits = dataLimits(spec.values.flat(), 'log') ?? [1, 10];
	const domain: [number, number] =
		limits[0] === limits[1] ? [limits[0] / 10, limits[1] * 10] : limits;
	const color = colorScale(domain, true, interpolateViridis);

	const cellWidth = box.width / columns.length;
	const cellHeight = box.height / Math.max(1, layers);
	const cells: NormCell[] = [];
	columns.forEach((column, c) => {
		column.values.forEach((value, layer) => {
			const state = normState(value);
			cells.push({
				layer,
				state,
				fill: state === 'ok' ? color(value) : '',
				left: box.left + c * cellWidth,
				top: box.top + layer * cellHeight,
				width: cellWidth,
				height: cellHeight,
				float32Lost: column.float32Lost[layer],
				title: cellTitle(spec, layer, value, column.float32[layer], column.step)
			});
		});
	});

	const colorBarBox: Box = {
		left: box.left + box.width + 18,
		top: box.top,
		width: 12,
		height: Math.min(box.height, 220)
	};
	const notes = float32Notes(spec);
	if (stepsPerColumn > 1)
		notes.push(`Each column merges ${stepsPerColumn} steps and shows the largest norm.`);

	return {
		mode: 'heatmap',
		width,
		height,
		box,
		cells,
		states: presentStates(cells),
		notes,
		targets: cells.map((c) => boxTarget(c, c.title)),
		xTicks: stepTicks(
			columns.map((c) => c.step),
			box,
			cellWidth
		),
		yTicks: layerTicks(layers, box.height, (i) => box.top + (i + 0.5) * cellHeight),
		colorBar: colorBarModel(colorBarBox, domain, color),
		stepsPerColumn
	};
}

interface Column {
	step: number;
	values: number[];
	float32: number[];
	float32Lost: boolean[];
}

/**
 * Groups consecutive steps into columns. A merged column shows NaN if any step has NaN, then
 * Infinity if any has it, otherwise the largest norm, so an overflow is never averaged away.
 */
function mergeSteps(spec: GradNormsSpec, size: number): Column[] {
	const columns: Column[] = [];
	for (let start = 0; start < spec.values.length; start += size) {
		const rows = spec.values.slice(start, start + size);
		const f32Rows = spec.float32Values.slice(start, start + size);
		const values = spec.layers.map((_, l) => mergeNorms(rows.map((r) => r[l] ?? NaN)));
		const float32 = spec.layers.map((_, l) => mergeNorms(f32Rows.map((r) => r[l] ?? NaN)));
		const float32LostAny = spec.layers.map((_, l) =>
			rows.some((r, i) => float32Lost(r[l] ?? NaN, f32Rows[i]?.[l]))
		);
		const step = spec.steps[Math.min(start + size, spec.values.length) - 1] ?? start;
		columns.push({ step, values, float32, float32Lost: float32LostAny });
	}
	return columns;
}

function mergeNorms(values: number[]): number {
	if (values.some(Number.isNaN)) return NaN;
	return values.reduce((a, b) => Math.max(a, b), 0);
}

function colorBarModel(box: Box, domain: [number, number], color: (v: number) => string) {
	const stops = Array.from({ length: 11 }, (_, i) => {
		const value =
			10 ** (Math.log10(domain[0]) + (i / 10) * (Math.log10(domain[1]) - Math.log10(domain[0])));
		return { offset: i / 10, color: color(value) };
	});
	const bar = axisScale('log', domain, [box.top + box.height, box.top]);
	const ticks = logTicks(domain, Math.max(2, Math.floor(box.height / 30)))
		.filter((t) => t.label)
		.map((t) => ({ pos: bar.scale(t.value), label: t.label }));
	return { box, stops, ticks };
}

/** Layer indices as tick labels, thinned to about one per 16 px. */
function layerTicks(count: number, length: number, position: (i: number) => number): LabelTick[] {
	const every = Math.max(1, Math.ceil(count / Math.max(1, Math.floor(length / 16))));
	const ticks: LabelTick[] = [];
	for (let i = 0; i < count; i += every) ticks.push({ pos: position(i), label: String(i) });
	return ticks;
}

function stepTicks(steps: number[], box: Box, cellWidth: number): LabelTick[] {
	const every = Math.max(1, Math.ceil(steps.length / Math.max(1, Math.floor(box.width / 56))));
	const ticks: LabelTick[] = [];
	for (let i = 0; i < steps.length; i += every) {
		ticks.push({ pos: box.left + (i + 0.5) * cellWidth, label: String(steps[i]) });
	}
	return ticks;
}

function presentStates(cells: NormCell[]): MarkedState[] {
	return (['zero', 'inf', 'nan'] as const).filter((s) => cells.some((c) => c.state === s));
}

/** "float32 .norm() gives Infinity for 20 layers; scaled norms shown.", or nothing. */
export function float32Notes(spec: GradNormsSpec): string[] {
	const infinite = countLayersLosing(spec, Infinity);
	const zero = countLayersLosing(spec, 0);
	const parts: string[] = [];
	if (infinite > 0) parts.push(`Infinity for ${plural(infinite, 'layer')}`);
	if (zero > 0) parts.push(`0 for ${plural(zero, 'layer')}`);
	if (parts.length === 0) return [];
	return [`float32 .norm() gives ${parts.join(' and ')}; scaled norms shown.`];
}

/** Builds the legend entry of the rings on such layers: what float32 `.norm()` gives there. */
export function float32LostLabel(spec: GradNormsSpec): string {
	const results = [
		...(countLayersLosing(spec, Infinity) > 0 ? ['Infinity'] : []),
		...(countLayersLosing(spec, 0) > 0 ? ['0'] : [])
	];
	return `here float32 .norm() gives ${results.join(' or ')}`;
}

/** Layers where, at some step, float32 `.norm()` gives `lostAs` but the scaled norm is usable. */
function countLayersLosing(spec: GradNormsSpec, lostAs: number): number {
	return spec.layers.filter((_, layer) =>
		spec.values.some((row, step) => {
			const f32 = spec.float32Values[step]?.[layer];
			return f32 === lostAs && float32Lost(row[layer], f32);
		})
	).length;
}

function plural(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Builds `data-values`: one norm per layer for one step, `[step][layer]` for several. */
export function gradNormsDataValues(spec: GradNormsSpec) {
	return { layers: spec.layers, values: spec.values.length === 1 ? spec.values[0] : spec.values };
}

export function describeGradNorms(spec: GradNormsSpec): string {
	const text = describeNorms(spec);
	return spec.title ? `${spec.title}. ${text}` : text;
}

function describeNorms(spec: GradNormsSpec): string {
	const layers = plural(spec.layers.length, 'layer');
	if (spec.values.length === 0) return `Gradient norms of ${layers}: no backward pass yet`;
	if (spec.values.length === 1) {
		return `Gradient norm per layer, log scale: ${layers} at step ${spec.steps[0] ?? 0}, layer 0 first`;
	}
	const first = spec.steps[0];
	const last = spec.steps[spec.steps.length - 1];
	return `Gradient norm heat map, log colour scale: ${layers} (rows, layer 0 at top) over steps ${first} to ${last}`;
}
