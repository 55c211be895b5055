/**
 * Generates the WebAssembly SIMD float32 GEMM kernel: C = A B on operands already packed into
 * the module's memory by gemm.ts.
 *
 * Packed layout (all float32, byte addresses 16-aligned):
 * - A: `rows / MR` panels, each `k * MR` values ordered [p][r], so one step of the K loop reads
 *   MR consecutive values.
 * - B: `cols / NR` panels, each `k * NR` values ordered [p][c].
 * - C: `rows x cols`, row-major.
 *
 * Loops, outermost first, as in the BLIS design: K blocks of `kc` steps, row blocks of `mc`
 * rows, B panels, A panels, then the K steps of one MR x NR register tile. The tile lives in
 * MR * NR / 4 f32x4 locals, which V8 keeps in registers for the 4 x 8 tile that gemm.ts uses
 * (checked with --print-wasm-code in Node 20 on x64). The B panel slice (kc x NR values)
 * stays in L1 while the tiles of one row block reuse it. The A slice of a row block (mc x kc
 * values) stays in L2 while every B panel reuses it.
 *
 * Between K blocks a tile is stored to C and loaded back, which keeps every float32 value as it
 * is, so each output is the float32 sum over p = 0, 1, ..., k - 1, in order, whatever the
 * block sizes. Each step of that sum is one of two kinds, fixed when the module is built:
 * - `fused`: relaxed SIMD's f32x4.relaxed_madd, which V8 compiles to one fused multiply-add
 *   (rounded once) on CPUs with FMA, as PyTorch's CPU kernels do. It ran the 1024 x 1024
 *   product at 43 GFLOP/s in Chromium 156 on an AMD EPYC, against 34 for the unfused module:
 *   the multiply and the add of the unfused step compete for the same two pipes.
 * - unfused: a float32 product, rounded, then a float32 add, the same bits on every CPU.
 * WebAssembly leaves only the sign and payload of a NaN result open.
 */
import { FunctionBuilder, I32, ModuleBuilder, V128 } from './emitter';

export interface GemmKernelShape {
	/** Rows of C per register tile (MR). */
	readonly tileRows: number;
	/** Columns of C per register tile (NR), a multiple of 4. */
	readonly tileCols: number;
	/** Multiply-adds with relaxed SIMD's madd, which runtimes without relaxed SIMD reject. */
	readonly fused?: boolean;
}

export const GEMM_EXPORT = 'gemm';
export const MEMORY_EXPORT = 'memory';

/**
 * The exported `gemm(a, b, c, rows, cols, k, kc, mc)`: byte addresses of packed A, packed B and
 * C, then rows (a multiple of MR), cols (a multiple of NR), k >= 1, the K block length kc >= 1
 * and the row block length mc (a positive multiple of MR).
 */
export type GemmFunction = (
	a: number,
	b: number,
	c: number,
	rows: number,
	cols: number,
	k: number,
	kc: number,
	mc: number
) => void;

/**
 * The exported `pack(src, lineStride, stepStride, lines, tile, k, dst, chunk)`. It copies
 * `lines` lines of k values into panels of `tile` lines at dst, each panel ordered [p][line],
 * and zeroes the padding lines of the last panel. Line l, step p is the float32 at byte
 * address src + 4 (l lineStride + p stepStride). Steps go in chunks of `chunk` across every
 * panel, so rows of a row-major source are read in order. tile is a multiple of 4, and lines,
 * k and chunk are at least 1. `gemm` reads this layout for A (tile MR) and B (tile NR).
 */
export type PackFunction = (
	src: number,
	lineStride: number,
	stepStride: number,
	lines: number,
	tile: number,
	k: number,
	dst: number,
	chunk: number
) => void;

export const PACK_EXPORT = 'pack';

export function gemmModuleBytes(shape: GemmKernelShape): Uint8Array<ArrayBuffer> {
	const module = new ModuleBuilder(MEMORY_EXPORT, 1);
	const params = [I32, I32, I32, I32, I32, I32, I32, I32] as const;
	module.addFunction(GEMM_EXPORT, params, [], (f) => emitGemm(f, shape));
	module.addFunction(PACK_EXPORT, params, [], emitPack);
	return module.encode();
}

