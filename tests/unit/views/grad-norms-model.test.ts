import { describe, expect, test } from 'vitest';
import {
	describeGradNorms,
	float32LostLabel,
	float32Notes,
	gradNormsDataValues,
	layoutGradNorms,
	type GradNormsSpec
} from '../../../src/lib/views/grad-norms-model';
import { nonFinitePaths } from './numbers';

const names = (n: number) => Array.from({ length: n }, (_, i) => `layers.${i}.weight`);

function spec(values: number[][], float32Values = values): GradNormsSpec {
	const layers = names(values[0]?.length ?? 0);
	const steps = values.map((_, i) => i);
	return { kind: 'grad-norms', id: 'g', layers, values, float32Values, steps };
}

describe('layoutGradNorms for one step', () => {
	const single = spec([[1e-19, 0, 3e-2, Infinity, NaN]]);
	const model = layoutGradNorms(single, 600);

	test('layoutGradNorms draws bars in layer order', () => {
		expect(model.mode).toBe('bars');
		expect(model.cells.map((c) => c.layer)).toEqual([0, 1, 2, 3, 4]);
		expect(model.cells[0].left).toBeLessThan(model.cells[1].left);
	});

	test('layoutGradNorms marks zero, Infinity and NaN norms', () => {
		expect(model.cells.map((c) => c.state)).toEqual(['ok', 'zero', 'ok', 'inf', 'nan']);
		expect(model.states).toEqual(['zero', 'inf', 'nan']);
	});

	test('layoutGradNorms takes the log axis from the positive finite norms', () => {
		if (model.mode !== 'bars') throw new Error('expected bars');
		expect(model.y.domain[0]).toBeLessThan(1e-19);
		expect(model.y.domain[1]).toBeGreaterThan(3e-2);
		expect(model.y.domain[1]).toBeLessThan(1);
	});

	test('layoutGradNorms writes no NaN into the drawing', () => {
		expect(nonFinitePaths(model)).toEqual([]);
	});

	test('gradNormsDataValues gives one norm per layer', () => {
		expect(gradNormsDataValues(single)).toEqual({
			layers: single.layers,
			values: single.values[0]
		});
	});
});

describe('layoutGradNorms before the first backward', () => {
	const empty: GradNormsSpec = { ...spec([]), layers: names(3) };
	const model = layoutGradNorms(empty, 600);

	test('layoutGradNorms draws no bars without a step', () => {
		expect(model.cells).toEqual([]);
	});

	test('layoutGradNorms shows no NaN legend without a step', () => {
		expect(model.states).toEqual([]);
	});
});

describe('layoutGradNorms title', () => {
	test('title makes room above the plot', () => {
		const plain = layoutGradNorms(spec([[1, 2]]), 400);
		const titled = layoutGradNorms({ ...spec([[1, 2]]), title: 'With BatchNorm' }, 400);
		expect(titled.box.top - plain.box.top).toBe(20);
		expect(titled.height - plain.height).toBe(20);
		expect(titled.box.height).toBe(plain.box.height);
		expect(describeGradNorms({ ...spec([[1, 2]]), title: 'With BatchNorm' })).toMatch(
			/^With BatchNorm\. Gradient norm per layer/
		);
	});
});

describe('layoutGradNorms bars', () => {
	test('bars start at the power of ten below the smallest norm', () => {
		const model = layoutGradNorms(spec([[3333, 7592]]), 400);
		const [small, large] = model.cells.map((c) => c.height);
		// log10(3.333) / log10(7.592) of the tallest bar, not a sliver: 0.52 / 0.88.
		expect(small / large).toBeGreaterThan(0.55);
		expect(small / large).toBeLessThan(0.65);
	});

	test('norm on a power of ten still gets a bar', () => {
		const model = layoutGradNorms(spec([[1000, 5000]]), 400);
		expect(model.cells[0].height).toBeGreaterThan(10);
	});
});

