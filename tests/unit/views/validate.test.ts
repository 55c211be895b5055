import { describe, expect, test } from 'vitest';
import { chartSpecError } from '../../../src/lib/views/validate';
import { charts } from '../../../src/routes/dev/views/specs';

describe('chartSpecError', () => {
	test.each(charts.map((c) => [c.id, c] as const))(
		'chartSpecError accepts harness spec %s',
		(_, spec) => {
			expect(chartSpecError(spec)).toBeNull();
		}
	);

	test('chartSpecError names an unknown kind', () => {
		expect(chartSpecError({ kind: 'pie', id: 'x' })).toContain(`got "pie"`);
	});

	test('chartSpecError reports a series whose x and y lengths differ', () => {
		const spec = {
			kind: 'plot',
			id: 'x',
			rows: 1,
			cols: 1,
			axes: [{ series: [{ type: 'line', x: [0, 1, 2], y: [1, 2] }] }]
		};
		expect(chartSpecError(spec)).toBe(
			'plot: axes[0].series[0]: expected 2 x values for 2 y values, got 3.'
		);
	});

	test('chartSpecError wants n + 1 edges for a histogram', () => {
		const spec = {
			kind: 'plot',
			id: 'x',
			rows: 1,
			cols: 1,
			axes: [{ series: [{ type: 'hist', x: [0, 1], y: [1, 2] }] }]
		};
		expect(chartSpecError(spec)).toContain('expected 3 bin edges for 2 y values, got 2');
	});

	test('chartSpecError rejects a grad-norms title that is not text', () => {
		const spec = {
			kind: 'grad-norms',
			id: 'x',
			layers: ['a'],
			values: [[1]],
			float32Values: [[1]],
			steps: [0],
			title: { text: 'x' }
		};
		expect(chartSpecError(spec)).toBe('grad-norms: title must be text.');
	});

	test('chartSpecError reports a grad-norms row of the wrong width', () => {
		const spec = {
			kind: 'grad-norms',
			id: 'g',
			layers: ['a', 'b'],
			values: [[1, 2], [3]],
			float32Values: [
				[1, 2],
				[3, 4]
			],
			steps: [0, 1]
		};
		expect(chartSpecError(spec)).toBe('grad-norms: values[1] has 1 norms but layers has 2 names.');
	});

	test('chartSpecError rejects a plot grid with too few axes', () => {
		const spec = { kind: 'plot', id: 'x', rows: 2, cols: 2, axes: [{ series: [] }] };
		expect(chartSpecError(spec)).toBe('plot: a 2x2 grid needs 4 axes, got 1.');
	});
});
