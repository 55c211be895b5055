/**
 * Batched matrix product on the CPU. `matmulReference` is the obviously correct triple loop,
 * and the fast paths are tested against it:
 * - float32 operands go to the WebAssembly SIMD kernel (wasm/gemm.ts), which sums in float32
 *   in order of k, as PyTorch's float32 CPU matmul sums in float32;
 * - other dtypes go to `matmulBlocked`, a JS kernel that, like the reference, accumulates in
 *   double and rounds once when storing. So do float32 operands where WebAssembly SIMD is
 *   missing or its memory cannot grow to the blocks needed. Their last bits then differ from
 *   the kernel's, within the same tolerance of PyTorch.
 */
import { float32 } from '../../dtype';
import { broadcastStrides } from '../../shape';
import type { View } from '../backend';
import { dataOf } from './elementwise';
import { elementOffsets } from './iterate';
import { gemmFloat32, sharedGemm, type MatrixOperand } from './wasm/gemm';

type Data = ReturnType<typeof dataOf>;

interface Batches {
	n: number;
	k: number;
	m: number;
	/** Offset of each batch entry's matrix, per operand. */
	aAt: ArrayLike<number>;
	bAt: ArrayLike<number>;
	outAt: ArrayLike<number>;
}

function batchesOf(a: View, b: View, out: View): Batches {
	const r = out.shape.length;
	const n = out.shape[r - 2];
	const k = a.shape[a.shape.length - 1];
	const m = out.shape[r - 1];
	if (r === 2) return { n, k, m, aAt: [a.offset], bAt: [b.offset], outAt: [out.offset] };

	const batchShape = out.shape.slice(0, r - 2);
	const batchStrides = (v: View) =>
		broadcastStrides(v.shape.slice(0, -2), v.strides.slice(0, -2), batchShape);
	return {
		n,
		k,
		m,
		aAt: elementOffsets(batchShape, batchStrides(a), a.offset),
		bAt: elementOffsets(batchShape, batchStrides(b), b.offset),
		outAt: elementOffsets(batchShape, out.strides.slice(0, r - 2), out.offset)
	};
}

function lastTwo(v: View): [number, number] {
	const r = v.strides.length;
	return [v.strides[r - 2], v.strides[r - 1]];
}

export function matmulReference(a: View, b: View, out: View): void {
	const { n, k, m, aAt, bAt, outAt } = batchesOf(a, b, out);
	const [sa0, sa1] = lastTwo(a);
	const [sb0, sb1] = lastTwo(b);
	const [so0, so1] = lastTwo(out);
	const ad = dataOf(a);
	const bd = dataOf(b);
	const o = dataOf(out);
	for (let t = 0; t < outAt.length; t++) {
		for (let i = 0; i < n; i++) {
			for (let j = 0; j < m; j++) {
				let acc = 0;
				for (let p = 0; p < k; p++)
					acc += ad[aAt[t] + i * sa0 + p * sa1] * bd[bAt[t] + p * sb0 + j * sb1];
				o[outAt[t] + i * so0 + j * so1] = acc;
			}
		}
	}
}

/** Multiplies with the fastest kernel that supports the dtypes and runtime. */
export function matmul(a: View, b: View, out: View): void {
	if (a.dtype === float32 && b.dtype === float32 && out.dtype === float32) {
		const m = out.shape[out.shape.length - 1];
		if (m === 1) return matvecFloat32(a, b, out);
		if (matmulWasm(a, b, out)) return;
	}
	matmulBlocked(a, b, out);
}

const exact = (product: number) => product;

/**
 * Multiplies float32 matrices by a single column, as a Linear layer with one output does. The
 * SIMD kernel would pad that column to a tile of 8, so 7/8 of its work would be on zeros. Each
 * output is the float32 sum in order of p, and each step rounds as the kernel's steps do: the
 * product first, then the sum, or the exact product and the sum rounded once where the kernel
 * fuses. A test compares the two bit for bit. In the fused case the sum is rounded to double
 * before float32, which differs from one rounding only when the double lands exactly halfway
 * between two float32 values, about once in 2^29 steps.
 */
