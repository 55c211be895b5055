import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

// The default notebook at `/` is post 3.4; its charts must draw PyTorch's own numbers.

type Golden = number | 'Infinity' | '-Infinity' | 'NaN';

interface Experiment {
	id: string;
	per_layer_weight_grad_norm: Golden[];
	checks: {
		per_layer_weight_grad_norm_float64: number[];
		suggested_tolerance: { per_layer_norm_rtol: number | null };
	};
}

const golden = JSON.parse(readFileSync('tests/fixtures/golden/seed-experiments.json', 'utf8')) as {
	experiments: Experiment[];
};

function experiment(id: string): Experiment {
	const found = golden.experiments.find((e) => e.id === id);
	if (!found) throw new Error(`golden experiment ${id} is missing`);
	return found;
}

/** Decodes a golden number: non-finite values are written as strings. */
function toNumber(value: Golden | string): number {
	if (typeof value === 'number') return value;
	if (value === 'NaN') return NaN;
	return value === 'Infinity' ? Infinity : -Infinity;
}

/** Reads the numbers a grad-norms chart draws, from its `data-values` attribute. */
async function chartNorms(page: Page, cell: string): Promise<number[]> {
	const chart = page.locator(`[data-cell-id="${cell}"] [data-kind="grad-norms"]`).first();
	await expect(chart).toBeVisible({ timeout: 90_000 });
	// The chart redraws on the next frame after the cell reports done, so once in a while the
	// first read still finds it empty.
	let values: (number | string)[] | (number | string)[][] = [];
	await expect
		.poll(async () => {
			values = JSON.parse((await chart.getAttribute('data-values')) ?? '{}').values ?? [];
			return values.length;
		})
		.toBeGreaterThan(0);
	const lastStep = Array.isArray(values[0]) ? (values.at(-1) as (number | string)[]) : values;
	return (lastStep as (number | string)[]).map(toNumber);
}

function expectClose(actual: number[], expected: number[], rtol: number, label: string) {
	expect(actual.length, `${label}: number of layers`).toBe(expected.length);
	actual.forEach((value, layer) => {
		const error = Math.abs(value - expected[layer]);
		expect(
			error <= rtol * Math.abs(expected[layer]),
			`${label}: layer ${layer} is ${value}, PyTorch gives ${expected[layer]} (rtol ${rtol})`
		).toBe(true);
	});
}

async function waitForCell(page: Page, cell: string) {
	await expect(page.locator(`[data-cell-id="${cell}"]`)).toHaveAttribute('data-state', 'done', {
		timeout: 90_000
	});
}

for (const backend of ['cpu', 'webgpu']) {
	test.describe(`post 3.4 on ${backend}`, () => {
		test('first chart equals PyTorch deep_sigmoid norms', async ({ page }) => {
			await page.goto(`/?backend=${backend}`);
			await waitForCell(page, 'vanishing');
			// The page must really run on the pinned backend, never fall back silently.
			await expect(page.locator('.backend-status')).toHaveAttribute('data-backend', backend);

			const reference = experiment('deep_sigmoid');
			const norms = await chartNorms(page, 'vanishing');
			const rtol = reference.checks.suggested_tolerance.per_layer_norm_rtol ?? 1e-5;
			expectClose(norms, reference.per_layer_weight_grad_norm.map(toNumber), rtol, backend);
		});

		test('exploding chart shows true norms near 1e34', async ({ page }) => {
			await page.goto(`/?backend=${backend}`);
			await waitForCell(page, 'exploding');

			const reference = experiment('exploding');
			expect(reference.per_layer_weight_grad_norm.every((v) => v === 'Infinity')).toBe(true);
			const norms = await chartNorms(page, 'exploding');
			expectClose(norms, reference.checks.per_layer_weight_grad_norm_float64, 1e-4, backend);
		});
	});
}

test('depth slider redraws with 10 layers and spares other cells', async ({ page }) => {
	await page.goto('/?backend=cpu');
	await waitForCell(page, 'compare');
	const runCount = (cell: string) =>
		page.locator(`[data-cell-id="${cell}"]`).getAttribute('data-run-count');
	const helpersRuns = await runCount('helpers');
	const blockRuns = await runCount('residual-block');

	const slider = page.getByRole('slider', { name: 'depth', exact: true });
	await slider.fill('10');

	await expect
		.poll(async () => (await chartNorms(page, 'vanishing')).length, { timeout: 90_000 })
		.toBe(10);
	await waitForCell(page, 'compare');
	expect(await runCount('helpers')).toBe(helpersRuns);
	expect(await runCount('residual-block')).toBe(blockRuns);
});
