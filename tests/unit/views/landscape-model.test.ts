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

describe('layoutLandscape contour labels', () => {
	const model = layoutLandscape(bowl, 600);
	const zValues = (bowl.z as number[][]).flat();

	test('contourLabels stay inside the plot box', () => {
		const { box } = model;
		expect(model.contourLabels.length).toBeGreaterThan(0);
		for (const label of model.contourLabels) {
			expect(label.x).toBeGreaterThan(box.left);
			expect(label.x).toBeLessThan(box.left + box.width);
			expect(label.y).toBeGreaterThan(box.top);
			expect(label.y).toBeLessThan(box.top + box.height);
		}
	});

	test('contourLabels label several levels within the z range', () => {
		const levels = new Set(model.contourLabels.map((label) => label.value));
		expect(levels.size).toBeGreaterThanOrEqual(3);
		for (const level of levels) {
			expect(level).toBeGreaterThan(Math.min(...zValues));
			expect(level).toBeLessThan(Math.max(...zValues));
		}
	});

	test('contourLabels text parses back to the level value', () => {
		for (const label of model.contourLabels) {
			expect(Number(label.text)).toBeCloseTo(label.value, 6);
		}
	});

	test('contourLabels sit on their level line', () => {
		// On the bowl a*a + 2*b*b, a label's centre must have about its level's loss.
		for (const label of model.contourLabels) {
			const a = model.x.scale.invert(label.x);
			const b = model.y.scale.invert(label.y);
			expect(Math.abs(a * a + 2 * b * b - label.value)).toBeLessThan(0.15);
		}
	});

	test('contourLabels do not overlap', () => {
		const boxes = model.contourLabels.map((label) => ({
			left: label.x - (label.text.length * 6.2 + 4) / 2,
			right: label.x + (label.text.length * 6.2 + 4) / 2,
			top: label.y - 6,
			bottom: label.y + 6
		}));
		boxes.forEach((a, i) =>
			boxes.slice(i + 1).forEach((b) => {
				const apart =
					a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
				expect(apart, `labels ${i} and another overlap`).toBe(true);
			})
		);
	});

	test('contourLabels keep clear of the path end markers', () => {
		// End a path exactly where a label would go without one.
		const [first] = model.contourLabels;
		const end: [number, number] = [model.x.scale.invert(first.x), model.y.scale.invert(first.y)];
		const withPath = layoutLandscape({ ...bowl, path: [[-0.5, -0.5], end] }, 600);
		const last = withPath.path.at(-1)!;
		expect(withPath.contourLabels.length).toBeGreaterThan(0);
		for (const label of withPath.contourLabels) {
			const halfWidth = (label.text.length * 6.2 + 4) / 2;
			const apart =
				Math.abs(label.x - last.x) >= halfWidth + 7 || Math.abs(label.y - last.y) >= 6 + 7;
			expect(apart, `label ${label.text} at (${label.x}, ${label.y})`).toBe(true);
		}
	});

	test('contourLabels on a log scale show the loss, not its log10', () => {
		const logModel = layoutLandscape({ ...bowl, logScale: true }, 600);
		const positive = zValues.filter((v) => v > 0);
		expect(logModel.contourLabels.length).toBeGreaterThan(0);
		for (const label of logModel.contourLabels) {
			expect(label.value).toBeGreaterThan(Math.min(...positive));
			expect(label.value).toBeLessThan(Math.max(...positive));
		}
		expect(nonFinitePaths(logModel)).toEqual([]);
	});

	test('contourLabels are empty in 1-D', () => {
		const curve = layoutLandscape({ ...bowl, y: undefined, z: axis.map((a) => a * a) }, 600);
		expect(curve.contourLabels).toEqual([]);
	});
});

