import { describe, expect, test } from 'vitest';
import { contiguousStrides } from '../../../../../src/lib/engine/shape';
import { float32Views } from './float32-views';
import type { View } from '../../../../../src/lib/engine/backends/backend';
import { matmul, matmulReference } from '../../../../../src/lib/engine/backends/cpu/matmul';

const { viewOf, outOf } = float32Views(1);

function expectSameProduct(a: View, b: View, outShape: number[]): void {
	const fast = outOf(outShape);
	const reference = outOf(outShape);
	matmul(a, b, fast);
	matmulReference(a, b, reference);
	const f = fast.storage.data as Float32Array;
	const r = reference.storage.data as Float32Array;
	for (let i = 0; i < r.length; i++) expect(f[i], `element ${i}`).toBeCloseTo(r[i], 5);
}

describe('matmul fast path against the reference loops', () => {
	test('matmul of contiguous matrices with sizes not a multiple of 4', () => {
		for (const [n, k, m] of [
			[1, 1, 1],
			[3, 5, 7],
			[16, 32, 32],
			[9, 130, 6],
			[4, 4, 4]
		]) {
			expectSameProduct(viewOf([n, k]), viewOf([k, m]), [n, m]);
		}
	});

	test('matmul with a transposed right operand (x @ W.T)', () => {
		const w = viewOf([6, 5]);
		const wT = { ...w, shape: [5, 6], strides: [1, 5] };
		expectSameProduct(viewOf([7, 5]), wT, [7, 6]);
	});

	test('matmul with a transposed left operand (G.T @ x)', () => {
		const g = viewOf([9, 6]);
		const gT = { ...g, shape: [6, 9], strides: [1, 6] };
		expectSameProduct(gT, viewOf([9, 5]), [6, 5]);
	});

	test('matmul with an offset, a broadcast batch and a stride-0 operand', () => {
		expectSameProduct(
			viewOf([2, 3, 4], contiguousStrides([2, 3, 4]), 5),
			viewOf([4, 5]),
			[2, 3, 5]
		);
		const row = viewOf([1, 4]);
		const expanded = { ...row, shape: [3, 4], strides: [0, 1] };
		expectSameProduct(expanded, viewOf([4, 2]), [3, 2]);
	});

	test('matmul propagates NaN and Infinity like the reference', () => {
		const a = viewOf([2, 2]);
		(a.storage.data as Float32Array).set([0, 1, Infinity, 1]);
		const b = viewOf([2, 2]);
		(b.storage.data as Float32Array).set([Infinity, 1, 1, 1]);
		const fast = outOf([2, 2]);
		matmul(a, b, fast);
		expect(Array.from(fast.storage.data as Float32Array)).toEqual([NaN, 1, Infinity, Infinity]);
	});
});
