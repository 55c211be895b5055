import { expect, test, type Locator, type Page } from '@playwright/test';

// Monaco in the built app: its workers load same-origin, TypeScript checks the cells as one
// program, and only the cell being edited has a live editor.

/** Clicks a cell's code, waits for its live editor to take focus, and moves to the end. */
async function editCell(page: Page, id: string): Promise<Locator> {
	const cell = page.locator(`[data-cell-id="${id}"]`);
	await cell.locator('.cell-code').click();
	await expect(cell.locator('.monaco-editor.focused')).toBeVisible();
	await page.keyboard.press('Control+End');
	return cell;
}

/** Adds an empty cell below `id` through its toolbar and returns it, with its editor focused. */
async function addCellBelow(page: Page, id: string): Promise<Locator> {
	await expect(page.locator(`[data-cell-id="${id}"]`)).toBeVisible();
	const before = await page.locator('[data-cell-id]').count();
	await page
		.locator(`[data-cell-id="${id}"]`)
		.getByRole('button', { name: /Add a cell below/ })
		.click();
	await expect(page.locator('[data-cell-id]')).toHaveCount(before + 1);
	const cell = page.locator('.cell.active');
	await expect(cell.locator('.monaco-editor.focused')).toBeVisible();
	return cell;
}

test('Monaco workers load same-origin with no fallback warning', async ({ page }) => {
	const messages: string[] = [];
	page.on('console', (message) => messages.push(message.text()));
	const workerScripts: { url: string; status: number }[] = [];
	page.on('response', (response) => {
		if (/(editor|ts)\.worker/.test(response.url())) {
			workerScripts.push({ url: response.url(), status: response.status() });
		}
	});

	await page.goto('/?backend=cpu');
	const cell = await editCell(page, 'setup');
	await page.keyboard.press('Enter');
	await page.keyboard.type("const n: number = 'a';");

	await expect(cell.locator('.squiggly-error').first()).toBeVisible({ timeout: 15_000 });
	// Monaco may start its editor worker (links, word highlights) only after the TypeScript
	// worker has drawn the squiggle, so wait for both responses rather than read them at once.
	await expect
		.poll(() => workerScripts.map((script) => /editor\.worker|ts\.worker/.exec(script.url)?.[0]), {
			timeout: 15_000
		})
		.toEqual(expect.arrayContaining(['editor.worker', 'ts.worker']));

	const origin = new URL(page.url()).origin;
	const editorWorker = workerScripts.find((script) => script.url.includes('editor.worker'));
	const typescriptWorker = workerScripts.find((script) => script.url.includes('ts.worker'));
	expect(editorWorker, `worker responses: ${JSON.stringify(workerScripts)}`).toBeDefined();
	expect(typescriptWorker, `worker responses: ${JSON.stringify(workerScripts)}`).toBeDefined();
	for (const script of [editorWorker!, typescriptWorker!]) {
		expect(new URL(script.url).origin).toBe(origin);
		expect(script.status).toBe(200);
	}

	const fallback = messages.filter((text) =>
		/Could not create web worker|Falling back to loading web worker code|MonacoEnvironment/.test(
			text
		)
	);
	expect(fallback).toEqual([]);
});

test('type error squiggle and message on the line', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type("const n: number = 'a';");

	await expect(cell.locator('.squiggly-error').first()).toBeVisible({ timeout: 15_000 });
	await expect(cell.locator('[data-output="type-errors"]')).toContainText(
		"line 1: Type 'string' is not assignable to type 'number'."
	);
});

test('cells share one program of global scripts', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const cell = await addCellBelow(page, 'setup');
	// `hidden` is declared in the setup cell as a number.
	await page.keyboard.type('const asNumber: number = hidden;');
	await page.keyboard.press('Enter');
	await page.keyboard.type('const asText: string = hidden;');

	const typeErrors = cell.locator('[data-output="type-errors"]');
	await expect(typeErrors).toContainText(
		"line 2: Type 'number' is not assignable to type 'string'.",
		{ timeout: 15_000 }
	);
	await expect(typeErrors.locator('li')).toHaveCount(1);
});

test('edit in one cell rechecks the others', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const user = await addCellBelow(page, 'setup');
	const userId = await user.getAttribute('data-cell-id');
	await page.keyboard.type('const shout: string = greeting;');
	const userErrors = page.locator(`[data-cell-id="${userId}"] [data-output="type-errors"]`);
	await expect(userErrors).toContainText("Cannot find name 'greeting'.", { timeout: 15_000 });

	// Declaring the name in another cell clears the error without touching the first cell.
	await addCellBelow(page, userId!);
	await page.keyboard.type("const greeting = 'hello';");

	await expect(userErrors).toHaveCount(0, { timeout: 15_000 });
});

test('top-level await is not a type error', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type('const answer = await Promise.resolve(42);');
	await page.keyboard.press('Enter');
	await page.keyboard.type('for await (const part of [Promise.resolve(1)]) console.log(part);');
	await page.keyboard.press('Enter');
	// A real error on line 3 shows that diagnostics ran on this text.
	await page.keyboard.type('const wrong: string = answer;');

	const typeErrors = cell.locator('[data-output="type-errors"]');
	await expect(typeErrors).toContainText('line 3:', { timeout: 15_000 });
	await expect(typeErrors.locator('li')).toHaveCount(1);
});

test('completions come from the engine declarations', async ({ page }) => {
	await page.goto('/?backend=cpu');
	const cell = await addCellBelow(page, 'setup');
	await page.keyboard.type('torch.manual_');

	const suggestions = page.locator('.suggest-widget .monaco-list-row');
	await expect(suggestions.filter({ hasText: 'manual_seed' }).first()).toBeVisible({
		timeout: 15_000
	});
	await page.keyboard.press('Escape');
	await expect(cell.locator('.monaco-editor')).toHaveCount(1);
});

test('only the cell being edited has a live editor', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await expect(page.locator('[data-cell-id="helpers"] .cell-code')).toBeVisible();
	await expect(page.locator('.monaco-editor')).toHaveCount(0);

	await editCell(page, 'helpers');
	await expect(page.locator('.monaco-editor')).toHaveCount(1);

	await editCell(page, 'setup');
	await expect(page.locator('.monaco-editor')).toHaveCount(1);
	await expect(page.locator('[data-cell-id="helpers"] .cell-code')).toContainText(
		'function forwardBackward'
	);

	// Tab indents in the editor, so the live editor shows how to leave it.
	await expect(page.locator('[data-cell-id="setup"] .keys')).toContainText('Esc leaves the editor');

	// Escape leaves the editor for the cell's toolbar, so Tab can move on through the page.
	await page.keyboard.press('Escape');
	await expect(page.locator('.monaco-editor')).toHaveCount(0);
	await expect(page.locator('.keys')).toHaveCount(0);
	await expect(page.locator('[data-cell-id="setup"] .buttons button').first()).toBeFocused();
});
