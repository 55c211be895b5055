/**
 * Lays out a 'plot' chart spec: panel boxes, matplotlib-style axis limits, pixel positions of
 * every point, bar and image cell, legend entries and tooltip targets. Plain data, so Node
 * tests can check it and Plot.svelte only has to write it into SVG elements.
 */

import { line } from 'd3';
import type { ChartSpec, PlotAxes, PlotSeries } from '../worker/api';
import {
	autoscale,
	axisScale,
	axisTicks,
	dataLimits,
	type AxisScale,
	type PlacementState,
	type ScaleType,
	type Tick
} from './axis-scale';
import { colormap, colorScale, seriesColor } from './color';
import { formatExact } from './data-values';
import type { HitTarget } from './hit-test';
import { dashArray, isNoLine, markerShape, type MarkerShape } from './marks';

export type PlotSpec = Extract<ChartSpec, { kind: 'plot' }>;

export interface Box {
	left: number;
	top: number;
	width: number;
	height: number;
}

/** A point as drawn: `state` other than 'ok' means it sits on an edge it was clipped to. */
export interface DrawnPoint {
	x: number;
	y: number;
	state: PlacementState;
	title: string;
}

export interface DrawnBar extends Box {
	title: string;
}

export interface SeriesModel {
	name: string;
	color: string;
	/** Line path data, or null for markers or bars only. */
	path: string | null;
	dash: string | null;
	marker: MarkerShape | null;
	/** Points on the scale, drawn with `marker`. */
	points: DrawnPoint[];
	/** Points that could not be placed, drawn as edge marks whatever the marker. */
	clipped: DrawnPoint[];
	bars: DrawnBar[];
}

export interface ImageCell extends Box {
	fill: string;
	title: string;
}

export interface LegendEntry {
	label: string;
	color: string;
	marker: MarkerShape | null;
	dash: string | null;
	line: boolean;
	bar: boolean;
}

export interface PanelModel {
	/** The plotting area inside the axes, in figure pixels. */
	box: Box;
	title?: string;
	xlabel?: string;
	ylabel?: string;
	x: AxisScale;
	y: AxisScale;
	xTicks: Tick[];
	yTicks: Tick[];
	/** Whether grid lines run across the box at the labelled ticks. */
	grid: boolean;
	series: SeriesModel[];
	image: ImageCell[];
	legend: LegendEntry[];
	/** The legend's box in figure pixels; null without legend entries. */
	legendBox: Box | null;
	targets: HitTarget[];
}

export interface FigureModel {
	width: number;
	height: number;
	suptitle?: string;
	panels: PanelModel[];
	/** Points drawn at an edge because the axis cannot place them. */
	clippedCount: number;
}

const SUPTITLE_HEIGHT = 30;
const MIN_PANEL_HEIGHT = 120;
const MAX_FIGURE_HEIGHT = 1200;
const BAR_WIDTH = 0.8;
const CHAR_WIDTH = 6.6;

/** Lays out a whole figure `width` pixels wide. */
export function layoutPlot(spec: PlotSpec, width: number): FigureModel {
	const cols = Math.max(1, spec.cols);
	const rows = Math.max(1, spec.rows);
	const panelWidth = width / cols;
	const top = spec.suptitle ? SUPTITLE_HEIGHT : 0;
	const panelHeight = spec.figsize
		? figureHeight(spec.figsize, width, rows)
		: Math.min(340, Math.max(170, panelWidth * 0.62));

	const panels = spec.axes.map((axes, i) => {
		const outer: Box = {
			left: (i % cols) * panelWidth,
			top: top + Math.floor(i / cols) * panelHeight,
			width: panelWidth,
			height: panelHeight
		};
		return layoutPanel(axes, outer);
	});

	const clippedCount = panels.reduce(
		(n, p) => n + p.series.reduce((m, s) => m + s.clipped.length, 0),
		0
	);
	return { width, height: top + rows * panelHeight, suptitle: spec.suptitle, panels, clippedCount };
}

