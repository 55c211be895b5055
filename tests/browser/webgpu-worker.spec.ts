import { expect, test } from '@playwright/test';

// The WebGPU tests must never pass on the CPU by accident: this fails loudly when the browser
// gives a worker no adapter (for example when Chromium starts without --enable-unsafe-webgpu).
test('WebGPU adapter and device inside a Web Worker', async ({ page }) => {
	await page.goto('/');

	const probe = await page.evaluate(async () => {
		const source = `
			self.onmessage = async () => {
				try {
					if (!self.navigator.gpu) {
						self.postMessage({ ok: false, reason: 'navigator.gpu is undefined in the worker' });
						return;
					}
					const adapter = await self.navigator.gpu.requestAdapter();
					if (!adapter) {
						self.postMessage({ ok: false, reason: 'requestAdapter() returned null' });
						return;
					}
					const device = await adapter.requestDevice();
					const info = adapter.info ?? {};
					self.postMessage({
						ok: true,
						vendor: info.vendor ?? '',
						architecture: info.architecture ?? '',
						maxBufferSize: device.limits.maxBufferSize
					});
				} catch (error) {
					self.postMessage({ ok: false, reason: String(error) });
				}
			};`;
		const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
		const worker = new Worker(url);
		const result = await new Promise<Record<string, unknown>>((resolve) => {
			worker.onmessage = (event) => resolve(event.data);
			worker.onerror = (event) => resolve({ ok: false, reason: `worker error: ${event.message}` });
			worker.postMessage(null);
		});
		worker.terminate();
		return result;
	});

	expect(
		probe.ok,
		`No WebGPU in a worker: ${probe.reason}. Start Chromium with --enable-unsafe-webgpu ` +
			'(see chromiumArgs in playwright.config.ts); the WebGPU tests cannot run without it.'
	).toBe(true);
	expect(probe.maxBufferSize as number).toBeGreaterThan(0);
});
