/**
 * The WebGPU backend: the `Backend` contract on top of a GPU runtime. Kernels are recorded
 * lazily and run when a read needs them (see batching.ts). After a device loss the backend
 * reports the loss on every call until `init()` has requested a new device.
 */
import { bool, float32, int64, type DType, type TypedArray } from '../../dtype';
import { UnsupportedOpError } from '../../errors';
import { isContiguous } from '../../shape';
import type { Backend, BinaryOp, Operand, ReduceOp, StorageData, UnaryOp, View } from '../backend';
import { registerBackendLoader } from '../registry';
import { DeviceLostError, requestGpu, type GpuContext, type RequestOptions } from './device';
import { product } from './layout';
import { bind, contiguousCopy, runElementwise } from './run-elementwise';
import { runCumsum, runIndex } from './run-indexing';
import { runMatmul } from './run-matmul';
import { runArgReduce, runReduce, runReduceSquaredDifference } from './run-reduce';
import type { PoolStats } from './buffer-pool';
import { GpuRuntime, GpuStorage } from './runtime';
import { wgslTypeOf } from './wgsl/emit';

export { DeviceLimitError, DeviceLostError, GpuError } from './device';
export { setWebgpuDebugLevel } from './pipelines';

/** Every WebGPU element is 4 bytes: f32, i32 (int64) or u32 (bool). */
const ITEM_BYTES = 4;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** Memory and work counters, for tests and `/bench`. */
export interface WebGpuStats extends PoolStats {
	pipelines: number;
	dispatches: number;
	submits: number;
	reads: number;
}

export class WebGpuBackend implements Backend {
	readonly name = 'webgpu' as const;
	private runtime: GpuRuntime;
	private recovering: Promise<void> | null = null;
	private readonly lostListeners = new Set<(error: DeviceLostError) => void>();

	constructor(
		context: GpuContext,
		private readonly options: RequestOptions = {}
	) {
		this.runtime = this.attach(context);
	}

	/** Calls `listener` each time a device of this backend is lost. */
	onDeviceLost(listener: (error: DeviceLostError) => void): () => void {
		this.lostListeners.add(listener);
		return () => this.lostListeners.delete(listener);
	}

	/** The adapter in words: vendor and architecture, or SwiftShader. */
	get adapterDescription(): string {
		return this.runtime.context.description;
	}

	get device(): GPUDevice {
		return this.runtime.context.device;
	}

	get isLost(): boolean {
		return this.runtime.context.isLost;
	}

	/**
	 * Waits for a usable device. A lost device is replaced as soon as the loss is reported;
	 * this waits for that (tensors of the lost device stay unusable). Resolves at once when
	 * the device is fine.
	 */
	async init(): Promise<void> {
		if (!this.runtime.context.isLost) return;
		this.recovering ??= this.recover();
		await this.recovering;
	}

	stats(): WebGpuStats {
		const { pool, pipelines, batch } = this.runtime;
		return {
			...pool.stats(),
			pipelines: pipelines.size,
			...batch.stats
		};
	}

	/** Restarts the peak-bytes counter from the bytes live now. */
	resetPeakBytes(): void {
		this.runtime.pool.resetPeak();
	}

	/** Destroys the pool's free buffers, as `torch.cuda.empty_cache`; live tensors keep theirs. */
	emptyCache(): void {
		this.runtime.pool.trim();
	}

	/** Submits recorded work without waiting for it. */
	flush(): void {
		this.runtime.batch.flush();
	}

	/** Destroys the device, as a driver reset would; for tests of device loss. */
	destroyDeviceForTesting(): void {
		this.runtime.context.destroy();
	}

	allocate(size: number, dtype: DType): StorageData {
		const storage = this.runtime.allocate(size, dtype, itemBytesOf(dtype));
		// A recycled buffer contains an earlier tensor's values, but WebGPU zeroes a fresh one.
		storage.needsZero = !storage.entry.fresh;
		return storage;
	}

	upload(values: ArrayLike<number>, dtype: DType): StorageData {
		const storage = this.runtime.allocate(values.length, dtype, itemBytesOf(dtype));
		const data = hostArrayFor(values, dtype);
		if (data.byteLength > 0) this.runtime.context.device.queue.writeBuffer(storage.buffer, 0, data);
		return storage;
	}

	async read(view: View): Promise<TypedArray> {
		const rt = this.runtime;
		const source = bind(rt, view);
		const size = product(view.shape);
		if (size === 0) return emptyFor(view.dtype);
		let bytes: ArrayBuffer;
		if (isContiguous(view.shape, view.strides)) {
			bytes = await rt.read(source.storage.buffer, view.offset * ITEM_BYTES, size * ITEM_BYTES);
		} else {
			const copy = contiguousCopy(rt, source);
			const pending = rt.read(copy.storage.buffer, 0, size * ITEM_BYTES);
			rt.release(copy.storage);
			bytes = await pending;
		}
		return hostValuesOf(bytes, view.dtype);
	}

	release(data: StorageData): void {
		if (data instanceof GpuStorage && data.runtime === this.runtime) this.runtime.release(data);
	}