/**
 * Returns the panel height that gives the figure figsize's height-to-width ratio, kept between
 * MIN_PANEL_HEIGHT per panel and MAX_FIGURE_HEIGHT, so an extreme figsize still leaves the
 * axes readable.
 */
function figureHeight([inchesWide, inchesHigh]: [number, number], width: number, rows: number) {
	const height = Math.min(MAX_FIGURE_HEIGHT, (width * inchesHigh) / inchesWide);
	return Math.max(MIN_PANEL_HEIGHT, height / rows);
}

function layoutPanel(axes: PlotAxes, outer: Box): PanelModel {
	const limits = panelLimits(axes);
	const xType: ScaleType = axes.xscale ?? 'linear';
	const yType: ScaleType = axes.yscale ?? 'linear';

	// The y axis comes first because its tick labels decide how wide the left margin is.
	const marginTop = axes.title ? 28 : 12;
	const marginBottom = 26 + (axes.xlabel ? 18 : 0);
	const bottom = outer.top + outer.height - marginBottom;
	const yDomain = fixedLimits(
		autoscale(dataLimits(limits.y.values, yType), yType, limits.y),
		axes.ylim,
		yType
	);
	const yRange: [number, number] = axes.image
		? [outer.top + marginTop, bottom]
		: [bottom, outer.top + marginTop];
	let y = axisScale(yType, yDomain, yRange);

	const yTickSpacing = yType === 'log' ? 28 : 36;
	const labelChars = Math.max(1, ...axisTicks(y, yTickSpacing).map((t) => t.label.length));
	const marginLeft = 12 + labelChars * CHAR_WIDTH + (axes.ylabel ? 18 : 0);
	const xDomain = fixedLimits(
		autoscale(dataLimits(limits.x.values, xType), xType, limits.x),
		axes.xlim,
		xType
	);
	let x = axisScale(xType, xDomain, [outer.left + marginLeft, outer.left + outer.width - 16]);
	if (axes.image) [x, y] = squarePixels(x, y, axes.image);
	const xTicks = axes.xcategories ? categoryTicks(axes.xcategories, x) : axisTicks(x, 70);
	const yTicks = axisTicks(y, yTickSpacing);

	const box: Box = {
		left: Math.min(...x.range),
		top: Math.min(...y.range),
		width: Math.abs(x.range[1] - x.range[0]),
		height: Math.abs(y.range[1] - y.range[0])
	};
	// Each panel restarts the colour cycle, as each matplotlib Axes does.
	const series = axes.series.map((s, i) => layoutSeries(s, i, x, y));
	const image = axes.image ? layoutImage(axes.image, x, y) : [];

	const legend = axes.legend ? legendEntries(axes.series, series) : [];
	return {
		box,
		title: axes.title,
		xlabel: axes.xlabel,
		ylabel: axes.ylabel,
		x,
		y,
		xTicks,
		yTicks,
		grid: axes.grid ?? false,
		series,
		image,
		legend,
		legendBox: placeLegend(box, legend, series),
		targets: panelTargets(series, image)
	};
}

/**
 * Replaces the autoscaled ends with the limits set by `set_xlim` or `set_ylim`. As matplotlib
 * does, a non-positive limit on a log axis is ignored, and equal limits are widened.
 */
function fixedLimits(
	auto: [number, number],
	limits: PlotAxes['xlim'],
	type: ScaleType
): [number, number] {
	if (!limits) return auto;
	const usable = (end: number | null): end is number =>
		end !== null && Number.isFinite(end) && (type === 'linear' || end > 0);
	const low = usable(limits[0]) ? limits[0] : auto[0];
	const high = usable(limits[1]) ? limits[1] : auto[1];
	return low === high ? autoscale([low, high], type, { margin: 0 }) : [low, high];
}

/** Places one tick per category at its position 0, 1, 2…, labelled with its name. */
function categoryTicks(categories: string[], x: AxisScale): Tick[] {
	return categories.map((label, value) => ({ value, pos: x.scale(value), label }));
}

