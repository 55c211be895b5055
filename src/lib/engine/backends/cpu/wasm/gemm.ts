/**
 * Float32 matrix product through the WebAssembly SIMD kernel of gemm-kernel.ts. This file
 * copies operands into the kernel's memory, packs them, picks cache blocks, runs the kernel and
 * copies the product out. Packing reads any strides, so transposed operands (A^T B in a weight
 * gradient, A B^T in a linear layer) cost no extra copy of their own.
 *
 * Every output is the float32 sum, in order p = 0, 1, ..., k - 1, of the float32 products
 * a[i][p] * b[p][j], for every block size and operand layout, so results are the same run to
 * run and between Node and browsers.
 */
import {
	GEMM_EXPORT,
	gemmModuleBytes,
	MEMORY_EXPORT,
	PACK_EXPORT,
	type GemmFunction,
	type PackFunction
} from './gemm-kernel';
import { instantiateKernel } from './instantiate';

/**
 * A strided matrix operand: element (i, j) is `data[offset + i * rowStride + j * colStride]`.
 */
export interface MatrixOperand {
	data: Float32Array;
	offset: number;
	rowStride: number;
	colStride: number;
}

/**
 * Register tile: 4 x 8 outputs in 8 f32x4 accumulators, plus 2 B vectors and 1 A splat. V8
 * allocates 15 of x64's 16 xmm registers, and larger tiles (6 x 8, 4 x 12) spilled
 * accumulators to the stack in V8 11.3 (Node 20).
 */
const TILE_ROWS = 4;
const TILE_COLS = 8;
/** K steps per block: a B panel slice (KC x TILE_COLS floats, 8 KiB) stays in L1. */
const KC = 256;
/** Rows per block inside the kernel: an A slice (MC x KC floats, 128 KiB) stays in L2. */
const MC = 128;
/** Maximum floats in one packed operand block (4 MiB); larger operands are packed in blocks. */
const PACK_BUDGET = 1 << 20;
/** K steps packed per pass over all panels, so a row-major source is read row by row. */
const STEP_CHUNK = 16;
const PAGE_BYTES = 65536;

interface Kernel {
	gemm: GemmFunction;
	pack: PackFunction;
	memory: WebAssembly.Memory;
	/** The memory as floats; replaced after every grow, which detaches the old buffer. */
	heap: Float32Array;
}

/** One instance of the kernel module, with its own memory. */
export interface Gemm {
	/**
	 * Writes the n x m product of a (n x k) and b (k x m) into out. Returns false, having
	 * written nothing, when the kernel's memory cannot grow to the blocks needed.
	 */
	multiply(
		n: number,
		k: number,
		m: number,
		a: MatrixOperand,
		b: MatrixOperand,
		out: MatrixOperand
	): boolean;
	/**
	 * True when each step of the sum is one multiply-add rounded once: the fused module on a CPU
	 * with FMA. False when the product is rounded before the add.
	 */
	readonly roundsOnce: boolean;
}

/**
 * Instantiates the fused or the unfused kernel module. Returns null where the runtime cannot
 * compile it: no WebAssembly SIMD, or no relaxed SIMD for the fused one.
 */
export function loadGemm(fused: boolean): Gemm | null {
	const bytes = gemmModuleBytes({ tileRows: TILE_ROWS, tileCols: TILE_COLS, fused });
	const instance = instantiateKernel(bytes);
	if (!instance) return null;
	const memory = instance.exports[MEMORY_EXPORT] as WebAssembly.Memory;
	const target: Kernel = {
		gemm: instance.exports[GEMM_EXPORT] as GemmFunction,
		pack: instance.exports[PACK_EXPORT] as PackFunction,
		memory,
		heap: new Float32Array(memory.buffer)
	};
	const multiply: Gemm['multiply'] = (n, k, m, a, b, out) => run(target, n, k, m, a, b, out);
	return { multiply, roundsOnce: fused && probeRoundsOnce(multiply) };
}

/**
 * Relaxed SIMD lets an engine compile relaxed_madd to a multiply and an add, as V8 does on x64
 * without FMA, so the fused module's rounding is found by running it. The sum -1 + (1 + 2^-12)^2
 * is 2^-11 + 2^-24 when rounded once, and 2^-11 when the product is rounded first.
 */
