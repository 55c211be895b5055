import { describe, expect, test } from 'vitest';
import { tanhFloat32 } from '../../../../../src/lib/engine/backends/cpu/math';
import { tanhModuleBytes, tanhRowWasm } from '../../../../../src/lib/engine/backends/cpu/wasm/tanh';
import { torch } from '../../../../../src/lib/engine';

const cell = new Float32Array(1);
const cellBits = new Uint32Array(cell.buffer);

function floatOfBits(bits: number): number {
	cellBits[0] = bits;
	return cell[0];
}

/** Maps a float32 to an integer that counts ulps, monotonic across the sign (-0 and 0 meet). */
function ordinal(value: number): number {
	cell[0] = value;
	const bits = cellBits[0];
	return bits >= 0x80000000 ? 0x80000000 - bits : bits;
}

/** Ulps between our tanh, stored as float32, and Math.tanh rounded to float32. */
function ulpError(x: number): number {
	return Math.abs(ordinal(tanhFloat32(x)) - ordinal(Math.fround(Math.tanh(x))));
}

interface Sweep {
	count: number;
	maxUlp: number;
	worst: number;
}

/** Sweeps float32 bit patterns from `first` below `end` in steps of `step`, both signs. */
function sweep(first: number, end: number, step: number): Sweep {
	const result: Sweep = { count: 0, maxUlp: 0, worst: NaN };
	for (let bits = first; bits < end; bits += step) {
		for (const x of [floatOfBits(bits), -floatOfBits(bits)]) {
			const error = ulpError(x);
			result.count++;
			if (error > result.maxUlp) {
				result.maxUlp = error;
				result.worst = x;
			}
		}
	}
	return result;
}

const bitsOf = (value: number) => {
	cell[0] = value;
	return cellBits[0];
};

// The accuracy contract is 2 ulp, although the approximation stays within 1 ulp.
const MAX_ULP = 2;

describe('tanhFloat32', () => {
	test('whole float32 range, every 257th value', () => {
		const result = sweep(0, 0x7f800000, 257);
		expect(result.count).toBeGreaterThan(16_000_000);
		expect(result.maxUlp, `worst at x = ${result.worst}`).toBeLessThanOrEqual(MAX_ULP);
	});

	test('every value near the saturation at 9.5', () => {
		const result = sweep(bitsOf(8.5), bitsOf(10.5), 1);
		expect(result.maxUlp, `worst at x = ${result.worst}`).toBeLessThanOrEqual(MAX_ULP);
	});

	test('every value near the tanh(x) = x cut at 2^-12', () => {
		const cut = bitsOf(2 ** -12);
		const result = sweep(cut - (1 << 20), cut + (1 << 20), 1);
		expect(result.maxUlp, `worst at x = ${result.worst}`).toBeLessThanOrEqual(MAX_ULP);
	});

	test('every 5th value from 0.25 to 1, where the range reduction switches k', () => {
		const result = sweep(bitsOf(0.25), bitsOf(1), 5);
		expect(result.maxUlp, `worst at x = ${result.worst}`).toBeLessThanOrEqual(MAX_ULP);
	});

	test('subnormals and tiny values return x', () => {
		for (const bits of [1, 2, 0x1234, 0x7fffff, 0x800000, bitsOf(1e-20), bitsOf(2 ** -12) - 1]) {
			const x = floatOfBits(bits);
			expect(tanhFloat32(x), `x = ${x}`).toBe(x);
			expect(tanhFloat32(-x), `x = ${-x}`).toBe(-x);
		}
	});

	test('special values', () => {
		expect(Object.is(tanhFloat32(0), 0)).toBe(true);
		expect(Object.is(tanhFloat32(-0), -0)).toBe(true);
		expect(tanhFloat32(Infinity)).toBe(1);
		expect(tanhFloat32(-Infinity)).toBe(-1);
		expect(tanhFloat32(NaN)).toBeNaN();
		expect(tanhFloat32(3.4e38)).toBe(1);
		expect(tanhFloat32(-3.4e38)).toBe(-1);
	});

	test('odd symmetry', () => {
		for (let bits = 0; bits < 0x7f800000; bits += 1_000_003) {
			const x = floatOfBits(bits);
			expect(Object.is(tanhFloat32(-x), -tanhFloat32(x)), `x = ${x}`).toBe(true);
		}
	});
});

