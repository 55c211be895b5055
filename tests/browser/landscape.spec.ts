import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

// The linear-regression example draws the exact MSE surface over (w, b) and the descent path;
// batch-vs-sgd draws two labelled paths on one such surface.

const RUN_TIMEOUT = 90_000;

/** Training steps of each run in the batch-vs-sgd example, read from the notebook itself. */
const BATCH_VS_SGD_STEPS = Number(
	/const steps = (\d+);/.exec(readFileSync('static/notebooks/batch-vs-sgd.json', 'utf8'))![1]
);

interface LandscapeValues {
	x: number[];
	y: number[];
	z: (number | string)[][];
	path: [number, number][];
	paths?: { label: string; points: [number, number][] }[];
}

function landscapeIn(page: Page, cell: string): Locator {
	return page.locator(`[data-cell-id="${cell}"] [data-kind="landscape"]`).first();
}

async function readValues(chart: Locator): Promise<LandscapeValues> {
	return JSON.parse((await chart.getAttribute('data-values')) ?? '{}') as LandscapeValues;
}

async function openExample(page: Page) {
	await page.goto('/?example=linear-regression&backend=cpu');
	await expect(page.locator('[data-cell-id="descent"]')).toHaveAttribute('data-state', 'done', {
		timeout: RUN_TIMEOUT
	});
}

test('linear-regression draws the surface grid in the contract format', async ({ page }) => {
	await openExample(page);
	const chart = landscapeIn(page, 'descent');
	await expect(chart).toHaveAttribute('role', 'img');
	await expect(chart).toHaveAttribute('aria-label', /Loss landscape/);

	const values = await readValues(chart);
	expect(values.x).toHaveLength(41);
	expect(values.y).toHaveLength(41);
	expect(values.z).toHaveLength(41);
	for (const row of values.z) {
		expect(row).toHaveLength(41);
		expect(row.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
	}
	const ascending = (axis: number[]) => axis.every((v, i) => i === 0 || v > axis[i - 1]);
	expect(ascending(values.x)).toBe(true);
	expect(ascending(values.y)).toBe(true);

	// The path starts where the cell puts the model, w = -1 and b = -2, with one point per step.
	const steps = Number(await page.getByRole('slider', { name: 'steps', exact: true }).inputValue());
	expect(values.path).toHaveLength(steps + 1);
	expect(values.path[0][0]).toBeCloseTo(-1, 5);
	expect(values.path[0][1]).toBeCloseTo(-2, 5);
});

test('linear-regression path grows while the loop runs', async ({ page }) => {
	await openExample(page);
	const descent = page.locator('[data-cell-id="descent"]');
	const before = Number(await descent.getAttribute('data-run-count'));

	// Record the path length of every chart update from now on.
	await page.evaluate(() => {
		const seen: number[] = [];
		(window as unknown as { pathLengths: number[] }).pathLengths = seen;
		const cell = document.querySelector('[data-cell-id="descent"]')!;
		const read = () => {
			const chart = cell.querySelector('[data-kind="landscape"]');
			const values = chart?.getAttribute('data-values');
			if (values) seen.push((JSON.parse(values) as { path: unknown[] }).path.length);
		};
		new MutationObserver(read).observe(cell, {
			subtree: true,
			childList: true,
			attributes: true,
			attributeFilter: ['data-values']
		});
	});

	const steps = page.getByRole('slider', { name: 'steps', exact: true });
	await steps.focus();
	await page.keyboard.press('End');
	const max = Number(await steps.getAttribute('max'));
	await expect(steps).toHaveValue(String(max));
	await expect(descent).toHaveAttribute('data-run-count', String(before + 1), {
		timeout: RUN_TIMEOUT
	});
	await expect(descent).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });

	const chart = landscapeIn(page, 'descent');
	await expect
		.poll(async () => (await readValues(chart)).path.length, { timeout: 10_000 })
		.toBe(max + 1);
	const lengths = await page.evaluate(
		() => (window as unknown as { pathLengths: number[] }).pathLengths
	);
	const partial = lengths.filter((n) => n > 1 && n < max + 1);
	expect(partial.length, `path lengths seen: ${lengths.join(', ')}`).toBeGreaterThan(0);
});

test('linear-regression chart shows w, b and the loss on hover', async ({ page }) => {
	await openExample(page);
	const chart = landscapeIn(page, 'descent');
	await chart.scrollIntoViewIfNeeded();
	const box = (await chart.boundingBox())!;
	// A point inside the plot area, left of the colour bar and above the x axis.
	await chart.hover({ position: { x: box.width * 0.4, y: box.height * 0.4 } });
	const tooltip = page.locator('[data-cell-id="descent"] .tooltip');
	await expect(tooltip).toContainText(/^\(-?[\d.]+, -?[\d.]+\): loss [\d.]+/);
});

