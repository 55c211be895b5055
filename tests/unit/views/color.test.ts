import { describe, expect, test } from 'vitest';
import { colorScale, colormap, parseColor, seriesColor } from '../../../src/lib/views/color';

describe('parseColor', () => {
	test('parseColor reads matplotlib colour names', () => {
		expect(parseColor('C1')).toBe('#ff7f0e');
		expect(parseColor('r')).toBe('#ff0000');
		expect(parseColor('tab:green')).toBe('#2ca02c');
		expect(parseColor('#abc')).toBe('#abc');
		expect(parseColor('steelblue')).toBe('steelblue');
	});

	test('parseColor rejects text that is not a colour', () => {
		expect(parseColor('url(https://example.com/x.svg#p)')).toBeNull();
		expect(parseColor('red; fill: blue')).toBeNull();
	});

	test('seriesColor falls back to the default cycle', () => {
		expect(seriesColor(undefined, 0)).toBe('#1f77b4');
		expect(seriesColor('not a colour!', 11)).toBe('#ff7f0e');
	});
});

describe('colorScale', () => {
	test('colorScale on a log domain spaces decades evenly', () => {
		const color = colorScale([1e-8, 1], true, (t) => t.toFixed(2));
		expect([1e-8, 1e-4, 1].map(color)).toEqual(['0.00', '0.50', '1.00']);
	});

	test('colorScale clamps values outside the domain and never passes NaN', () => {
		const seen: number[] = [];
		const color = colorScale([1, 10], true, (t) => {
			seen.push(t);
			return 'c';
		});
		[0, -1, NaN, Infinity, 100].forEach(color);
		expect(seen.every((t) => t >= 0 && t <= 1)).toBe(true);
	});

	test('colormap falls back to viridis for unknown names', () => {
		expect(colormap('no-such-map').name).toBe('viridis');
		expect(colormap('gray').interpolate(1)).toBe('rgb(255, 255, 255)');
	});
});
