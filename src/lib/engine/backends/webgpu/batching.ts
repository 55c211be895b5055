/**
 * Lazy execution. Kernels do not run when an op is called. Each call appends a command
 * (dispatch, clear or copy) to the current batch. The batch is encoded into one command
 * encoder and submitted when a read needs results or the batch grows large. Consecutive
 * dispatches share one compute pass, and WebGPU orders dispatches inside a pass, so a kernel
 * sees what the previous one wrote.
 *
 * Reads are the only round trips. A read requested while others are waiting joins the same
 * flush (flushes start on a microtask), so `Promise.all` over several `item()` calls maps one
 * staging buffer once. Each read is a command too: its bytes are copied at its place among the
 * recorded work, so an in-place op recorded after the read does not change its result.
 */
import { sizeClass } from './buffer-pool';
import { DeviceLostError, type GpuContext } from './device';

/** Dispatch geometry: workgroup counts in x, y, z. */
export type WorkgroupCount = readonly [number, number, number];

interface Dispatch {
	kind: 'dispatch';
	pipeline: GPUComputePipeline;
	/** Storage buffers, bound at bindings 1, 2, ... in this order. */
	buffers: readonly GPUBuffer[];
	/** Byte offset of this dispatch's uniforms in the arena (bound at binding 0), or -1. */
	uniformOffset: number;
	uniformSize: number;
	workgroups: WorkgroupCount;
}

interface Clear {
	kind: 'clear';
	buffer: GPUBuffer;
	offset: number;
	size: number;
}

interface Copy {
	kind: 'copy';
	source: GPUBuffer;
	sourceOffset: number;
	target: GPUBuffer;
	targetOffset: number;
	size: number;
}

interface ReadCopy {
	kind: 'read';
	read: PendingRead;
}

type Command = Dispatch | Clear | Copy | ReadCopy;

interface PendingRead {
	buffer: GPUBuffer;
	offset: number;
	size: number;
	/** Byte offset of the read's bytes in the staging buffer, set when the batch is flushed. */
	at: number;
	resolve: (bytes: ArrayBuffer) => void;
	reject: (error: Error) => void;
}

/** A small storage buffer kernels may flag problems into (an index out of range). */
export interface StatusWords {
	readonly buffer: GPUBuffer;
	/** Turns nonzero status words into the error to raise, or null when all is well. */
	readonly check: (words: Uint32Array) => Error | null;
}

/** Flush when this many commands wait, so memory parked for them is reclaimed. */
const MAX_COMMANDS = 1024;
const STATUS_BYTES = 16;
const MAX_KEPT_STAGING_BYTES = 1024 * 1024;

export interface BatchStats {
	dispatches: number;
	submits: number;
	reads: number;
}

export class CommandBatch {
	readonly stats: BatchStats = { dispatches: 0, submits: 0, reads: 0 };

	private commands: Command[] = [];
	private reads: PendingRead[] = [];
	private arena = new Uint8Array(64 * 1024);
	private arenaUsed = 0;
	private uniformBuffer: GPUBuffer | null = null;
	private flushScheduled = false;
	private readonly stagingFree = new Map<number, GPUBuffer[]>();
	private readonly submittedListeners: (() => void)[] = [];
	private readonly uniformAlignment: number;

	constructor(
		private readonly context: GpuContext,
		private readonly status: StatusWords | null = null
	) {
		this.uniformAlignment = context.limits.minUniformBufferOffsetAlignment;
		context.onLost((error) => this.failAll(error));
	}

	get isEmpty(): boolean {
		return this.commands.length === 0;
	}

	/** Registers a callback run after every submit (the buffer pool un-parks buffers). */
	onSubmitted(listener: () => void): void {
		this.submittedListeners.push(listener);
	}

	dispatch(
		pipeline: GPUComputePipeline,
		buffers: readonly GPUBuffer[],
		uniforms: ArrayBuffer | null,
		workgroups: WorkgroupCount
	): void {
		this.context.assertAlive();
		let uniformOffset = -1;
		let uniformSize = 0;
		if (uniforms) {
			uniformOffset = this.appendUniforms(uniforms);
			uniformSize = uniforms.byteLength;
		}
		this.push({ kind: 'dispatch', pipeline, buffers, uniformOffset, uniformSize, workgroups });
	}