function probeRoundsOnce(multiply: Gemm['multiply']): boolean {
	const near1 = 1 + 2 ** -12;
	const a = { data: Float32Array.of(1, near1), offset: 0, rowStride: 2, colStride: 1 };
	const b = { data: Float32Array.of(-1, near1), offset: 0, rowStride: 1, colStride: 1 };
	const out = { data: new Float32Array(1), offset: 0, rowStride: 1, colStride: 1 };
	return multiply(1, 2, 1, a, b, out) && out.data[0] !== 2 ** -11;
}

/**
 * The kernel the CPU backend uses: the fused module where relaxed SIMD compiles, else the
 * unfused one. Null where WebAssembly SIMD is missing, undefined until first requested.
 */
let shared: Gemm | null | undefined;

/** Returns the CPU backend's kernel, or null where WebAssembly SIMD is missing. */
export function sharedGemm(): Gemm | null {
	if (shared === undefined) shared = loadGemm(true) ?? loadGemm(false);
	return shared;
}

/**
 * Writes the n x m product of a (n x k) and b (k x m) into out with the shared kernel. Returns
 * false, having written nothing, when WebAssembly SIMD is missing or its memory cannot grow to
 * the blocks needed, so the caller runs a JS kernel instead.
 */
export function gemmFloat32(
	n: number,
	k: number,
	m: number,
	a: MatrixOperand,
	b: MatrixOperand,
	out: MatrixOperand
): boolean {
	const gemm = sharedGemm();
	return gemm !== null && gemm.multiply(n, k, m, a, b, out);
}

function roundUp(value: number, multiple: number): number {
	return Math.ceil(value / multiple) * multiple;
}

/** Grows the kernel memory to at least `floats` floats; returns false if the grow fails. */
function reserve(target: Kernel, floats: number): boolean {
	// heap.length avoids the memory.buffer getter, which is slow enough to show in profiles.
	const needed = (floats - target.heap.length) * 4;
	if (needed <= 0) return true;
	try {
		target.memory.grow(Math.ceil(needed / PAGE_BYTES));
	} catch (error) {
		if (error instanceof RangeError) return false;
		throw error;
	}
	target.heap = new Float32Array(target.memory.buffer);
	return true;
}

/**
 * Float offsets of the regions of kernel memory that one product uses.
 *
 * NOTE: WebAssembly memory cannot shrink, so the kernel keeps the largest regions it has needed
 * (20 MiB after a 1024 x 1024 product) until the page or worker ends.
 */
interface Layout {
	/** Packed A block. */
	a: number;
	/** Packed B block. */
	b: number;
	/** The product block, row-major with padded rows. */
	c: number;
	/** Unpacked copies of source elements, read by the kernel's `pack`. */
	source: number;
	sourceCapacity: number;
}

function run(
	target: Kernel,
	n: number,
	k: number,
	m: number,
	a: MatrixOperand,
	b: MatrixOperand,
	out: MatrixOperand
): boolean {
	if (n === 0 || m === 0) return true;
	if (k === 0) {
		fillZero(n, m, out);
		return true;
	}

	const blockRows = Math.min(roundUp(n, TILE_ROWS), blockLength(k, TILE_ROWS));
	const blockCols = Math.min(roundUp(m, TILE_COLS), blockLength(k, TILE_COLS));
	// Each region's size is a multiple of 4 floats, so every region is 16-byte aligned.
	const sourceCapacity = roundUp(2 * k * Math.max(blockRows, blockCols), 4);
	const layout: Layout = { a: 0, b: 0, c: 0, source: 0, sourceCapacity };
	layout.b = layout.a + roundUp(blockRows * k, 4);
	layout.c = layout.b + blockCols * k;
	layout.source = layout.c + blockRows * blockCols;
	if (!reserve(target, layout.source + sourceCapacity)) return false;

	for (let j0 = 0; j0 < m; j0 += blockCols) {
		const cols = Math.min(blockCols, m - j0);
		const colsPadded = roundUp(cols, TILE_COLS);
		packColumns(target, layout, b, j0, cols, k);
		for (let i0 = 0; i0 < n; i0 += blockRows) {
			const rows = Math.min(blockRows, n - i0);
			const rowsPadded = roundUp(rows, TILE_ROWS);
			// With a single row block, packed A is still in place from the first column block.
			if (j0 === 0 || blockRows < n) packRows(target, layout, a, i0, rows, k);
			target.gemm(4 * layout.a, 4 * layout.b, 4 * layout.c, rowsPadded, colsPadded, k, KC, MC);
			copyOut(target.heap, layout.c, colsPadded, out, i0, j0, rows, cols);
		}
	}
	return true;
}

