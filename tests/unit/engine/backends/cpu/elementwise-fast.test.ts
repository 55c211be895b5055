import { describe, expect, test } from 'vitest';
import type { BinaryOp, UnaryOp, View } from '../../../../../src/lib/engine/backends/backend';
import { binary } from '../../../../../src/lib/engine/backends/cpu/elementwise';
import {
	binaryLoopFloat32,
	unaryLoopFloat32
} from '../../../../../src/lib/engine/backends/cpu/elementwise-fast';
import {
	binaryCode,
	binaryRow,
	COPY_CODES,
	unaryCode,
	unaryRow
} from '../../../../../src/lib/engine/backends/cpu/scalar-ops';
import { float32 } from '../../../../../src/lib/engine/dtype';

let seed = 11;
function random(): number {
	seed = (seed * 16807) % 2147483647;
	return seed / 2147483647;
}

const SPECIAL = [
	0,
	-0,
	1,
	-1,
	NaN,
	Infinity,
	-Infinity,
	1e-40,
	-1e-40,
	3.4e38,
	-3.4e38,
	88.5,
	-104
];

/**
 * Float32 values for a row of n elements read from `offset` in steps of `stride` (at least 1):
 * the special cases first, then a spread of magnitudes with both signs.
 */
function samples(n: number, offset: number, stride: number, shift = 0): Float32Array {
	const values = Float32Array.from({ length: offset + n * stride }, () => {
		return (random() - 0.5) * 10 ** (random() * 8 - 4);
	});
	for (let i = 0; i < n; i++) {
		const special = SPECIAL[(i + shift) % (SPECIAL.length + 3)];
		if (special !== undefined) values[offset + i * stride] = special;
	}
	return values;
}

const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/** Compares as bit patterns, so -0 differs from 0 and every NaN equals every NaN. */
function expectSameBits(fast: Float32Array, reference: Float32Array, label: string) {
	const differing: string[] = [];
	for (let i = 0; i < reference.length; i++) {
		const same = Object.is(fast[i], reference[i]);
		if (!same) differing.push(`index ${i}: fast ${show(fast[i])}, reference ${show(reference[i])}`);
	}
	expect(differing, label).toEqual([]);
}

const FAST_UNARY: UnaryOp[] = [
	'neg',
	'exp',
	'log',
	'sqrt',
	'abs',
	'sigmoid',
	'tanh',
	'relu',
	'square',
	'pow_scalar'
];
const FAST_BINARY: BinaryOp[] = [
	'add',
	'sub',
	'mul',
	'div',
	'sigmoid_backward',
	'tanh_backward',
	'relu_backward'
];

// Lengths 1, 3, 17, 33, 65 and 127 read with strides 1 and 3, from offset 2.
const LENGTHS = [1, 3, 17, 33, 65, 127];

describe('fast float32 row loops equal the reference loops bit for bit', () => {
	test('unary ops, contiguous and strided rows', () => {
		const codes = FAST_UNARY.map((op) => [op, unaryCode(op, true)] as const);
		codes.push(['copy' as UnaryOp, COPY_CODES.plain]);
		for (const [op, code] of codes) {
			for (const n of LENGTHS) {
				for (const stride of [1, 3]) {
					const x = samples(n, 2, stride);
					const fast = new Float32Array(n * stride);
					const reference = new Float32Array(n * stride);
					const p = op === 'pow_scalar' ? 2 : 0;
					const loop = unaryLoopFloat32(code, p);
					expect(loop, op).toBeDefined();
					loop?.(fast, 0, stride, x, 2, stride, n);
					unaryRow(code, reference, 0, stride, x, 2, stride, n, p, 0);
					expectSameBits(fast, reference, `${op}, n = ${n}, stride ${stride}`);
				}
			}
		}
	});

	test('binary ops, with strides, broadcast (stride 0) and alpha', () => {
		for (const op of FAST_BINARY) {
			const code = binaryCode(op, true);
			for (const n of LENGTHS) {
				for (const [as, bs] of [
					[1, 1],
					[3, 0],
					[0, 2]
				]) {
					// Shifting b's specials by 5 pairs each special value of a with several of b's.
					const a = samples(n, 1, Math.max(as, 1));
					const b = samples(n, 3, Math.max(bs, 1), 5);
					const fast = new Float32Array(n);
					const reference = new Float32Array(n);
					const alpha = op === 'add' || op === 'sub' ? Math.fround(-0.3) : 1;
					const loop = binaryLoopFloat32(code);
					expect(loop, op).toBeDefined();
					loop?.(fast, 0, 1, a, 1, as, b, 3, bs, n, alpha);
					binaryRow(code, reference, 0, 1, a, 1, as, b, 3, bs, n, alpha, 0);
					expectSameBits(fast, reference, `${op}, n = ${n}, strides ${as} and ${bs}`);
				}
			}
		}
	});

	test('ops without a fast loop are left to the reference', () => {
		expect(unaryLoopFloat32(unaryCode('erf', true), 0)).toBeUndefined();
		expect(unaryLoopFloat32(unaryCode('pow_scalar', true), 3)).toBeUndefined();
		expect(binaryLoopFloat32(binaryCode('pow', true))).toBeUndefined();
	});
});

describe('binary with a repeated operand (bias layout)', () => {
	function view(data: Float32Array, shape: number[], strides: number[], offset = 0): View {
		return { storage: { data }, shape, strides, offset, dtype: float32 };
	}

	test('equals the same op with the operand expanded by stride 0', () => {
		for (const op of ['add', 'mul', 'sigmoid_backward', 'pow'] as BinaryOp[]) {
			// 300 x 100 spans two 16384-float chunks of the WebAssembly kernel, and a row of
			// 20000 is longer than one chunk, so it runs row by row.
			for (const [rows, cols] of [
				[1, 1],
				[3, 17],
				[33, 65],
				[127, 3],
				[300, 100],
				[2, 20000]
			]) {
				const x = view(samples(rows * cols, 1, 1, 2), [rows, cols], [cols, 1], 1);
				const biasData = samples(cols, 0, 1, 7);
				const bias = view(biasData, [1, cols], [cols, 1]);
				const expanded = view(biasData, [rows, cols], [0, 1]);
				const repeated = view(new Float32Array(rows * cols), [rows, cols], [cols, 1]);
				const strided = view(new Float32Array(rows * cols), [rows, cols], [cols, 1]);
				binary(op, x, bias, repeated, 0.5);
				binary(op, x, expanded, strided, 0.5);
				expectSameBits(
					repeated.storage.data as Float32Array,
					strided.storage.data as Float32Array,
					`${op} on ${rows}x${cols}`
				);
			}
		}
	});
});
