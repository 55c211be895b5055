import { describe, expect, test } from 'vitest';
import { encodeNotebook } from '../../../src/lib/share/codec';
import type { NotebookDocument } from '../../../src/lib/share/format';
import { linkAutosaveName } from '../../../src/lib/share/link';
import { RECOVERED_TITLE, openLinkedNotebook } from '../../../src/lib/share/open';

const notebook: NotebookDocument = {
	version: 1,
	title: 'Loss curve',
	cells: [
		{ id: 'data', code: 'const xs = [1, 2, 3];' },
		{ id: 'plot', code: 'plt.plot(xs, xs); plt.show();' }
	],
	inputs: {}
};
const payload = encodeNotebook(notebook);

describe('openLinkedNotebook', () => {
	test('openLinkedNotebook() in the playground offers a saved copy', () => {
		const opened = openLinkedNotebook(payload, 'link');
		expect(opened.damage).toBeNull();
		expect(opened.session).toEqual({
			name: linkAutosaveName('link', payload),
			original: notebook,
			saved: 'offer'
		});
	});

	test('openLinkedNotebook() in an embed applies a saved copy under its own name', () => {
		const opened = openLinkedNotebook(payload, 'embed');
		expect(opened.session.saved).toBe('apply');
		expect(opened.session.name).toBe(linkAutosaveName('embed', payload));
	});

	test('openLinkedNotebook() opens the recovered cells of a damaged link', () => {
		const cut = payload.slice(0, payload.length - 4);
		const opened = openLinkedNotebook(cut, 'link');

		expect(opened.damage).toMatch(/^This share link is damaged: /);
		expect(opened.session.name).toBe(linkAutosaveName('damaged', cut));
		expect(opened.session.original.title).toBe(RECOVERED_TITLE);
		expect(notebook.cells.slice(0, opened.session.original.cells.length)).toEqual(
			opened.session.original.cells
		);
		expect(opened.session.saved).toBe('offer');
	});

	test('openLinkedNotebook() gives one empty cell when nothing is recovered', () => {
		const opened = openLinkedNotebook('v1.AAAA', 'embed');
		expect(opened.damage).toContain('No cells could be recovered');
		expect(opened.session.original.cells).toEqual([{ id: 'cell-1', code: '' }]);
	});
});
