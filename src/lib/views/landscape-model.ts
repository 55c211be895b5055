/**
 * Lays out a 'landscape' chart spec. In 2-D, `z[j][i]` is the loss at (x[i], y[j]), as in
 * matplotlib's contourf(X, Y, Z). It is drawn as filled contours from d3-contour with a colour
 * bar, and `path` is the optimiser's path in the same (x, y) plane. In 1-D, `z[i]` is the loss
 * at x[i], drawn as a curve, and each path entry is an (x, loss) pair.
 */

import { contours, format, line, ticks as d3Ticks } from 'd3';
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
import { colorScale } from './color';
import { formatExact } from './data-values';
import type { HitTarget } from './hit-test';
import { boxTarget, type Box, type DrawnPoint } from './plot-model';
import { interpolateViridis } from 'd3';

export type LandscapeSpec = Extract<ChartSpec, { kind: 'landscape' }>;

export interface PathPoint {
	x: number;
	y: number;
	title: string;
}

/** A path recorded under a label, drawn in its own colour. */
export interface NamedPath {
	label: string;
	color: string;
	points: PathPoint[];
	line: string | null;
}

/** A level value written on its contour line, centred on (x, y). */
export interface ContourLabel {
	x: number;
	y: number;
	value: number;
	text: string;
}

export interface LandscapeModel {
	mode: '1d' | '2d';
	width: number;
	height: number;
	box: Box;
	x: AxisScale;
	y: AxisScale;
	xTicks: Tick[];
	yTicks: Tick[];
	xlabel: string;
	ylabel: string;
	/** 2-D: one filled region per threshold, lowest first. */
	bands: { d: string; fill: string }[];
	/** 2-D: grid cells whose loss cannot be coloured (NaN, or not positive on a log scale). */
	invalidCount: number;
	/** 1-D: the loss curve. */
	curve: string | null;
	/** 1-D: points of the curve drawn at an edge because the scale cannot place them. */
	clipped: DrawnPoint[];
	path: PathPoint[];
	pathLine: string | null;
	/** The labelled paths of `spec.paths`, in order. */
	paths: NamedPath[];
	/** Path points, of all paths, that lie outside the plotted area. */
	pathPointsOutside: number;
	/** Path points, of all paths, with a NaN or infinite coordinate, which are not drawn. */
	pathPointsNotFinite: number;
	/** 2-D: level values written along a few contour lines, as matplotlib's clabel. */
	contourLabels: ContourLabel[];
	/** One entry per drawn path when `spec.paths` has any; empty otherwise. */
	legend: { label: string; color: string }[];
	colorBar: { box: Box; stops: { offset: number; color: string }[]; ticks: Tick[] } | null;
	targets: HitTarget[];
}

/** Returns why a spec cannot be drawn, or null when its shapes agree. */
export function landscapeShapeError(spec: LandscapeSpec): string | null {
	const nx = spec.x.length;
	if (!spec.y) {
		if (spec.z.length !== nx || spec.z.some((v) => Array.isArray(v))) {
			return `landscape: 1-D z must be a flat list of x.length = ${nx} losses, got ${describeZ(spec.z)}.`;
		}
		return null;
	}
	const ny = spec.y.length;
	const rows = spec.z as number[][];
	if (rows.length !== ny || rows.some((row) => !Array.isArray(row) || row.length !== nx)) {
		return `landscape: z must have y.length = ${ny} rows of x.length = ${nx} losses, got ${describeZ(spec.z)}.`;
	}
	return null;
}

function describeZ(z: LandscapeSpec['z']): string {
	if (z.length > 0 && Array.isArray(z[0]))
		return `${z.length} rows of ${(z[0] as number[]).length}`;
	return `a flat list of ${z.length}`;
}

export function layoutLandscape(spec: LandscapeSpec, width: number): LandscapeModel {
	return spec.y ? layout2d(spec, spec.y, spec.z as number[][], width) : layout1d(spec, width);
}

