import { describe, expect, test } from 'vitest';
import { CPU_ADAPTER, selectBackend, type BackendTorch } from '../../../src/lib/worker/backend';
import type { BackendName } from '../../../src/lib/worker/api';

function fakeTorch(hasGpu: boolean, adapter = 'NVIDIA ampere') {
	const calls: string[] = [];
	const torch: BackendTorch & { calls: string[] } = {
		calls,
		async init() {
			calls.push('init');
		},
		set_backend(name: BackendName) {
			if (name === 'webgpu' && !hasGpu) {
				throw new Error(
					"no WebGPU backend available in this environment. Use torch.set_backend('cpu')"
				);
			}
			calls.push(`set_backend ${name}`);
		},
		cuda: { get_device_name: () => adapter }
	};
	return torch;
}

describe('selectBackend', () => {
	test('selectBackend uses the CPU when asked, without a note', async () => {
		const torch = fakeTorch(true);
		expect(await selectBackend(torch, 'cpu')).toEqual({ backend: 'cpu', adapter: CPU_ADAPTER });
		expect(torch.calls).toEqual(['set_backend cpu']);
	});

	test('selectBackend auto picks WebGPU and names the adapter', async () => {
		const torch = fakeTorch(true);
		expect(await selectBackend(torch, 'auto')).toEqual({
			backend: 'webgpu',
			adapter: 'NVIDIA ampere'
		});
		expect(torch.calls).toEqual(['init', 'set_backend webgpu']);
	});

	test.each(['SwiftShader (software rendering on the CPU)', 'Google Vulkan (fallback adapter)'])(
		'selectBackend auto prefers the CPU to %s',
		async (adapter) => {
			const torch = fakeTorch(true, adapter);
			expect(await selectBackend(torch, 'auto')).toEqual({
				backend: 'cpu',
				adapter: CPU_ADAPTER,
				note: `WebGPU here is ${adapter}, slower than this backend; pick WebGPU to use it anyway.`
			});
			expect(torch.calls).toEqual(['init', 'set_backend webgpu', 'set_backend cpu']);
		}
	);

	test('selectBackend keeps a software adapter requested by name', async () => {
		const adapter = 'SwiftShader (software rendering on the CPU)';
		expect(await selectBackend(fakeTorch(true, adapter), 'webgpu')).toEqual({
			backend: 'webgpu',
			adapter
		});
	});

	test('selectBackend auto falls back to the CPU and says why', async () => {
		const choice = await selectBackend(fakeTorch(false), 'auto');
		expect(choice.backend).toBe('cpu');
		expect(choice.note).toBe(
			'WebGPU is not available in this browser (no WebGPU backend available in this environment), so the notebook runs on the CPU backend, which is slower for large tensors.'
		);
	});

	test('selectBackend says when WebGPU was requested but is missing', async () => {
		const choice = await selectBackend(fakeTorch(false), 'webgpu');
		expect(choice.backend).toBe('cpu');
		expect(choice.note).toMatch(/^WebGPU was requested, but it is not available/);
	});
});
