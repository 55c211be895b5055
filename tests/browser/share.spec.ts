import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { decodeNotebook, encodeNotebook } from '../../src/lib/share/codec';
import {
	RUN_TIMEOUT,
	cellById,
	example,
	largeNotebook,
	playgroundPath,
	squares,
	storageEntries
} from './share-notebooks';

// Share links in the playground: the notebook in the URL fragment, damaged links, hash-only
// navigation between links, per-notebook autosave, and .json files.

/** Clicks a cell's code, waits for its live editor, and types `text` on a new last line. */
async function typeInCell(page: Page, id: string, text: string): Promise<void> {
	const cell = cellById(page, id);
	await cell.locator('.cell-code').click();
	await expect(cell.locator('.monaco-editor.focused')).toBeVisible({ timeout: RUN_TIMEOUT });
	await page.keyboard.press('Control+End');
	await page.keyboard.press('Enter');
	await page.keyboard.type(text);
	await page.keyboard.press('Escape');
}

/** Waits until the autosave entry whose key ends in `suffix` contains `text`. */
async function waitForSaved(page: Page, text: string): Promise<void> {
	await expect
		.poll(async () => Object.values(await storageEntries(page)).some((v) => v.includes(text)))
		.toBe(true);
}

async function openShareDialog(page: Page): Promise<string> {
	await page.getByRole('button', { name: 'Share', exact: true }).click();
	const field = page.getByRole('textbox', { name: 'Link', exact: true });
	await expect(field).toBeVisible();
	return field.inputValue();
}

test('Share shows the link, and a fresh page opens it', async ({ page, context, browser }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/?backend=cpu');
	await typeInCell(page, 'setup', 'const sharedValue = 4242;');

	const link = await openShareDialog(page);

	expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#nb=v1\.[A-Za-z0-9_-]+$/);
	await expect(page.getByRole('textbox', { name: 'Link' })).toHaveAttribute('readonly', '');
	await expect(page.getByTestId('link-length')).toHaveText(
		`${link.length.toLocaleString('en')} characters`
	);
	await expect(page.getByText('Link copied to the clipboard.')).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

	// A new context has no autosave, so what it shows can only come from the link.
	const fresh = await browser.newContext();
	const reader = await fresh.newPage();
	await reader.goto(link);
	await expect(reader.getByRole('heading', { level: 1 })).toContainText('post 3.4');
	await expect(cellById(reader, 'setup').locator('.cell-code')).toContainText(
		'const sharedValue = 4242;'
	);
	await expect(reader.locator('[data-cell-id]')).toHaveCount(example('post-3-4').cells.length);
	await fresh.close();
});

test('link with a stray percent sign is reported as damaged', async ({ page }) => {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	await page.goto('/?backend=cpu#nb=v1.abc%%%$$$');
	const notice = page.locator('[data-notice="damaged-link"]');
	await expect(notice).toContainText('This share link is damaged');
	await expect(notice).toContainText('not in the v1.<data> form');
	await expect(page.locator('.cell-code, .monaco-editor').first()).toBeVisible();
	expect(errors).toEqual([]);
});

test('damaged link shows the recovered cells and leaves autosave alone', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await typeInCell(page, 'setup', 'const keptLocally = 1;');
	await waitForSaved(page, 'keptLocally');
	const before = await storageEntries(page);

	const full = encodeNotebook(example('post-3-4'));
	const cut = full.slice(0, Math.floor(full.length * 0.6));
	const decoded = decodeNotebook(cut);
	expect(decoded.ok).toBe(false);
	const recovered = decoded.ok ? [] : decoded.recovered;
	expect(recovered.length).toBeGreaterThan(0);

	await page.goto(`/#nb=${cut}`);

	const notice = page.locator('[data-notice="damaged-link"]');
	await expect(notice).toContainText('This share link is damaged');
	await expect(notice).toContainText(`${recovered.length} cells could be recovered`);
	await expect(notice).toContainText('Notebooks saved in this browser were not changed.');
	await expect(page.locator('[data-cell-id]')).toHaveCount(recovered.length);
	for (const cell of recovered) {
		await expect(cellById(page, cell.id)).toBeVisible();
	}
	expect(await storageEntries(page)).toEqual(before);

	// The editor still works on the recovered cells, and the example's entry is still as it was.
	await typeInCell(page, recovered[0].id, 'const editedAfterDamage = 2;');
	await waitForSaved(page, 'editedAfterDamage');
	const after = await storageEntries(page);
	for (const [key, value] of Object.entries(before)) expect(after[key]).toBe(value);
});