/** Shrinks the axes so that image pixels are square, as matplotlib's imshow does by default. */
function squarePixels(
	x: AxisScale,
	y: AxisScale,
	{ rows, cols }: NonNullable<PlotAxes['image']>
): [AxisScale, AxisScale] {
	const width = Math.abs(x.range[1] - x.range[0]);
	const height = Math.abs(y.range[1] - y.range[0]);
	const cell = Math.min(width / Math.max(1, cols), height / Math.max(1, rows));
	const left = x.range[0] + (width - cell * cols) / 2;
	const top = Math.min(...y.range);
	return [
		axisScale(x.type, x.domain, [left, left + cell * cols]),
		axisScale(y.type, y.domain, [top, top + cell * rows])
	];
}

interface AxisData {
	values: number[];
	sticky: number[];
}

/** Collects the values each axis autoscales to, with the sticky edges of bars and images. */
function panelLimits(axes: PlotAxes): { x: AxisData; y: AxisData } {
	const x: AxisData = { values: [], sticky: [] };
	const y: AxisData = { values: [], sticky: [] };
	for (const s of axes.series) {
		if (s.type === 'bar') {
			x.values.push(...s.x.map((v) => v - BAR_WIDTH / 2), ...s.x.map((v) => v + BAR_WIDTH / 2));
		} else x.values.push(...s.x);
		y.values.push(...s.y);
		if (s.type === 'bar' || s.type === 'hist') {
			y.values.push(0);
			y.sticky.push(0);
		}
	}
	if (axes.image) {
		const { rows, cols } = axes.image;
		x.values.push(-0.5, cols - 0.5);
		y.values.push(-0.5, rows - 0.5);
		x.sticky.push(-0.5, cols - 0.5);
		y.sticky.push(-0.5, rows - 0.5);
	}
	return { x, y };
}

function layoutSeries(s: PlotSeries, index: number, x: AxisScale, y: AxisScale): SeriesModel {
	const name = s.label ?? `series ${index + 1}`;
	const color = seriesColor(s.color, index);
	const model: SeriesModel = {
		name,
		color,
		path: null,
		dash: dashArray(s.linestyle),
		marker: null,
		points: [],
		clipped: [],
		bars: []
	};
	if (s.type === 'bar' || s.type === 'hist') return layoutBars(s, model, x, y);

	const placed = s.x.map((xv, i) => placePoint(name, xv, s.y[i] ?? NaN, x, y));
	const showLine = s.type === 'line' && !isNoLine(s.linestyle);
	const marker = s.marker ?? (s.type === 'scatter' ? 'o' : undefined);

	if (showLine) {
		const path = line<(typeof placed)[number]>()
			.defined((p) => p.joins)
			.x((p) => p.point.x)
			.y((p) => p.point.y);
		model.path = path(placed);
	}
	if (marker && !isNoLine(marker)) model.marker = markerShape(marker);
	model.points = placed.filter((p) => p.point.state === 'ok').map((p) => p.point);
	model.clipped = placed.filter((p) => p.point.state !== 'ok').map((p) => p.point);
	return model;
}

/**
 * Places one (x, y) pair. A zero or negative value on a log axis is clipped to the edge, and
 * the line still runs to it, as matplotlib's default 'clip' draws it. NaN and infinities break
 * the line, as matplotlib masks them, and are marked at the edge.
 */
function placePoint(name: string, xv: number, yv: number, x: AxisScale, y: AxisScale) {
	const px = x.place(xv);
	const py = y.place(yv);
	const state = py.state !== 'ok' ? py.state : px.state;
	const joinable = (s: PlacementState) => s === 'ok' || s === 'nonpositive';
	const title = pointTitle(name, xv, yv, state);
	return {
		point: { x: px.pos, y: py.pos, state, title },
		joins: joinable(px.state) && joinable(py.state)
	};
}

const STATE_NOTE: Record<PlacementState, string> = {
	ok: '',
	nonpositive: ' (cannot be shown on a log axis: marked at the edge)',
	nan: ' (NaN: marked at the edge)',
	inf: ' (Infinity: marked at the top edge)',
	'-inf': ' (-Infinity: marked at the bottom edge)'
};