function layout2d(spec: LandscapeSpec, ys: number[], z: number[][], width: number): LandscapeModel {
	const box: Box = { left: 58, top: 12, width: Math.max(60, width - 58 - 110), height: 0 };
	box.height = Math.min(380, Math.max(160, box.width * 0.8));
	const height = box.top + box.height + 46;

	// Contour fills span the grid exactly, as matplotlib's contourf keeps its limits at the data.
	const x = axisScale('linear', extent(spec.x), [box.left, box.left + box.width]);
	const y = axisScale('linear', extent(ys), [box.top + box.height, box.top]);

	const log = spec.logScale === true;
	// d3-contour leaves NaN uncoloured, which is right for a loss a log scale cannot show.
	const toColorSpace = (v: number) => (v > 0 ? Math.log10(v) : NaN);
	const flat = log ? z.flat().map(toColorSpace) : z.flat();
	const invalidCount = flat.filter(Number.isNaN).length;
	const [lo, hi] = dataLimits(flat, 'linear') ?? [0, 1];
	const thresholds = [lo, ...d3Ticks(lo, hi, 12).filter((t) => t > lo)];
	const valueColor = colorScale([lo, hi > lo ? hi : lo + 1], false, interpolateViridis);

	const toX = gridToPixel(spec.x, x);
	const toY = gridToPixel(ys, y);
	const bands = contours()
		.size([spec.x.length, ys.length])
		.thresholds(thresholds)(flat)
		.map((c) => ({ d: multiPolygonPath(c.coordinates, toX, toY), fill: valueColor(c.value) }));

	const inner = thresholds.filter((t) => t > lo && t < hi);
	const levelLines = contours().size([spec.x.length, ys.length]).thresholds(pickLabelLevels(inner))(
		flat
	);
	const grid = { size: [spec.x.length, ys.length] as [number, number], toX, toY };
	const path = pathPoints(spec.path, 'path', x, y);
	const paths = namedPaths(spec, x, y);
	const legend = legendEntries(spec, paths);
	const obstacles = [legendBox(box, legend), ...pathEnds([path, ...paths.map((p) => p.points)])];
	const contourLabels = placeContourLabels(levelLines, grid, box, log, obstacles);

	const targets = gridTargets(spec.x, ys, z, x, y);
	for (const p of [...path, ...paths.flatMap((named) => named.points)]) {
		targets.push({ x: p.x, y: p.y, text: p.title });
	}

	return {
		mode: '2d',
		width,
		height,
		box,
		x,
		y,
		xTicks: axisTicks(x, 70),
		yTicks: axisTicks(y, 45),
		xlabel: spec.xlabel ?? 'α',
		ylabel: spec.ylabel ?? 'β',
		bands,
		invalidCount,
		curve: null,
		clipped: [],
		path,
		pathLine: pathLine(path),
		paths,
		pathPointsOutside: countOutside([path, ...paths.map((named) => named.points)], x, y),
		pathPointsNotFinite: countNotFinite(spec),
		contourLabels,
		legend: legendEntries(spec, paths),
		colorBar: colorBarModel(box, [lo, hi], log, valueColor),
		targets
	};
}