describe('WebAssembly tanh kernel', () => {
	test('module validates', () => {
		expect(WebAssembly.validate(tanhModuleBytes())).toBe(true);
	});

	test('equals tanhFloat32 bit for bit over every 251st float32, both signs', () => {
		const n = 1 << 20;
		const x = new Float32Array(n);
		const xBits = new Uint32Array(x.buffer);
		const kernel = new Float32Array(n);
		const differing: string[] = [];
		for (let start = 0; start < 0x100000000; start += n * 251) {
			for (let i = 0; i < n; i++) xBits[i] = (start + i * 251) >>> 0;
			expect(tanhRowWasm(kernel, 0, x, 0, n)).toBe(true);
			for (let i = 0; i < n && differing.length < 5; i++) {
				const expected = Math.fround(tanhFloat32(x[i]));
				if (!Object.is(kernel[i], expected)) {
					differing.push(`x = ${x[i]}: kernel ${kernel[i]}, tanhFloat32 ${expected}`);
				}
			}
		}
		expect(differing).toEqual([]);
	});

	test('odd lengths, offsets and rows longer than one chunk', () => {
		for (const n of [1, 2, 3, 17, 16383, 16385, 40001]) {
			const x = Float32Array.from({ length: n + 5 }, (_, i) => Math.sin(i) * 12);
			const out = new Float32Array(n + 7).fill(42);
			expect(tanhRowWasm(out, 4, x, 3, n)).toBe(true);
			const differing = [];
			for (let i = 0; i < n; i++) {
				if (out[4 + i] !== Math.fround(tanhFloat32(x[3 + i]))) differing.push(i);
			}
			expect(differing, `n = ${n}: elements that differ`).toEqual([]);
			for (const i of [0, 1, 2, 3, n + 4, n + 5, n + 6])
				expect(out[i], `n = ${n}, guard ${i}`).toBe(42);
		}
	});

	test('special values', () => {
		const x = Float32Array.of(
			0,
			-0,
			Infinity,
			-Infinity,
			NaN,
			1e-40,
			-1e-40,
			3.4e38,
			-3.4e38,
			9.5,
			-9.49
		);
		const out = new Float32Array(x.length);
		expect(tanhRowWasm(out, 0, x, 0, x.length)).toBe(true);
		const expected = [0, -0, 1, -1, NaN, x[5], x[6], 1, -1, 1, Math.fround(tanhFloat32(x[10]))];
		for (let i = 0; i < x.length; i++) expect(out[i], `x = ${x[i]}`).toBe(expected[i]);
	});
});

describe('tanh on the CPU backend', () => {
	test('float32 tensors use tanhFloat32, with special values', async () => {
		const inputs = [0, -0, 1e-40, -1e-40, 0.5, -3, 9.4, 20, Infinity, -Infinity, NaN];
		const result = await torch.tensor(inputs).tanh().array();
		const expected = Float32Array.from(inputs, tanhFloat32);
		for (let i = 0; i < inputs.length; i++) {
			expect(Object.is(result[i], expected[i]), `x = ${inputs[i]}`).toBe(true);
		}
	});

	test('float64 tensors keep Math.tanh', async () => {
		const inputs = [1e-5, 0.3, 2.5, 12];
		const result = await torch.tensor(inputs, { dtype: torch.float64 }).tanh().array();
		for (let i = 0; i < inputs.length; i++) expect(result[i]).toBe(Math.tanh(inputs[i]));
	});
});
