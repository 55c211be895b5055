/**
 * Notebooks as .json files, for links too long to share and for keeping a copy. The file contains
 * the same document as examples in static/notebooks/, so an example file opens as well.
 */

import { validateNotebook } from './codec';
import type { NotebookDocument } from './format';

/** Files larger than this are rejected before parsing; a notebook a person writes is far smaller. */
export const MAX_NOTEBOOK_FILE_BYTES = 8_000_000;

/** Returns a file name for `title`, such as `post-3-4-deeper-networks.json`. */
export function notebookFileName(title: string): string {
	const slug = title
		.normalize('NFKD')
		// Decomposition splits é into e and a combining accent; dropping the accent keeps the e.
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `${slug || 'notebook'}.json`;
}

/** Returns the file text of `notebook`: the document as indented JSON. */
export function notebookFileText(notebook: NotebookDocument): string {
	return `${JSON.stringify(validateNotebook(notebook), null, '\t')}\n`;
}

export type NotebookFileResult =
	{ ok: true; notebook: NotebookDocument } | { ok: false; message: string };

/** Parses the text of a notebook file; a bad file gives a message naming the file and the problem. */
export function readNotebookFile(name: string, text: string): NotebookFileResult {
	if (text.length > MAX_NOTEBOOK_FILE_BYTES) {
		return {
			ok: false,
			message: `${name} is ${text.length} bytes, over the limit of ${MAX_NOTEBOOK_FILE_BYTES} for a notebook file`
		};
	}

	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		return { ok: false, message: `${name} is not JSON: ${(error as Error).message}` };
	}
	try {
		return { ok: true, notebook: validateNotebook(json) };
	} catch (error) {
		return { ok: false, message: `${name} is not a notebook: ${(error as Error).message}` };
	}
}
