/**
 * Pooled GPU buffers. Creating a GPUBuffer costs far more than a dispatch, and a training loop
 * allocates the same sizes every step, so released buffers wait in free lists keyed by size
 * class and are handed out again. Sizes round up to classes four per power of two (at most
 * 25 % slack), which lets a 1000-element tensor reuse a 1100-element one's buffer.
 *
 * A buffer may still be read by recorded work that has not been submitted. Releasing it then
 * parks it until that work is submitted: after a submit, queue order guarantees that any
 * later write to the buffer runs after the reads recorded before it.
 */
import { InternalError } from '../../errors';
import { DeviceLimitError } from './device';

export interface PooledBuffer {
	readonly buffer: GPUBuffer;
	/** Size of the buffer, a size class; at least the requested byteLength. */
	readonly size: number;
	/** True until the buffer is first released: a fresh buffer is already zero-filled. */
	fresh: boolean;
	inUse: boolean;
}

/** Smallest buffer handed out; also keeps small uniform-sized tensors in one class. */
const MIN_BYTES = 256;
/** Free buffers kept beyond this many bytes are destroyed, oldest first. */
const DEFAULT_MAX_POOLED_BYTES = 256 * 1024 * 1024;

/** Rounds a byte count up to its size class. */
export function sizeClass(byteLength: number): number {
	if (byteLength <= MIN_BYTES) return MIN_BYTES;
	const power = 2 ** Math.floor(Math.log2(byteLength - 1));
	const quarter = power / 4;
	return Math.ceil(byteLength / quarter) * quarter;
}

/** Counters of a buffer pool, in bytes of size classes (what the GPU holds, not what was asked). */
export interface PoolStats {
	/** Bytes of buffers handed out and not yet released: the tensors' memory. */
	liveBytes: number;
	/** The maximum of `liveBytes` since the pool was created or the peak was reset. */
	peakBytes: number;
	/** Bytes of released buffers waiting for recorded work to be submitted before reuse. */
	parkedBytes: number;
	/** Bytes of free buffers ready for reuse. */
	pooledBytes: number;
	liveBuffers: number;
	parkedBuffers: number;
	pooledBuffers: number;
	/** Buffers created since the pool was created; flat during a steady loop. */
	createdBuffers: number;
}

export class BufferPool {
	/** Bytes of buffers handed out and not yet released. */
	liveBytes = 0;
	/** The maximum of `liveBytes` since the pool was created or `resetPeak` was called. */
	peakBytes = 0;
	/** Bytes of buffers waiting in free lists. */
	pooledBytes = 0;
	private parkedBytes = 0;
	private liveBuffers = 0;
	private pooledBuffers = 0;
	private createdBuffers = 0;

	private readonly free = new Map<number, PooledBuffer[]>();
	private readonly parked: PooledBuffer[] = [];
	private workPending = false;

	constructor(
		private readonly device: GPUDevice,
		private readonly usage: GPUBufferUsageFlags,
		/** Largest buffer allowed, in bytes, and what to call it in the error. */
		private readonly maxBytes: number,
		private readonly maxPooledBytes = DEFAULT_MAX_POOLED_BYTES
	) {}

	/**
	 * Hands out a buffer of at least `byteLength` bytes, with undefined contents unless `fresh`.
	 * `describe` names what the buffer is for, in the error for a buffer too large.
	 */
	acquire(byteLength: number, describe: () => string = () => 'tensor'): PooledBuffer {
		if (byteLength > this.maxBytes) throw this.tooLarge(byteLength, describe());
		const size = Math.min(sizeClass(byteLength), Math.max(this.maxBytes - (this.maxBytes % 4), 4));
		const list = this.free.get(size);
		const reused = list?.pop();
		const entry = reused ?? this.create(size);
		if (reused) {
			this.pooledBytes -= size;
			this.pooledBuffers--;
		}
		entry.inUse = true;
		this.liveBytes += size;
		this.liveBuffers++;
		this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
		return entry;
	}

	/** Returns a buffer to the pool; parked until recorded work is submitted, if there is any. */
	release(entry: PooledBuffer): void {
		if (!entry.inUse) throw new InternalError('GPU buffer released twice');
		entry.inUse = false;
		entry.fresh = false;
		this.liveBytes -= entry.size;
		this.liveBuffers--;
		if (this.workPending) {
			this.parked.push(entry);
			this.parkedBytes += entry.size;
		} else this.putBack(entry);
	}

	/** Called when work is recorded: releases from now on wait for the next submit. */
	markWorkPending(): void {
		this.workPending = true;
	}

	/** Called after a submit: parked buffers become reusable. */
	markSubmitted(): void {
		this.workPending = false;
		this.parkedBytes = 0;
		for (const entry of this.parked.splice(0)) this.putBack(entry);
	}

	resetPeak(): void {
		this.peakBytes = this.liveBytes;
	}

	stats(): PoolStats {
		return {
			liveBytes: this.liveBytes,
			peakBytes: this.peakBytes,
			parkedBytes: this.parkedBytes,
			pooledBytes: this.pooledBytes,
			liveBuffers: this.liveBuffers,
			parkedBuffers: this.parked.length,
			pooledBuffers: this.pooledBuffers,
			createdBuffers: this.createdBuffers
		};
	}

	/** Destroys every free buffer. */
	trim(): void {
		for (const list of this.free.values()) for (const entry of list) entry.buffer.destroy();
		this.free.clear();
		this.pooledBytes = 0;
		this.pooledBuffers = 0;
	}

	private create(size: number): PooledBuffer {
		const buffer = this.device.createBuffer({ size, usage: this.usage });
		this.createdBuffers++;
		return { buffer, size, fresh: true, inUse: false };
	}

	private putBack(entry: PooledBuffer): void {
		const list = this.free.get(entry.size) ?? [];
		list.push(entry);
		this.free.set(entry.size, list);
		this.pooledBytes += entry.size;
		this.pooledBuffers++;
		this.evictOverflow();
	}

	// Evicts from the largest classes first: they hold the most memory, and large tensors are
	// the ones least likely to repeat.
	private evictOverflow(): void {
		if (this.pooledBytes <= this.maxPooledBytes) return;
		const sizes = [...this.free.keys()].sort((a, b) => b - a);
		for (const size of sizes) {
			const list = this.free.get(size)!;
			while (list.length > 0 && this.pooledBytes > this.maxPooledBytes) {
				list.shift()!.buffer.destroy();
				this.pooledBytes -= size;
				this.pooledBuffers--;
			}
			if (list.length === 0) this.free.delete(size);
			if (this.pooledBytes <= this.maxPooledBytes) return;
		}
	}

	private tooLarge(byteLength: number, what: string): DeviceLimitError {
		const format = (n: number) => n.toLocaleString('en-US');
		return new DeviceLimitError(
			`webgpu: a ${what} of ${format(byteLength)} bytes exceeds this device's largest buffer ` +
				`(maxBufferSize and maxStorageBufferBindingSize allow ${format(this.maxBytes)} bytes). ` +
				"Use torch.set_backend('cpu') for tensors this large, or split the tensor."
		);
	}
}