function pointTitle(name: string, xv: number, yv: number, state: PlacementState): string {
	return `${name}: x = ${formatExact(xv)}, y = ${formatExact(yv)}${STATE_NOTE[state]}`;
}

/** Bars of a bar series (centred on x, 0.8 wide) or a histogram (between edges). */
function layoutBars(s: PlotSeries, model: SeriesModel, x: AxisScale, y: AxisScale): SeriesModel {
	const hist = s.type === 'hist';
	const base = y.type === 'log' ? y.range[0] : clampTo(y.place(0).pos, y.range);

	for (let i = 0; i < s.y.length; i++) {
		// An empty histogram bin has no bar and nothing to mark.
		if (hist && s.y[i] === 0) continue;
		const from = hist ? s.x[i] : s.x[i] - BAR_WIDTH / 2;
		const to = hist ? s.x[i + 1] : s.x[i] + BAR_WIDTH / 2;
		const left = x.place(from);
		const right = x.place(to);
		const top = y.place(s.y[i]);
		const where = hist ? `${formatExact(from)} to ${formatExact(to)}` : formatExact(s.x[i]);
		const title = `${model.name}: x = ${where}, y = ${formatExact(s.y[i])}`;

		const placed = left.state === 'ok' && right.state === 'ok';
		if (!placed || (top.state !== 'ok' && top.state !== 'inf')) {
			const mid = (left.pos + right.pos) / 2;
			const state = placed ? top.state : 'nan';
			model.clipped.push({ x: mid, y: top.pos, state, title: title + STATE_NOTE[state] });
			continue;
		}
		model.bars.push({
			left: Math.min(left.pos, right.pos),
			width: Math.abs(right.pos - left.pos),
			top: Math.min(base, top.pos),
			height: Math.abs(top.pos - base),
			title: title + STATE_NOTE[top.state]
		});
		if (top.state === 'inf')
			model.clipped.push({ x: (left.pos + right.pos) / 2, y: top.pos, state: 'inf', title });
	}
	return model;
}

function clampTo(value: number, [a, b]: [number, number]): number {
	return Math.min(Math.max(value, Math.min(a, b)), Math.max(a, b));
}

/** imshow: one cell per element, row 0 at the top, coloured over the finite data range. */
function layoutImage(
	image: NonNullable<PlotAxes['image']>,
	x: AxisScale,
	y: AxisScale
): ImageCell[] {
	const limits = dataLimits(image.data, 'linear') ?? [0, 1];
	const color = colorScale(limits, false, colormap(image.cmap).interpolate);
	// TODO: one <rect> per pixel is slow past about 100x100; large images need a canvas raster.
	const cells: ImageCell[] = [];
	for (let r = 0; r < image.rows; r++) {
		for (let c = 0; c < image.cols; c++) {
			const value = image.data[r * image.cols + c];
			const left = x.place(c - 0.5).pos;
			const top = y.place(r - 0.5).pos;
			cells.push({
				left,
				top,
				width: x.place(c + 0.5).pos - left,
				height: y.place(r + 0.5).pos - top,
				fill: Number.isFinite(value) ? color(value) : 'none',
				title: `[${r}, ${c}] = ${formatExact(value)}`
			});
		}
	}
	return cells;
}

const LEGEND_INSET = 8;
const LEGEND_ROW = 17;

/**
 * Places the legend as matplotlib's default loc='best' does: at the candidate place where it
 * covers the fewest data points and bars, ties going to the earlier place in matplotlib's
 * order: upper right, upper left, lower left, lower right, right (also called center right),
 * center left, lower center, upper center, center. Its size follows PlotPanel.svelte.
 */
