import { describe, expect, test } from 'vitest';
import {
	landscapeDataValues,
	landscapeShapeError,
	layoutLandscape,
	type LandscapeSpec
} from '../../../src/lib/views/landscape-model';
import { nonFinitePaths } from './numbers';

const axis = Array.from({ length: 11 }, (_, i) => -1 + i * 0.2);
const bowl: LandscapeSpec = {
	kind: 'landscape',
	id: 'l',
	x: axis,
	y: axis,
	z: axis.map((b) => axis.map((a) => a * a + 2 * b * b)),
	path: [
		[0.8, 0.8],
		[0.4, 0.2],
		[0.1, 0.05]
	]
};

describe('layoutLandscape in 2-D', () => {
	const model = layoutLandscape(bowl, 600);

	test('layoutLandscape fills contours from the lowest threshold up', () => {
		expect(model.mode).toBe('2d');
		expect(model.bands.length).toBeGreaterThan(3);
		expect(model.bands.every((band) => band.d.startsWith('M') || band.d === '')).toBe(true);
	});

	test('layoutLandscape keeps the contour fills inside the plot box', () => {
		const coords = model.bands.flatMap((band) => band.d.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? []);
		const xs = coords.filter((_, i) => i % 2 === 0);
		expect(Math.min(...xs)).toBeGreaterThanOrEqual(model.box.left - 0.05);
		expect(Math.max(...xs)).toBeLessThanOrEqual(model.box.left + model.box.width + 0.05);
	});

	test('layoutLandscape places the path in the same plane', () => {
		expect(model.path).toHaveLength(3);
		expect(model.pathLine).toMatch(/^M/);
		expect(model.path[0].x).toBeGreaterThan(model.path[2].x);
	});

	test('layoutLandscape writes no NaN into the drawing', () => {
		expect(nonFinitePaths(model)).toEqual([]);
		for (const band of model.bands) expect(band.d).not.toMatch(/NaN|Infinity/);
	});

	test('layoutLandscape counts points a log colour scale cannot colour', () => {
		const z = (bowl.z as number[][]).map((row) => [...row]);
		z[5][5] = 0;
		z[0][0] = NaN;
		const logModel = layoutLandscape({ ...bowl, z, logScale: true }, 600);
		expect(logModel.invalidCount).toBe(2);
		expect(nonFinitePaths(logModel)).toEqual([]);
	});
});

describe('layoutLandscape in 1-D', () => {
	const line: LandscapeSpec = {
		kind: 'landscape',
		id: 'l1',
		x: [0, 1, 2, 3],
		z: [3, 1, 0, 2],
		path: [[0, 3]]
	};

	test('layoutLandscape draws a curve without a colour bar', () => {
		const model = layoutLandscape(line, 500);
		expect(model.mode).toBe('1d');
		expect(model.curve).toMatch(/^M/);
		expect(model.colorBar).toBeNull();
	});

	test('layoutLandscape marks a zero loss on a log axis at the edge', () => {
		const model = layoutLandscape({ ...line, logScale: true }, 500);
		expect(model.clipped.map((p) => p.state)).toEqual(['nonpositive']);
		expect(nonFinitePaths(model)).toEqual([]);
	});

	test('landscapeDataValues leaves out y in 1-D', () => {
		expect(landscapeDataValues(line)).toEqual({ x: [0, 1, 2, 3], z: [3, 1, 0, 2], path: [[0, 3]] });
	});
});

describe('landscapeShapeError', () => {
	test('landscapeShapeError names both shapes when z does not match', () => {
		const bad = { ...bowl, z: (bowl.z as number[][]).slice(1) };
		expect(landscapeShapeError(bad)).toBe(
			'landscape: z must have y.length = 11 rows of x.length = 11 losses, got 10 rows of 11.'
		);
	});

	test('landscapeShapeError accepts a matching grid', () => {
		expect(landscapeShapeError(bowl)).toBeNull();
	});
});