/** Returns the largest multiple of `tile` whose panel of k floats per line fits PACK_BUDGET. */
function blockLength(k: number, tile: number): number {
	return Math.max(tile, Math.floor(PACK_BUDGET / k / tile) * tile);
}

/** Packs rows i0 .. i0 + rows of a into panels of TILE_ROWS rows at layout.a. */
function packRows(
	target: Kernel,
	layout: Layout,
	a: MatrixOperand,
	i0: number,
	rows: number,
	k: number
) {
	const start = a.offset + i0 * a.rowStride;
	pack(target, layout, layout.a, a.data, start, a.rowStride, a.colStride, rows, TILE_ROWS, k);
}

/** Packs columns j0 .. j0 + cols of b into panels of TILE_COLS columns at layout.b. */
function packColumns(
	target: Kernel,
	layout: Layout,
	b: MatrixOperand,
	j0: number,
	cols: number,
	k: number
) {
	const start = b.offset + j0 * b.colStride;
	pack(target, layout, layout.b, b.data, start, b.colStride, b.rowStride, cols, TILE_COLS, k);
}

/**
 * Packs `lines` lines of k values (line l, step p at data[offset + l * lineStride + p *
 * stepStride]) into panels of `tile` lines at float offset `at`, as gemm-kernel.ts lays them
 * out. A source whose elements lie close together is copied into kernel memory as one block
 * and packed there. A sparse one (a slice with large steps) is packed in JS.
 */
function pack(
	target: Kernel,
	layout: Layout,
	at: number,
	data: Float32Array,
	offset: number,
	lineStride: number,
	stepStride: number,
	lines: number,
	tile: number,
	k: number
): void {
	const span = (lines - 1) * lineStride + (k - 1) * stepStride + 1;
	if (lineStride >= 0 && stepStride >= 0 && span <= layout.sourceCapacity) {
		target.heap.set(data.subarray(offset, offset + span), layout.source);
		target.pack(4 * layout.source, lineStride, stepStride, lines, tile, k, 4 * at, STEP_CHUNK);
		return;
	}
	packInJs(target.heap, at, data, offset, lineStride, stepStride, lines, tile, k);
}

/** Packs into the kernel's `pack` layout, for sources too spread out to copy as a block. */
function packInJs(
	heap: Float32Array,
	at: number,
	data: Float32Array,
	offset: number,
	lineStride: number,
	stepStride: number,
	lines: number,
	tile: number,
	k: number
): void {
	for (let q = 0; q < lines; q += tile) {
		const width = Math.min(tile, lines - q);
		const panel = at + q * k;
		for (let p = 0; p < k; p++) {
			const src = offset + q * lineStride + p * stepStride;
			const dst = panel + p * tile;
			for (let l = 0; l < width; l++) heap[dst + l] = data[src + l * lineStride];
			for (let l = width; l < tile; l++) heap[dst + l] = 0;
		}
	}
}

/**
 * Copies rows x cols of the product block (rows padded to `rowLength` floats) into out at
 * (i0, j0). A contiguous destination gets one block copy, after the block's rows are moved
 * together in place.
 */
function copyOut(
	heap: Float32Array,
	at: number,
	rowLength: number,
	out: MatrixOperand,
	i0: number,
	j0: number,
	rows: number,
	cols: number
): void {
	const { data, rowStride, colStride } = out;
	const start = out.offset + i0 * rowStride + j0 * colStride;
	if (colStride === 1 && (rowStride === cols || rows === 1)) {
		if (rowLength !== cols) {
			for (let i = 1; i < rows; i++) {
				heap.copyWithin(at + i * cols, at + i * rowLength, at + i * rowLength + cols);
			}
		}
		data.set(heap.subarray(at, at + rows * cols), start);
		return;
	}
	for (let i = 0; i < rows; i++) {
		let dst = start + i * rowStride;
		const src = at + i * rowLength;
		for (let j = 0; j < cols; j++) {
			data[dst] = heap[src + j];
			dst += colStride;
		}
	}
}

function fillZero(n: number, m: number, out: MatrixOperand): void {
	for (let i = 0; i < n; i++) {
		for (let j = 0; j < m; j++) out.data[out.offset + i * out.rowStride + j * out.colStride] = 0;
	}
}
