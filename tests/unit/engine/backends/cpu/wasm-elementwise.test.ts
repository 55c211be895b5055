import { describe, expect, test } from 'vitest';
import {
	binaryRowWasm,
	elementwiseModuleBytes,
	reluRowWasm,
	type WasmBinaryOp
} from '../../../../../src/lib/engine/backends/cpu/wasm/elementwise';
import {
	binaryCode,
	binaryRow,
	unaryCode,
	unaryRow
} from '../../../../../src/lib/engine/backends/cpu/scalar-ops';
import type { BinaryOp } from '../../../../../src/lib/engine/backends/backend';

let seed = 5;
function random(): number {
	seed = (seed * 16807) % 2147483647;
	return seed / 2147483647;
}

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1];

/** n float32 values after `offset` filler values: magnitudes from 1e-6 to 1e6, both signs, with specials. */
function values(n: number, offset: number, shift = 0): Float32Array {
	const data = Float32Array.from(
		{ length: offset + n },
		() => (random() - 0.5) * 10 ** (random() * 12 - 6)
	);
	for (let i = shift; i < n; i += 29) data[offset + i] = SPECIAL[((i / 29) % SPECIAL.length) | 0];
	return data;
}

/** Returns the indices, as text, where two arrays differ as bit patterns up to NaN payloads. */
function differences(actual: Float32Array, expected: Float32Array): string[] {
	const out: string[] = [];
	for (let i = 0; i < expected.length && out.length < 5; i++) {
		if (!Object.is(actual[i], expected[i])) out.push(`${i}: ${actual[i]} vs ${expected[i]}`);
	}
	return out;
}

// Lengths below, at and across the 16384-float chunk, with tails of 1 to 3 floats.
const LENGTHS = [64, 67, 1001, 16384, 16387, 40001];

const REFERENCE_OP: Record<WasmBinaryOp, BinaryOp> = {
	add: 'add',
	sub: 'sub',
	mul: 'mul',
	reluBackward: 'relu_backward'
};

describe('Wasm rows match reference loops', () => {
	test('the module validates', () => {
		expect(WebAssembly.validate(elementwiseModuleBytes())).toBe(true);
	});

	test('relu, including -0 and NaN', () => {
		for (const n of LENGTHS) {
			const x = values(n, 3);
			const out = new Float32Array(n + 2).fill(7);
			const expected = new Float32Array(n + 2).fill(7);
			expect(reluRowWasm(out, 1, x, 3, n)).toBe(true);
			unaryRow(unaryCode('relu', true), expected, 1, 1, x, 3, 1, n, 0, 0);
			expect(differences(out, expected), `n = ${n}`).toEqual([]);
		}
	});

	test('binary ops and alpha values', () => {
		const cases: [WasmBinaryOp, number][] = [
			['add', 1],
			['add', -1],
			['add', Math.fround(-0.3)],
			['add', -0.01],
			['sub', 1],
			['sub', 2.5],
			['mul', 1],
			['reluBackward', 1]
		];
		for (const [op, p] of cases) {
			for (const n of LENGTHS) {
				const a = values(n, 2);
				const b = values(n, 5, 13);
				const out = new Float32Array(n + 1).fill(7);
				const expected = new Float32Array(n + 1).fill(7);
				expect(binaryRowWasm(op, out, 1, a, 2, b, 5, n, p)).toBe(true);
				binaryRow(binaryCode(REFERENCE_OP[op], true), expected, 1, 1, a, 2, 1, b, 5, 1, n, p, 0);
				expect(differences(out, expected), `${op}, p = ${p}, n = ${n}`).toEqual([]);
			}
		}
	});

	test('in place on the first operand', () => {
		const n = 20000;
		const a = values(n, 0);
		const b = values(n, 0, 7);
		const expected = Float32Array.from(a);
		binaryRow(binaryCode('add', true), expected, 0, 1, a, 0, 1, b, 0, 1, n, -0.01, 0);
		expect(binaryRowWasm('add', a, 0, a, 0, b, 0, n, -0.01)).toBe(true);
		expect(differences(a, expected)).toEqual([]);
	});
});
