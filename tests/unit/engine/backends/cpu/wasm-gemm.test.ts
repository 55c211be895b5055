import { describe, expect, test } from 'vitest';
import type { View } from '../../../../../src/lib/engine/backends/backend';
import {
	matmul,
	matmulBlocked,
	matmulReference,
	matmulWasm
} from '../../../../../src/lib/engine/backends/cpu/matmul';
import {
	FunctionBuilder,
	I32,
	ModuleBuilder
} from '../../../../../src/lib/engine/backends/cpu/wasm/emitter';
import {
	gemmFloat32,
	loadGemm,
	sharedGemm,
	type Gemm,
	type MatrixOperand
} from '../../../../../src/lib/engine/backends/cpu/wasm/gemm';
import { gemmModuleBytes } from '../../../../../src/lib/engine/backends/cpu/wasm/gemm-kernel';
import { float32, float64 } from '../../../../../src/lib/engine/dtype';
import { contiguousStrides, numelOf } from '../../../../../src/lib/engine/shape';
import { float32Step, fmaFloat32 } from './float32-fma';

const UNIT_ROUNDOFF = 2 ** -24;
const AWKWARD = [1, 3, 17, 33, 65, 127];

let seed = 7;
function random(): number {
	seed = (seed * 16807) % 2147483647;
	return (seed / 2147483647) * 2 - 1;
}

type Layout = 'contiguous' | 'transposed' | 'sliced';

/**
 * Makes a rows x cols float32 matrix stored one of three ways: row-major after an offset, column-major (a
 * transposed view), or every other column of every third row of a larger buffer.
 */
function matrix(rows: number, cols: number, layout: Layout): MatrixOperand {
	if (layout === 'contiguous') {
		const data = Float32Array.from({ length: rows * cols + 5 }, random);
		return { data, offset: 5, rowStride: cols, colStride: 1 };
	}
	if (layout === 'transposed') {
		const data = Float32Array.from({ length: rows * cols }, random);
		return { data, offset: 0, rowStride: 1, colStride: rows };
	}
	const data = Float32Array.from({ length: rows * cols * 6 + 2 }, random);
	return { data, offset: 2, rowStride: 6 * cols, colStride: 2 };
}

function at(x: MatrixOperand, i: number, j: number): number {
	return x.data[x.offset + i * x.rowStride + j * x.colStride];
}

const kernel = sharedGemm() as Gemm;

/**
 * Sums the products over p = 0 .. k-1 in order, in float32, each step rounded as the shared
 * kernel rounds: the kernel's contract.
 */
function float32Sequential(
	a: MatrixOperand,
	b: MatrixOperand,
	i: number,
	j: number,
	k: number,
	roundsOnce = kernel.roundsOnce
) {
	let sum = 0;
	for (let p = 0; p < k; p++) sum = float32Step(roundsOnce, sum, at(a, i, p), at(b, p, j));
	return sum;
}

function runGemm(
	n: number,
	k: number,
	m: number,
	a: MatrixOperand,
	b: MatrixOperand,
	multiply = gemmFloat32
) {
	const out = { data: new Float32Array(n * m), offset: 0, rowStride: m, colStride: 1 };
	expect(multiply(n, k, m, a, b, out)).toBe(true);
	return out.data;
}

function expectFloat32Sequential(
	n: number,
	k: number,
	m: number,
	la: Layout,
	lb: Layout,
	gemm = kernel
) {
	const a = matrix(n, k, la);
	const b = matrix(k, m, lb);
	const product = runGemm(n, k, m, a, b, gemm.multiply);
	let mismatches = 0;
	for (let i = 0; i < n; i++) {
		for (let j = 0; j < m; j++) {
			if (product[i * m + j] !== float32Sequential(a, b, i, j, k, gemm.roundsOnce)) mismatches++;
		}
	}
	expect(mismatches, `${n}x${k} @ ${k}x${m}, A ${la}, B ${lb}`).toBe(0);
}

