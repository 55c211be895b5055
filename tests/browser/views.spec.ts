import { readFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { ChartSpec } from '../../src/lib/worker/api';
import { charts, gradHeatMap, logZero } from '../../src/routes/dev/views/specs';

// The views harness (/dev/views) draws fixed chart specs; these tests read the charts the way
// the app's own tests and outside tools do: role="img", aria-label, data-kind, data-values.

const KIND = { plot: 'plot', 'grad-norms': 'grad-norms', landscape: 'landscape' } as const;

/** `data-values` as the test contract spells it, written out here independently of the views. */
function expectedValues(spec: ChartSpec): unknown {
	switch (spec.kind) {
		case 'plot': {
			const series = spec.axes.flatMap((axes) =>
				axes.series.map((s) => ({ label: s.label ?? null, x: s.x, y: s.y }))
			);
			const images = spec.axes.flatMap((axes) => (axes.image ? [axes.image] : []));
			return images.length ? { series, images } : { series };
		}
		case 'grad-norms':
			return {
				layers: spec.layers,
				values: spec.values.length === 1 ? spec.values[0] : spec.values
			};
		case 'landscape':
			return spec.y
				? { x: spec.x, y: spec.y, z: spec.z, path: spec.path }
				: { x: spec.x, z: spec.z, path: spec.path };
	}
}

/** JSON with non-finite numbers written as "NaN", "Infinity", "-Infinity". */
function parseDataValues(text: string | null): unknown {
	expect(text, 'data-values is missing').not.toBeNull();
	return JSON.parse(text!, (_key, v) =>
		v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v
	);
}

function chart(page: Page, id: string): Locator {
	return page.locator(`section[data-spec="${id}"] [role="img"][data-kind]`);
}

async function openHarness(page: Page, query = ''): Promise<string[]> {
	const errors: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	page.on('pageerror', (error) => errors.push(error.message));
	await page.goto(`/dev/views${query}`);
	await expect(chart(page, 'landscape-1d')).toBeVisible();
	return errors;
}

test('every harness chart carries the test contract attributes', async ({ page }) => {
	await openHarness(page);
	for (const spec of charts) {
		const element = chart(page, spec.id);
		await expect(element, spec.id).toHaveCount(1);
		await expect(element, spec.id).toHaveAttribute('data-kind', KIND[spec.kind]);
		await expect(element, spec.id).toHaveAttribute('aria-label', /\w{3,}/);
		const values = parseDataValues(await element.getAttribute('data-values'));
		expect(values, spec.id).toEqual(expectedValues(spec));
	}
});

test('log plot data-values hold the zero as plotted', async ({ page }) => {
	await openHarness(page);
	const values = parseDataValues(await chart(page, 'log-zero').getAttribute('data-values'));
	expect(values).toEqual({
		series: [{ label: null, x: [0, 1, 2, 3, 4], y: [1, 0.1, 0, 0.01, 0.001] }]
	});
	expect(logZero.kind).toBe('plot');
});

test('non-finite norms are written as strings in data-values', async ({ page }) => {
	await openHarness(page);
	const raw = await chart(page, 'grad-heatmap').getAttribute('data-values');
	expect(raw).toContain('"Infinity"');
	expect(raw).not.toContain('null');
});

test('log plot with a zero draws without NaN or console errors', async ({ page }) => {
	const errors = await openHarness(page);

	const badAttributes = await page.evaluate(() => {
		const bad: string[] = [];
		for (const element of document.querySelectorAll('svg, svg *')) {
			for (const attribute of element.attributes) {
				if (attribute.name === 'data-values') continue;
				if (/NaN|Infinity|undefined/.test(attribute.value)) {
					bad.push(`<${element.tagName} ${attribute.name}="${attribute.value}">`);
				}
			}
		}
		return bad;
	});
	expect(badAttributes).toEqual([]);
	expect(errors).toEqual([]);

	// The zero sits on the bottom edge, marked, and the line still reaches the other four points.
	const plot = chart(page, 'log-zero');
	const mark = plot.locator('.edge-mark[data-state="nonpositive"]');
	await expect(mark).toHaveCount(1);
	await expect(mark.locator('title')).toHaveText(/y = 0 /);
	const spine = await plot.locator('.spine').boundingBox();
	const markBox = await mark.boundingBox();
	expect(Math.abs(markBox!.y + markBox!.height / 2 - (spine!.y + spine!.height))).toBeLessThan(2);
	await expect(plot.locator('.marker')).toHaveCount(4);
	await expect(plot.locator('path.line')).toHaveAttribute('d', /^M[^M]+$/);
});

test('log plot y ticks cover 10⁻³ to 10⁰', async ({ page }) => {
	await openHarness(page);
	const labels = await chart(page, 'log-zero').locator('.axis-left .tick-label').allTextContents();
	expect(labels.map((l) => l.trim())).toEqual(['10⁻³', '10⁻²', '10⁻¹', '10⁰']);
});

test('plot with ylim and grid starts at zero with grid lines', async ({ page }) => {
	await openHarness(page);
	const plot = chart(page, 'loss-curves');
	const yLabels = (await plot.locator('.axis-left .tick-label').allTextContents()).map(Number);
	expect(Math.min(...yLabels)).toBe(0);

	const xLabels = await plot.locator('.axis-bottom .tick-label').count();
	await expect(plot.locator('.grid line')).toHaveCount(xLabels + yLabels.length);
	await expect(chart(page, 'log-zero').locator('.grid line')).toHaveCount(0);
});

test('tensor statistics say when they skip non-finite values', async ({ page }) => {
	await openHarness(page);
	const terms = (id: string) =>
		page.locator(`section[data-spec="${id}"] .stats dt`).allTextContents();
	expect(await terms('tensor')).toEqual(['min', 'max', 'mean']);
	expect(await terms('tensor-inf')).toEqual([
		'finite min',
		'finite max',
		'finite mean',
		'±Infinity'
	]);
});

test('heat map draws a zero-norm layer in the zero colour', async ({ page }) => {
	await openHarness(page);
	const heat = chart(page, 'grad-heatmap');
	const steps = (gradHeatMap as Extract<ChartSpec, { kind: 'grad-norms' }>).steps.length;

	const zeroCells = heat.locator('rect.cell[data-state="zero"]');
	await expect(zeroCells).toHaveCount(steps);
	await expect(heat.locator('rect.cell[data-state="zero"][data-layer="5"]')).toHaveCount(steps);

	const fillOf = (locator: Locator) => locator.evaluate((el) => getComputedStyle(el).fill);
	const zeroFill = await fillOf(zeroCells.first());
	const swatchFill = await fillOf(heat.locator('.swatch[data-state="zero"]'));
	const okFill = await fillOf(heat.locator('rect.cell[data-state="ok"]').first());
	expect(zeroFill).toBe(swatchFill);
	expect(zeroFill).not.toBe(okFill);
	await expect(heat.locator('.legend-entry', { hasText: '0 (zero norm)' })).toHaveCount(1);
	await expect(heat.locator('rect.cell[data-state="inf"]')).toHaveCount(1);
});

test('heat map and landscape draw a labelled colour bar', async ({ page }) => {
	await openHarness(page);
	for (const id of ['grad-heatmap', 'landscape-2d']) {
		const bar = chart(page, id).locator('rect.color-bar');
		await expect(bar, id).toHaveCount(1);
		const gradientId = (await bar.getAttribute('fill'))?.match(/^url\(#(.+)\)$/)?.[1];
		expect(gradientId, `${id}: colour bar fill`).toBeTruthy();
		await expect(chart(page, id).locator(`[id="${gradientId}"] stop`), id).toHaveCount(11);
		const labels = await chart(page, id).locator('.axis-right .tick-label').allTextContents();
		expect(labels.length, `${id}: colour bar tick labels`).toBeGreaterThanOrEqual(2);
	}
	await expect(chart(page, 'landscape-2d').locator('.axis-right .axis-label')).toHaveText(/loss/);
});

test('heat map data table shows 0 and Infinity', async ({ page }) => {
	await openHarness(page);
	const table = page.locator('section[data-spec="grad-heatmap"] table');
	const firstRow = table.locator('tbody tr').first();
	// Column 0 is the step; layer 5 is the zero-norm layer.
	await expect(firstRow.locator('th, td').nth(6)).toHaveText('0');
	const overflowRow = table.locator('tbody tr').nth(20);
	await expect(overflowRow.locator('th, td').nth(8)).toHaveText('Infinity');
});

test('single-step norms note what float32 .norm() loses', async ({ page }) => {
	await openHarness(page);
	const section = page.locator('section[data-spec="grad-single"]');
	await expect(
		section.getByText('float32 .norm() gives Infinity for 10 layers; scaled norms shown.')
	).toBeVisible();
	await expect(section.locator('rect.cell[data-layer="3"]')).toHaveAttribute('data-state', 'zero');
	await expect(section.locator('circle.lost')).toHaveCount(11);
});

test('heat map updates in place during training', async ({ page }) => {
	await openHarness(page);
	const heat = chart(page, 'grad-heatmap');
	const svg = await heat.elementHandle();
	const cell = await heat.locator('rect.cell').first().elementHandle();

	await page.getByRole('button', { name: 'Train' }).click();
	await expect(page.getByLabel('Heat map updates')).toHaveText('60');

	expect(await svg!.evaluate((el) => el.isConnected)).toBe(true);
	expect(await cell!.evaluate((el) => el.isConnected)).toBe(true);
	const values = parseDataValues(await heat.getAttribute('data-values')) as { values: number[][] };
	expect(values.values).toHaveLength(90);
});

test('tooltip shows the exact value under the pointer', async ({ page }) => {
	await openHarness(page);
	const marker = chart(page, 'log-zero').locator('.marker').nth(1);
	const box = await marker.boundingBox();
	await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
	await expect(page.locator('section[data-spec="log-zero"] .tooltip')).toHaveText(
		'series 1: x = 1, y = 0.1'
	);
});

test('Data button shows the accessible table', async ({ page }) => {
	await openHarness(page);
	const section = page.locator('section[data-spec="loss-curves"]');
	const wrapper = section.locator('.table');
	const table = wrapper.locator('table').first();
	await expect(table).toHaveCount(1);
	await expect(wrapper).toHaveClass(/visually-hidden/);
	expect((await wrapper.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
	await section.getByRole('button', { name: 'Data' }).click();
	await expect(wrapper).not.toHaveClass(/visually-hidden/);
	expect((await wrapper.boundingBox())?.width ?? 0).toBeGreaterThan(50);
	await expect(table.locator('caption')).toHaveText('plain');
});

test('SVG and PNG exports download standalone files', async ({ page }) => {
	await openHarness(page);
	const section = page.locator('section[data-spec="landscape-2d"]');

	const [svgDownload] = await Promise.all([
		page.waitForEvent('download'),
		section.getByRole('button', { name: 'SVG' }).click()
	]);
	expect(svgDownload.suggestedFilename()).toBe('landscape-2d.svg');
	const svgText = await readFile((await svgDownload.path())!, 'utf8');
	expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
	expect(svgText).not.toContain('var(--');

	const [pngDownload] = await Promise.all([
		page.waitForEvent('download'),
		section.getByRole('button', { name: 'PNG' }).click()
	]);
	const png = await readFile((await pngDownload.path())!);
	expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
	expect(png.length).toBeGreaterThan(5000);
});

test('data-theme="dark" on an ancestor switches the chart colours', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await openHarness(page, '?theme=dark');
	const background = await page
		.locator('section[data-spec="log-zero"] figure')
		.evaluate((el) => getComputedStyle(el).backgroundColor);
	expect(background).toBe('rgb(22, 24, 29)');
});

test('prefers-color-scheme dark applies without a data-theme', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'dark' });
	await openHarness(page);
	const background = await page
		.locator('section[data-spec="log-zero"] figure')
		.evaluate((el) => getComputedStyle(el).backgroundColor);
	expect(background).toBe('rgb(22, 24, 29)');
});
