/**
 * The GPU device: one adapter and device per `GpuContext`, requested with the adapter's own
 * limits, plus the two ways a device reports trouble. A lost device (driver reset, tab in the
 * background too long, `destroy()`) rejects everything pending on it. Validation and
 * out-of-memory errors are captured per submission and raised at the next read, because
 * WebGPU reports them asynchronously.
 */

/** The device is gone; every tensor that lived on it is gone with it. */
export class DeviceLostError extends Error {
	override name = 'DeviceLostError';
}

/** A validation or out-of-memory error the GPU reported for earlier work. */
export class GpuError extends Error {
	override name = 'GpuError';
}

/** A tensor larger than the device can hold in one buffer. */
export class DeviceLimitError extends Error {
	override name = 'DeviceLimitError';
}

/** The limits we raise from WebGPU's defaults to what the adapter offers. */
const RAISED_LIMITS = [
	'maxBufferSize',
	'maxStorageBufferBindingSize',
	'maxComputeWorkgroupsPerDimension',
	'maxComputeWorkgroupStorageSize',
	'maxComputeInvocationsPerWorkgroup',
	'maxComputeWorkgroupSizeX',
	'maxComputeWorkgroupSizeY',
	'maxStorageBuffersPerShaderStage'
] as const;

export interface GpuLimits {
	maxBufferSize: number;
	maxStorageBufferBindingSize: number;
	maxComputeWorkgroupsPerDimension: number;
	maxComputeInvocationsPerWorkgroup: number;
	minUniformBufferOffsetAlignment: number;
	maxUniformBufferBindingSize: number;
}

export interface RequestOptions {
	/** Ask for WebGPU's default limits instead of the adapter's (tests of the limit errors). */
	defaultLimits?: boolean;
}

export class GpuContext {
	/** Set once the device is lost; the message names the loss and what to do. */
	lostMessage: string | null = null;
	private readonly lostListeners = new Set<(error: DeviceLostError) => void>();
	/** Errors reported by the device and not yet raised to the user. */
	private readonly reported: GpuError[] = [];
	private readonly pendingScopes: Promise<void>[] = [];

	/**
	 * Whether the adapter runs on the CPU (SwiftShader, or any fallback adapter). Kernels then
	 * favour fewer dispatches over more threads: a dispatch costs about 0.1 ms there.
	 */
	readonly runsOnCpu: boolean;

	constructor(
		readonly adapter: GPUAdapter,
		readonly device: GPUDevice,
		readonly description: string
	) {
		this.runsOnCpu = adapter.info.isFallbackAdapter || /swiftshader/i.test(description);
		device.lost.then((info) => this.markLost(info));
		device.addEventListener('uncapturederror', (event) => {
			event.preventDefault();
			this.reported.push(toGpuError((event as GPUUncapturedErrorEvent).error));
		});
	}

	get limits(): GpuLimits {
		return this.device.limits;
	}

	/** The largest tensor, in bytes, that fits one buffer and one storage binding. */
	get maxTensorBytes(): number {
		return Math.min(this.limits.maxBufferSize, this.limits.maxStorageBufferBindingSize);
	}

	get isLost(): boolean {
		return this.lostMessage !== null;
	}

	/** Throws DeviceLostError when the device is gone; called before recording any work. */
	assertAlive(): void {
		if (this.lostMessage !== null) throw new DeviceLostError(this.lostMessage);
	}

	/** Calls `listener` once when the device is lost (at once if it already is). */
	onLost(listener: (error: DeviceLostError) => void): () => void {
		if (this.lostMessage !== null) {
			listener(new DeviceLostError(this.lostMessage));
			return () => {};
		}
		this.lostListeners.add(listener);
		return () => this.lostListeners.delete(listener);
	}

	/**
	 * Runs `work` (a submission, a pipeline creation) inside validation and out-of-memory
	 * error scopes. The scopes resolve later; `takeErrors` collects what they caught.
	 */
	captureErrors<T>(work: () => T): T {
		this.device.pushErrorScope('out-of-memory');
		this.device.pushErrorScope('validation');
		try {
			return work();
		} finally {
			const validation = this.device.popErrorScope();
			const memory = this.device.popErrorScope();
			this.pendingScopes.push(this.collect(validation), this.collect(memory));
		}
	}

	/** Waits for the error scopes opened so far, then returns what they caught and clears it. */
	async takeErrors(): Promise<GpuError[]> {
		const scopes = this.pendingScopes.splice(0);
		await Promise.all(scopes);
		return this.reported.splice(0);
	}

	/** Destroys the device, as a driver reset would; used by tests of device loss. */
	destroy(): void {
		this.device.destroy();
	}

	private async collect(scope: Promise<GPUError | null>): Promise<void> {
		try {
			const error = await scope;
			if (error) this.reported.push(toGpuError(error));
		} catch {
			// popErrorScope rejects only when the device is lost, which `lost` reports.
		}
	}

	private markLost(info: GPUDeviceLostInfo): void {
		if (this.lostMessage !== null) return;
		const detail = info.message ? `: ${info.message}` : '';
		this.lostMessage =
			`webgpu: the GPU device was lost (${info.reason}${detail}), and the tensors on it are gone. ` +
			"Call await torch.init() to get a new device and re-run, or use torch.set_backend('cpu')";
		const error = new DeviceLostError(this.lostMessage);
		for (const listener of this.lostListeners) listener(error);
		this.lostListeners.clear();
	}
}

function toGpuError(error: GPUError): GpuError {
	const kind = error instanceof GPUOutOfMemoryError ? 'out of memory' : 'validation error';
	const hint =
		kind === 'out of memory'
			? " Free tensors you no longer need, use smaller sizes, or use torch.set_backend('cpu')."
			: '';
	return new GpuError(`webgpu: ${kind} in earlier GPU work: ${error.message}.${hint}`);
}

/** Returns the GPU interface of this environment, or null (Node, or a browser without WebGPU). */
export function gpuInterface(): GPU | null {
	if (typeof navigator === 'undefined') return null;
	return (navigator as Navigator & { gpu?: GPU }).gpu ?? null;
}

/**
 * Requests an adapter and a device with the adapter's limits; resolves to null when the
 * environment has no WebGPU adapter.
 */
export async function requestGpu(options: RequestOptions = {}): Promise<GpuContext | null> {
	const gpu = gpuInterface();
	if (!gpu) return null;
	const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
	if (!adapter) return null;

	const requiredLimits: Record<string, number> = {};
	if (!options.defaultLimits) {
		for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
	}
	const device = await adapter.requestDevice({ requiredLimits });
	return new GpuContext(adapter, device, describeAdapter(adapter.info));
}

/** The part of `describeAdapter`'s text that marks an adapter running on the CPU. */
export const SOFTWARE_ADAPTER = /\((software rendering on the CPU|fallback adapter)\)$/;

/** Describes an adapter in one line: vendor and architecture, or SwiftShader. */
export function describeAdapter(info: GPUAdapterInfo): string {
	const parts = [info.vendor, info.architecture, info.device, info.description].filter(Boolean);
	const text = parts.join(' ');
	if (/swiftshader/i.test(text)) return 'SwiftShader (software rendering on the CPU)';
	const fallback = info.isFallbackAdapter ? ' (fallback adapter)' : '';
	return (text || 'unknown GPU') + fallback;
}
