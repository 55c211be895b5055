import { expect, test, type Page } from '@playwright/test';
import type { NotebookDocument } from '../../src/lib/share/format';
import { RUN_TIMEOUT, cellById, playgroundPath } from './share-notebooks';

// A share link runs someone else's code. The notebook worker starts from a data: URL, so it has
// an opaque origin: cell code cannot reach the app's storage, cookies, page or server, and each
// attempt fails as an error on its cell. WebGPU stays available.

const SECRET_DB = 'gp-isolation-secret';

/** Stores something in each place user code must not reach, from the app's own page. */
async function plantSecrets(page: Page): Promise<void> {
	await page.goto('/?backend=cpu');
	await expect(cellById(page, 'setup')).toBeVisible();
	await page
		.context()
		.addCookies([{ name: 'session', value: 'cookie-secret', url: new URL(page.url()).origin }]);
	await page.evaluate(async (name) => {
		localStorage.setItem('gradient-playground:autosave:secret', 'storage-secret');
		await new Promise<void>((resolve, reject) => {
			const request = indexedDB.open(name, 1);
			request.onupgradeneeded = () => request.result.createObjectStore('notes');
			request.onsuccess = () => {
				const write = request.result.transaction('notes', 'readwrite');
				write.objectStore('notes').put('indexeddb-secret', 'key');
				write.oncomplete = () => resolve();
				write.onerror = () => reject(write.error);
			};
			request.onerror = () => reject(request.error);
		});
	}, SECRET_DB);
}

function probes(appOrigin: string): NotebookDocument {
	return {
		version: 1,
		title: 'Isolation probes',
		cells: [
			{ id: 'storage', code: "localStorage.getItem('gradient-playground:autosave:secret')" },
			{
				id: 'indexeddb',
				code: [
					`const request = indexedDB.open('${SECRET_DB}');`,
					'const db = await new Promise((resolve, reject) => {',
					'\trequest.onsuccess = () => resolve(request.result);',
					'\trequest.onerror = () => reject(request.error);',
					'});',
					"db.transaction('notes').objectStore('notes').get('key');"
				].join('\n')
			},
			{ id: 'page', code: 'parent.document.title' },
			{ id: 'top', code: 'self.top.document.title' },
			{ id: 'cookie', code: 'document.cookie' },
			{
				id: 'server',
				code: `await fetch('${appOrigin}/notebooks/post-3-4.json', { credentials: 'include' })`
			},
			{
				id: 'anonymous',
				code: `(await fetch('${appOrigin}/notebooks/post-3-4.json?probe=anonymous')).status`
			},
			{ id: 'origin', code: 'self.origin' }
		],
		inputs: {}
	};
}

test('cell code cannot reach storage, cookies, the page or the server', async ({ page }) => {
	await plantSecrets(page);
	const origin = new URL(page.url()).origin;
	const cookieHeaders: (string | undefined)[] = [];
	page.context().on('request', async (request) => {
		if (request.url().includes('probe=anonymous')) {
			cookieHeaders.push((await request.allHeaders()).cookie);
		}
	});

	await page.goto(playgroundPath(probes(origin)));

	const expected: [string, RegExp][] = [
		['storage', /localStorage is not defined/],
		['indexeddb', /SecurityError|denied|not allowed/i],
		['page', /parent is not defined/],
		['top', /Cannot read properties of undefined/],
		['cookie', /document is not defined/],
		// With the reader's cookies the app's server cannot be asked: the worker's origin is not
		// the app's, and a credentialed cross-origin request needs the server's consent.
		['server', /Failed to fetch/]
	];
	for (const [id, message] of expected) {
		const cell = cellById(page, id);
		await expect(cell, id).toHaveAttribute('data-state', 'error', { timeout: RUN_TIMEOUT });
		await expect(cell.locator('[data-output="error"]'), id).toContainText(message);
	}

	const workerOrigin = cellById(page, 'origin');
	await expect(workerOrigin).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	await expect(workerOrigin.locator('[data-output="value"]')).toContainText('null');
	await expect(page.locator('body')).not.toContainText(
		/storage-secret|indexeddb-secret|cookie-secret/
	);

	// Without cookies the worker fetches what any other site could: the preview server serves
	// public files with Access-Control-Allow-Origin: *, and the request carries no cookie.
	const anonymous = cellById(page, 'anonymous');
	await expect(anonymous).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	await expect(anonymous.locator('[data-output="value"]')).toContainText('200');
	expect(cookieHeaders).toEqual([undefined]);
});

test('the isolated worker still gets a WebGPU adapter', async ({ page }) => {
	// Asked for by name, because an automatic choice prefers the CPU to a software adapter.
	await page.goto(
		playgroundPath({
			version: 1,
			title: 'WebGPU probe',
			cells: [{ id: 'sum', code: 'await torch.ones(1000).sum().item()' }],
			inputs: {}
		}).replace('/#', '/?backend=webgpu#')
	);

	await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', 'webgpu', {
		timeout: RUN_TIMEOUT
	});
	const sum = cellById(page, 'sum');
	await expect(sum).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	await expect(sum.locator('[data-output="value"]')).toHaveText('1000');
});