function layout1d(spec: LandscapeSpec, width: number): LandscapeModel {
	const height = 260;
	const box: Box = { left: 64, top: 12, width: Math.max(60, width - 84), height: height - 58 };
	const z = spec.z as number[];
	const yType = spec.logScale ? 'log' : 'linear';
	const pathValues = [...spec.path, ...(spec.paths ?? []).flatMap((p) => p.points)];
	const xValues = [...spec.x, ...pathValues.map((p) => p[0])];
	const yValues = [...z, ...pathValues.map((p) => p[1])];
	const x = axisScale('linear', autoscale(dataLimits(xValues, 'linear'), 'linear'), [
		box.left,
		box.left + box.width
	]);
	const y = axisScale(yType, autoscale(dataLimits(yValues, yType), yType), [
		box.top + box.height,
		box.top
	]);

	const placed = spec.x.map((xv, i) => {
		const py = y.place(z[i]);
		const note = py.state === 'ok' ? '' : ' (marked at the edge: not on this scale)';
		const title = `x = ${formatExact(xv)}, loss = ${formatExact(z[i])}${note}`;
		return { x: x.place(xv).pos, y: py.pos, state: py.state, title };
	});
	const curve = line<(typeof placed)[number]>()
		.defined((p) => p.state === 'ok' || p.state === 'nonpositive')
		.x((p) => p.x)
		.y((p) => p.y)(placed);
	const clipped = placed.filter((p) => p.state !== 'ok');
	const path = pathPoints(spec.path, 'path', x, y);
	const paths = namedPaths(spec, x, y);
	const targets: HitTarget[] = [...placed, ...path, ...paths.flatMap((p) => p.points)].map((p) => ({
		x: p.x,
		y: p.y,
		text: p.title
	}));

	return {
		mode: '1d',
		width,
		height,
		box,
		x,
		y,
		xTicks: axisTicks(x, 70),
		yTicks: axisTicks(y, 45),
		xlabel: spec.xlabel ?? 'α',
		ylabel: spec.ylabel ?? 'loss',
		bands: [],
		invalidCount: 0,
		curve,
		clipped,
		path,
		pathLine: pathLine(path),
		paths,
		pathPointsOutside: countOutside([path, ...paths.map((named) => named.points)], x, y),
		pathPointsNotFinite: countNotFinite(spec),
		contourLabels: [],
		legend: legendEntries(spec, paths),
		colorBar: null,
		targets
	};
}

function extent(values: number[]): [number, number] {
	return dataLimits(values, 'linear') ?? [0, 1];
}

/**
 * Maps d3-contour grid coordinates to pixels. d3-contour puts sample i of n at i + 0.5 and the
 * outer ring on 0 and n, so clamping to the sample centres ends the fills at the outer samples.
 */
function gridToPixel(samples: number[], axis: AxisScale): (u: number) => number {
	const last = samples.length - 1;
	return (u) => {
		const t = Math.min(last, Math.max(0, u - 0.5));
		const i = Math.min(last - 1, Math.floor(t));
		const value = last === 0 ? samples[0] : samples[i] + (t - i) * (samples[i + 1] - samples[i]);
		return axis.place(value).pos;
	};
}

function multiPolygonPath(
	polygons: number[][][][],
	toX: (u: number) => number,
	toY: (v: number) => number
): string {
	const rings = polygons.flat();
	return rings
		.map((ring) => 'M' + ring.map(([u, v]) => `${round(toX(u))},${round(toY(v))}`).join('L') + 'Z')
		.join('');
}

function round(v: number): number {
	return Math.round(v * 10) / 10;
}

/** Builds one hover box per grid sample, reaching halfway to its neighbours. */
function gridTargets(
	xs: number[],
	ys: number[],
	z: number[][],
	x: AxisScale,
	y: AxisScale
): HitTarget[] {
	const edges = (samples: number[], axis: AxisScale) =>
		samples.map((v, i) => {
			const before = i > 0 ? (v + samples[i - 1]) / 2 : v;
			const after = i < samples.length - 1 ? (v + samples[i + 1]) / 2 : v;
			const a = axis.place(before).pos;
			const b = axis.place(after).pos;
			return [Math.min(a, b), Math.abs(b - a)] as const;
		});
	const xEdges = edges(xs, x);
	const yEdges = edges(ys, y);
	const targets: HitTarget[] = [];
	ys.forEach((yv, j) =>
		xs.forEach((xv, i) => {
			const text = `(${formatExact(xv)}, ${formatExact(yv)}): loss ${formatExact(z[j][i])}`;
			const box = {
				left: xEdges[i][0],
				top: yEdges[j][0],
				width: xEdges[i][1],
				height: yEdges[j][1]
			};
			targets.push(boxTarget(box, text));
		})
	);
	return targets;
}

