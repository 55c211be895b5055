import { describe, expect, test } from 'vitest';
import {
	allocateZeroed,
	recycle,
	recycleNow,
	recycleWhenCollected
} from '../../../../../src/lib/engine/backends/cpu/allocator';
import { bool, float32, float64, int64 } from '../../../../../src/lib/engine/dtype';

describe('CPU storage allocator', () => {
	test('arrays are zeroed and do not overlap after neighbours are written', () => {
		const arrays = [];
		for (let i = 0; i < 200; i++) {
			const dtype = [float32, float64, int64, bool][i % 4];
			const array = allocateZeroed(dtype, 1 + ((i * 37) % 600));
			expect(
				array.every((v) => v === 0),
				`array ${i} starts zeroed`
			).toBe(true);
			array.fill(i + 1);
			arrays.push(array);
		}
		arrays.forEach((array, i) => {
			expect(
				array.every((v) => v === i + 1),
				`array ${i} keeps its values`
			).toBe(true);
		});
	});

	test('element types follow the dtype', () => {
		expect(allocateZeroed(float32, 100)).toBeInstanceOf(Float32Array);
		expect(allocateZeroed(float64, 100)).toBeInstanceOf(Float64Array);
		expect(allocateZeroed(int64, 100)).toBeInstanceOf(Float64Array);
		expect(allocateZeroed(bool, 100)).toBeInstanceOf(Uint8Array);
	});

	test('shared arrays start on 16-byte boundaries', () => {
		for (let i = 0; i < 50; i++) {
			const array = allocateZeroed(i % 2 ? float64 : bool, 70 + i);
			expect(array.byteOffset % 16).toBe(0);
		}
	});

	test('arrays above 4 KiB get their own buffer', () => {
		const large = allocateZeroed(float32, 1025);
		expect(large.byteOffset).toBe(0);
		expect(large.buffer.byteLength).toBe(4100);
	});

	// Each test below uses sizes of its own, because the pool is shared by the whole file.
	test('released array returns zeroed', () => {
		const array = allocateZeroed(float32, 20_000).fill(3);
		recycle(array);
		const again = allocateZeroed(float32, 20_000);
		expect(again).toBe(array);
		expect(again.every((v) => v === 0)).toBe(true);
		expect(allocateZeroed(float32, 20_000)).not.toBe(array);
	});

	test('reuse needs the same length and element type', () => {
		const array = allocateZeroed(float32, 30_000);
		recycle(array);
		expect(allocateZeroed(float64, 15_000)).not.toBe(array);
		expect(allocateZeroed(float32, 30_004)).not.toBe(array);
		expect(allocateZeroed(float32, 30_000)).toBe(array);
		// int64 is stored in Float64Array as float64 is, so they share arrays.
		const wide = allocateZeroed(float64, 30_000);
		recycle(wide);
		expect(allocateZeroed(int64, 30_000)).toBe(wide);
	});

	test('slab arrays reused, heap arrays not', () => {
		const carved = allocateZeroed(float32, 500).fill(2);
		recycle(carved);
		const again = allocateZeroed(float32, 500);
		expect(again).toBe(carved);
		expect(again.every((v) => v === 0)).toBe(true);
		const tiny = allocateZeroed(float32, 10);
		recycle(tiny);
		expect(allocateZeroed(float32, 10)).not.toBe(tiny);
	});

	test('the pool keeps its newest 64 MiB', () => {
		const size = 4 * 1024 * 1024; // 16 MiB of float32
		const arrays = Array.from({ length: 5 }, () => allocateZeroed(float32, size));
		for (const array of arrays) recycle(array);
		const reused = Array.from({ length: 5 }, () => allocateZeroed(float32, size));
		expect(reused).not.toContain(arrays[0]);
		for (const array of arrays.slice(1)) expect(reused).toContain(array);
	});

	test('an array recycled twice is handed out once', () => {
		const array = allocateZeroed(float32, 34_567);
		recycle(array);
		recycle(array);
		expect(allocateZeroed(float32, 34_567)).toBe(array);
		expect(allocateZeroed(float32, 34_567)).not.toBe(array);
	});

	test('collected owner recycles once', async () => {
		const gc = (globalThis as { gc?: () => void }).gc;
		expect(gc, 'vitest runs Node with --expose-gc').toBeDefined();
		const owned = allocateZeroed(float32, 12_345);
		// The owner is unreachable as soon as the call returns.
		recycleWhenCollected({}, owned);
		for (let i = 0; i < 3; i++) {
			gc!();
			await new Promise((resolve) => setImmediate(resolve));
		}
		expect(allocateZeroed(float32, 12_345)).toBe(owned);

		const early = allocateZeroed(float32, 23_456);
		recycleWhenCollected({}, early);
		recycleNow(early);
		gc!();
		await new Promise((resolve) => setImmediate(resolve));
		expect(allocateZeroed(float32, 23_456)).toBe(early);
		expect(allocateZeroed(float32, 23_456)).not.toBe(early);
	});
});
