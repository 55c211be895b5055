// Notebooks and links for the share, embed and isolation specs, built with the app's own codec.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { encodeNotebook, validateNotebook } from '../../src/lib/share/codec';
import type { NotebookDocument } from '../../src/lib/share/format';
import { formatFragment, type EmbedOptions } from '../../src/lib/share/fragment';

export const RUN_TIMEOUT = 90_000;

export function example(name: string): NotebookDocument {
	const file = path.resolve('static/notebooks', `${name}.json`);
	return validateNotebook(JSON.parse(readFileSync(file, 'utf8')));
}

/** A fast notebook: a slider and a line plot of the squares below it. */
export const squares: NotebookDocument = {
	version: 1,
	title: 'Squares',
	cells: [
		{
			id: 'controls',
			code: "const points = slider({ label: 'points', min: 2, max: 20, step: 1, value: 5 });"
		},
		{
			id: 'chart',
			code: [
				'const xs = Array.from({ length: points }, (_, i) => i);',
				"plt.plot(xs, xs.map((x) => x * x), { label: 'squares' });",
				'plt.show();'
			].join('\n')
		}
	],
	inputs: {}
};

/**
 * post 3.4's notebook grown past 30 KB by a cell of comments, so its link is long: about 12,000
 * characters once compressed, past the 8,000 that some chat tools keep.
 */
export function largeNotebook(): NotebookDocument {
	const notebook = example('post-3-4');
	const lines: string[] = [];
	for (let i = 0; lines.join('\n').length < 30_000; i++) {
		// Varied text, so that deflate cannot shrink it to nothing.
		lines.push(`// note ${i}: step ${(i * 7919) % 1000} gave loss ${Math.sin(i).toFixed(6)}`);
	}
	return {
		...notebook,
		title: 'A long notebook',
		cells: [...notebook.cells, { id: 'notes', code: lines.join('\n') }]
	};
}

/** Returns the playground link of `notebook`, relative to the app's root. */
export function playgroundPath(notebook: NotebookDocument): string {
	return `/#${formatFragment(encodeNotebook(notebook))}`;
}

/** Returns the `/embed` link of `notebook`, relative to the app's root. */
export function embedPath(notebook: NotebookDocument, options: Partial<EmbedOptions> = {}): string {
	return `/embed#${formatFragment(encodeNotebook(notebook), options)}`;
}

/** A page, a frame or an element, anything that cells can be looked up in. */
type Scope = Page | FrameLocator | Locator;

export function cellById(scope: Scope, id: string): Locator {
	return scope.locator(`[data-cell-id="${id}"]`);
}

/** Waits until every cell element in `scope` reports 'done'. */
export async function waitForAllDone(scope: Scope): Promise<void> {
	const cells = scope.locator('[data-cell-id]');
	await expect(cells.first()).toBeVisible({ timeout: RUN_TIMEOUT });
	for (const cell of await cells.all()) {
		await expect(cell).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT });
	}
}

/** Reads every localStorage entry of the page's origin, to check that nothing changed. */
export function storageEntries(page: Page): Promise<Record<string, string>> {
	return page.evaluate(() => {
		const entries: Record<string, string> = {};
		for (let i = 0; i < localStorage.length; i++) {
			const key = localStorage.key(i)!;
			entries[key] = localStorage.getItem(key)!;
		}
		return entries;
	});
}
