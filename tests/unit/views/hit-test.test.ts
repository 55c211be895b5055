import { describe, expect, test } from 'vitest';
import { hitTest, type HitTarget } from '../../../src/lib/views/hit-test';

const targets: HitTarget[] = [
	{ x: 10, y: 10, text: 'a' },
	{ x: 40, y: 10, text: 'b' },
	{ x: 100, y: 100, width: 20, height: 20, text: 'box' }
];

describe('hitTest', () => {
	test('hitTest picks the nearest point within the radius', () => {
		expect(hitTest(targets, 30, 12)?.text).toBe('b');
		expect(hitTest(targets, 12, 9)?.text).toBe('a');
	});

	test('hitTest finds the box under the pointer', () => {
		expect(hitTest(targets, 110, 119)?.text).toBe('box');
	});

	test('hitTest returns null far from every target', () => {
		expect(hitTest(targets, 300, 300)).toBeNull();
	});
});
