import { afterEach, describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Backend } from '../../../../src/lib/engine/backends/backend';
import { cpuBackend } from '../../../../src/lib/engine/backends/cpu';
import { uploadOn } from '../../../../src/lib/engine/ops/kernel';

afterEach(() => torch.set_backend('cpu'));

describe('backend selection', () => {
	test('get_backend is cpu by default and cuda is not available', () => {
		expect(torch.get_backend()).toBe('cpu');
		expect(torch.cuda.is_available()).toBe(false);
	});

	test("set_backend('webgpu') without an adapter throws a clear error", () => {
		expect(() => torch.set_backend('webgpu')).toThrow(
			'no WebGPU backend is set up yet. In the playground, choose WebGPU'
		);
		expect(torch.get_backend()).toBe('cpu');
	});

	test('init can be awaited any number of times', async () => {
		await torch.init();
		await torch.init();
		expect(torch.get_backend()).toBe('cpu');
	});

	test("to('cpu') keeps the tensor and to('cuda') names the missing backend", () => {
		const x = torch.ones(2);
		expect(x.to('cpu')).toBe(x);
		expect(() => x.to('cuda')).toThrow('no WebGPU backend available');
		expect(() => x.to('tpu')).toThrow("expected 'cpu' or 'webgpu'");
	});

	test('an op mixing two backends throws naming both', () => {
		const other: Backend = { ...cpuBackend, name: 'webgpu' };
		const foreign = uploadOn(other, [1, 2], [2], torch.float32);
		expect(() => torch.ones(2).add(foreign)).toThrow(
			'Expected all tensors to be on the same backend, but found at least two: cpu and webgpu'
		);
	});
});
