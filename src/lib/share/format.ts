/**
 * The notebook document: what example files in static/notebooks/ hold, what autosave stores
 * and what a share link encodes. `version` lets old links keep opening after the format changes.
 */

import type { CellSource } from '../worker/api';

export const NOTEBOOK_VERSION = 1;

export interface NotebookDocument {
	version: typeof NOTEBOOK_VERSION;
	title: string;
	cells: CellSource[];
	/** Input values keyed by `${cellId}/${label}`, overriding the defaults written in code. */
	inputs: Record<string, number | string | boolean>;
	/** Per-cell notes shown beside the code (markdown-free plain text). */
	notes?: Record<string, string>;
}
