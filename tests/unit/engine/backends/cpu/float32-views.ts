import type { View } from '../../../../../src/lib/engine/backends/backend';
import { float32 } from '../../../../../src/lib/engine/dtype';
import { contiguousStrides, numelOf } from '../../../../../src/lib/engine/shape';

/**
 * Returns float32 view builders filled from a Park-Miller sequence started at `seed`, so each
 * test file gets the same operands on every run.
 */
export function float32Views(seed: number) {
	let state = seed;
	const random = (): number => ((state = (state * 16807) % 2147483647) / 2147483647) * 2 - 1;

	/** Builds a view of random values in [-1, 1) with this layout, in storage just large enough. */
	function viewOf(shape: number[], strides = contiguousStrides(shape), offset = 0): View {
		const span = shape.reduce((s, d, i) => s + (d - 1) * Math.abs(strides[i]), 1) + offset;
		return {
			storage: { data: Float32Array.from({ length: span }, random) },
			shape,
			strides,
			offset,
			dtype: float32
		};
	}

	/** Builds a contiguous view of zeros, for an output. */
	function outOf(shape: number[]): View {
		return {
			storage: { data: new Float32Array(numelOf(shape)) },
			shape,
			strides: contiguousStrides(shape),
			offset: 0,
			dtype: float32
		};
	}

	return { viewOf, outOf };
}
