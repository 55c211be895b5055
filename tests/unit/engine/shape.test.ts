import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { IndexError, ShapeError } from '../../../src/lib/engine/errors';
import {
	broadcastShapes,
	contiguousStrides,
	normalizeDim,
	viewStrides
} from '../../../src/lib/engine/shape';

describe('error messages name the shapes and the valid range', () => {
	test('add of mismatched shapes names both shapes', () => {
		const add = () => torch.ones(2, 3).add(torch.ones(2, 4));
		expect(add).toThrow(ShapeError);
		expect(add).toThrow(
			'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'
		);
		expect(add).toThrow('got shapes [2, 3] and [2, 4]');
	});

	test('matmul of mismatched shapes names both shapes and suggests a fix', () => {
		const mm = () => torch.ones(3, 4).matmul(torch.ones(5, 6));
		expect(mm).toThrow(ShapeError);
		expect(mm).toThrow('mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)');
		expect(mm).toThrow('got shapes [3, 4] and [5, 6]');
	});

	test('a dim out of range names the valid range', () => {
		const sum = () => torch.ones(2, 3).sum(2);
		expect(sum).toThrow(IndexError);
		expect(sum).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
		expect(() => torch.ones(2, 3).softmax(-3)).toThrow('[-2, 1], but got -3');
	});

	test('view of a non-viewable layout suggests reshape', () => {
		expect(() => torch.ones(2, 3).t().view(6)).toThrow('Use .reshape(...) instead');
		expect(torch.ones(2, 3).t().reshape(6).shape).toEqual([6]);
	});

	test('reshape to a wrong element count names the sizes', () => {
		expect(() => torch.ones(2, 3).reshape(4, 2)).toThrow(
			"shape '[4, 2]' is invalid for input of size 6"
		);
	});
});

describe('shape helpers', () => {
	test('broadcastShapes aligns trailing dims', () => {
		expect(broadcastShapes([3, 1], [1, 4])).toEqual([3, 4]);
		expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
		expect(broadcastShapes([], [2])).toEqual([2]);
	});

	test('normalizeDim counts negative dims from the end; 0-d accepts -1 and 0', () => {
		expect(normalizeDim(-1, 3)).toBe(2);
		expect(normalizeDim(0, 0)).toBe(0);
		expect(normalizeDim(-1, 0)).toBe(0);
	});

	test('viewStrides finds views of contiguous and transposed layouts', () => {
		expect(viewStrides([2, 3, 4], contiguousStrides([2, 3, 4]), [6, 4])).toEqual([4, 1]);
		expect(viewStrides([3, 2], [1, 3], [6])).toBeNull();
		expect(viewStrides([3, 2], [1, 3], [3, 2, 1])).toEqual([1, 3, 3]);
		expect(viewStrides([], [], [1, 1])).toEqual([1, 1]);
	});
});
