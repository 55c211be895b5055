import { expect, test as base, type Page } from '@playwright/test';

/** Opens the engine harness page and fails with its reason when it has no WebGPU backend. */
export async function openHarness(page: Page): Promise<void> {
	await page.goto('/dev/engine');
	const status = page.getByTestId('engine-status');
	await expect(status).not.toHaveAttribute('data-status', 'loading', { timeout: 60_000 });
	const state = await status.getAttribute('data-status');
	expect(state, `engine harness is not on WebGPU: ${await status.textContent()}`).toBe('ready');
}

/** Playwright's `test` with `harness`: one harness page shared by the tests of a worker. */
export const test = base.extend<object, { harness: Page }>({
	harness: [
		async ({ browser }, use, workerInfo) => {
			const page = await browser.newPage({ baseURL: workerInfo.project.use.baseURL });
			await openHarness(page);
			await use(page);
			await page.close();
		},
		{ scope: 'worker' }
	]
});