export function matvecFloat32(a: View, b: View, out: View): void {
	const { n, k, aAt, bAt, outAt } = batchesOf(a, b, out);
	const [sa0, sa1] = lastTwo(a);
	const [sb0] = lastTwo(b);
	const [so0] = lastTwo(out);
	const ad = dataOf(a) as Float32Array;
	const bd = dataOf(b) as Float32Array;
	const o = dataOf(out) as Float32Array;
	// A product of two float32 values is exact in double; `keep` rounds it to float32 or not.
	const keep = sharedGemm()?.roundsOnce ? exact : Math.fround;
	for (let t = 0; t < outAt.length; t++) {
		let i = 0;
		// Four rows at once: each sum waits on its previous step, so four chains keep the CPU busy.
		for (; i + 4 <= n; i += 4) {
			let x = aAt[t] + i * sa0;
			let y = bAt[t];
			let s0 = 0;
			let s1 = 0;
			let s2 = 0;
			let s3 = 0;
			for (let p = 0; p < k; p++) {
				const w = bd[y];
				s0 = Math.fround(s0 + keep(ad[x] * w));
				s1 = Math.fround(s1 + keep(ad[x + sa0] * w));
				s2 = Math.fround(s2 + keep(ad[x + 2 * sa0] * w));
				s3 = Math.fround(s3 + keep(ad[x + 3 * sa0] * w));
				x += sa1;
				y += sb0;
			}
			const at = outAt[t] + i * so0;
			o[at] = s0;
			o[at + so0] = s1;
			o[at + 2 * so0] = s2;
			o[at + 3 * so0] = s3;
		}
		for (; i < n; i++) {
			let x = aAt[t] + i * sa0;
			let y = bAt[t];
			let sum = 0;
			for (let p = 0; p < k; p++) {
				sum = Math.fround(sum + keep(ad[x] * bd[y]));
				x += sa1;
				y += sb0;
			}
			o[outAt[t] + i * so0] = sum;
		}
	}
}

/**
 * Multiplies float32 views with the WebAssembly SIMD kernel, one matrix per batch entry.
 * Returns false, having written nothing, where that kernel cannot run. Every entry has the
 * same sizes and so the same memory needs, so only the first entry can fail.
 */
export function matmulWasm(a: View, b: View, out: View): boolean {
	const { n, k, m, aAt, bAt, outAt } = batchesOf(a, b, out);
	const [sa0, sa1] = lastTwo(a);
	const [sb0, sb1] = lastTwo(b);
	const [so0, so1] = lastTwo(out);
	const left = operand(a, 0, sa0, sa1);
	const right = operand(b, 0, sb0, sb1);
	const product = operand(out, 0, so0, so1);
	// A batch that shares one right matrix and stacks its left rows evenly, as x @ W.T does for
	// a 3-D x, is one tall product: this packs the right matrix once.
	if (stacksRows(aAt, bAt, outAt, n * sa0, n * so0)) {
		left.offset = aAt[0];
		right.offset = bAt[0];
		product.offset = outAt[0];
		return gemmFloat32(n * outAt.length, k, m, left, right, product);
	}
	for (let t = 0; t < outAt.length; t++) {
		left.offset = aAt[t];
		right.offset = bAt[t];
		product.offset = outAt[t];
		if (!gemmFloat32(n, k, m, left, right, product)) return false;
	}
	return true;
}

function operand(v: View, offset: number, rowStride: number, colStride: number): MatrixOperand {
	return { data: dataOf(v) as Float32Array, offset, rowStride, colStride };
}

/** Tells whether entry t of the batch starts t * step elements on, with one right matrix. */
function stacksRows(
	aAt: ArrayLike<number>,
	bAt: ArrayLike<number>,
	outAt: ArrayLike<number>,
	aStep: number,
	outStep: number
): boolean {
	if (outAt.length < 2) return false;
	for (let t = 1; t < outAt.length; t++) {
		if (bAt[t] !== bAt[0]) return false;
		if (aAt[t] !== aAt[0] + t * aStep || outAt[t] !== outAt[0] + t * outStep) return false;
	}
	return true;
}

let panel = new Float64Array(1024);

/**
 * Multiplies in JS. Each 4-column panel of b is copied into contiguous doubles and reused by
 * every row block, which keeps it in cache, while 4x4 output blocks accumulate in 16 locals.
 * It works on any strides, so transposed operands need no copy of their own.
 */
