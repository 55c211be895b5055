import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	chromium,
	expect,
	test,
	type Browser,
	type FrameLocator,
	type Page
} from '@playwright/test';
import { chromiumArgs } from '../../playwright.config';
import { EMBED_SANDBOX, embedSnippet } from '../../src/lib/share/embed-snippet';
import type { EmbedOptions } from '../../src/lib/share/fragment';
import { RUN_TIMEOUT, cellById, embedPath, squares, waitForAllDone } from './share-notebooks';

// /embed inside a blog-like page on another site: blog.test resolves to 127.0.0.1, so the
// parent (http://blog.test:<port>/) and the embed (http://127.0.0.1:<app port>/embed) are
// different sites, with the browser's cross-site rules for frames, storage and messages.

const launchOptions = {
	executablePath: '/usr/bin/chromium',
	args: [...chromiumArgs, '--host-resolver-rules=MAP blog.test 127.0.0.1']
};
test.use({ launchOptions });

/**
 * Launches Chromium with third-party storage partitioning on, as browsers ship it. Playwright
 * turns the feature off in its default --disable-features switch, and a cross-site frame then
 * gets no localStorage at all. The switch is read from chrome://version, so this follows
 * whatever list the installed Playwright passes.
 */
async function launchWithPartitionedStorage(): Promise<Browser> {
	const probe = await chromium.launch(launchOptions);
	const page = await probe.newPage();
	await page.goto('chrome://version');
	const commandLine = await page.locator('#command_line').innerText();
	await probe.close();

	const defaults = commandLine.split(/\s+/).find((arg) => arg.startsWith('--disable-features='));
	if (!defaults) return chromium.launch(launchOptions);
	const kept = defaults
		.slice('--disable-features='.length)
		.split(',')
		.filter((feature) => feature !== 'ThirdPartyStoragePartitioning');
	return chromium.launch({
		...launchOptions,
		args: [...launchOptions.args, `--disable-features=${kept.join(',')}`],
		ignoreDefaultArgs: [defaults]
	});
}

/** Pages the blog server serves, by path; each test puts its own page here. */
const blogPages = new Map<string, string>();
let blog: Server;
let blogOrigin: string;