function placeLegend(box: Box, legend: LegendEntry[], series: SeriesModel[]): Box | null {
	if (legend.length === 0) return null;
	// The label starts 36 px in, and 11 px DejaVu Sans (Debian's sans-serif) averages about 7 px
	// per character.
	const width = 44 + Math.max(...legend.map((entry) => entry.label.length)) * 7;
	const height = legend.length * LEGEND_ROW + 8;
	const left = box.left + LEGEND_INSET;
	const right = box.left + box.width - width - LEGEND_INSET;
	const center = box.left + (box.width - width) / 2;
	const top = box.top + LEGEND_INSET;
	const bottom = box.top + box.height - height - LEGEND_INSET;
	const middle = box.top + (box.height - height) / 2;
	const place = (x: number, y: number): Box => ({ left: x, top: y, width, height });
	const corners: Box[] = [
		place(right, top),
		place(left, top),
		place(left, bottom),
		place(right, bottom),
		place(right, middle),
		place(left, middle),
		place(center, bottom),
		place(center, top),
		place(center, middle)
	];

	const covered = (corner: Box) => {
		const inside = (x: number, y: number) =>
			x >= corner.left &&
			x <= corner.left + corner.width &&
			y >= corner.top &&
			y <= corner.top + corner.height;
		let count = 0;
		for (const s of series) {
			for (const p of s.points) if (inside(p.x, p.y)) count++;
			for (const bar of s.bars) {
				const overlaps =
					bar.left < corner.left + corner.width &&
					bar.left + bar.width > corner.left &&
					bar.top < corner.top + corner.height &&
					bar.top + bar.height > corner.top;
				if (overlaps) count++;
			}
		}
		return count;
	};
	let best = corners[0];
	let fewest = covered(best);
	for (const corner of corners.slice(1)) {
		const count = covered(corner);
		if (count < fewest) [best, fewest] = [corner, count];
	}
	return best;
}

function legendEntries(specs: PlotSeries[], models: SeriesModel[]): LegendEntry[] {
	return specs.flatMap((s, i) => {
		// matplotlib leaves out series without a label and labels starting with '_'.
		if (!s.label || s.label.startsWith('_')) return [];
		const m = models[i];
		const bar = s.type === 'bar' || s.type === 'hist';
		return [
			{ label: s.label, color: m.color, marker: m.marker, dash: m.dash, line: m.path !== null, bar }
		];
	});
}

function panelTargets(series: SeriesModel[], image: ImageCell[]): HitTarget[] {
	const targets: HitTarget[] = [];
	for (const s of series) {
		for (const p of [...s.points, ...s.clipped]) targets.push({ x: p.x, y: p.y, text: p.title });
		for (const b of s.bars) targets.push(boxTarget(b, b.title));
	}
	for (const cell of image) targets.push(boxTarget(cell, cell.title));
	return targets;
}

export function boxTarget(box: Box, text: string): HitTarget {
	return { x: box.left, y: box.top, width: box.width, height: box.height, text };
}

/** Builds `data-values`: every series of every panel in order, and any images. */
export function plotDataValues(spec: PlotSpec) {
	const series = spec.axes.flatMap((axes) =>
		axes.series.map((s) => ({ label: s.label ?? null, x: s.x, y: s.y }))
	);
	const images = spec.axes.flatMap((axes) => (axes.image ? [axes.image] : []));
	return images.length > 0 ? { series, images } : { series };
}

/** Describes the chart in one sentence for its `aria-label`. */
export function describePlot(spec: PlotSpec): string {
	const heading = spec.suptitle ?? spec.axes.find((a) => a.title)?.title;
	const parts = spec.axes.map((axes) => {
		const kinds = axes.series.map((s) => (s.label ? `${s.type} "${s.label}"` : s.type));
		if (axes.image) kinds.push(`image ${axes.image.rows}x${axes.image.cols}`);
		const logs = [axes.xscale === 'log' && 'log x', axes.yscale === 'log' && 'log y'].filter(
			Boolean
		);
		const against =
			axes.ylabel || axes.xlabel ? `, ${axes.ylabel ?? 'y'} against ${axes.xlabel ?? 'x'}` : '';
		return `${kinds.join(', ') || 'empty'}${against}${logs.length ? ` (${logs.join(', ')})` : ''}`;
	});
	const grid = spec.axes.length > 1 ? `${spec.rows}x${spec.cols} subplots: ` : '';
	return `Plot${heading ? ` "${heading}"` : ''}: ${grid}${parts.join('; ')}`;
}
