import { describe, expect, test } from 'vitest';
import { collapseDims, sameGeometry } from '../../../../../src/lib/engine/backends/webgpu/layout';

describe('collapseDims', () => {
	test('collapseDims makes a contiguous tensor rank 1', () => {
		expect(collapseDims([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
	});

	test('collapseDims keeps a broadcast bias add at rank 2', () => {
		const out = [12, 1];
		const bias = [0, 1];
		expect(collapseDims([16, 12], [out, bias])).toEqual({ shape: [16, 12], strides: [out, bias] });
	});

	test('collapseDims drops size-1 dims and keeps a transpose apart', () => {
		expect(collapseDims([3, 1, 4], [[1, 99, 3]])).toEqual({ shape: [3, 4], strides: [[1, 3]] });
	});

	test('collapseDims gives rank 0 for a single element', () => {
		expect(collapseDims([1, 1], [[1, 1]])).toEqual({ shape: [], strides: [[]] });
	});
});

describe('sameGeometry', () => {
	test('sameGeometry ignores strides of size-1 dims', () => {
		const a = { shape: [1, 4], strides: [4, 1], offset: 0 };
		const b = { shape: [1, 4], strides: [99, 1], offset: 0 };
		expect(sameGeometry(a, b)).toBe(true);
		expect(sameGeometry(a, { ...b, offset: 1 })).toBe(false);
	});
});