describe('WebAssembly emitter', () => {
	test('a module with signed constants validates and runs', () => {
		const module = new ModuleBuilder('memory', 1);
		for (const [name, value] of [
			['small', -1],
			['edge', 63],
			['negativeEdge', -64],
			['large', -1234567],
			['max', 2147483647]
		] as const) {
			module.addFunction(name, [], [I32], (f: FunctionBuilder) => f.i32Const(value));
		}
		const bytes = module.encode();
		expect(WebAssembly.validate(bytes)).toBe(true);
		const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
		expect((exports.small as () => number)()).toBe(-1);
		expect((exports.edge as () => number)()).toBe(63);
		expect((exports.negativeEdge as () => number)()).toBe(-64);
		expect((exports.large as () => number)()).toBe(-1234567);
		expect((exports.max as () => number)()).toBe(2147483647);
	});

	test('the GEMM module validates for every tile shape the kernel allows', () => {
		for (const [tileRows, tileCols] of [
			[4, 8],
			[1, 4],
			[6, 8],
			[2, 16]
		]) {
			expect(WebAssembly.validate(gemmModuleBytes({ tileRows, tileCols }))).toBe(true);
		}
	});

	test('WebAssembly SIMD is available in this runtime', () => {
		// Node 20 and current Chromium compile SIMD; without it the JS kernel would run instead.
		expect(sharedGemm()).not.toBeNull();
	});

	test('fused module compiles here', () => {
		// Chromium ships relaxed SIMD; vite.config.ts turns it on for Node 20, which does not.
		expect(WebAssembly.validate(gemmModuleBytes({ tileRows: 4, tileCols: 8, fused: true }))).toBe(
			true
		);
		expect(loadGemm(true)).not.toBeNull();
	});
});

describe('wasm GEMM equals the in-order float32 sum bit for bit', () => {
	test('awkward sizes, all three layouts of both operands', () => {
		for (const n of AWKWARD) {
			for (const layoutA of ['contiguous', 'transposed', 'sliced'] as const) {
				for (const layoutB of ['contiguous', 'transposed', 'sliced'] as const) {
					expectFloat32Sequential(n, AWKWARD[(n * 7) % 6], AWKWARD[(n * 5) % 6], layoutA, layoutB);
				}
			}
		}
	});

	test('k longer than one 256-step block', () => {
		expectFloat32Sequential(9, 700, 13, 'contiguous', 'contiguous');
		expectFloat32Sequential(9, 700, 13, 'transposed', 'transposed');
	});

	test('operands larger than one packed block split into row and column blocks', () => {
		// With k = 5000 a packed block holds 208 rows or columns, so both operands split.
		expectFloat32Sequential(213, 5000, 3, 'contiguous', 'contiguous');
		expectFloat32Sequential(5, 5000, 217, 'contiguous', 'transposed');
	});

	test('more rows than one 128-row block inside the kernel', () => {
		expectFloat32Sequential(300, 40, 24, 'contiguous', 'contiguous');
	});

	test('the same product twice gives the same bits', () => {
		const a = matrix(65, 127, 'contiguous');
		const b = matrix(127, 33, 'transposed');
		expect(Array.from(runGemm(65, 127, 33, a, b))).toEqual(Array.from(runGemm(65, 127, 33, a, b)));
	});

	test('NaN and Infinity propagate as in the scalar sum', () => {
		const a = { data: Float32Array.of(0, 1, Infinity, 1), offset: 0, rowStride: 2, colStride: 1 };
		const b = { data: Float32Array.of(Infinity, 1, 1, 1), offset: 0, rowStride: 2, colStride: 1 };
		expect(Array.from(runGemm(2, 2, 2, a, b))).toEqual([NaN, 1, Infinity, Infinity]);
	});

	test('k = 0 writes zeros, n = 0 writes nothing', () => {
		const empty = { data: new Float32Array(0), offset: 0, rowStride: 0, colStride: 1 };
		const out = { data: Float32Array.of(5, 5, 5, 5, 5, 5), offset: 0, rowStride: 3, colStride: 1 };
		expect(gemmFloat32(2, 0, 3, empty, empty, out)).toBe(true);
		expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0]);
		out.data.fill(5);
		expect(gemmFloat32(0, 4, 3, empty, empty, out)).toBe(true);
		expect(Array.from(out.data)).toEqual([5, 5, 5, 5, 5, 5]);
	});

	test('unfused module rounds products first', () => {
		const unfused = loadGemm(false) as Gemm;
		expect(unfused.roundsOnce).toBe(false);
		expectFloat32Sequential(17, 65, 33, 'contiguous', 'transposed', unfused);
		expectFloat32Sequential(9, 700, 13, 'sliced', 'contiguous', unfused);
	});

	test('fused step rounds once', () => {
		// (1 + 2^-23) + a b with a b = -2^-24 (1 - 2^-46) is just above the halfway point
		// 1 + 2^-24, so it rounds up to 1 + 2^-23; rounded to double first, it lands on the
		// halfway point and ties to 1.
		const a = -(1 + 2 ** -23) * 2 ** -12;
		const b = (1 - 2 ** -23) * 2 ** -12;
		const start = 1 + 2 ** -23;
		expect(fmaFloat32(a, b, start)).toBe(start);
		expect(Math.fround(a * b + start)).toBe(1);
		const left = { data: Float32Array.of(start, a), offset: 0, rowStride: 2, colStride: 1 };
		const right = { data: Float32Array.of(1, b), offset: 0, rowStride: 1, colStride: 1 };
		const rounded = kernel.roundsOnce ? start : Math.fround(start + Math.fround(a * b));
		expect(runGemm(1, 2, 1, left, right)[0]).toBe(rounded);
	});

	test('a strided destination receives only its own elements', () => {
		const a = matrix(3, 17, 'contiguous');
		const b = matrix(17, 5, 'contiguous');
		// out is the transpose of a 5 x 3 buffer with a one-element gap per row.
		const out = { data: new Float32Array(5 * 4).fill(-7), offset: 0, rowStride: 1, colStride: 4 };
		expect(gemmFloat32(3, 17, 5, a, b, out)).toBe(true);
		for (let j = 0; j < 5; j++) {
			for (let i = 0; i < 3; i++)
				expect(out.data[j * 4 + i]).toBe(float32Sequential(a, b, i, j, 17));
			expect(out.data[j * 4 + 3]).toBe(-7);
		}
	});
});

