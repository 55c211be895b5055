/**
 * Float32 tanh of a contiguous row through a WebAssembly SIMD kernel, two float64 lanes at a
 * time. The kernel runs the double operations of `tanhFloat32` (../math.ts) in the same order,
 * so it returns the same float32 values: a test compares the two over a sweep of float32. In
 * Node 20 on a shared 2-core Xeon it took about 8 ns per element, against about 25 for
 * tanhFloat32 and 40 for Math.tanh, which had made tanh most of a tanh network's forward pass.
 */
import { EXPM1_TAYLOR, TANH_ONE, TANH_TINY, tanhFloat32 } from '../math';
import { FunctionBuilder, I32, ModuleBuilder, V128 } from './emitter';
import { instantiateKernel } from './instantiate';

const TANH_EXPORT = 'tanh';
const MEMORY_EXPORT = 'memory';
/** Floats per call: one 64 KiB page, the module's whole memory, transformed in place. */
const CHUNK = 16384;

/** `tanh(address, pairs)`: replaces 2 * pairs float32 values at the byte address by their tanh. */
type TanhFunction = (address: number, pairs: number) => void;

interface Kernel {
	tanh: TanhFunction;
	heap: Float32Array;
}

/** The kernel, null where WebAssembly SIMD is missing, undefined until first requested. */
let kernel: Kernel | null | undefined;

/** Returns the module's bytes; exported for the tests, which validate them. */
export function tanhModuleBytes(): Uint8Array<ArrayBuffer> {
	const module = new ModuleBuilder(MEMORY_EXPORT, 1);
	module.addFunction(TANH_EXPORT, [I32, I32], [], emitTanh);
	return module.encode();
}

function emitTanh(f: FunctionBuilder): void {
	const [address, pairs] = [0, 1];
	// Constants live in locals set before the loop. Built inside it, each cost V8 several
	// instructions per iteration: 14 ns per element in Chromium 156 on an AMD EPYC, against 7.
	// Two pairs per iteration, for more independent work, spilled registers and took 10.
	const constant = (value: number) => {
		const local = f.local(V128);
		f.f64x2Const(value).localSet(local);
		return local;
	};
	const one = constant(1);
	const two = constant(2);
	const tanhOne = constant(TANH_ONE);
	const tanhTiny = constant(TANH_TINY);
	const log2e = constant(Math.LOG2E);
	const ln2 = constant(Math.LN2);
	const exponentBias = constant(2 ** 52 + 1023);
	const taylor = EXPM1_TAYLOR.map(constant);

	const [x, a, t, k, r, sum, scale, m] = Array.from({ length: 8 }, () => f.local(V128));

	f.block();
	f.localGet(pairs).i32Eqz().brIf(0);
	f.loop();
	{
		f.localGet(address).v128Load64Zero(0).f64x2PromoteLowF32x4().localTee(x);
		f.f64x2Abs().localSet(a);
		// t = 2 min(|x|, TANH_ONE); min keeps NaN, and clamps infinities.
		f.localGet(a).localGet(tanhOne).f64x2Min().localGet(two).f64x2Mul().localSet(t);
		f.localGet(t).localGet(log2e).f64x2Mul().f64x2Nearest().localSet(k);
		f.localGet(t).localGet(k).localGet(ln2).f64x2Mul().f64x2Sub().localSet(r);
		// Horner's rule for expm1(r) / r.
		f.localGet(r).localGet(taylor[0]).f64x2Mul();
		f.localGet(taylor[1]).f64x2Add().localSet(sum);
		for (let i = 2; i < EXPM1_TAYLOR.length; i++) {
			f.localGet(sum).localGet(r).f64x2Mul().localGet(taylor[i]).f64x2Add().localSet(sum);
		}
		// 2^k: k + (2^52 + 1023) has k + 1023 in its low mantissa bits, which the shift moves
		// into the exponent field.
		f.localGet(k).localGet(exponentBias).f64x2Add();
		f.i32Const(52).i64x2Shl().localSet(scale);
		// m = 2^k expm1(r) + (2^k - 1) = expm1(t)
		f.localGet(scale).localGet(sum).localGet(r).f64x2Mul().f64x2Mul();
		f.localGet(scale).localGet(one).f64x2Sub().f64x2Add().localSet(m);
		// m / (m + 2) with the sign of x, or x itself where |x| < TANH_TINY.
		f.localGet(x);
		f.localGet(m).localGet(m).localGet(two).f64x2Add().f64x2Div();
		f.i64x2SignMask().v128Bitselect();
		f.localSet(sum);
		f.localGet(x).localGet(sum).localGet(a).localGet(tanhTiny).f64x2Lt().v128Bitselect();
		f.f32x4DemoteF64x2Zero().localSet(sum);
		f.localGet(address).localGet(sum).v128Store64Lane(0, 0);

		f.localGet(address).i32Const(8).i32Add().localSet(address);
		f.localGet(pairs).i32Const(1).i32Sub().localTee(pairs);
		f.brIf(0);
	}
	f.end();
	f.end();
}

function loadKernel(): Kernel | null {
	const instance = instantiateKernel(tanhModuleBytes());
	if (!instance) return null;
	const memory = instance.exports[MEMORY_EXPORT] as WebAssembly.Memory;
	return {
		tanh: instance.exports[TANH_EXPORT] as TanhFunction,
		heap: new Float32Array(memory.buffer)
	};
}

/**
 * Writes tanh of x[xo .. xo + n) to out[oo .. oo + n). Returns false, having written nothing,
 * where WebAssembly SIMD is missing.
 */
export function tanhRowWasm(
	out: Float32Array,
	oo: number,
	x: Float32Array,
	xo: number,
	n: number
): boolean {
	if (kernel === undefined) kernel = loadKernel();
	if (kernel === null) return false;
	const { heap, tanh } = kernel;
	for (let start = 0; start < n; start += CHUNK) {
		const length = Math.min(CHUNK, n - start);
		const pairs = length >> 1;
		heap.set(x.subarray(xo + start, xo + start + 2 * pairs));
		tanh(0, pairs);
		out.set(heap.subarray(0, 2 * pairs), oo + start);
		if (length & 1) out[oo + start + length - 1] = tanhFloat32(x[xo + start + length - 1]);
	}
	return true;
}