test('batch-vs-sgd draws both runs as labelled paths on one surface', async ({ page }) => {
	await page.goto('/?example=batch-vs-sgd&backend=cpu');
	await expect(page.locator('[data-cell-id="descent"]')).toHaveAttribute('data-state', 'done', {
		timeout: RUN_TIMEOUT
	});
	const chart = landscapeIn(page, 'descent');
	const values = await readValues(chart);
	const [batch, sgd] = values.paths ?? [];
	expect(values.paths?.map((p) => p.label)).toEqual(['batch', 'stochastic']);
	expect(batch.points).toHaveLength(BATCH_VS_SGD_STEPS + 1);
	expect(sgd.points).toHaveLength(batch.points.length);
	expect(sgd.points[0]).toEqual(batch.points[0]);
	expect(sgd.points.at(-1)).not.toEqual(batch.points.at(-1));

	await expect(chart.locator('.named-path')).toHaveCount(2);
	await expect(chart.locator('.legend-label')).toHaveText(['batch', 'stochastic']);
});

test('batch-vs-sgd paths grow together while training runs', async ({ page }) => {
	await page.goto('/?example=batch-vs-sgd&backend=cpu');
	const descent = page.locator('[data-cell-id="descent"]');
	await expect(descent).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	const before = Number(await descent.getAttribute('data-run-count'));

	// From now on, note the cell's state and both path lengths at every chart update.
	await page.evaluate(() => {
		const samples: { state: string; lengths: number[] }[] = [];
		(window as unknown as { pathSamples: typeof samples }).pathSamples = samples;
		const cell = document.querySelector('[data-cell-id="descent"]')!;
		const read = () => {
			const values = cell.querySelector('[data-kind="landscape"]')?.getAttribute('data-values');
			if (!values) return;
			const paths = (JSON.parse(values) as LandscapeValues).paths ?? [];
			const lengths = paths.map((p) => p.points.length);
			samples.push({ state: cell.getAttribute('data-state') ?? '', lengths });
		};
		new MutationObserver(read).observe(cell, {
			subtree: true,
			childList: true,
			attributes: true,
			attributeFilter: ['data-values']
		});
	});

	// A new learning rate reruns the training cell.
	const lr = page.getByRole('slider', { name: 'learning rate', exact: true });
	await lr.focus();
	await page.keyboard.press('ArrowRight');
	await expect(descent).toHaveAttribute('data-run-count', String(before + 1), {
		timeout: RUN_TIMEOUT
	});
	await expect(descent).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	const chart = landscapeIn(page, 'descent');
	await expect
		.poll(async () => (await readValues(chart)).paths?.map((p) => p.points.length), {
			timeout: 10_000
		})
		.toEqual([BATCH_VS_SGD_STEPS + 1, BATCH_VS_SGD_STEPS + 1]);

	const samples = await page.evaluate(
		() => (window as unknown as { pathSamples: { state: string; lengths: number[] }[] }).pathSamples
	);
	const described = samples.map((s) => `${s.state}:${s.lengths.join('/')}`).join(', ');
	// Charts sent while the cell ran, with both paths started and the batch path not finished.
	const partial = samples.filter(
		({ state, lengths: [b = 0, s = 0] }) =>
			state === 'running' && s > 1 && b < BATCH_VS_SGD_STEPS + 1
	);
	expect(new Set(partial.map((s) => s.lengths[0])).size, described).toBeGreaterThan(1);
	// The runs step in turn: the batch path is never more than one point ahead.
	for (const {
		lengths: [b = 0, s = 0]
	} of samples) {
		expect(b - s, described).toBeGreaterThanOrEqual(0);
		expect(b - s, described).toBeLessThanOrEqual(1);
	}
});

test('linear-regression writes level values on the contours', async ({ page }) => {
	await openExample(page);
	const chart = landscapeIn(page, 'descent');
	const labels = chart.locator('.contour-label');
	expect(await labels.count()).toBeGreaterThan(0);

	const z = (await readValues(chart)).z.flat().filter((v): v is number => typeof v === 'number');
	for (const text of await labels.allTextContents()) {
		const value = Number(text);
		expect(Number.isFinite(value), `label "${text}"`).toBe(true);
		expect(value).toBeGreaterThanOrEqual(Math.min(...z));
		expect(value).toBeLessThanOrEqual(Math.max(...z));
	}
	const attributes = await chart
		.locator('svg *')
		.evaluateAll((nodes) => nodes.flatMap((n) => [...n.attributes].map((a) => a.value)));
	expect(attributes.filter((v) => /NaN/.test(v))).toEqual([]);
});

test('loss-landscape redraws when the span slider moves', async ({ page }) => {
	await page.goto('/?example=loss-landscape&backend=cpu');
	for (const cell of ['random', 'pca']) {
		await expect(page.locator(`[data-cell-id="${cell}"]`)).toHaveAttribute('data-state', 'done', {
			timeout: RUN_TIMEOUT
		});
	}
	const random = landscapeIn(page, 'random');
	const before = await readValues(random);
	expect(before.x[0]).toBeCloseTo(-1, 6);
	expect((await readValues(landscapeIn(page, 'pca'))).path.length).toBeGreaterThan(2);

	const span = page.getByRole('slider', { name: 'span', exact: true });
	await span.focus();
	await page.keyboard.press('ArrowRight');
	const after = Number(await span.inputValue());
	expect(after).toBeGreaterThan(1);
	await expect
		.poll(async () => (await readValues(random)).x.at(-1), { timeout: RUN_TIMEOUT })
		.toBeCloseTo(after, 6);
});
