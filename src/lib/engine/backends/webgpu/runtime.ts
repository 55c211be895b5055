/**
 * One live device with everything bound to it: the buffer pool, the pipeline cache, the
 * command batch and the status words. Tensor storage on WebGPU is a `GpuStorage`, which
 * returns its buffer to the pool when the tensor becomes unreachable (FinalizationRegistry) or
 * when the frontend releases it (a backward pass's temporary gradients). After a device loss a
 * new runtime replaces this one, and storage of the old one reports the loss when used.
 */
import type { DType } from '../../dtype';
import { IndexError, InternalError, ValueError } from '../../errors';
import type { StorageData, View } from '../backend';
import { CommandBatch, type StatusWords, type WorkgroupCount } from './batching';
import { BufferPool, type PooledBuffer } from './buffer-pool';
import { DeviceLostError, type GpuContext } from './device';
import { PipelineCache, webgpuDebugLevel, type KernelSource } from './pipelines';
import { INDEX_OP_CODES } from './wgsl/indexing';
import type { Params } from './wgsl/emit';

/** Backend-owned memory of a WebGPU tensor: a pooled GPUBuffer holding `size` elements. */
export class GpuStorage {
	released = false;
	/**
	 * The engine asked for zeros but the buffer is recycled: it is cleared just before its
	 * first use, unless that use overwrites every element anyway.
	 */
	needsZero = false;

	constructor(
		readonly runtime: GpuRuntime,
		readonly entry: PooledBuffer,
		readonly size: number,
		readonly dtype: DType
	) {}

	get buffer(): GPUBuffer {
		return this.entry.buffer;
	}
}

interface Reclaimable {
	runtime: GpuRuntime;
	entry: PooledBuffer;
}

// Held values must not reference the storage strongly, or it would never be collected. The
// callbacks run as tasks of their own after a garbage collection, so a loop that never yields
// to the event loop gets none of this memory back.
const reclaim = new FinalizationRegistry<Reclaimable>(({ runtime, entry }) => {
	if (!runtime.context.isLost && entry.inUse) runtime.pool.release(entry);
});

export class GpuRuntime {
	readonly pool: BufferPool;
	readonly pipelines: PipelineCache;
	readonly batch: CommandBatch;
	readonly statusBuffer: GPUBuffer;

	constructor(readonly context: GpuContext) {
		const { device } = context;
		const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
		this.pool = new BufferPool(device, usage, context.maxTensorBytes);
		this.pipelines = new PipelineCache(context);
		this.statusBuffer = device.createBuffer({ label: 'status', size: 16, usage });
		const status: StatusWords = { buffer: this.statusBuffer, check: statusError };
		this.batch = new CommandBatch(context, status);
		this.batch.onSubmitted(() => this.pool.markSubmitted());
	}

	/** Allocates storage for `size` elements of `dtype`, `itemBytes` bytes each, undefined. */
	allocate(size: number, dtype: DType, itemBytes: number): GpuStorage {
		this.context.assertAlive();
		const byteLength = Math.max(size * itemBytes, 4);
		const what = () => `tensor of ${size.toLocaleString('en-US')} ${dtype.name} elements`;
		const entry = this.pool.acquire(byteLength, what);
		const storage = new GpuStorage(this, entry, size, dtype);
		reclaim.register(storage, { runtime: this, entry }, storage);
		return storage;
	}

	/** Returns storage to the pool now; later use of it is an engine bug. */
	release(storage: GpuStorage): void {
		if (storage.released || storage.runtime !== this) return;
		storage.released = true;
		reclaim.unregister(storage);
		if (!this.context.isLost) this.pool.release(storage.entry);
	}

	/** Acquires a scratch buffer for one op's intermediate results, for `releaseScratch`. */
	scratch(byteLength: number): PooledBuffer {
		return this.pool.acquire(Math.max(byteLength, 4), () => 'scratch buffer');
	}

	/** Scratch buffers return at once: recorded reads of them complete before any reuse. */
	releaseScratch(entry: PooledBuffer): void {
		this.pool.release(entry);
	}

	/** Records one dispatch of `source` with its uniforms and storage buffers. */
	run(
		source: KernelSource,
		params: Params,
		buffers: GPUBuffer[],
		workgroups: WorkgroupCount
	): void {
		const pipeline = this.pipelines.get(source);
		if (webgpuDebugLevel >= 3)
			console.debug(`webgpu: dispatch ${source.pipelineKey} [${workgroups}]`);
		this.pool.markWorkPending();
		this.batch.dispatch(pipeline, buffers, params.isEmpty ? null : params.bytes(), workgroups);
	}

	/** Clears storage whose zero-filling was deferred; call before anything reads it. */
	zeroIfPending(storage: GpuStorage): void {
		if (!storage.needsZero) return;
		storage.needsZero = false;
		this.clear(storage.buffer, 0, Math.ceil((storage.size * 4) / 4) * 4 || 4);
	}

	/** Records zeroing bytes [offset, offset + size) of a buffer. */
	clear(buffer: GPUBuffer, offset: number, size: number): void {
		this.pool.markWorkPending();
		this.batch.clear(buffer, offset, size);
	}

	/** Records a copy of `size` bytes between two different buffers. */
	copy(
		source: GPUBuffer,
		sourceOffset: number,
		target: GPUBuffer,
		targetOffset: number,
		size: number
	): void {
		this.pool.markWorkPending();
		this.batch.copy(source, sourceOffset, target, targetOffset, size);
	}

	/** Bytes [offset, offset + size) of `buffer` once recorded work has run. */
	read(buffer: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> {
		this.pool.markWorkPending();
		return this.batch.read(buffer, offset, size);
	}

	/** Returns the storage behind a view, after checking that it lives on this device. */
	storageOf(view: View | { storage: { data: StorageData } }): GpuStorage {
		const data = view.storage.data;
		if (!(data instanceof GpuStorage)) {
			throw new ValueError(
				'webgpu: expected a tensor on the webgpu backend, got one on the cpu backend. ' +
					"Move it with .to('webgpu') first"
			);
		}
		if (data.runtime !== this) {
			throw new DeviceLostError(
				data.runtime.context.lostMessage ??
					'webgpu: this tensor lives on an earlier GPU device, which was lost. Re-create it'
			);
		}
		if (data.released)
			throw new InternalError('a tensor was used after its GPU storage was released');
		return data;
	}
}

const OP_NAMES = Object.fromEntries(
	Object.entries(INDEX_OP_CODES).map(([name, code]) => [code, name])
) as Record<number, string>;

function statusError(words: Uint32Array): Error | null {
	if (words[0] === 0) return null;
	const op = OP_NAMES[words[1]] ?? 'an index op';
	const index = words[2] | 0;
	return new IndexError(
		`${op}: index ${index} is out of bounds for dimension with size ${words[3]} ` +
			'(found on the GPU while running earlier work)'
	);
}
