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
 * Large arrays are pooled. A fresh array's memory is mapped in by the OS at its first write,
 * page by page: writing a fresh 1.6 MB Float32Array took 1 ms in Node 20 on an AMD EPYC,
 * against 0.05 ms for one written before. So an array the engine knows is dead (a temporary
 * gradient of backward, see ReleaseScope) is kept for the next allocation of its size, which
 * in a training loop comes one step later.
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
/** Smaller arrays come from the allocator's free lists, whose pages are already mapped. */
const MIN_POOLED_BYTES = 64 * 1024;
/** The most the pool holds, so a run that stopped training does not keep more than this. */
const MAX_POOL_BYTES = 64 * 1024 * 1024;

/** Released arrays by element count and kind (see `poolKey`), newest last. */
const pool = new Map<number, TypedArray[]>();
let pooledBytes = 0;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Returns a zero-filled array of `size` elements of `dtype`. */
export function allocateZeroed(dtype: DType, size: number): TypedArray {
	let elementBytes = 8;
	if (dtype === float32) elementBytes = 4;
	else if (dtype === bool) elementBytes = 1;
	const bytes = size * elementBytes;
	if (bytes >= MIN_POOLED_BYTES) {
		const reused = pool.get(poolKey(size, elementBytes))?.pop();
		if (reused) {
			pooledBytes -= bytes;
			return reused.fill(0);
		}
	}
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

/**
 * Takes back an array that no tensor will read again, for a later allocation of the same size
 * and element type. Arrays carved from a slab, small ones, and those over the pool's limit are
 * left to the collector.
 */
export function recycle(array: TypedArray): void {
	const bytes = array.byteLength;
	if (bytes < MIN_POOLED_BYTES || array.byteOffset !== 0 || array.buffer.byteLength !== bytes)
		return;
	if (pooledBytes + bytes > MAX_POOL_BYTES) return;
	const key = poolKey(array.length, array.BYTES_PER_ELEMENT);
	const list = pool.get(key);
	if (list) list.push(array);
	else pool.set(key, [array]);
	pooledBytes += bytes;
}

/**
 * float64 and int64 share Float64Array, so arrays of both go in one list. Element sizes 1, 4
 * and 8 give distinct keys for every length.
 */
function poolKey(size: number, elementBytes: number): number {
	return size * 16 + elementBytes;
}
