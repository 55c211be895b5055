/**
 * Checks a chart spec received from the worker before it is drawn. Cells are untrusted code and
 * the worker only forwards what they build, so a spec whose shapes disagree is reported as a
 * message in place of the chart instead of drawing wrong numbers or throwing inside a view.
 */

import type { ChartSpec } from '../worker/api';
import { landscapeShapeError } from './landscape-model';

type Check = string | null;

/** Returns the first problem found in `spec`, or null when it can be drawn. */
export function chartSpecError(spec: unknown): Check {
	if (!isObject(spec)) return `chart: expected a chart spec object, got ${typeof spec}.`;
	if (typeof spec.id !== 'string') return `chart: id must be a string, got ${typeof spec.id}.`;
	switch (spec.kind) {
		case 'plot':
			return plotError(spec);
		case 'grad-norms':
			return gradNormsError(spec);
		case 'landscape':
			return landscapeError(spec);
		default:
			return `chart: kind must be 'plot', 'grad-norms' or 'landscape', got ${JSON.stringify(spec.kind)}.`;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumbers(value: unknown): value is number[] {
	return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

function isMatrix(value: unknown): value is number[][] {
	return Array.isArray(value) && value.every(isNumbers);
}

const SERIES_TYPES = ['line', 'scatter', 'bar', 'hist'];

function plotError(spec: Record<string, unknown>): Check {
	const { rows, cols, axes } = spec;
	if (
		!Number.isInteger(rows) ||
		!Number.isInteger(cols) ||
		(rows as number) < 1 ||
		(cols as number) < 1
	) {
		return `plot: rows and cols must be positive integers, got ${rows} and ${cols}.`;
	}
	if (!Array.isArray(axes) || axes.length !== (rows as number) * (cols as number)) {
		return `plot: a ${rows}x${cols} grid needs ${(rows as number) * (cols as number)} axes, got ${Array.isArray(axes) ? axes.length : typeof axes}.`;
	}
	for (const [a, panel] of axes.entries()) {
		const error = axesError(panel, a);
		if (error) return error;
	}
	return null;
}

function axesError(panel: unknown, a: number): Check {
	if (!isObject(panel) || !Array.isArray(panel.series))
		return `plot: axes[${a}] has no series list.`;
	for (const [s, series] of panel.series.entries()) {
		const where = `plot: axes[${a}].series[${s}]`;
		if (!isObject(series) || !SERIES_TYPES.includes(series.type as string)) {
			return `${where}: type must be one of ${SERIES_TYPES.join(', ')}.`;
		}
		if (!isNumbers(series.x) || !isNumbers(series.y))
			return `${where}: x and y must be lists of numbers.`;
		const expected = series.type === 'hist' ? series.y.length + 1 : series.y.length;
		if (series.x.length !== expected) {
			const what = series.type === 'hist' ? 'bin edges for' : 'x values for';
			return `${where}: expected ${expected} ${what} ${series.y.length} y values, got ${series.x.length}.`;
		}
	}
	const image = panel.image;
	if (image !== undefined) {
		if (!isObject(image) || !isNumbers(image.data))
			return `plot: axes[${a}].image.data must be a list of numbers.`;
		const size = (image.rows as number) * (image.cols as number);
		if (!Number.isInteger(size) || image.data.length !== size) {
			return `plot: axes[${a}].image is ${image.rows}x${image.cols} but has ${image.data.length} values.`;
		}
	}
	return null;
}

function gradNormsError(spec: Record<string, unknown>): Check {
	const { layers, values, float32Values, steps, title } = spec;
	if (title !== undefined && typeof title !== 'string') return 'grad-norms: title must be text.';
	if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) {
		return 'grad-norms: layers must be a list of names.';
	}
	if (!isMatrix(values) || !isMatrix(float32Values) || !isNumbers(steps)) {
		return 'grad-norms: values and float32Values must be lists of rows of numbers, steps a list of numbers.';
	}
	if (float32Values.length !== values.length || steps.length !== values.length) {
		return `grad-norms: values, float32Values and steps must have one entry per step, got ${values.length}, ${float32Values.length} and ${steps.length}.`;
	}
	for (const [name, rows] of [
		['values', values],
		['float32Values', float32Values]
	] as const) {
		const bad = rows.findIndex((row) => row.length !== layers.length);
		if (bad >= 0) {
			return `grad-norms: ${name}[${bad}] has ${rows[bad].length} norms but layers has ${layers.length} names.`;
		}
	}
	return null;
}

function landscapeError(spec: Record<string, unknown>): Check {
	const { x, y, z, path } = spec;
	if (!isNumbers(x)) return 'landscape: x must be a list of numbers.';
	if (y !== undefined && !isNumbers(y)) return 'landscape: y must be a list of numbers.';
	if (!isNumbers(z) && !isMatrix(z))
		return 'landscape: z must be a list of numbers or of rows of numbers.';
	if (!Array.isArray(path) || !path.every((p) => isNumbers(p) && p.length === 2)) {
		return 'landscape: path must be a list of [x, y] pairs.';
	}
	return landscapeShapeError(spec as unknown as Extract<ChartSpec, { kind: 'landscape' }>);
}
