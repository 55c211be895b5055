/**
 * Chooses the engine backend for the worker. WebGPU is used when the browser gives a hardware
 * adapter, or any adapter when WebGPU is requested by name. Otherwise the CPU backend runs, and
 * the 'backend' event's note explains why.
 */

import { SOFTWARE_ADAPTER } from '../engine/backends/webgpu/device';
import type { BackendName } from './api';

/** The part of the engine's `torch` that backend selection uses. */
export interface BackendTorch {
	init(): Promise<unknown>;
	set_backend(name: BackendName): void;
	cuda?: { is_available?(): boolean; get_device_name?(): string };
}

export interface BackendChoice {
	backend: BackendName;
	adapter: string;
	note?: string;
}

export const CPU_ADAPTER = 'CPU (JavaScript)';

/**
 * Initialises the engine and selects `requested`. 'auto' and 'webgpu' try WebGPU and fall
 * back to the CPU with a note, which also mentions an explicit request for WebGPU.
 */
export async function selectBackend(
	torch: BackendTorch,
	requested: BackendName | 'auto'
): Promise<BackendChoice> {
	if (requested === 'cpu') {
		torch.set_backend('cpu');
		return { backend: 'cpu', adapter: CPU_ADAPTER };
	}

	let reason: string;
	try {
		await torch.init();
		torch.set_backend('webgpu');
		const adapter = torch.cuda?.get_device_name?.() ?? 'WebGPU adapter';
		// A software adapter (SwiftShader) runs every kernel on the CPU and adds a cost per
		// dispatch. The example notebooks ran 1.3 to 7 times slower on it than on the CPU backend.
		if (requested === 'auto' && SOFTWARE_ADAPTER.test(adapter)) {
			torch.set_backend('cpu');
			return {
				backend: 'cpu',
				adapter: CPU_ADAPTER,
				note: `WebGPU here is ${adapter}, slower than this backend; pick WebGPU to use it anyway.`
			};
		}
		return { backend: 'webgpu', adapter };
	} catch (error) {
		// The engine's message continues with advice for cell code, so keep its first clause.
		const message = error instanceof Error ? error.message : String(error);
		reason = message.split(/[.:]\s/)[0];
	}

	torch.set_backend('cpu');
	const asked = requested === 'webgpu' ? 'WebGPU was requested, but it' : 'WebGPU';
	return {
		backend: 'cpu',
		adapter: CPU_ADAPTER,
		note: `${asked} is not available in this browser (${reason}), so the notebook runs on the CPU backend, which is slower for large tensors.`
	};
}
