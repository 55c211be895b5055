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
 * Fresh memory is slow wherever it comes from: the OS maps it in at its first write, page by
 * page. In Chromium 156 on this machine, writing a fresh 64 KiB Float32Array took 85 us,
 * against 4 us for one written before (1.3 ns against 0.06 ns per byte). So arrays are reused:
 * - at once, when backward releases a temporary gradient that no tensor reads again (see
 *   ReleaseScope), through `recycleNow`;
 * - after the collector finds their storage unreachable, through `recycleWhenCollected`. Its
 *   callbacks run only between tasks, which is why `reclaimTurn` exists.
 * A reused array goes to the next allocation of its length and element size, which in a
 * training loop comes one step later.
 *
 * NOTE: a slab's 64 KiB stay alive while any array carved from it is alive, pooled ones
 * included. Keeping many small tensors from different steps can retain up to 64 KiB apiece.
 */
import { bool, float32, typedArrayFor, type DType, type TypedArray } from '../../dtype';
import { nextMacrotask } from '../../next-task';

const SLAB_BYTES = 64 * 1024;
/** Below this size V8 allocates typed arrays on the JS heap (its typed_array_max_size_in_heap). */
const MIN_SLAB_ARRAY_BYTES = 65;
const MAX_SLAB_ARRAY_BYTES = 4096;
/** Carved arrays start on 16-byte boundaries, enough for any element type. */
const ALIGN = 16;
/** Maximum bytes in the pool, so a run that stopped training keeps no more than this. */
const MAX_POOL_BYTES = 64 * 1024 * 1024;

/** Released arrays by element count and kind (see `poolKey`), oldest first. */
const pool = new Map<number, TypedArray[]>();
/** The same arrays in the order they arrived: a Set iterates in insertion order. */
const pooled = new Set<TypedArray>();
let pooledBytes = 0;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

// The held value is the array and the unregister token too; neither keeps the owner alive.
const collected = new FinalizationRegistry<TypedArray>(recycle);

/** Returns a zero-filled array of `size` elements of `dtype`. */
export function allocateZeroed(dtype: DType, size: number): TypedArray {
	let elementBytes = 8;
	if (dtype === float32) elementBytes = 4;
	else if (dtype === bool) elementBytes = 1;
	const bytes = size * elementBytes;
	if (bytes < MIN_SLAB_ARRAY_BYTES) return typedArrayFor(dtype, size);
	const reused = pooledBytes > 0 ? pool.get(poolKey(size, elementBytes))?.pop() : undefined;
	if (reused) {
		pooledBytes -= bytes;
		pooled.delete(reused);
		return reused.fill(0);
	}
	if (bytes > MAX_SLAB_ARRAY_BYTES) return typedArrayFor(dtype, size);

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
 * Takes back an array that no tensor will read again, for a later allocation of the same length
 * and element size. When the pool is full, its oldest arrays are dropped to make room. A run
 * that moves on to other shapes (from a matmul benchmark to a loss landscape) then reuses
 * arrays of its new sizes instead of finding the pool full of the old ones. Arrays on the JS
 * heap are left to the collector.
 */
export function recycle(array: TypedArray): void {
	const bytes = array.byteLength;
	// A second copy in the pool would go to two tensors at once.
	if (bytes < MIN_SLAB_ARRAY_BYTES || bytes > MAX_POOL_BYTES || pooled.has(array)) return;
	while (pooledBytes + bytes > MAX_POOL_BYTES) evictOldest();
	const key = poolKey(array.length, array.BYTES_PER_ELEMENT);
	const list = pool.get(key);
	if (list) list.push(array);
	else pool.set(key, [array]);
	pooled.add(array);
	pooledBytes += bytes;
}

/** Drops the pool's oldest array, leaving it to the collector. */
function evictOldest(): void {
	const array = pooled.values().next().value!;
	pooled.delete(array);
	// Lists are oldest first, so the pool's oldest array is the first of its list.
	pool.get(poolKey(array.length, array.BYTES_PER_ELEMENT))!.shift();
	pooledBytes -= array.byteLength;
}

/**
 * Recycles `array` once `owner`, the only holder of it (its Storage), has been collected. An
 * array recycled earlier through `recycleNow` is not recycled a second time.
 */
export function recycleWhenCollected(owner: object, array: TypedArray): void {
	if (array.byteLength >= MIN_SLAB_ARRAY_BYTES) collected.register(owner, array, array);
}

/** Recycles an array now, and cancels its recycling by the collector. */
export function recycleNow(array: TypedArray): void {
	collected.unregister(array);
	recycle(array);
}

/** Milliseconds of work between turns that `reclaimTurn` gives the event loop. */
const TURN_INTERVAL_MS = 10;
let lastTurn = 0;

/**
 * Resolves after the next task when TURN_INTERVAL_MS have passed since the last such turn, and
 * at once otherwise. The CPU backend's reads await it: code that awaits reads in a loop never
 * leaves its task otherwise, so the collector's callbacks, and with them `recycleWhenCollected`,
 * would never run during the loop.
 */
export function reclaimTurn(): Promise<void> | undefined {
	const now = performance.now();
	if (now - lastTurn < TURN_INTERVAL_MS) return undefined;
	lastTurn = now;
	return nextMacrotask();
}

/**
 * float64 and int64 share Float64Array, so arrays of both go in one list. Element sizes 1, 4
 * and 8 give distinct keys for every length.
 */
function poolKey(size: number, elementBytes: number): number {
	return size * 16 + elementBytes;
}
