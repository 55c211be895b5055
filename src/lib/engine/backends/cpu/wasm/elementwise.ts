/**
 * Float32 rows of the elementwise ops that dominate a ReLU network's training step, through
 * WebAssembly SIMD: relu and its backward, add, sub and mul, and a + p b for a scalar p (the
 * SGD update). Rows are copied into the module's memory in chunks, computed there, and copied
 * out. That costs less than the JS loops they replace. In Chromium 156 on an AMD EPYC, relu's
 * JS loop took 8 ns per element on random signs, because its branch mispredicts, and a + p b
 * took 3 ns.
 *
 * Each kernel computes what the JS loop of elementwise-fast.ts computes, to the bit:
 * - relu is `x < 0 ? 0 : x`, which f32x4.pmax(x, 0) is by definition, -0 and NaN included.
 * - relu's backward is `y <= 0 ? 0 : g`: g with the lanes where y <= 0 cleared to +0.
 * - The JS loops compute a + b, a - b and a b of float32 values in double and round to
 *   float32. That equals the float32 operation rounded once, because double has more than
 *   2 * 24 + 2 bits, so f32x4 add, sub and mul give the same values.
 * - a + p b with any other p is computed in float64 lanes, the product and the sum each
 *   rounded to double as in JS, then rounded to float32.
 */
import { F64, FunctionBuilder, I32, ModuleBuilder, V128 } from './emitter';
import { instantiateKernel } from './instantiate';

const MEMORY_EXPORT = 'memory';
/** Floats per operand region; a chunk of three regions fits in L2. */
const CHUNK = 16384;
const A = 0;
const B = CHUNK;
const OUT = 2 * CHUNK;
/** Rows shorter than this stay in JS, where a call and three copies cost more than the loop. */
export const WASM_ROW_MIN = 128;

type UnaryKernel = (x: number, out: number, n: number) => void;
type BinaryKernel = (a: number, b: number, out: number, n: number) => void;
type ScaledKernel = (a: number, b: number, out: number, n: number, p: number) => void;

interface Kernels {
	relu: UnaryKernel;
	reluBackward: BinaryKernel;
	add: BinaryKernel;
	sub: BinaryKernel;
	mul: BinaryKernel;
	addScaled: ScaledKernel;
	heap: Float32Array;
}

/** The kernels, null where WebAssembly SIMD is missing, undefined until first requested. */
let kernels: Kernels | null | undefined;

/** Returns the module's bytes; exported for the tests, which validate them. */
export function elementwiseModuleBytes(): Uint8Array<ArrayBuffer> {
	const module = new ModuleBuilder(MEMORY_EXPORT, 3);
	module.addFunction('relu', [I32, I32, I32], [], (f) =>
		emitVectorLoop(f, 1, (load) => {
			load(0);
			f.v128ConstZero().f32x4Pmax();
		})
	);
	module.addFunction('reluBackward', [I32, I32, I32, I32], [], (f) =>
		emitVectorLoop(f, 2, (load) => {
			load(0);
			load(1);
			f.v128ConstZero().f32x4Le().v128Andnot();
		})
	);
	const lanewise: [string, (f: FunctionBuilder) => void][] = [
		['add', (f) => f.f32x4Add()],
		['sub', (f) => f.f32x4Sub()],
		['mul', (f) => f.f32x4Mul()]
	];
	for (const [name, op] of lanewise) {
		module.addFunction(name, [I32, I32, I32, I32], [], (f) =>
			emitVectorLoop(f, 2, (load) => {
				load(0);
				load(1);
				op(f);
			})
		);
	}
	module.addFunction('addScaled', [I32, I32, I32, I32, F64], [], emitAddScaled);
	return module.encode();
}

/**
 * Emits a loop over 4-float vectors: `body` leaves one vector computed from the inputs, which
 * `load(i)` pushes from input i (parameter i). Parameter `inputs` is the output's address and
 * the one after it the number of vectors: the element count rounded up, as the regions are
 * padded.
 */
function emitVectorLoop(
	f: FunctionBuilder,
	inputs: number,
	body: (load: (input: number) => void) => void
): void {
	const out = inputs;
	const vectors = inputs + 1;
	const offset = f.local(I32);
	const end = f.local(I32);
	f.localGet(vectors).i32Const(16).i32Mul().localSet(end);
	f.block();
	f.localGet(vectors).i32Eqz().brIf(0);
	f.loop();
	f.localGet(out).localGet(offset).i32Add();
	body((input) => f.localGet(input).localGet(offset).i32Add().v128Load(0));
	f.v128Store(0);
	f.localGet(offset).i32Const(16).i32Add().localTee(offset);
	f.localGet(end).i32LtU().brIf(0);
	f.end();
	f.end();
}

/** out = a + p b for `pairs` pairs of floats, two at a time in float64 lanes. */
function emitAddScaled(f: FunctionBuilder): void {
	const [a, b, out, pairs, p] = [0, 1, 2, 3, 4];
	const offset = f.local(I32);
	const end = f.local(I32);
	const scale = f.local(V128);
	f.localGet(p).f64x2Splat().localSet(scale);
	f.localGet(pairs).i32Const(8).i32Mul().localSet(end);
	f.block();
	f.localGet(pairs).i32Eqz().brIf(0);
	f.loop();
	f.localGet(out).localGet(offset).i32Add();
	f.localGet(a).localGet(offset).i32Add().v128Load64Zero(0).f64x2PromoteLowF32x4();
	f.localGet(scale);
	f.localGet(b).localGet(offset).i32Add().v128Load64Zero(0).f64x2PromoteLowF32x4();
	f.f64x2Mul().f64x2Add().f32x4DemoteF64x2Zero();
	f.v128Store64Lane(0, 0);
	f.localGet(offset).i32Const(8).i32Add().localTee(offset);
	f.localGet(end).i32LtU().brIf(0);
	f.end();
	f.end();
}

