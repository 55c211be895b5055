import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

// The playground at `/` driven as a reader would: run, edit, break and stop the notebook.

const RUN_TIMEOUT = 90_000;

/** Cells of the default notebook, read from the example file the page opens. */
const DEFAULT_CELLS = (
	JSON.parse(readFileSync('static/notebooks/post-3-4.json', 'utf8')) as { cells: unknown[] }
).cells.length;

function cellById(page: Page, id: string): Locator {
	return page.locator(`[data-cell-id="${id}"]`);
}

async function waitForAllDone(page: Page): Promise<void> {
	const cells = page.locator('[data-cell-id]');
	await expect(cells.first()).toBeVisible();
	for (const cell of await cells.all()) {
		await expect(cell).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	}
}

/** Clicks a cell's code, waits for its live editor to take focus, and moves to the end. */
async function editCell(page: Page, id: string): Promise<Locator> {
	const cell = cellById(page, id);
	await cell.locator('.cell-code').click();
	await expect(cell.locator('.monaco-editor.focused')).toBeVisible();
	await page.keyboard.press('Control+End');
	return cell;
}

/** Adds an empty cell below `id` and returns it, with its editor focused. */
async function addCellBelow(page: Page, id: string): Promise<Locator> {
	await expect(page.locator(`[data-cell-id="${id}"]`)).toBeVisible();
	const before = await page.locator('[data-cell-id]').count();
	await cellById(page, id)
		.getByRole('button', { name: /Add a cell below/ })
		.click();
	await expect(page.locator('[data-cell-id]')).toHaveCount(before + 1);
	const cell = page.locator('.cell.active');
	await expect(cell.locator('.monaco-editor.focused')).toBeVisible();
	return cell;
}

function runCount(cell: Locator): Promise<number> {
	return cell.getAttribute('data-run-count').then(Number);
}

test('default notebook runs every cell to done', async ({ page }) => {
	await page.goto('/');

	await waitForAllDone(page);
	await expect(page.locator('[data-cell-id]')).toHaveCount(DEFAULT_CELLS);
	await expect(page.getByRole('slider', { name: 'depth', exact: true })).toHaveValue('20');
	await expect(page.locator('.backend-status')).toHaveText(/^(WebGPU · .+|CPU.*)$/);
});

test('backend query parameter pins the CPU backend', async ({ page }) => {
	await page.goto('/?backend=cpu');

	await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', 'cpu', {
		timeout: RUN_TIMEOUT
	});
	await expect(page.getByLabel('Backend')).toHaveValue('cpu');
});

test('Shift+Enter re-runs an edited cell and updates its value', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = cellById(page, 'residual-block');
	const value = cell.locator('[data-output="value"]');
	const before = { count: await runCount(cell), value: await value.innerText() };

	await editCell(page, 'residual-block');
	await page.keyboard.press('Enter');
	await page.keyboard.type('blockLoss.mul(1000);');
	await expect(cell).toHaveAttribute('data-state', 'stale');
	await page.keyboard.press('Shift+Enter');

	await expect(cell).toHaveAttribute('data-run-count', String(before.count + 1), {
		timeout: RUN_TIMEOUT
	});
	await expect(cell).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	await expect(value).not.toHaveText(before.value);
	await expect(cell.locator('.cell-code, .monaco-editor')).toContainText('blockLoss.mul(1000);');
});

test('runtime error shows on its cell and line', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type('const fine = 1;');
	await page.keyboard.press('Enter');
	await page.keyboard.type("throw new Error('broken on purpose');");
	await page.keyboard.press('Control+Enter');

	await expect(cell).toHaveAttribute('data-state', 'error', { timeout: RUN_TIMEOUT });
	const error = cell.locator('[data-output="error"]');
	await expect(error).toContainText('line 2');
	await expect(error).toContainText('broken on purpose');
	// The live editor marks the same line.
	await expect(cell.locator('.squiggly-error').first()).toBeVisible();
	// Only the broken cell reports it.
	await expect(page.locator('[data-output="error"]')).toHaveCount(1);
	await expect(cellById(page, 'setup')).toHaveAttribute('data-state', 'done');
});