function viewOf(shape: number[], strides = contiguousStrides(shape), offset = 0, dtype = float32) {
	let span = offset + 1;
	shape.forEach((size, d) => (span += (size - 1) * strides[d]));
	const data = dtype === float32 ? new Float32Array(span) : new Float64Array(span);
	for (let i = 0; i < span; i++) data[i] = random();
	return { storage: { data }, shape, strides, offset, dtype } as View;
}

function transposedLastTwo(v: View): View {
	const r = v.shape.length;
	const shape = v.shape.slice();
	const strides = v.strides.slice();
	[shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
	[strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
	return { ...v, shape, strides };
}

function outOf(shape: number[], dtype = float32): View {
	const size = numelOf(shape);
	const data = dtype === float32 ? new Float32Array(size) : new Float64Array(size);
	return { storage: { data }, shape, strides: contiguousStrides(shape), offset: 0, dtype };
}

function dataOf(v: View): Float32Array | Float64Array {
	return v.storage.data as Float32Array | Float64Array;
}

/** Sum over p of |a[i][p] b[p][j]| for every output, read through the reference kernel. */
function absoluteProducts(a: View, b: View, outShape: number[]): Float64Array {
	const abs = (v: View): View => {
		const data = Float64Array.from(dataOf(v), Math.abs);
		return { ...v, storage: { data }, dtype: float64 };
	};
	const out = outOf(outShape, float64);
	matmulReference(abs(a), abs(b), out);
	return dataOf(out) as Float64Array;
}

/**
 * Checks the backend's matmul against the reference loops. The reference sums exactly in
 * double and rounds once. The kernel rounds each product and each partial sum to float32, k
 * roundings per term in all. So the two differ by at most (k + 2) u sum |a b|, with u = 2^-24:
 * k u from the kernel's recursive summation, u for the reference's final rounding, and u to
 * cover the double sum's own error and k u / (1 - k u) > k u.
 */
function expectWithinSummationBound(a: View, b: View, outShape: number[]) {
	const k = a.shape[a.shape.length - 1];
	const fast = outOf(outShape);
	const reference = outOf(outShape);
	matmul(a, b, fast);
	matmulReference(a, b, reference);
	const bound = absoluteProducts(a, b, outShape);
	const f = dataOf(fast);
	const r = dataOf(reference);
	const outside: string[] = [];
	for (let i = 0; i < r.length; i++) {
		const tolerance = (k + 2) * UNIT_ROUNDOFF * bound[i];
		if (!(Math.abs(f[i] - r[i]) <= tolerance)) {
			outside.push(`element ${i}: fast ${f[i]}, reference ${r[i]}, tolerance ${tolerance}`);
		}
	}
	expect(outside, `outputs of ${outShape} outside the bound`).toEqual([]);
}

describe('backend matmul against the reference loops', () => {
	test('awkward sizes, contiguous and transposed operands', () => {
		for (const n of AWKWARD) {
			const k = AWKWARD[(n * 7) % 6];
			const m = AWKWARD[(n * 5) % 6];
			expectWithinSummationBound(viewOf([n, k]), viewOf([k, m]), [n, m]);
			expectWithinSummationBound(transposedLastTwo(viewOf([k, n])), viewOf([k, m]), [n, m]);
			expectWithinSummationBound(viewOf([n, k]), transposedLastTwo(viewOf([m, k])), [n, m]);
		}
	});

	test('batched, with broadcast batch dims and offsets', () => {
		const a = viewOf([2, 3, 17, 33], contiguousStrides([2, 3, 17, 33]), 4);
		expectWithinSummationBound(a, viewOf([33, 65]), [2, 3, 17, 65]);
		expectWithinSummationBound(viewOf([3, 1, 5, 17]), viewOf([4, 17, 3]), [3, 4, 5, 3]);
		const shared = viewOf([1, 17, 3]);
		const b = { ...shared, shape: [4, 17, 3], strides: [0, 3, 1] };
		expectWithinSummationBound(viewOf([4, 65, 17]), b, [4, 65, 3]);
	});

	test('a batch stacked on one right matrix runs as one tall product', () => {
		// x @ W.T for a 3-D x: every batch entry shares W.T.
		const x = viewOf([5, 33, 17]);
		const w = viewOf([65, 17]);
		const fast = outOf([5, 33, 65]);
		const perEntry = outOf([5, 33, 65]);
		expect(matmulWasm(x, transposedLastTwo(w), fast)).toBe(true);
		for (let t = 0; t < 5; t++) {
			const entry = { ...x, shape: [33, 17], strides: [17, 1], offset: t * 33 * 17 };
			const out = { ...perEntry, shape: [33, 65], strides: [65, 1], offset: t * 33 * 65 };
			matmulWasm(entry, transposedLastTwo(w), out);
		}
		expect(Array.from(dataOf(fast))).toEqual(Array.from(dataOf(perEntry)));
	});

	test('a row broadcast with stride 0 and a sliced operand', () => {
		const row = viewOf([1, 33]);
		const expanded = { ...row, shape: [17, 33], strides: [0, 1] };
		expectWithinSummationBound(expanded, viewOf([33, 3]), [17, 3]);
		const wide = viewOf([33, 130]);
		const everyOther = { ...wide, shape: [33, 65], strides: [130, 2], offset: 1 };
		expectWithinSummationBound(viewOf([3, 33]), everyOther, [3, 65]);
	});
});

describe('JS blocked matmul against the reference loops', () => {
	// Both sum in double in order of k and round once, so they agree bit for bit.
	test('float32 and float64, awkward sizes and transposed operands', () => {
		for (const dtype of [float32, float64]) {
			for (const n of AWKWARD) {
				const k = AWKWARD[(n * 7) % 6];
				const m = AWKWARD[(n * 5) % 6];
				const a = transposedLastTwo(viewOf([k, n], undefined, 0, dtype));
				const b = viewOf([2, k, m], undefined, 0, dtype);
				const blocked = outOf([2, n, m], dtype);
				const reference = outOf([2, n, m], dtype);
				matmulBlocked(a, b, blocked);
				matmulReference(a, b, reference);
				expect(Array.from(dataOf(blocked)), `${dtype} n = ${n}`).toEqual(
					Array.from(dataOf(reference))
				);
			}
		}
	});
});