test('pasting link B in the same tab, then Back, restores A', async ({ page }) => {
	const requests: string[] = [];
	page.on('request', (request) => requests.push(request.url()));
	const a = largeNotebook();
	const b = squares;
	const linkA = playgroundPath(a);
	const linkB = playgroundPath(b);
	expect(encodeNotebook(a).length).toBeGreaterThan(8000);

	await page.goto(`${linkA}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(a.title);
	await typeInCell(page, 'setup', 'const unsavedInA = 3;');
	await waitForSaved(page, 'unsavedInA');
	const origin = new URL(page.url()).origin;

	// What the address bar does on paste and Enter: a fragment-only navigation in this document.
	await page.evaluate((url) => (location.href = url), `${origin}${linkB}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(b.title);
	await expect(page.locator('[data-cell-id]')).toHaveCount(b.cells.length);

	await page.goBack();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(a.title);
	await expect(page.locator('[data-cell-id]')).toHaveCount(a.cells.length);

	// The link's version of A wins; the edit made before is kept and offered, not overwritten.
	const setup = cellById(page, 'setup').locator('.cell-code');
	await expect(setup).not.toContainText('const unsavedInA = 3;');
	const offer = page.locator('[data-notice="restore"]');
	await expect(offer).toBeVisible();
	await offer.getByRole('button', { name: 'Restore my edits' }).click();
	await expect(setup).toContainText('const unsavedInA = 3;');

	// The payload never reached the server: no request carries it, in a query or otherwise.
	const payloadStart = encodeNotebook(a).slice(3, 40);
	for (const url of requests) {
		expect(url, url).not.toContain(payloadStart);
		expect(url, url).not.toContain('nb=');
	}
});

test('a 30 KB notebook shares without a query string and offers a file', async ({ page }) => {
	const notebook = largeNotebook();
	expect(JSON.stringify(notebook).length).toBeGreaterThan(30_000);
	await page.goto(playgroundPath(notebook));
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(notebook.title);

	const link = await openShareDialog(page);

	const url = new URL(link);
	expect(url.search).toBe('');
	expect(url.pathname).toBe('/');
	expect(link.length).toBeGreaterThan(8000);
	const warning = page.getByRole('alert').filter({ hasText: 'longer than 8,000 characters' });
	await expect(warning).toBeVisible();

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		warning.getByRole('button', { name: 'Download .json' }).click()
	]);
	expect(download.suggestedFilename()).toBe('a-long-notebook.json');
	const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
	expect(saved.cells).toEqual(notebook.cells);
});

test('Download and Open file round-trip a notebook', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await expect(cellById(page, 'setup')).toBeVisible();

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download', exact: true }).click()
	]);
	const text = readFileSync(await download.path(), 'utf8');
	expect(JSON.parse(text).cells).toEqual(example('post-3-4').cells);

	await page.getByLabel('Open file').setInputFiles({
		name: 'squares.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(squares))
	});
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Squares');
	await expect(page).toHaveURL(/#nb=v1\./);
	await expect(cellById(page, 'chart').locator('[data-kind="plot"]')).toBeVisible({
		timeout: RUN_TIMEOUT
	});

	await page.getByLabel('Open file').setInputFiles({
		name: 'broken.json',
		mimeType: 'application/json',
		buffer: Buffer.from('{"version": 1, "cells": "none"}')
	});
	await expect(page.getByRole('alert').filter({ hasText: 'broken.json' })).toContainText(
		'"cells" must be an array'
	);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Squares');
});

test('two tabs with one notebook are warned', async ({ context }) => {
	const first = await context.newPage();
	await first.goto(playgroundPath(squares));
	await expect(first.getByRole('heading', { level: 1 })).toHaveText('Squares');
	await expect(first.locator('[data-notice="other-tab"]')).toHaveCount(0);

	const second = await context.newPage();
	await second.goto(playgroundPath(squares));

	await expect(second.locator('[data-notice="other-tab"]')).toContainText(
		'also open in another tab'
	);
	await expect(first.locator('[data-notice="other-tab"]')).toContainText(
		'also open in another tab'
	);

	await second.close();
	await expect(first.locator('[data-notice="other-tab"]')).toHaveCount(0);
});

test('reopened link wins over its autosave, which is offered', async ({ page }) => {
	await page.goto(playgroundPath(squares));
	await typeInCell(page, 'chart', '// my change');
	await waitForSaved(page, 'my change');

	await page.reload();

	const chart = cellById(page, 'chart').locator('.cell-code');
	await expect(chart).not.toContainText('// my change');
	const offer = page.locator('[data-notice="restore"]');
	await expect(offer).toContainText('edits made here are not saved until you choose');
	await offer.getByRole('button', { name: 'Restore my edits' }).click();
	await expect(chart).toContainText('// my change');
	await expect(page.getByRole('status').filter({ hasText: 'Restored the edits' })).toBeVisible();
});

test('Embed dialog builds the iframe code for the chosen options', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto(playgroundPath(squares));
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Squares');

	await page.getByRole('button', { name: 'Embed', exact: true }).click();
	const dialog = page.getByRole('dialog', { name: 'Embed this notebook in a page' });
	await dialog.getByRole('checkbox', { name: 'cell 1 (controls)' }).uncheck();
	await dialog.getByRole('radio', { name: 'Hidden: outputs only' }).check();
	await dialog.getByRole('radio', { name: 'Read-only' }).check();
	await dialog.getByRole('radio', { name: 'Dark' }).check();

	const code = dialog.getByRole('textbox', { name: 'Embed code' });
	const snippet = await code.inputValue();
	expect(snippet).toContain(
		'sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"'
	);
	expect(snippet).toContain('title="Squares (Gradient Playground)"');
	expect(snippet).toMatch(/embed-resize\.js" defer><\/script>$/);
	const src = /src="([^"]+)"/.exec(snippet)![1];
	expect(src).toMatch(/\/embed#nb=v1\.[\w-]+&cells=chart&code=hidden&edit=readonly&theme=dark$/);

	await dialog.getByRole('button', { name: 'Copy embed code' }).click();
	await expect(dialog.getByText('Embed code copied to the clipboard.')).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);

	const embed = await context.newPage();
	await embed.goto(src);
	await expect(embed.locator('[data-cell-id]')).toHaveCount(1);
	await expect(cellById(embed, 'chart').locator('[data-kind="plot"]')).toBeVisible({
		timeout: RUN_TIMEOUT
	});
	await expect(embed.locator('html')).toHaveAttribute('data-theme', 'dark');
});