test('console lines come before the cell value', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type("console.log('printed first');");
	await page.keyboard.press('Enter');
	await page.keyboard.type('6 * 7;');
	await page.keyboard.press('Control+Enter');

	await expect(cell).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	await expect(cell.locator('[data-output="logs"]')).toHaveText('printed first');
	await expect(cell.locator('[data-output="value"]')).toHaveText('42');
	const order = await cell
		.locator('[data-output="logs"], [data-output="value"]')
		.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-output')));
	expect(order).toEqual(['logs', 'value']);
});

test('NaN output offers a re-run with anomaly detection', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type('const w0 = torch.tensor([1, -1], { requires_grad: true });');
	await page.keyboard.press('Enter');
	await page.keyboard.type('const rootSum = w0.sqrt().sum();');
	await page.keyboard.press('Enter');
	await page.keyboard.type('rootSum;');
	await page.keyboard.press('Control+Enter');

	const flag = cell.locator('[data-output="non-finite"]');
	await expect(flag).toContainText('1 NaN', { timeout: RUN_TIMEOUT });
	await expect(cell).toHaveAttribute('data-state', 'done');
	await flag.getByRole('button', { name: 'Re-run with anomaly detection' }).click();

	await expect(cell).toHaveAttribute('data-state', 'error', { timeout: RUN_TIMEOUT });
	const error = cell.locator('[data-output="error"]');
	await expect(error).toContainText('line 2');
	await expect(error).toContainText('SqrtBackward0');
	await expect(error).toContainText('line 2 of this cell');
});

test('anomaly re-run on WebGPU switches to the CPU and finds the op', async ({ page }) => {
	await page.goto('/?backend=webgpu');
	await waitForAllDone(page);
	await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', 'webgpu');
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type('const w1 = torch.tensor([1, -1], { requires_grad: true });');
	await page.keyboard.press('Enter');
	await page.keyboard.type('const logSum = w1.log().sum();');
	await page.keyboard.press('Enter');
	await page.keyboard.type('logSum;');
	await page.keyboard.press('Control+Enter');

	const flag = cell.locator('[data-output="non-finite"]');
	await expect(flag).toContainText('1 NaN', { timeout: RUN_TIMEOUT });
	// The value of a GPU tensor is printed from its read-back values, not as a placeholder.
	await expect(cell.locator('[data-output="value"]')).toContainText(
		"tensor(nan, device='webgpu', grad_fn=<SumBackward0>)"
	);
	await flag.getByRole('button', { name: 'Re-run on the CPU with anomaly detection' }).click();

	await expect(cell).toHaveAttribute('data-state', 'error', { timeout: RUN_TIMEOUT });
	await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', 'cpu');
	const error = cell.locator('[data-output="error"]');
	await expect(error).toContainText("the forward op of 'LogBackward0' returned nan values");
	await expect(error).toContainText('line 2 of this cell');
});

test('type error shows under the cell', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const cell = await addCellBelow(page, 'helpers');
	await page.keyboard.type("const wrong: number = 'text';");

	await expect(cell.locator('.squiggly-error').first()).toBeVisible({ timeout: 15_000 });
	await expect(cell.locator('[data-output="type-errors"]')).toContainText(
		"line 1: Type 'string' is not assignable to type 'number'."
	);
});

test('reload keeps an edit', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await editCell(page, 'setup');
	await page.keyboard.press('Enter');
	await page.keyboard.type('const kept = 12345;');
	await expect(cellById(page, 'setup')).toHaveAttribute('data-state', 'stale');

	await page.reload();

	await expect(cellById(page, 'setup').locator('.cell-code')).toContainText('const kept = 12345;');
	await expect(page.getByText('Restored your edits')).toBeVisible();
});