/**
 * Maximum distance of a drawn path point from the plot's centre, in pixels. A diverging
 * optimiser reaches coordinates such as 1e39 pixels, which the browser does not draw at all.
 * Points beyond this distance are pulled in along the ray from the centre, so the line still
 * leaves the plot toward them. The part outside the plot is clipped anyway.
 */
const MAX_PATH_REACH = 1e5;

/** Places a path's points; points the scales cannot place are skipped, as d3 skips NaN. */
function pathPoints(
	points: [number, number][],
	label: string,
	x: AxisScale,
	y: AxisScale
): PathPoint[] {
	const cx = (x.range[0] + x.range[1]) / 2;
	const cy = (y.range[0] + y.range[1]) / 2;
	return points.flatMap(([a, b], k) => {
		// The axes would place NaN at a corner and Infinity on an edge, and the path line would
		// jump there. Such points are counted in pathPointsNotFinite instead.
		if (!Number.isFinite(a) || !Number.isFinite(b)) return [];
		let px = x.place(a).pos;
		let py = y.place(b).pos;
		if (!Number.isFinite(px) || !Number.isFinite(py)) return [];
		const reach = Math.max(Math.abs(px - cx), Math.abs(py - cy));
		if (reach > MAX_PATH_REACH) {
			px = cx + ((px - cx) / reach) * MAX_PATH_REACH;
			py = cy + ((py - cy) / reach) * MAX_PATH_REACH;
		}
		return [{ x: px, y: py, title: `${label} step ${k}: (${formatExact(a)}, ${formatExact(b)})` }];
	});
}

function countNotFinite(spec: LandscapeSpec): number {
	const points = [...spec.path, ...(spec.paths ?? []).flatMap((named) => named.points)];
	return points.filter(([a, b]) => !Number.isFinite(a) || !Number.isFinite(b)).length;
}

function countOutside(paths: PathPoint[][], x: AxisScale, y: AxisScale): number {
	const inside = (value: number, [a, b]: [number, number]) =>
		value >= Math.min(a, b) - 0.5 && value <= Math.max(a, b) + 0.5;
	return paths.flat().filter((p) => !inside(p.x, x.range) || !inside(p.y, y.range)).length;
}

/** Colours of labelled paths, chosen to stand out from viridis fills and from each other. */
const PATH_COLORS = ['#ff7f0e', '#e377c2', '#17becf', '#d62728', '#f7f7f7', '#8c564b'];

function namedPaths(spec: LandscapeSpec, x: AxisScale, y: AxisScale): NamedPath[] {
	return (spec.paths ?? []).map((p, i) => {
		const points = pathPoints(p.points, p.label, x, y);
		const color = PATH_COLORS[i % PATH_COLORS.length];
		return { label: p.label, color, points, line: pathLine(points) };
	});
}

/** The legend's box in the plot's top-right corner: 11px text, about 6.5px a character. */
export function legendBox(box: Box, legend: { label: string }[]): Box | null {
	if (legend.length === 0) return null;
	const width = 36 + 6.5 * Math.max(...legend.map((entry) => entry.label.length));
	const left = box.left + box.width - width - 6;
	return { left, top: box.top + 6, width, height: legend.length * 16 + 6 };
}

/** Lists the legend: the unlabelled path (when it has points) and then each labelled one. */
function legendEntries(spec: LandscapeSpec, paths: NamedPath[]) {
	if (paths.length === 0) return [];
	const entries = paths.map((p) => ({ label: p.label, color: p.color }));
	if (spec.path.length > 0) entries.unshift({ label: 'path', color: 'var(--gp-path)' });
	return entries;
}

