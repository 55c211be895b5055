import { describe, expect, test } from 'vitest';
import { contiguousStrides } from '../../../../../src/lib/engine/shape';
import { float32Views } from './float32-views';
import type { View } from '../../../../../src/lib/engine/backends/backend';
import {
	matmul,
	matmulReference,
	matmulWasm,
	matvecFloat32
} from '../../../../../src/lib/engine/backends/cpu/matmul';

const { viewOf, outOf } = float32Views(5);

const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/** Runs the one-column loop and the SIMD kernel on a and b, and compares them bit for bit. */
function expectSameAsKernel(a: View, b: View, outShape: number[]): void {
	const loop = outOf(outShape);
	const kernel = outOf(outShape);
	matvecFloat32(a, b, loop);
	expect(matmulWasm(a, b, kernel)).toBe(true);
	const l = loop.storage.data as Float32Array;
	const w = kernel.storage.data as Float32Array;
	const differing: string[] = [];
	for (let i = 0; i < w.length; i++) {
		if (!Object.is(l[i], w[i])) differing.push(`${i}: loop ${show(l[i])}, kernel ${show(w[i])}`);
	}
	expect(differing, `a ${a.shape}, b ${b.shape}`).toEqual([]);
}

describe('matmul by one column', () => {
	test('equals the SIMD kernel bit for bit', () => {
		// k = 300 crosses the kernel's K block of 256, where it stores and reloads its sums.
		for (const n of [1, 3, 4, 5, 17, 256]) {
			for (const k of [1, 2, 7, 64, 300]) {
				expectSameAsKernel(viewOf([n, k]), viewOf([k, 1]), [n, 1]);
			}
		}
	});

	test('transposed operands, an offset and a batch', () => {
		const w = viewOf([1, 9]);
		const wT = { ...w, shape: [9, 1], strides: [1, 9] };
		const x = viewOf([9, 6], contiguousStrides([9, 6]), 3);
		const xT = { ...x, shape: [6, 9], strides: [1, 6] };
		expectSameAsKernel(xT, wT, [6, 1]);
		expectSameAsKernel(viewOf([41, 256, 64]), viewOf([41, 64, 1]), [41, 256, 1]);
		const shared = viewOf([64, 1]);
		const broadcast = { ...shared, shape: [3, 64, 1], strides: [0, 1, 1] };
		expectSameAsKernel(viewOf([3, 10, 64]), broadcast, [3, 10, 1]);
	});

	test('signed zeros, NaN and Infinity as the kernel', () => {
		const a = viewOf([5, 2]);
		(a.storage.data as Float32Array).set([-0, -0, 0, -0, Infinity, 1, NaN, 1, 3e38, 3e38]);
		const b = viewOf([2, 1]);
		(b.storage.data as Float32Array).set([1, 2]);
		expectSameAsKernel(a, b, [5, 1]);
		const out = outOf([5, 1]);
		matvecFloat32(a, b, out);
		const values = Array.from(out.storage.data as Float32Array);
		expect(values.map(show)).toEqual(['0', '0', 'Infinity', 'NaN', 'Infinity']);
	});

	test('matmul takes this path and matches the reference', () => {
		const a = viewOf([33, 20]);
		const b = viewOf([20, 1]);
		const fast = outOf([33, 1]);
		const reference = outOf([33, 1]);
		matmul(a, b, fast);
		matvecFloat32(a, b, reference);
		expect(Array.from(fast.storage.data as Float32Array)).toEqual(
			Array.from(reference.storage.data as Float32Array)
		);
		matmulReference(a, b, reference);
		const f = fast.storage.data as Float32Array;
		const r = reference.storage.data as Float32Array;
		for (let i = 0; i < r.length; i++) expect(f[i], `element ${i}`).toBeCloseTo(r[i], 5);
	});
});