	copy(src: View, out: View): void {
		runElementwise(this.runtime, 'copy', [src], out);
	}

	fill(out: View, value: number): void {
		runElementwise(this.runtime, 'fill', [], out, 0, 0, value);
	}

	unary(op: UnaryOp, x: View, out: View, p = 0, q = 0): void {
		runElementwise(this.runtime, op, [x], out, p, q);
	}

	binary(op: BinaryOp, a: Operand, b: Operand, out: View, p = 1, q = 0): void {
		runElementwise(this.runtime, op, [a, b], out, p, q);
	}

	where(cond: View, a: Operand, b: Operand, out: View): void {
		runElementwise(this.runtime, 'where', [cond, a, b], out);
	}

	reduceSquaredDifference(op: 'sum' | 'mean', a: View, b: View, out: View): void {
		runReduceSquaredDifference(this.runtime, op, a, b, out);
	}

	reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
		runReduce(this.runtime, op, x, dims, out);
	}

	argReduce(op: 'max' | 'min', x: View, dim: number, values: View | null, indices: View): void {
		runArgReduce(this.runtime, op, x, dim, values, indices);
	}

	matmul(a: View, b: View, out: View): void {
		runMatmul(this.runtime, a, b, out);
	}

	gather(x: View, dim: number, index: View, out: View): void {
		runIndex(this.runtime, { op: 'gather', dim, out, source: x, index });
	}

	scatterAdd(out: View, dim: number, index: View, src: View): void {
		runIndex(this.runtime, { op: 'scatter_add', dim, out, source: src, index });
	}

	indexSelect(x: View, dim: number, index: View, out: View): void {
		runIndex(this.runtime, { op: 'index_select', dim, out, source: x, index });
	}

	indexAdd(out: View, dim: number, index: View, src: View): void {
		runIndex(this.runtime, { op: 'index_add', dim, out, source: src, index });
	}

	cumsum(x: View, dim: number, out: View): void {
		runCumsum(this.runtime, x, dim, out);
	}

	private attach(context: GpuContext): GpuRuntime {
		const runtime = new GpuRuntime(context);
		context.onLost((error) => {
			this.recovering ??= this.recover();
			// Recovery failures surface from init(); nothing else awaits this promise.
			this.recovering.catch(() => {});
			for (const listener of this.lostListeners) listener(error);
		});
		return runtime;
	}

	private async recover(): Promise<void> {
		try {
			const context = await requestGpu(this.options);
			if (!context) {
				throw new DeviceLostError(
					"webgpu: the GPU device was lost and no new adapter is available. Use torch.set_backend('cpu')"
				);
			}
			this.runtime = this.attach(context);
		} finally {
			this.recovering = null;
		}
	}
}

function itemBytesOf(dtype: DType): number {
	wgslTypeOf(dtype);
	return ITEM_BYTES;
}

type HostArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

function hostArrayFor(values: ArrayLike<number>, dtype: DType): HostArray {
	if (dtype === float32) return Float32Array.from(values);
	if (dtype === bool) return Uint32Array.from(values, (v) => (v ? 1 : 0));
	const ints = new Int32Array(values.length);
	for (let i = 0; i < values.length; i++) {
		const v = Math.trunc(values[i]);
		if (v < I32_MIN || v > I32_MAX) {
			throw new UnsupportedOpError(
				'int64 values beyond 32 bits',
				'int64',
				'webgpu',
				`got ${values[i]} at position ${i}; int64 tensors are stored as 32-bit integers on the GPU`
			);
		}
		ints[i] = v;
	}
	return ints;
}

function hostValuesOf(bytes: ArrayBuffer, dtype: DType): TypedArray {
	if (dtype === float32) return new Float32Array(bytes);
	if (dtype === int64) return Float64Array.from(new Int32Array(bytes));
	return Uint8Array.from(new Uint32Array(bytes));
}

function emptyFor(dtype: DType): TypedArray {
	if (dtype === float32) return new Float32Array(0);
	if (dtype === bool) return new Uint8Array(0);
	return new Float64Array(0);
}

/**
 * Requests a device and returns the WebGPU backend, or null when the environment has no
 * WebGPU adapter (Node, or a browser without WebGPU).
 */
export async function createWebGpuBackend(
	options: RequestOptions = {}
): Promise<WebGpuBackend | null> {
	const context = await requestGpu(options);
	return context ? new WebGpuBackend(context, options) : null;
}

/**
 * Registers the WebGPU backend with the engine, for `torch.init()` to create. After a device
 * loss the loader is registered again, so the next `torch.init()` waits for the new device.
 */
export function registerWebGpuBackend(options: RequestOptions = {}): () => WebGpuBackend | null {
	let backend: WebGpuBackend | null = null;
	const load = async (): Promise<WebGpuBackend | null> => {
		if (backend) {
			await backend.init();
			return backend;
		}
		backend = await createWebGpuBackend(options);
		backend?.onDeviceLost(() => registerBackendLoader('webgpu', load));
		return backend;
	};
	registerBackendLoader('webgpu', load);
	return () => backend;
}