export function matmulBlocked(a: View, b: View, out: View): void {
	const { n, k, m, aAt, bAt, outAt } = batchesOf(a, b, out);
	const [sa0, sa1] = lastTwo(a);
	const [sb0, sb1] = lastTwo(b);
	const [so0, so1] = lastTwo(out);
	const ad = dataOf(a);
	const bd = dataOf(b);
	const o = dataOf(out);
	if (panel.length < 4 * k) panel = new Float64Array(4 * k);
	const pb = panel;

	for (let t = 0; t < outAt.length; t++) {
		for (let j0 = 0; j0 < m; j0 += 4) {
			const width = Math.min(4, m - j0);
			packPanel(pb, bd, bAt[t] + j0 * sb1, sb0, sb1, k, width);
			const oBase = outAt[t] + j0 * so1;
			let i0 = 0;
			for (; i0 + 4 <= n; i0 += 4) {
				block4x4(o, oBase + i0 * so0, so0, so1, width, ad, aAt[t] + i0 * sa0, sa0, sa1, pb, k);
			}
			for (; i0 < n; i0++)
				rowTimesPanel(o, oBase + i0 * so0, so1, width, ad, aAt[t] + i0 * sa0, sa1, pb, k);
		}
	}
}

// panel[4p + c] = b[p, j0 + c]; columns past `width` are zero.
function packPanel(
	pb: Float64Array,
	bd: Data,
	base: number,
	sb0: number,
	sb1: number,
	k: number,
	width: number
) {
	for (let p = 0; p < k; p++) {
		const row = base + p * sb0;
		for (let c = 0; c < 4; c++) pb[4 * p + c] = c < width ? bd[row + c * sb1] : 0;
	}
}

function block4x4(
	o: Data,
	oBase: number,
	so0: number,
	so1: number,
	width: number,
	ad: Data,
	aBase: number,
	sa0: number,
	sa1: number,
	pb: Float64Array,
	k: number
): void {
	let c00 = 0,
		c01 = 0,
		c02 = 0,
		c03 = 0,
		c10 = 0,
		c11 = 0,
		c12 = 0,
		c13 = 0;
	let c20 = 0,
		c21 = 0,
		c22 = 0,
		c23 = 0,
		c30 = 0,
		c31 = 0,
		c32 = 0,
		c33 = 0;
	let r0 = aBase;
	for (let p = 0; p < k; p++) {
		const x0 = ad[r0];
		const x1 = ad[r0 + sa0];
		const x2 = ad[r0 + 2 * sa0];
		const x3 = ad[r0 + 3 * sa0];
		const q = 4 * p;
		const b0 = pb[q];
		const b1 = pb[q + 1];
		const b2 = pb[q + 2];
		const b3 = pb[q + 3];
		c00 += x0 * b0;
		c01 += x0 * b1;
		c02 += x0 * b2;
		c03 += x0 * b3;
		c10 += x1 * b0;
		c11 += x1 * b1;
		c12 += x1 * b2;
		c13 += x1 * b3;
		c20 += x2 * b0;
		c21 += x2 * b1;
		c22 += x2 * b2;
		c23 += x2 * b3;
		c30 += x3 * b0;
		c31 += x3 * b1;
		c32 += x3 * b2;
		c33 += x3 * b3;
		r0 += sa1;
	}
	writeRow(o, oBase, so1, width, c00, c01, c02, c03);
	writeRow(o, oBase + so0, so1, width, c10, c11, c12, c13);
	writeRow(o, oBase + 2 * so0, so1, width, c20, c21, c22, c23);
	writeRow(o, oBase + 3 * so0, so1, width, c30, c31, c32, c33);
}

function writeRow(
	o: Data,
	at: number,
	s: number,
	width: number,
	v0: number,
	v1: number,
	v2: number,
	v3: number
) {
	o[at] = v0;
	if (width > 1) o[at + s] = v1;
	if (width > 2) o[at + 2 * s] = v2;
	if (width > 3) o[at + 3 * s] = v3;
}

function rowTimesPanel(
	o: Data,
	at: number,
	so1: number,
	width: number,
	ad: Data,
	aBase: number,
	sa1: number,
	pb: Float64Array,
	k: number
) {
	let v0 = 0,
		v1 = 0,
		v2 = 0,
		v3 = 0;
	for (let p = 0; p < k; p++) {
		const x = ad[aBase + p * sa1];
		v0 += x * pb[4 * p];
		v1 += x * pb[4 * p + 1];
		v2 += x * pb[4 * p + 2];
		v3 += x * pb[4 * p + 3];
	}
	writeRow(o, at, so1, width, v0, v1, v2, v3);
}