function pathLine(path: PathPoint[]): string | null {
	if (path.length < 2) return null;
	return line<PathPoint>()
		.x((p) => p.x)
		.y((p) => p.y)(path);
}

/** How many level lines get labels, and how many labels each line gets at most. */
const MAX_LABELLED_LEVELS = 5;
const LABELS_PER_LEVEL = 3;
/** Label box size in pixels, for the 10px tabular digits the component draws. */
const LABEL_CHAR_WIDTH = 6.2;
const LABEL_HEIGHT = 12;
/** Labels of one level stay this far apart (in pixels), so they spread along the line. */
const SAME_LEVEL_DISTANCE = 90;
const formatLevel = format('.3~g');

/** Keeps every k-th level so that at most MAX_LABELLED_LEVELS spread over the range. */
function pickLabelLevels(levels: number[]): number[] {
	if (levels.length <= MAX_LABELLED_LEVELS) return levels;
	const stride = Math.ceil(levels.length / MAX_LABELLED_LEVELS);
	const first = Math.floor((levels.length - 1 - stride * (MAX_LABELLED_LEVELS - 1)) / 2);
	return levels.filter(
		(_, i) => i >= Math.max(0, first) && (i - Math.max(0, first)) % stride === 0
	);
}

interface GridMap {
	size: [number, number];
	toX: (u: number) => number;
	toY: (v: number) => number;
}

/**
 * Places level values on their contour lines, as matplotlib's clabel: for each level, candidate
 * points spread along the line are tried in turn, and a label is kept when its box lies inside
 * the plot and clears every label already placed. On a log colour scale the levels are log10 of
 * the loss, so the labels show 10 ** level.
 */
function placeContourLabels(
	levels: { value: number; coordinates: number[][][][] }[],
	grid: GridMap,
	box: Box,
	log: boolean,
	obstacles: (Box | null)[]
): ContourLabel[] {
	// Obstacles (the legend, the paths' end markers) take part as placed labels of no level.
	const placed: (Box & { level: number })[] = obstacles.flatMap((obstacle) =>
		obstacle ? [{ ...obstacle, level: NaN }] : []
	);
	const labels: ContourLabel[] = [];
	for (const level of levels) {
		const value = log ? 10 ** level.value : level.value;
		const text = formatLevel(value);
		const width = text.length * LABEL_CHAR_WIDTH + 4;
		let count = 0;
		for (const [x, y] of spreadOrder(levelLinePoints(level.coordinates, grid))) {
			if (count === LABELS_PER_LEVEL) break;
			const rect = { left: x - width / 2, top: y - LABEL_HEIGHT / 2, width, height: LABEL_HEIGHT };
			if (!contains(box, rect) || placed.some((other) => collides(other, rect, level.value))) {
				continue;
			}
			placed.push({ ...rect, level: level.value });
			labels.push({ x, y, value, text });
			count++;
		}
	}
	return labels;
}

/** Half the side of the square kept free of labels around a path's start and end markers. */
const PATH_END_CLEARANCE = 7;

/** Boxes around the first and last point of each path, which are drawn as larger markers. */
function pathEnds(paths: { x: number; y: number }[][]): Box[] {
	return paths.flatMap((points) =>
		[points[0], points.at(-1)].flatMap((point) =>
			point && Number.isFinite(point.x) && Number.isFinite(point.y)
				? [
						{
							left: point.x - PATH_END_CLEARANCE,
							top: point.y - PATH_END_CLEARANCE,
							width: 2 * PATH_END_CLEARANCE,
							height: 2 * PATH_END_CLEARANCE
						}
					]
				: []
		)
	);
}

/** Pixel points of a level line, without the parts that run along the grid's border. */
function levelLinePoints(polygons: number[][][][], grid: GridMap): [number, number][] {
	const [n, m] = grid.size;
	const onBorder = (u: number, v: number) => u <= 0.5 || u >= n - 0.5 || v <= 0.5 || v >= m - 0.5;
	return polygons
		.flat()
		.flat()
		.filter(([u, v]) => !onBorder(u, v))
		.map(([u, v]) => [grid.toX(u), grid.toY(v)] as [number, number])
		.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
}