describe('float32Notes', () => {
	test('float32Notes counts layers that a plain float32 norm loses', () => {
		const scaled = [Array.from({ length: 25 }, (_, i) => 10 ** (i - 5))];
		const float32 = [scaled[0].map((v, i) => (i >= 5 ? Infinity : v))];
		expect(float32Notes(spec(scaled, float32))).toEqual([
			'float32 .norm() gives Infinity for 20 layers; scaled norms shown.'
		]);
	});

	test('float32Notes reports underflow to 0 beside overflow', () => {
		const notes = float32Notes(spec([[1e-30, 1e-30, 1e30]], [[0, 0, Infinity]]));
		expect(notes).toEqual([
			'float32 .norm() gives Infinity for 1 layer and 0 for 2 layers; scaled norms shown.'
		]);
	});

	test('float32Notes is empty when the norms agree, zeros included', () => {
		expect(float32Notes(spec([[0, 1, Infinity]]))).toEqual([]);
	});

	test('float32LostLabel names what float32 gives', () => {
		expect(float32LostLabel(spec([[1e30]], [[Infinity]]))).toBe(
			'here float32 .norm() gives Infinity'
		);
		expect(float32LostLabel(spec([[1e-30]], [[0]]))).toBe('here float32 .norm() gives 0');
		expect(float32LostLabel(spec([[1e-30, 1e30]], [[0, Infinity]]))).toBe(
			'here float32 .norm() gives Infinity or 0'
		);
	});

	test('layoutGradNorms flags the cells float32 loses', () => {
		const model = layoutGradNorms(spec([[1, 1e30]], [[1, Infinity]]), 400);
		expect(model.cells.map((c) => c.float32Lost)).toEqual([false, true]);
	});
});

describe('layoutGradNorms over several steps', () => {
	const values = Array.from({ length: 12 }, (_, s) => [
		1e-8 * (s + 1),
		0,
		1e-2,
		s === 7 ? Infinity : 5
	]);
	const heat = spec(values);
	const model = layoutGradNorms(heat, 700);

	test('layoutGradNorms draws a layer-by-step heat map', () => {
		expect(model.mode).toBe('heatmap');
		expect(model.cells).toHaveLength(12 * 4);
	});

	test('layoutGradNorms puts layer 0 in the top row', () => {
		const tops = [0, 1, 2, 3].map((layer) => model.cells.find((c) => c.layer === layer)!.top);
		expect(tops).toEqual([...tops].sort((a, b) => a - b));
	});

	test('layoutGradNorms colours a zero-norm layer with the zero state', () => {
		const zero = model.cells.filter((c) => c.layer === 1);
		expect(zero.every((c) => c.state === 'zero' && c.fill === '')).toBe(true);
		expect(model.states).toContain('zero');
	});

	test('layoutGradNorms colours finite norms on the scale', () => {
		const ok = model.cells.filter((c) => c.state === 'ok');
		expect(ok.every((c) => /^(#|rgb)/.test(c.fill))).toBe(true);
		expect(new Set(ok.map((c) => c.fill)).size).toBeGreaterThan(2);
	});

	test('layoutGradNorms writes no NaN into the heat map', () => {
		expect(nonFinitePaths(model)).toEqual([]);
	});

	test('gradNormsDataValues gives values as [step][layer]', () => {
		expect(gradNormsDataValues(heat).values).toEqual(values);
	});
});

describe('layoutGradNorms with more steps than pixels', () => {
	test('layoutGradNorms merges steps and keeps an Infinity visible', () => {
		const values = Array.from({ length: 400 }, (_, s) => [s === 123 ? Infinity : 1, 2]);
		const model = layoutGradNorms(spec(values), 300);
		if (model.mode !== 'heatmap') throw new Error('expected a heat map');
		expect(model.stepsPerColumn).toBeGreaterThan(1);
		expect(model.cells.filter((c) => c.state === 'inf')).toHaveLength(1);
		expect(model.notes.join(' ')).toContain(`merges ${model.stepsPerColumn} steps`);
	});
});
