/**
 * Zero-filled typed arrays for the CPU backend's storages.
 *
 * A small tensor (a 16 x 32 activation, a bias) is allocated for almost every op. V8 gives each
 * `new Float32Array(n)` above 64 bytes its own zeroed backing store outside the JS heap, and
 * the GC must track that external memory. That took about 1 us of CPU time per 2 KiB array in
 * Node 20 on a 2.6 GHz Xeon, against 0.2 us for a view into a shared buffer. So arrays from 65
 * bytes to 4 KiB are carved from shared 64 KiB ArrayBuffers, which are zero when created and
 * never hand out a byte twice, so every array still starts zeroed. Smaller arrays live on the
 * JS heap, where allocation is cheap, and larger ones get their own buffer.
 *
 * NOTE: a slab's 64 KiB stay alive while any array carved from it is alive. Keeping many small
 * tensors from different steps, each in a different slab, can retain up to 64 KiB apiece.
 */
import { bool, float32, typedArrayFor, type DType, type TypedArray } from '../../dtype';

const SLAB_BYTES = 64 * 1024;
/** Below this size V8 allocates typed arrays on the JS heap (its typed_array_max_size_in_heap). */
const MIN_SLAB_ARRAY_BYTES = 65;
const MAX_SLAB_ARRAY_BYTES = 4096;
/** Carved arrays start on 16-byte boundaries, enough for any element type. */
const ALIGN = 16;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Returns a zero-filled array of `size` elements of `dtype`. */
export function allocateZeroed(dtype: DType, size: number): TypedArray {
	let elementBytes = 8;
	if (dtype === float32) elementBytes = 4;
	else if (dtype === bool) elementBytes = 1;
	const bytes = size * elementBytes;
	if (bytes < MIN_SLAB_ARRAY_BYTES || bytes > MAX_SLAB_ARRAY_BYTES)
		return typedArrayFor(dtype, size);

	if (slabUsed + bytes > SLAB_BYTES) {
		slab = new ArrayBuffer(SLAB_BYTES);
		slabUsed = 0;
	}
	const offset = slabUsed;
	slabUsed += Math.ceil(bytes / ALIGN) * ALIGN;
	if (dtype === float32) return new Float32Array(slab, offset, size);
	if (dtype === bool) return new Uint8Array(slab, offset, size);
	return new Float64Array(slab, offset, size);
}