	clear(buffer: GPUBuffer, offset: number, size: number): void {
		this.context.assertAlive();
		this.push({ kind: 'clear', buffer, offset, size });
	}

	copy(
		source: GPUBuffer,
		sourceOffset: number,
		target: GPUBuffer,
		targetOffset: number,
		size: number
	): void {
		this.context.assertAlive();
		this.push({ kind: 'copy', source, sourceOffset, target, targetOffset, size });
	}

	/** Bytes [offset, offset + size) of `buffer` once all recorded work has run. */
	read(buffer: GPUBuffer, offset: number, size: number): Promise<ArrayBuffer> {
		return new Promise((resolve, reject) => {
			if (this.context.lostMessage !== null) {
				reject(new DeviceLostError(this.context.lostMessage));
				return;
			}
			const read = { buffer, offset, size, at: 0, resolve, reject };
			this.reads.push(read);
			this.stats.reads++;
			this.push({ kind: 'read', read });
			this.scheduleFlush();
		});
	}

	/** Encodes and submits everything recorded; reads then map their results. */
	flush(): void {
		this.flushScheduled = false;
		if (this.commands.length === 0 && this.reads.length === 0) return;
		if (this.context.lostMessage !== null) {
			this.failAll(new DeviceLostError(this.context.lostMessage));
			return;
		}

		const commands = this.commands;
		const reads = this.reads;
		const uniformBytes = this.arenaUsed;
		this.commands = [];
		this.reads = [];
		this.arenaUsed = 0;

		const staging = reads.length > 0 ? this.stagingFor(reads) : null;
		let at = this.status ? STATUS_BYTES : 0;
		for (const read of reads) {
			read.at = at;
			at += Math.ceil(read.size / 8) * 8;
		}
		const { device } = this.context;
		this.context.captureErrors(() => {
			const uniforms = uniformBytes > 0 ? this.uploadUniforms(uniformBytes) : null;
			const encoder = device.createCommandEncoder();
			this.encode(encoder, commands, uniforms, staging);
			if (staging) this.encodeStatus(encoder, staging);
			device.queue.submit([encoder.finish()]);
		});
		this.stats.submits++;
		for (const listener of this.submittedListeners) listener();
		if (staging) void this.deliver(reads, staging);
	}

	private push(command: Command): void {
		this.commands.push(command);
		if (command.kind === 'dispatch') this.stats.dispatches++;
		if (this.commands.length >= MAX_COMMANDS) this.flush();
	}

	private scheduleFlush(): void {
		if (this.flushScheduled) return;
		this.flushScheduled = true;
		queueMicrotask(() => this.flush());
	}

	private appendUniforms(uniforms: ArrayBuffer): number {
		const offset = this.arenaUsed;
		const end = offset + uniforms.byteLength;
		if (end > this.arena.byteLength) {
			const grown = new Uint8Array(Math.max(end, this.arena.byteLength * 2));
			grown.set(this.arena.subarray(0, offset));
			this.arena = grown;
		}
		this.arena.set(new Uint8Array(uniforms), offset);
		this.arenaUsed = Math.ceil(end / this.uniformAlignment) * this.uniformAlignment;
		return offset;
	}