test.beforeAll(async () => {
	blog = createServer((request, response) => {
		const body = blogPages.get(new URL(request.url ?? '/', 'http://blog.test').pathname);
		response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
		response.end(body ?? 'not found');
	});
	await new Promise<void>((resolve) => blog.listen(0, '127.0.0.1', resolve));
	blogOrigin = `http://blog.test:${(blog.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
	await new Promise((resolve) => blog.close(resolve));
});

/**
 * Serves a blog post that embeds `frame` (the iframe's HTML) and records every message the
 * page receives in `window.received`, then opens it.
 */
async function openBlogPost(page: Page, frame: string, name = 'post'): Promise<FrameLocator> {
	blogPages.set(
		`/${name}`,
		`<!doctype html><html><head><title>A blog post</title></head><body>
		<script>window.received = []; addEventListener('message', (e) => received.push(e.data));</script>
		<h1>Deeper networks</h1><p>Drag the slider below.</p>
		${frame}
		<p>The end.</p></body></html>`
	);
	await page.goto(`${blogOrigin}/${name}`);
	return page.frameLocator('iframe');
}

function appOrigin(): string {
	return test.info().project.use.baseURL!;
}

/** Returns the embed code that the playground's Embed dialog gives for `options`. */
function snippetFor(options: Partial<EmbedOptions> = {}): string {
	return embedSnippet({
		src: `${appOrigin()}${embedPath(squares, options)}`,
		title: squares.title,
		resizeScript: `${appOrigin()}/embed-resize.js`
	});
}

test('recommended embed code draws the chart and resizes the frame', async ({ page }) => {
	const snippet = snippetFor();
	expect(snippet).toContain(`sandbox="${EMBED_SANDBOX.join(' ')}"`);
	expect(snippet).toMatch(/title="Squares \(Gradient Playground\)"/);
	const frame = await openBlogPost(page, snippet);

	const chart = cellById(frame, 'chart').locator('[data-kind="plot"]');
	await expect(chart).toBeVisible({ timeout: RUN_TIMEOUT });
	await expect(frame.getByRole('slider', { name: 'points', exact: true })).toHaveValue('5');

	// The embed reports its content height, and embed-resize.js applies it to this iframe.
	await expect
		.poll(() => page.evaluate(() => (window as never as { received: unknown[] }).received), {
			timeout: RUN_TIMEOUT
		})
		.toContainEqual({ height: expect.any(Number) });
	const heights = await page.evaluate(() =>
		(window as never as { received: { height?: number }[] }).received.flatMap((m) =>
			typeof m?.height === 'number' ? [m.height] : []
		)
	);
	const last = heights.at(-1)!;
	expect(last).toBeGreaterThan(150);
	expect(last).toBeLessThan(2000);
	await expect(page.locator('iframe')).toHaveCSS('height', `${last}px`);
	const contentHeight = await frame
		.locator('html')
		.evaluate((html) => Math.ceil(html.getBoundingClientRect().height));
	expect(contentHeight).toBe(last);
});

test('resize script ignores height messages from other windows', async ({ page }) => {
	const frame = await openBlogPost(page, snippetFor());
	await expect(cellById(frame, 'chart').locator('[data-kind="plot"]')).toBeVisible({
		timeout: RUN_TIMEOUT
	});
	const iframe = page.locator('iframe');
	const before = await iframe.evaluate((element) => element.style.height);

	// The page itself, not the frame, posts a height: embed-resize.js must not apply it.
	await page.evaluate(() => window.postMessage({ height: 7 }, '*'));
	await expect
		.poll(() => page.evaluate(() => (window as never as { received: unknown[] }).received))
		.toContainEqual({ height: 7 });

	expect(await iframe.evaluate((element) => element.style.height)).toBe(before);
});

test('sandbox without allow-same-origin shows why it cannot run', async ({ page }) => {
	const src = `${appOrigin()}${embedPath(squares)}`;
	const frame = await openBlogPost(
		page,
		`<iframe sandbox="allow-scripts" src="${src}" title="Squares" style="width: 100%; height: 300px"></iframe>`
	);

	const message = frame.getByRole('alert');
	await expect(message).toContainText('This notebook cannot run in this frame.', { timeout: 5000 });
	await expect(message).toContainText('allow-same-origin');
	await expect(
		message.getByRole('link', { name: 'Open the notebook in a new tab' })
	).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:\d+\/#nb=v1\./);
	// Where the server's CORS headers let the app's scripts load anyway, the app must not draw
	// a notebook that cannot run above the message.
	await expect(frame.locator('[data-cell-id]')).toHaveCount(0);
	await expect(frame.getByRole('button', { name: 'Run' })).toHaveCount(0);
});

test('blocked storage: the embed runs and says edits will not be kept', async ({ page }) => {
	await page.addInitScript(() => {
		Object.defineProperty(window, 'localStorage', {
			get() {
				throw new DOMException('The operation is insecure.', 'SecurityError');
			}
		});
	});
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));

	const frame = await openBlogPost(page, snippetFor());

	await expect(cellById(frame, 'chart').locator('[data-kind="plot"]')).toBeVisible({
		timeout: RUN_TIMEOUT
	});
	await expect(frame.getByText('Edits will not be kept')).toBeVisible();
	// The init script ran in the frame too: the frame's own storage really was blocked.
	expect(
		await frame.locator('html').evaluate(() => {
			try {
				return typeof localStorage;
			} catch (error) {
				return (error as Error).name;
			}
		})
	).toBe('SecurityError');
	expect(errors).toEqual([]);
});

test('partitioned storage keeps embed edits across a parent reload', async () => {
	const browser = await launchWithPartitionedStorage();
	const page = await browser.newPage();
	try {
		const frame = await openBlogPost(page, snippetFor(), 'storage');
		await waitForAllDone(frame);
		await expect(frame.getByText('Edits will not be kept')).toHaveCount(0);

		// Monaco loads on demand: the first click on the code starts it.
		const chart = cellById(frame, 'chart');
		await chart.locator('.cell-code').click();
		await expect(chart.locator('.monaco-editor.focused')).toBeVisible({ timeout: RUN_TIMEOUT });
		await page.keyboard.press('Control+End');
		await page.keyboard.press('Enter');
		await page.keyboard.type('// edited inside the blog post');
		await page.keyboard.press('Escape');
		// The autosave writes 300 ms after the last keystroke.
		await page.waitForTimeout(1000);

		await page.reload();

		const reloaded = page.frameLocator('iframe');
		await expect(cellById(reloaded, 'chart').locator('.cell-code')).toContainText(
			'// edited inside the blog post',
			{ timeout: RUN_TIMEOUT }
		);
		await expect(reloaded.getByText('Showing your edits saved in this browser.')).toBeVisible();
	} finally {
		await browser.close();
	}
});

test('Open in playground carries the edited notebook in the fragment', async ({ page }) => {
	const frame = await openBlogPost(page, snippetFor());
	await waitForAllDone(frame);
	const slider = frame.getByRole('slider', { name: 'points', exact: true });
	await slider.focus();
	await page.keyboard.press('ArrowRight');
	await expect(slider).toHaveValue('6');

	const [playground] = await Promise.all([
		page.context().waitForEvent('page'),
		frame.getByRole('link', { name: 'Open in playground' }).click()
	]);

	const url = new URL(playground.url());
	expect(url.origin).toBe(appOrigin());
	expect(url.pathname).toBe('/');
	expect(url.search).toBe('');
	expect(url.hash).toMatch(/^#nb=v1\./);
	await expect(playground.getByRole('heading', { level: 1 })).toHaveText('Squares');
	await expect(playground.getByRole('slider', { name: 'points', exact: true })).toHaveValue('6', {
		timeout: RUN_TIMEOUT
	});
});

test('read-only embed of one chart loads no editor', async ({ page }) => {
	const scripts: { url: string; bytes: number }[] = [];
	page.on('response', async (response) => {
		const type = response.request().resourceType();
		if (type !== 'script' || !response.url().startsWith(appOrigin())) return;
		scripts.push({ url: response.url(), bytes: (await response.body()).length });
	});

	const frame = await openBlogPost(
		page,
		snippetFor({ cells: ['chart'], code: 'hidden', edit: 'readonly', theme: 'dark' })
	);

	await expect(frame.locator('[data-kind="plot"]')).toBeVisible({ timeout: RUN_TIMEOUT });
	await expect(frame.locator('[data-cell-id]')).toHaveCount(1);
	await expect(frame.locator('.cell-code')).toHaveCount(0);
	await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
	// The page's dark --bg, #121317, whatever the system prefers.
	await expect(frame.locator('html')).toHaveCSS('background-color', 'rgb(18, 19, 23)');

	const urls = scripts.map((script) => script.url);
	expect(urls.filter((url) => /monaco|editor\.worker|ts\.worker/.test(url))).toEqual([]);
	const total = scripts.reduce((sum, script) => sum + script.bytes, 0);
	// Monaco alone is over 4 MB; the embed's own scripts measured about 270 kB.
	expect(total).toBeLessThan(600_000);
});

test('run=click waits for Run', async ({ page }) => {
	const frame = await openBlogPost(page, snippetFor({ run: 'click' }));

	await expect(frame.getByText('This notebook has not run yet.')).toBeVisible();
	await expect(cellById(frame, 'chart')).toHaveAttribute('data-run-count', '0');
	await frame.getByRole('button', { name: 'Run', exact: true }).first().click();

	await expect(cellById(frame, 'chart').locator('[data-kind="plot"]')).toBeVisible({
		timeout: RUN_TIMEOUT
	});
	await expect(frame.getByText('This notebook has not run yet.')).toHaveCount(0);
});

test('collapsible code opens on request', async ({ page }) => {
	const frame = await openBlogPost(page, snippetFor({ code: 'collapsible' }));
	const chart = cellById(frame, 'chart');
	await expect(chart.locator('[data-kind="plot"]')).toBeVisible({ timeout: RUN_TIMEOUT });
	await expect(chart.locator('.cell-code')).toHaveCount(0);

	await chart.getByRole('button', { name: 'Show code' }).click();

	await expect(chart.locator('.cell-code')).toContainText('plt.plot');
	await expect(chart.getByRole('button', { name: 'Hide code' })).toHaveAttribute(
		'aria-expanded',
		'true'
	);
});

test.describe('on a touch screen', () => {
	test.use({ hasTouch: true, isMobile: true });

	test('code is read-only and highlighted, the slider stays live', async ({ page }) => {
		const frame = await openBlogPost(page, snippetFor());
		await waitForAllDone(frame);
		const chart = cellById(frame, 'chart');
		const before = Number(await chart.getAttribute('data-run-count'));

		const code = chart.locator('.cell-code');
		await expect(code.locator('.token.keyword').first()).toHaveText('const');
		await code.tap();
		await page.waitForTimeout(500);
		await expect(frame.locator('.monaco-editor')).toHaveCount(0);

		const slider = frame.getByRole('slider', { name: 'points', exact: true });
		await slider.focus();
		await page.keyboard.press('ArrowRight');
		await expect(chart).toHaveAttribute('data-run-count', String(before + 1), {
			timeout: RUN_TIMEOUT
		});
		const values = JSON.parse(
			(await chart.locator('[data-kind="plot"]').getAttribute('data-values')) ?? '{}'
		);
		expect(values.series[0].x).toHaveLength(6);
	});
});