/** Orders points as 1/2, 1/4, 3/4, 1/8, … of the way along, so early picks are far apart. */
function spreadOrder<T>(points: T[]): T[] {
	const order: T[] = [];
	const seen = new Set<number>();
	for (let denominator = 2; denominator <= 64 && seen.size < points.length; denominator *= 2) {
		for (let k = 1; k < denominator; k += 2) {
			const i = Math.floor((k / denominator) * points.length);
			if (!seen.has(i)) {
				seen.add(i);
				order.push(points[i]);
			}
		}
	}
	return order;
}

function contains(outer: Box, inner: Box): boolean {
	return (
		inner.left >= outer.left + 2 &&
		inner.top >= outer.top + 2 &&
		inner.left + inner.width <= outer.left + outer.width - 2 &&
		inner.top + inner.height <= outer.top + outer.height - 2
	);
}

/** Whether a label box comes too close to a placed one: 3px for other levels, more for its own. */
function collides(other: Box & { level: number }, rect: Box, level: number): boolean {
	const gap = other.level === level ? SAME_LEVEL_DISTANCE : 3;
	return (
		rect.left < other.left + other.width + gap &&
		other.left < rect.left + rect.width + gap &&
		rect.top < other.top + other.height + gap &&
		other.top < rect.top + rect.height + gap
	);
}

/** Lays out the colour bar beside the plot. On a log scale its values are log10 of the loss. */
function colorBarModel(
	box: Box,
	[lo, hi]: [number, number],
	log: boolean,
	color: (v: number) => string
) {
	const barBox: Box = {
		left: box.left + box.width + 16,
		top: box.top,
		width: 12,
		height: box.height
	};
	const domain: [number, number] = hi > lo ? [lo, hi] : [lo, lo + 1];
	const stops = Array.from({ length: 11 }, (_, i) => ({
		offset: i / 10,
		color: color(domain[0] + (i / 10) * (domain[1] - domain[0]))
	}));
	const count = Math.max(2, Math.floor(box.height / 40));
	const range: [number, number] = [barBox.top + barBox.height, barBox.top];
	if (!log) return { box: barBox, stops, ticks: axisTicks(axisScale('linear', domain, range), 40) };

	const lossDomain: [number, number] = [10 ** domain[0], 10 ** domain[1]];
	const bar = axisScale('log', lossDomain, range);
	const ticks = logTicks(lossDomain, count).filter((t) => t.label);
	return { box: barBox, stops, ticks: ticks.map((t) => ({ ...t, pos: bar.scale(t.value) })) };
}

/**
 * Builds `data-values`: x, y, z and path in 2-D, and x, flat z and path in 1-D, with `paths`
 * added when the spec has labelled paths.
 */
export function landscapeDataValues(spec: LandscapeSpec) {
	const paths = spec.paths ? { paths: spec.paths } : {};
	if (!spec.y) return { x: spec.x, z: spec.z, path: spec.path, ...paths };
	return { x: spec.x, y: spec.y, z: spec.z, path: spec.path, ...paths };
}

export function describeLandscape(spec: LandscapeSpec): string {
	let scale = '';
	if (spec.logScale) scale = spec.y ? ', log colour scale' : ', log loss axis';
	let path = spec.path.length ? `, with an optimiser path of ${spec.path.length} points` : '';
	if (spec.paths?.length) path += `, with paths ${spec.paths.map((p) => p.label).join(', ')}`;
	if (!spec.y) return `Loss along one direction: ${spec.x.length} points${scale}${path}`;
	return `Loss landscape, filled contours over ${spec.x.length} by ${spec.y.length} points${scale}${path}`;
}
