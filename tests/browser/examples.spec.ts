import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EXAMPLES } from '../../src/lib/share/examples';

// Every example of the Examples menu opens, runs each cell to done on the CPU backend and draws
// at least one chart, so a notebook broken by an engine change fails here.

const RUN_TIMEOUT = 90_000;

/** States a cell stays in until something re-runs it. */
const FINISHED = /^(done|error|stopped)$/;

function cellIds(name: string): string[] {
	const file = JSON.parse(readFileSync(`static/notebooks/${name}.json`, 'utf8')) as {
		cells: { id: string }[];
	};
	return file.cells.map((cell) => cell.id);
}

/** Opens an example on `backend` and checks that every cell ends done and a chart is drawn. */
async function runExample(page: Page, name: string, backend: 'cpu' | 'webgpu'): Promise<void> {
	await page.goto(`/?example=${name}&backend=${backend}`);
	const ids = cellIds(name);
	await expect(page.locator('[data-cell-id]')).toHaveCount(ids.length);

	for (const id of ids) {
		const cell = page.locator(`[data-cell-id="${id}"]`);
		await expect(cell).toHaveAttribute('data-state', FINISHED, { timeout: RUN_TIMEOUT });
	}
	for (const id of ids) {
		const cell = page.locator(`[data-cell-id="${id}"]`);
		const error = cell.locator('[data-output="error"]');
		const message = (await error.count()) > 0 ? await error.first().innerText() : '';
		expect(await cell.getAttribute('data-state'), `cell ${id}: ${message}`).toBe('done');
	}

	// A tensor value's histogram also has a data-kind, so it is left out: the notebook did not draw it.
	const charts = page.locator('[data-kind]:not([data-kind="histogram"])');
	expect(await charts.count(), 'charts drawn').toBeGreaterThan(0);
	await expect(charts.first()).toBeVisible();
	await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', backend);
}

for (const example of EXAMPLES) {
	test(`${example.name} runs every cell and draws a chart`, async ({ page }) => {
		await runExample(page, example.name, 'cpu');
	});
}

// float64 exists only on the CPU backend, so this notebook's explicit CPU tensors and gradcheck's
// own float64 copies must not land on the current WebGPU backend.
test('gradient-check runs on the WebGPU backend', async ({ page }) => {
	await runExample(page, 'gradient-check', 'webgpu');
});
