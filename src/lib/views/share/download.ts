/** Saves a notebook as a .json file through the browser's download prompt. */

import type { NotebookDocument } from '$lib/share/format';
import { notebookFileName, notebookFileText } from '$lib/share/notebook-file';

export function downloadNotebook(notebook: NotebookDocument): void {
	const blob = new Blob([notebookFileText(notebook)], { type: 'application/json' });
	const url = URL.createObjectURL(blob);
	const anchor = document.createElement('a');
	anchor.href = url;
	anchor.download = notebookFileName(notebook.title);
	anchor.click();
	// The download has started by the time the click returns; the URL is no longer needed.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Copies `text`; returns null on success, or why the clipboard refused it. */
export async function copyText(text: string): Promise<string | null> {
	try {
		await navigator.clipboard.writeText(text);
		return null;
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}
