import { describe, expect, test } from 'vitest';
import { allocateZeroed } from '../../../../../src/lib/engine/backends/cpu/allocator';
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
});