test('Stop ends an infinite loop and keeps its text', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const original = await page
		.locator('[data-cell-id]')
		.evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.cellId!));
	const cell = await addCellBelow(page, 'residual-block');
	const id = await cell.getAttribute('data-cell-id');
	const loop = 'let i = 0; while (true) { i++; }';
	await page.keyboard.type(loop);
	await page.keyboard.press('Control+Enter');
	await expect(cell).toHaveAttribute('data-state', 'running', { timeout: RUN_TIMEOUT });

	// The worker computes and the page only renders, so typing elsewhere still works.
	const setup = await editCell(page, 'setup');
	await page.keyboard.press('Enter');
	await page.keyboard.type('// typed while the loop runs');
	await expect(setup.locator('.monaco-editor')).toContainText('// typed while the loop runs');
	await expect(cellById(page, id!)).toHaveAttribute('data-state', 'running');

	await page.getByRole('button', { name: 'Stop', exact: true }).click();

	const stopped = cellById(page, id!);
	await expect(stopped).toHaveAttribute('data-state', 'stopped', { timeout: RUN_TIMEOUT });
	await expect(stopped.locator('[data-output="error"]')).toContainText(/stop/i);
	await expect(stopped.locator('.cell-code, .monaco-editor')).toContainText(loop);
	await expect(setup.locator('.cell-code, .monaco-editor')).toContainText(
		'// typed while the loop runs'
	);

	// The fresh worker runs the other cells again; the edited setup cell waits to be run.
	for (const other of original.filter((other) => other !== 'setup')) {
		await expect(cellById(page, other)).toHaveAttribute('data-state', 'done', {
			timeout: RUN_TIMEOUT
		});
	}
	await expect(setup).toHaveAttribute('data-state', 'stale');
});

test('Stop marks the value of an earlier run', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'residual-block');
	await page.keyboard.type('const answer = 41;\nanswer + 1');
	await page.keyboard.press('Control+Enter');
	const value = cell.locator('[data-output="value"]');
	await expect(value).toContainText('42', { timeout: RUN_TIMEOUT });
	await expect(value).not.toHaveAttribute('data-earlier-run');

	// The edited code loops before it returns a value, so the 42 on screen is the old run's.
	await page.keyboard.press('Control+a');
	await page.keyboard.type('let i = 0; while (true) { i++; }');
	await page.keyboard.press('Control+Enter');
	await expect(cell).toHaveAttribute('data-state', 'running', { timeout: RUN_TIMEOUT });
	await expect(value).toHaveAttribute('data-earlier-run', 'true');
	await page.getByRole('button', { name: 'Stop', exact: true }).click();
	await expect(cell).toHaveAttribute('data-state', 'stopped', { timeout: RUN_TIMEOUT });
	await expect(value).toContainText('42');
	await expect(value).toHaveAttribute('data-earlier-run', 'true');
	await expect(value).toHaveAttribute('title', /earlier run/);
});

test('stopped loop stays stopped after a reload', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'residual-block');
	const id = await cell.getAttribute('data-cell-id');
	const loop = 'let spins = 0; while (true) { spins++; }';
	await page.keyboard.type(loop);
	await page.keyboard.press('Control+Enter');
	await expect(cell).toHaveAttribute('data-state', 'running', { timeout: RUN_TIMEOUT });
	await page.getByRole('button', { name: 'Stop', exact: true }).click();
	await expect(cellById(page, id!)).toHaveAttribute('data-state', 'stopped', {
		timeout: RUN_TIMEOUT
	});
	// Let the autosave write the new cell before reloading.
	await page.waitForTimeout(1000);

	await page.reload();
	const held = cellById(page, id!);
	await expect(held).toHaveAttribute('data-state', 'stopped', { timeout: RUN_TIMEOUT });
	await expect(held.locator('[data-output="error"]')).toContainText('reloaded');
	await expect(held.locator('.cell-code, .monaco-editor')).toContainText(loop);
	await expect(cellById(page, 'vanishing')).toHaveAttribute('data-state', 'done', {
		timeout: RUN_TIMEOUT
	});
	await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
});

test('loop inside a function is stopped by the time budget', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'residual-block');
	const id = await cell.getAttribute('data-cell-id');
	await page.keyboard.type('function spin() { while (true) {} }');
	await page.keyboard.press('Enter');
	await page.keyboard.type('spin();');
	await page.keyboard.press('Control+Enter');

	const stopped = cellById(page, id!);
	await expect(stopped).toHaveAttribute('data-state', 'stopped', { timeout: RUN_TIMEOUT });
	await expect(stopped.locator('[data-output="error"]')).toContainText(
		'without letting the worker'
	);
	await expect(cellById(page, 'vanishing')).toHaveAttribute('data-state', 'done', {
		timeout: RUN_TIMEOUT
	});
});

