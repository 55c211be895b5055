import { describe, expect, test } from 'vitest';
import { CPU_ADAPTER, selectBackend, type BackendTorch } from '../../../src/lib/worker/backend';
import type { BackendName } from '../../../src/lib/worker/api';

function fakeTorch(hasGpu: boolean) {
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
		cuda: { get_device_name: () => 'SwiftShader (software rendering on the CPU)' }
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
			adapter: 'SwiftShader (software rendering on the CPU)'
		});
		expect(torch.calls).toEqual(['init', 'set_backend webgpu']);
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