function emitPack(f: FunctionBuilder): void {
	const [src, lineStride, stepStride, lines, tile, k, dst, chunk] = [0, 1, 2, 3, 4, 5, 6, 7];
	const p0 = f.local(I32);
	const p1 = f.local(I32);
	const q = f.local(I32);
	const width = f.local(I32);
	const p = f.local(I32);
	const l = f.local(I32);
	const s = f.local(I32);
	const d = f.local(I32);
	const lineBytes = f.local(I32);
	const contiguousLines = f.local(I32);
	const minOf = (x: number, y: number, into: number) => {
		f.localGet(x).localGet(y).localGet(x).localGet(y).i32LtU().select().localSet(into);
	};
	const addTo = (local: number, amount: number) => {
		f.localGet(local).i32Const(amount).i32Add().localSet(local);
	};

	f.localGet(lineStride).i32Const(4).i32Mul().localSet(lineBytes);
	f.localGet(lineStride).i32Const(1).i32Eq().localSet(contiguousLines);

	f.i32Const(0).localSet(p0);
	f.loop();
	{
		f.localGet(p0).localGet(chunk).i32Add().localSet(p1);
		minOf(p1, k, p1);
		f.i32Const(0).localSet(q);
		f.loop();
		{
			f.localGet(lines).localGet(q).i32Sub().localSet(width);
			minOf(width, tile, width);
			f.localGet(p0).localSet(p);
			f.loop();
			{
				// s = src + 4 (q lineStride + p stepStride); d = dst + 4 (q k + p tile)
				f.localGet(src);
				f.localGet(q).localGet(lineStride).i32Mul();
				f.localGet(p).localGet(stepStride).i32Mul().i32Add();
				f.i32Const(4).i32Mul().i32Add().localSet(s);
				f.localGet(dst);
				f.localGet(q).localGet(k).i32Mul();
				f.localGet(p).localGet(tile).i32Mul().i32Add();
				f.i32Const(4).i32Mul().i32Add().localSet(d);
				f.i32Const(0).localSet(l);

				// A full panel of adjacent source values moves four at a time.
				f.localGet(contiguousLines).localGet(width).localGet(tile).i32Eq().i32And().if();
				f.loop();
				f.localGet(d).localGet(s).v128Load(0).v128Store(0);
				addTo(s, 16);
				addTo(d, 16);
				addTo(l, 4);
				f.localGet(l).localGet(tile).i32LtU().brIf(0);
				f.end();
				f.else();
				f.loop();
				f.localGet(d).localGet(s).f32Load(0).f32Store(0);
				f.localGet(s).localGet(lineBytes).i32Add().localSet(s);
				addTo(d, 4);
				addTo(l, 1);
				f.localGet(l).localGet(width).i32LtU().brIf(0);
				f.end();
				// Zero the padding lines of a partial panel.
				f.block();
				f.loop();
				f.localGet(l).localGet(tile).i32GeU().brIf(1);
				f.localGet(d).f32ConstZero().f32Store(0);
				addTo(d, 4);
				addTo(l, 1);
				f.br(0);
				f.end();
				f.end();
				f.end();

				addTo(p, 1);
				f.localGet(p).localGet(p1).i32LtU().brIf(0);
			}
			f.end();
			f.localGet(q).localGet(tile).i32Add().localTee(q);
			f.localGet(lines).i32LtU().brIf(0);
		}
		f.end();
		f.localGet(p0).localGet(chunk).i32Add().localTee(p0);
		f.localGet(k).i32LtU().brIf(0);
	}
	f.end();
}

