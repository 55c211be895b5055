import { describe, expect, test } from 'vitest';
import type { ReduceOp, View } from '../../../../../src/lib/engine/backends/backend';
import { reduceContiguous, reduceStrided } from '../../../../../src/lib/engine/backends/cpu/reduce';
import { float32, float64, type DType } from '../../../../../src/lib/engine/dtype';
import { contiguousStrides, numelOf } from '../../../../../src/lib/engine/shape';

let seed = 3;
function random(): number {
	seed = (seed * 16807) % 2147483647;
	return (seed / 2147483647) * 4 - 2;
}

function viewOf(shape: number[], dtype: DType, fill: () => number): View {
	const size = numelOf(shape);
	const data = dtype === float32 ? new Float32Array(size) : new Float64Array(size);
	for (let i = 0; i < size; i++) data[i] = fill();
	return { storage: { data }, shape, strides: contiguousStrides(shape), offset: 0, dtype };
}

const OPS: ReduceOp[] = ['sum', 'mean', 'prod', 'amax', 'amin', 'all', 'any', 'norm2'];

describe('contiguous reduction fast path', () => {
	test('equals the strided reduction bit for bit on leading and trailing dims', () => {
		const cases: [number[], number[]][] = [
			[[17, 33], [0]],
			[[17, 33], [1]],
			[
				[17, 33],
				[0, 1]
			],
			[
				[3, 5, 7],
				[0, 1]
			],
			[
				[3, 5, 7],
				[1, 2]
			],
			[[65], [0]],
			[[127, 1, 3], []],
			[
				[4, 0, 3],
				[0, 1]
			],
			[[4, 0, 3], [2]],
			[[], []]
		];
		for (const dtype of [float32, float64]) {
			for (const op of OPS) {
				for (const [shape, dims] of cases) {
					// A few exact zeros, so that `all` and `any` see both outcomes.
					const x = viewOf(shape, dtype, () => (random() > 1.6 ? 0 : random()));
					const outShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
					const fast = viewOf(outShape, dtype, () => -1);
					const strided = viewOf(outShape, dtype, () => -1);
					const label = `${op} ${dtype} [${shape}] over [${dims}]`;
					expect(reduceContiguous(op, x, dims, fast), label).toBe(true);
					reduceStrided(op, x, dims, strided);
					expect(Array.from(fast.storage.data as Float32Array), label).toEqual(
						Array.from(strided.storage.data as Float32Array)
					);
				}
			}
		}
	});

	test('dims in the middle or a transposed input take the strided path', () => {
		const x = viewOf([3, 5, 7], float32, random);
		const out = viewOf([3, 1, 7], float32, () => 0);
		expect(reduceContiguous('sum', x, [1], out)).toBe(false);
		const transposed = { ...viewOf([5, 3], float32, random), shape: [3, 5], strides: [1, 3] };
		expect(
			reduceContiguous(
				'sum',
				transposed,
				[0],
				viewOf([1, 5], float32, () => 0)
			)
		).toBe(false);
	});
});
