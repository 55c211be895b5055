/** The engine's public surface: the `torch` namespace, spelled as PyTorch spells it. */
import { detectAnomaly, isAnomalyEnabled, setDetectAnomaly } from './anomaly';
import { enable_grad, gradMode, is_grad_enabled, no_grad } from './autograd';
import {
	backendNamed,
	currentBackend,
	initBackends,
	isBackendAvailable,
	setCurrentBackend
} from './backends/registry';
import { registerWebGpuBackend, type WebGpuBackend, type WebGpuStats } from './backends/webgpu';
import * as creation from './creation';
import * as data from './data';
import { Device, device } from './device';
import { bool, DType, float32, float64, int64 } from './dtype';
import * as functions from './functions';
import { gradcheck } from './gradcheck';
import * as nn from './nn';
import * as optim from './optim';
import { defaultGenerator, Generator } from './random';
import * as sorting from './sorting';
import { Tensor } from './tensor';

export type { Tensor, TensorLike, NestedList } from './tensor';
export { setReadCheck } from './tensor';
export type { DType, DTypeLike } from './dtype';
export type { SortResult } from './sorting';

// Registering only stores a loader; `torch.init()` requests the adapter, and Node gets none.
registerWebGpuBackend();

// Read from the registry, because a page may register its own loader (the harness, /bench).
function activeWebGpuBackend(): WebGpuBackend | null {
	return isBackendAvailable('webgpu') ? (backendNamed('webgpu') as WebGpuBackend) : null;
}

function gpuMemoryStats(): WebGpuStats | null {
	return activeWebGpuBackend()?.stats() ?? null;
}

/** Seeds the default generator, as `torch.manual_seed`; returns it. */
function manual_seed(seed: number | bigint): Generator {
	return defaultGenerator.manual_seed(seed);
}

const torchNamespace = {
	...creation,
	...functions,
	...sorting,
	var: functions.var_,
	device,
	Device,
	Tensor,
	DType,

	float32,
	float: float32,
	float64,
	double: float64,
	int64,
	long: int64,
	bool,

	manual_seed,
	initial_seed: (): bigint => defaultGenerator.initial_seed(),
	seed: (): bigint => defaultGenerator.seed(),
	/** The default generator's state as bytes in PyTorch's layout (a Uint8Array, not a tensor). */
	get_rng_state: (): Uint8Array => defaultGenerator.get_state(),
	set_rng_state: (state: Uint8Array): void => defaultGenerator.set_state(state),
	Generator,
	default_generator: defaultGenerator,

	no_grad,
	enable_grad,
	is_grad_enabled,
	set_grad_enabled(mode: boolean): void {
		gradMode.enabled = mode;
	},
	autograd: {
		backward: functions.backward,
		grad: functions.grad,
		set_detect_anomaly: setDetectAnomaly,
		detect_anomaly: detectAnomaly,
		is_anomaly_enabled: isAnomalyEnabled,
		gradcheck
	},
	linalg: functions.linalg,

	/** The backend new tensors use: 'cpu' or 'webgpu'. */
	get_backend: (): string => currentBackend().name,
	/** Chooses the backend for new tensors; 'webgpu' throws when no adapter is available. */
	set_backend: (name: 'cpu' | 'webgpu' | 'cuda'): void => setCurrentBackend(name),
	/** Sets up optional backends (a WebGPU adapter); safe to await any number of times. */
	init: (): Promise<void> => initBackends(),
	cuda: {
		/** Whether the GPU (WebGPU) backend is available, as `torch.cuda.is_available`. */
		is_available: (): boolean => isBackendAvailable('webgpu'),
		/** The WebGPU adapter's description, as `torch.cuda.get_device_name` names the GPU. */
		get_device_name(): string {
			const backend = activeWebGpuBackend();
			if (!backend) {
				throw new Error(
					'torch.cuda.get_device_name: no WebGPU device. Call await torch.init() first; ' +
						'torch.cuda.is_available() says whether one exists.'
				);
			}
			return backend.adapterDescription;
		},
		/**
		 * Bytes of GPU buffers held by live tensors, as `torch.cuda.memory_allocated`. Sizes are
		 * the pool's size classes (up to 25 % above the tensor's bytes). A backward pass returns
		 * its temporary gradients at once. Other buffers return when their tensors are
		 * collected, which needs the event loop to run. Returns 0 without a WebGPU device, as
		 * PyTorch does before CUDA is initialised.
		 */
		memory_allocated: (): number => gpuMemoryStats()?.liveBytes ?? 0,
		/** The maximum of `memory_allocated()` since the start or the last reset. */
		max_memory_allocated: (): number => gpuMemoryStats()?.peakBytes ?? 0,
		/** Bytes held by the buffer pool: live buffers plus free ones kept for reuse. */
		memory_reserved(): number {
			const stats = gpuMemoryStats();
			return stats ? stats.liveBytes + stats.parkedBytes + stats.pooledBytes : 0;
		},
		/** Restarts `max_memory_allocated()` from the bytes allocated now. */
		reset_peak_memory_stats(): void {
			activeWebGpuBackend()?.resetPeakBytes();
		},
		/** Destroys the pool's free buffers; the memory of live tensors stays. */
		empty_cache(): void {
			activeWebGpuBackend()?.emptyCache();
		}
	},

	nn,
	optim,
	utils: { data }
};

/**
 * The type of `torch`. An interface rather than the inferred object type, so TypeScript names
 * it in messages ("Property 'randm' does not exist on type 'Torch'") instead of printing every
 * member.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Torch extends TorchNamespace {}
type TorchNamespace = typeof torchNamespace;

export const torch: Torch = torchNamespace;