function loadKernels(): Kernels | null {
	const instance = instantiateKernel(elementwiseModuleBytes());
	if (!instance) return null;
	const e = instance.exports;
	return {
		relu: e.relu as UnaryKernel,
		reluBackward: e.reluBackward as BinaryKernel,
		add: e.add as BinaryKernel,
		sub: e.sub as BinaryKernel,
		mul: e.mul as BinaryKernel,
		addScaled: e.addScaled as ScaledKernel,
		heap: new Float32Array((e[MEMORY_EXPORT] as WebAssembly.Memory).buffer)
	};
}

function kernelsOrNull(): Kernels | null {
	if (kernels === undefined) kernels = loadKernels();
	return kernels;
}

/** Whole vectors of 4 floats covering n floats. */
const vectorsOf = (n: number) => (n + 3) >> 2;

/**
 * Writes relu of x[xo .. xo + n) to out[oo .. oo + n). Returns false, having written nothing,
 * where WebAssembly SIMD is missing.
 */
export function reluRowWasm(
	out: Float32Array,
	oo: number,
	x: Float32Array,
	xo: number,
	n: number
): boolean {
	const k = kernelsOrNull();
	if (k === null) return false;
	const heap = k.heap;
	for (let start = 0; start < n; start += CHUNK) {
		const length = Math.min(CHUNK, n - start);
		heap.set(x.subarray(xo + start, xo + start + length), A);
		k.relu(4 * A, 4 * OUT, vectorsOf(length));
		out.set(heap.subarray(OUT, OUT + length), oo + start);
	}
	return true;
}

/** The binary ops with a kernel here; `add` and `sub` take the scalar p of `a + p b`. */
export type WasmBinaryOp = 'add' | 'sub' | 'mul' | 'reluBackward';

/**
 * Writes op(a[ao + j], b[bo + j]) to out[oo + j] for j < n, where op is a + p b, a - p b,
 * a b, or relu's backward with a the gradient and b the output. Returns false, having written
 * nothing, where WebAssembly SIMD is missing.
 */
export function binaryRowWasm(
	op: WasmBinaryOp,
	out: Float32Array,
	oo: number,
	a: Float32Array,
	ao: number,
	b: Float32Array,
	bo: number,
	n: number,
	p = 1
): boolean {
	const k = kernelsOrNull();
	if (k === null) return false;
	runChunks(k, op, out, oo, a, ao, { b, bo }, n, CHUNK, p);
	return true;
}

/**
 * As binaryRowWasm over `total` elements, with b's `period` elements repeated along a and out,
 * as a bias is added to every row of a batch. The repeats are laid out once in module memory,
 * and chunks hold whole periods, so every chunk reads the same b. Returns false, having written
 * nothing, where WebAssembly SIMD is missing or the period does not fit a chunk.
 */
export function binaryRepeatedWasm(
	op: WasmBinaryOp,
	out: Float32Array,
	oo: number,
	a: Float32Array,
	ao: number,
	b: Float32Array,
	bo: number,
	period: number,
	total: number,
	p = 1
): boolean {
	const k = kernelsOrNull();
	if (k === null || period > CHUNK) return false;
	const heap = k.heap;
	const chunk = Math.min(total, Math.floor(CHUNK / period) * period);
	heap.set(b.subarray(bo, bo + period), B);
	for (let filled = period; filled < chunk; filled *= 2) {
		heap.copyWithin(B + filled, B, B + Math.min(filled, chunk - filled));
	}
	runChunks(k, op, out, oo, a, ao, null, total, chunk, p);
	return true;
}

/**
 * Runs op over n elements of a and out, `chunk` floats at a time. Each chunk of b is copied in
 * beside a's, or, for `b` null, region B already holds the b that every chunk reads.
 */
function runChunks(
	k: Kernels,
	op: WasmBinaryOp,
	out: Float32Array,
	oo: number,
	a: Float32Array,
	ao: number,
	b: { b: Float32Array; bo: number } | null,
	n: number,
	chunk: number,
	p: number
): void {
	const heap = k.heap;
	for (let start = 0; start < n; start += chunk) {
		const length = Math.min(chunk, n - start);
		heap.set(a.subarray(ao + start, ao + start + length), A);
		if (b) heap.set(b.b.subarray(b.bo + start, b.bo + start + length), B);
		runBinary(k, op, length, p);
		out.set(heap.subarray(OUT, OUT + length), oo + start);
	}
}

/** Runs op on the first `length` floats of regions A and B, into region OUT. */
function runBinary(k: Kernels, op: WasmBinaryOp, length: number, p: number): void {
	const vectors = vectorsOf(length);
	if (op === 'mul') k.mul(4 * A, 4 * B, 4 * OUT, vectors);
	else if (op === 'reluBackward') k.reluBackward(4 * A, 4 * B, 4 * OUT, vectors);
	else if (p === 1) (op === 'add' ? k.add : k.sub)(4 * A, 4 * B, 4 * OUT, vectors);
	// a - p b is a + (-p) b exactly: negating p and the product rounds nothing.
	else k.addScaled(4 * A, 4 * B, 4 * OUT, (length + 1) >> 1, op === 'add' ? p : -p);
}