describe('layoutLandscape labelled paths', () => {
	const spec: LandscapeSpec = {
		...bowl,
		paths: [
			{ label: 'batch', points: bowl.path },
			{
				label: 'sgd',
				points: [
					[-0.8, 0.6],
					[-0.3, 0.1]
				]
			}
		]
	};
	const model = layoutLandscape(spec, 600);

	test('paths get distinct colours and their own lines', () => {
		expect(model.paths.map((p) => p.label)).toEqual(['batch', 'sgd']);
		expect(model.paths[0].color).not.toBe(model.paths[1].color);
		expect(model.paths[0].points).toHaveLength(3);
		expect(model.paths[1].line).toMatch(/^M/);
		expect(model.paths[1].points[0].x).toBeCloseTo(model.x.scale(-0.8), 6);
	});

	test('legend lists the unlabelled path and each labelled one', () => {
		expect(model.legend.map((entry) => entry.label)).toEqual(['path', 'batch', 'sgd']);
		expect(model.legend[1].color).toBe(model.paths[0].color);
		expect(layoutLandscape(bowl, 600).legend).toEqual([]);
	});

	test('paths points are hover targets with their label', () => {
		expect(model.targets.some((t) => t.text.startsWith('sgd step 1:'))).toBe(true);
	});

	test('paths never put NaN into the model', () => {
		const broken = { ...spec, paths: [{ label: 'nan', points: [[NaN, 0] as [number, number]] }] };
		expect(nonFinitePaths(layoutLandscape(broken, 600))).toEqual([]);
	});

	test('landscapeDataValues adds paths only when present', () => {
		expect(landscapeDataValues(spec).paths).toEqual(spec.paths);
		expect('paths' in landscapeDataValues(bowl)).toBe(false);
	});
});

describe('layoutLandscape with a diverging path', () => {
	// Linear regression at too high a learning rate: the second step is already at 5e39.
	const diverging: LandscapeSpec = {
		...bowl,
		path: [
			[0.5, 0.5],
			[-3, 4],
			[5e39, -2e39]
		]
	};
	const model = layoutLandscape(diverging, 600);
	const centre = {
		x: model.box.left + model.box.width / 2,
		y: model.box.top + model.box.height / 2
	};

	test('layoutLandscape keeps every path point within drawable reach', () => {
		expect(model.path).toHaveLength(3);
		for (const point of model.path) {
			expect(Math.abs(point.x - centre.x)).toBeLessThanOrEqual(1e5);
			expect(Math.abs(point.y - centre.y)).toBeLessThanOrEqual(1e5);
		}
		expect(model.pathLine).not.toMatch(/e\+|NaN|Infinity/);
	});

	test('layoutLandscape points a pulled-in point the way it went', () => {
		const far = model.path[2];
		expect(far.x).toBeGreaterThan(centre.x);
		// Screen y grows downward, so a negative coordinate lies below the centre.
		expect(far.y).toBeGreaterThan(centre.y);
		// The plane's centre is (0, 0), so [5, -2] lies on the same ray from it, unscaled.
		const near = layoutLandscape({ ...bowl, path: [[5, -2]] }, 600).path[0];
		const ratio = (near.x - centre.x) / (near.y - centre.y);
		expect((far.x - centre.x) / (far.y - centre.y)).toBeCloseTo(ratio, 6);
	});

	test('layoutLandscape counts the path points outside the plot', () => {
		expect(model.pathPointsOutside).toBe(2);
		expect(layoutLandscape(bowl, 600).pathPointsOutside).toBe(0);
	});

	test('layoutLandscape counts path points it cannot draw', () => {
		const diverged = layoutLandscape(
			{
				...bowl,
				path: [
					[0.5, 0.5],
					[NaN, NaN],
					[Infinity, 1],
					[0.2, 0.1]
				]
			},
			600
		);
		expect(diverged.pathPointsNotFinite).toBe(2);
		expect(diverged.path).toHaveLength(2);
		expect(layoutLandscape(bowl, 600).pathPointsNotFinite).toBe(0);
	});
});
