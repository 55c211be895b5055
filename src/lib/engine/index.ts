/** The engine's public surface: the `torch` namespace, spelled as PyTorch spells it. */
import { detectAnomaly, isAnomalyEnabled, setDetectAnomaly } from './anomaly';
import { enable_grad, gradMode, is_grad_enabled, no_grad } from './autograd';
import {
	currentBackend,
	initBackends,
	isBackendAvailable,
	setCurrentBackend
} from './backends/registry';
import { registerWebGpuBackend } from './backends/webgpu';
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
export type { DType, DTypeLike } from './dtype';
export type { SortResult } from './sorting';

// Registering only stores a loader; `torch.init()` requests the adapter, and Node gets none.
const webGpuBackend = registerWebGpuBackend();

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
			const backend = webGpuBackend();
			if (!backend || !isBackendAvailable('webgpu')) {
				throw new Error(
					'torch.cuda.get_device_name: no WebGPU device. Call await torch.init() first; ' +
						'torch.cuda.is_available() says whether one exists.'
				);
			}
			return backend.adapterDescription;
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