	// One uniform buffer serves every batch: writeBuffer runs in queue order, after the
	// previous batch's submit, so rewriting it cannot disturb work already submitted.
	private uploadUniforms(bytes: number): GPUBuffer {
		if (!this.uniformBuffer || this.uniformBuffer.size < bytes) {
			this.uniformBuffer?.destroy();
			const size = Math.max(bytes, this.uniformBuffer ? this.uniformBuffer.size * 2 : 64 * 1024);
			this.uniformBuffer = this.context.device.createBuffer({
				label: 'uniforms',
				size,
				usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST
			});
		}
		this.context.device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, bytes);
		return this.uniformBuffer;
	}

	private encode(
		encoder: GPUCommandEncoder,
		commands: Command[],
		uniforms: GPUBuffer | null,
		staging: GPUBuffer | null
	): void {
		const { device } = this.context;
		let pass: GPUComputePassEncoder | null = null;
		for (const command of commands) {
			if (command.kind !== 'dispatch') {
				pass?.end();
				pass = null;
				if (command.kind === 'clear') {
					encoder.clearBuffer(command.buffer, command.offset, command.size);
				} else if (command.kind === 'read') {
					const { buffer, offset, size, at } = command.read;
					if (size > 0) encoder.copyBufferToBuffer(buffer, offset, staging!, at, size);
				} else {
					const { source, sourceOffset, target, targetOffset, size } = command;
					encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, size);
				}
				continue;
			}

			pass ??= encoder.beginComputePass();
			const entries: GPUBindGroupEntry[] = command.buffers.map((buffer, i) => ({
				binding: i + 1,
				resource: { buffer }
			}));
			if (command.uniformOffset >= 0 && uniforms) {
				const { uniformOffset: offset, uniformSize: size } = command;
				entries.push({ binding: 0, resource: { buffer: uniforms, offset, size } });
			}
			const layout = command.pipeline.getBindGroupLayout(0);
			pass.setPipeline(command.pipeline);
			pass.setBindGroup(0, device.createBindGroup({ layout, entries }));
			pass.dispatchWorkgroups(...command.workgroups);
		}
		pass?.end();
	}

	private stagingFor(reads: PendingRead[]): GPUBuffer {
		let total = this.status ? STATUS_BYTES : 0;
		for (const read of reads) total += Math.ceil(read.size / 8) * 8;
		const size = sizeClass(total);
		const reused = this.stagingFree.get(size)?.pop();
		if (reused) return reused;
		return this.context.device.createBuffer({
			label: 'readback',
			size,
			usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST
		});
	}

	// Small staging buffers are kept for the next read; each read cycle needs one or two.
	private recycleStaging(staging: GPUBuffer): void {
		if (this.context.isLost) return;
		staging.unmap();
		const list = this.stagingFree.get(staging.size) ?? [];
		if (staging.size > MAX_KEPT_STAGING_BYTES || list.length >= 4) {
			staging.destroy();
			return;
		}
		list.push(staging);
		this.stagingFree.set(staging.size, list);
	}

	// After all the batch's work, so the status words cover every kernel in it.
	private encodeStatus(encoder: GPUCommandEncoder, staging: GPUBuffer): void {
		if (!this.status) return;
		encoder.copyBufferToBuffer(this.status.buffer, 0, staging, 0, STATUS_BYTES);
		encoder.clearBuffer(this.status.buffer, 0, STATUS_BYTES);
	}

	// Resolves each read with its slice of the staging buffer, or rejects them all with the
	// first GPU error, index error or device loss reported for this work.
	private async deliver(reads: PendingRead[], staging: GPUBuffer): Promise<void> {
		try {
			await this.mapOrLose(staging);
			const errors = await this.context.takeErrors();
			if (errors.length > 0) throw errors[0];
			const bytes = staging.getMappedRange();
			if (this.status) {
				const error = this.status.check(new Uint32Array(bytes, 0, STATUS_BYTES / 4));
				if (error) throw error;
			}
			for (const read of reads) read.resolve(bytes.slice(read.at, read.at + read.size));
		} catch (error) {
			for (const read of reads) read.reject(error as Error);
		} finally {
			this.recycleStaging(staging);
		}
	}

	// mapAsync may never settle on a lost device in some browsers, so the loss wins the race.
	private mapOrLose(staging: GPUBuffer): Promise<void> {
		return new Promise((resolve, reject) => {
			const unsubscribe = this.context.onLost(reject);
			staging.mapAsync(GPUMapMode.READ).then(
				() => {
					unsubscribe();
					resolve();
				},
				(error: Error) => {
					unsubscribe();
					const lost = this.context.lostMessage;
					reject(lost !== null ? new DeviceLostError(lost) : error);
				}
			);
		});
	}

	private failAll(error: Error): void {
		for (const read of this.reads.splice(0)) read.reject(error);
		this.commands = [];
		this.arenaUsed = 0;
	}
}
