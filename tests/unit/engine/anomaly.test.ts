import { afterEach, describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';

afterEach(() => torch.autograd.set_detect_anomaly(false));

describe('anomaly detection', () => {
	test('set_detect_anomaly(true) names the backward that returned NaN and where it was created', () => {
		torch.autograd.set_detect_anomaly(true);
		const x = torch.tensor([0], { requires_grad: true });
		const y = x.sqrt().pow(2);
		let message = '';
		try {
			y.sum().backward();
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toContain("Function 'SqrtBackward0' returned nan values in its 0th output.");
		expect(message).toContain('anomaly.test.ts');
	});

	test('detect_anomaly(fn) raises at the forward op that first makes NaN', () => {
		const x = torch.tensor([-1], { requires_grad: true });
		expect(() => torch.autograd.detect_anomaly(() => x.sqrt())).toThrow(
			"anomaly: the forward op of 'SqrtBackward0' returned nan values from inputs without nan."
		);
		expect(torch.autograd.is_anomaly_enabled()).toBe(false);
	});

	test('detect_anomaly raises on a backend that cannot read synchronously', async () => {
		const x = torch.tensor([4], { requires_grad: true });
		const backend = x.storage.backend as { readSync?: unknown };
		const readSync = backend.readSync;
		// The WebGPU backend has no readSync, so the CPU backend's is removed for this check.
		backend.readSync = undefined;
		try {
			expect(() => torch.autograd.detect_anomaly(() => x.sqrt())).toThrow(
				"the cpu backend cannot do. Run this code on the CPU backend (torch.set_backend('cpu')"
			);
		} finally {
			backend.readSync = readSync;
		}
		expect(await x.sqrt().item()).toBe(2);
	});

	test('without anomaly mode NaN passes silently, as in PyTorch', () => {
		const x = torch.tensor([-1], { requires_grad: true });
		expect(() => x.sqrt().sum().backward()).not.toThrow();
	});

	test('infinities are not reported', () => {
		torch.autograd.set_detect_anomaly(true);
		const x = torch.tensor([0], { requires_grad: true });
		expect(() => x.log().sum().backward()).not.toThrow();
	});
});