function emitGemm(f: FunctionBuilder, { tileRows, tileCols, fused }: GemmKernelShape): void {
	const [a, b, c, rows, cols, k, kc, mc] = [0, 1, 2, 3, 4, 5, 6, 7];
	const vectors = tileCols / 4;
	const pc = f.local(I32);
	const kLength = f.local(I32);
	const ic = f.local(I32);
	const icEnd = f.local(I32);
	const jr = f.local(I32);
	const ir = f.local(I32);
	const ap = f.local(I32);
	const bp = f.local(I32);
	const aEnd = f.local(I32);
	const cRow = f.local(I32);
	const rowBytes = f.local(I32);
	const aSplat = f.local(V128);
	const bVectors = Array.from({ length: vectors }, () => f.local(V128));
	const acc = Array.from({ length: tileRows }, () =>
		Array.from({ length: vectors }, () => f.local(V128))
	);
	const minOf = (x: number, y: number, into: number) => {
		f.localGet(x).localGet(y).localGet(x).localGet(y).i32LtU().select().localSet(into);
	};
	// cRow = c + 4 (ir cols + jr)
	const tileAddress = () => {
		f.localGet(c);
		f.localGet(ir).localGet(cols).i32Mul().localGet(jr).i32Add();
		f.i32Const(4).i32Mul().i32Add().localSet(cRow);
	};

	f.localGet(cols).i32Const(4).i32Mul().localSet(rowBytes);

	// for (pc = 0; pc < k; pc += kc): one K block, whose B slice every row block reuses.
	f.i32Const(0).localSet(pc);
	f.loop();
	{
		f.localGet(k).localGet(pc).i32Sub().localSet(kLength);
		minOf(kLength, kc, kLength);

		// for (ic = 0; ic < rows; ic += mc): one row block, whose A slice stays in L2.
		f.i32Const(0).localSet(ic);
		f.loop();
		{
			f.localGet(ic).localGet(mc).i32Add().localSet(icEnd);
			minOf(icEnd, rows, icEnd);

			// for (jr = 0; jr < cols; jr += NR): one B panel slice, which stays in L1.
			f.i32Const(0).localSet(jr);
			f.loop();
			{
				// for (ir = ic; ir < icEnd; ir += MR): one register tile.
				f.localGet(ic).localSet(ir);
				f.loop();
				{
					// ap = a + 4 (ir k + pc MR); aEnd = ap + 4 kLength MR; bp = b + 4 (jr k + pc NR)
					f.localGet(a);
					f.localGet(ir).localGet(k).i32Mul();
					f.localGet(pc).i32Const(tileRows).i32Mul().i32Add();
					f.i32Const(4).i32Mul().i32Add().localTee(ap);
					f.localGet(kLength)
						.i32Const(4 * tileRows)
						.i32Mul()
						.i32Add()
						.localSet(aEnd);
					f.localGet(b);
					f.localGet(jr).localGet(k).i32Mul();
					f.localGet(pc).i32Const(tileCols).i32Mul().i32Add();
					f.i32Const(4).i32Mul().i32Add().localSet(bp);

					// The first K block starts from zero; later blocks continue the stored sums.
					f.localGet(pc).i32Eqz().if();
					for (const row of acc) for (const v of row) f.v128ConstZero().localSet(v);
					f.else();
					tileAddress();
					eachTileRow(f, acc, cRow, rowBytes, (row) => {
						row.forEach((v, i) =>
							f
								.localGet(cRow)
								.v128Load(16 * i)
								.localSet(v)
						);
					});
					f.end();

					emitTileLoop(f, { ap, bp, aEnd, aSplat, bVectors, acc, tileRows, tileCols, fused });

					tileAddress();
					eachTileRow(f, acc, cRow, rowBytes, (row) => {
						row.forEach((v, i) =>
							f
								.localGet(cRow)
								.localGet(v)
								.v128Store(16 * i)
						);
					});

					f.localGet(ir).i32Const(tileRows).i32Add().localTee(ir);
					f.localGet(icEnd).i32LtU().brIf(0);
				}
				f.end();

				f.localGet(jr).i32Const(tileCols).i32Add().localTee(jr);
				f.localGet(cols).i32LtU().brIf(0);
			}
			f.end();

			f.localGet(icEnd).localTee(ic);
			f.localGet(rows).i32LtU().brIf(0);
		}
		f.end();

		f.localGet(pc).localGet(kc).i32Add().localTee(pc);
		f.localGet(k).i32LtU().brIf(0);
	}
	f.end();
}

/** Runs `visit` on each accumulator row, with cRow at that row's address, advancing it after. */
function eachTileRow(
	f: FunctionBuilder,
	acc: number[][],
	cRow: number,
	rowBytes: number,
	visit: (row: number[]) => void
): void {
	for (const row of acc) {
		visit(row);
		f.localGet(cRow).localGet(rowBytes).i32Add().localSet(cRow);
	}
}

interface TileLoop {
	ap: number;
	bp: number;
	aEnd: number;
	aSplat: number;
	bVectors: number[];
	acc: number[][];
	tileRows: number;
	tileCols: number;
	fused?: boolean;
}

/** Emits the K loop of one tile: acc[r][v] += A[p][r] * B[p][4v..4v+3] for p in the block. */
function emitTileLoop(f: FunctionBuilder, loop: TileLoop): void {
	const { ap, bp, aEnd, aSplat, bVectors, acc, tileRows, tileCols, fused } = loop;
	f.loop();
	bVectors.forEach((v, i) =>
		f
			.localGet(bp)
			.v128Load(16 * i)
			.localSet(v)
	);
	for (let r = 0; r < tileRows; r++) {
		f.localGet(ap)
			.v128Load32Splat(4 * r)
			.localSet(aSplat);
		acc[r].forEach((v, i) => {
			if (fused) {
				f.localGet(aSplat).localGet(bVectors[i]).localGet(v).f32x4RelaxedMadd().localSet(v);
			} else {
				f.localGet(v).localGet(aSplat).localGet(bVectors[i]).f32x4Mul().f32x4Add().localSet(v);
			}
		});
	}
	f.localGet(ap)
		.i32Const(4 * tileRows)
		.i32Add()
		.localSet(ap);
	f.localGet(bp)
		.i32Const(4 * tileCols)
		.i32Add()
		.localSet(bp);
	f.localGet(ap).localGet(aEnd).i32LtU().brIf(0);
	f.end();
}