test('name declared twice errors on both cells', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const cell = await addCellBelow(page, 'residual-block');
	await page.keyboard.type('const hidden = 64;');
	await page.keyboard.press('Control+Enter');

	await expect(cell).toHaveAttribute('data-state', 'error', { timeout: RUN_TIMEOUT });
	await expect(cellById(page, 'setup')).toHaveAttribute('data-state', 'error', {
		timeout: RUN_TIMEOUT
	});
	for (const involved of [cell, cellById(page, 'setup')]) {
		await expect(involved.locator('[data-output="error"]')).toContainText('hidden');
	}
});

test('Reset to original restores the example and can be undone', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await editCell(page, 'setup');
	await page.keyboard.press('Enter');
	await page.keyboard.type('const mine = 1;');
	await page.keyboard.press('Escape');

	await page.getByRole('button', { name: 'Reset to original' }).click();
	const setupCode = cellById(page, 'setup').locator('.cell-code');
	await expect(setupCode).toContainText('const batch = 16;');
	await expect(setupCode).not.toContainText('const mine = 1;');

	await page.getByRole('button', { name: 'Undo', exact: true }).click();
	await expect(setupCode).toContainText('const mine = 1;');
});

test('example query parameter opens a notebook file', async ({ page }) => {
	await page.goto('/?example=post-3-4&backend=cpu');
	await expect(page.getByRole('heading', { level: 1 })).toContainText('post 3.4');
	await expect(cellById(page, 'setup')).toBeVisible();

	await page.goto('/?example=no-such-notebook');
	await expect(page.getByRole('alert')).toContainText('no-such-notebook');
	await expect(page.getByRole('alert')).toContainText('404');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Example not found');
});

test('Examples menu opens another notebook and keeps the backend', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	await page.getByText('Examples', { exact: true }).click();
	const entry = page.locator('a[data-example="batch-vs-sgd"]');
	await expect(page.locator('a[data-example="post-3-4"]')).toHaveAttribute('aria-current', 'page');
	await entry.click();

	await expect(page).toHaveURL(/[?&]example=batch-vs-sgd/);
	await expect(page).toHaveURL(/[?&]backend=cpu/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		'Batch against stochastic gradient descent'
	);
	await expect(entry).toBeHidden();
	await waitForAllDone(page);
});

test('slider is a labelled control that re-runs its users', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForAllDone(page);
	const vanishing = cellById(page, 'vanishing');
	const before = await runCount(vanishing);

	const depth = page.getByRole('slider', { name: 'depth', exact: true });
	await depth.focus();
	await page.keyboard.press('ArrowRight');

	await expect(depth).toHaveValue('21');
	await expect(vanishing).toHaveAttribute('data-run-count', String(before + 1), {
		timeout: RUN_TIMEOUT
	});
	await expect(vanishing).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
});

test('deleted cell comes back with Undo', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await expect(page.locator('[data-cell-id]')).toHaveCount(DEFAULT_CELLS);

	await cellById(page, 'residual-block')
		.getByRole('button', { name: /^Delete/ })
		.click();
	await expect(page.locator('[data-cell-id]')).toHaveCount(DEFAULT_CELLS - 1);
	await page.getByRole('button', { name: 'Undo', exact: true }).click();

	await expect(page.locator('[data-cell-id]')).toHaveCount(DEFAULT_CELLS);
	await expect(cellById(page, 'residual-block').locator('.cell-code')).toContainText(
		'class ResidualBlock'
	);
});

test('blocked storage shows that edits will not be kept', async ({ page }) => {
	await page.addInitScript(() => {
		Object.defineProperty(window, 'localStorage', {
			get() {
				throw new DOMException('The operation is insecure.', 'SecurityError');
			}
		});
	});
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));

	await page.goto('/?backend=cpu');

	await expect(page.getByText('Edits will not be kept')).toBeVisible();
	await expect(cellById(page, 'setup')).toBeVisible();
	expect(errors).toEqual([]);
});
