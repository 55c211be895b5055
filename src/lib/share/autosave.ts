/**
 * Local autosave: the notebook being edited goes to localStorage as it is typed, one entry per
 * notebook, so that while storage works a reload, a worker restart or a crash loses no edit.
 *
 * Storage may be missing or throw: a browser that blocks site data throws a SecurityError from
 * the `localStorage` getter itself, and a full quota throws from `setItem`. Nothing here throws
 * then. `Autosave.available` turns false and `onUnavailable` fires once, so the page can say
 * that edits will not be kept.
 */

import { NOTEBOOK_VERSION, type NotebookDocument } from './format';

const KEY_PREFIX = 'gradient-playground:autosave:';

/** Delay between the last keystroke and the write, in milliseconds. */
export const AUTOSAVE_DELAY_MS = 300;

/** One stored entry: the document and when it was written (ms since the epoch). */
export interface SavedNotebook {
	savedAt: number;
	document: NotebookDocument;
}

export interface AutosaveOptions {
	/** Storage to write to: `undefined` opens `localStorage`, `null` means none is available. */
	storage?: Storage | null;
	delayMs?: number;
	now?: () => number;
	/** Called once, with the reason, when storage is missing or a write fails. */
	onUnavailable?: (reason: string) => void;
}

/** Returns the storage key of a notebook, for example the name of an example notebook. */
export function autosaveKey(notebook: string): string {
	return KEY_PREFIX + notebook;
}

/**
 * Returns `localStorage` when it can be read and written, or the reason it cannot. Reading the
 * property can throw (blocked site data), and some browsers allow reads but throw on writes.
 */
export function openStorage(): { storage: Storage } | { storage: null; reason: string } {
	try {
		const storage = globalThis.localStorage;
		if (!storage) return { storage: null, reason: 'this browser has no localStorage' };

		const probe = KEY_PREFIX + 'probe';
		storage.setItem(probe, '1');
		storage.removeItem(probe);
		return { storage };
	} catch (error) {
		return { storage: null, reason: describeError(error) };
	}
}

/** Parses a stored entry; returns null for anything that is not a valid saved notebook. */
export function parseSaved(text: string | null): SavedNotebook | null {
	if (text === null) return null;

	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return null;
	}
	if (!isRecord(value) || typeof value.savedAt !== 'number') return null;
	return isNotebookDocument(value.document)
		? { savedAt: value.savedAt, document: value.document }
		: null;
}

/** A debounced writer for one notebook's entry. */
export class Autosave {
	readonly key: string;
	#storage: Storage | null;
	#delayMs: number;
	#now: () => number;
	#onUnavailable: (reason: string) => void;
	#unavailableReason: string | null = null;
	#pending: NotebookDocument | null = null;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(notebook: string, options: AutosaveOptions = {}) {
		this.key = autosaveKey(notebook);
		this.#delayMs = options.delayMs ?? AUTOSAVE_DELAY_MS;
		this.#now = options.now ?? Date.now;
		this.#onUnavailable = options.onUnavailable ?? (() => {});

		if (options.storage === undefined) {
			const opened = openStorage();
			this.#storage = opened.storage;
			if (opened.storage === null) this.#markUnavailable(opened.reason);
		} else {
			this.#storage = options.storage;
			if (options.storage === null) this.#markUnavailable('no storage was given');
		}
	}

	/** False once storage turned out missing or a write failed; edits are then not kept. */
	get available(): boolean {
		return this.#unavailableReason === null;
	}

	/** Reason edits are not kept, or null while they are. */
	get unavailableReason(): string | null {
		return this.#unavailableReason;
	}

	/** Returns the saved entry of this notebook, or null when there is none or it is unreadable. */
	load(): SavedNotebook | null {
		if (!this.#storage) return null;
		try {
			return parseSaved(this.#storage.getItem(this.key));
		} catch (error) {
			this.#markUnavailable(describeError(error));
			return null;
		}
	}

	/** Saves `document` after the debounce delay; a later call within the delay replaces it. */
	schedule(document: NotebookDocument): void {
		this.#pending = document;
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => this.flush(), this.#delayMs);
	}

	/** Writes the pending document now (call it when the page is hidden or unloads). */
	flush(): void {
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = null;

		const document = this.#pending;
		this.#pending = null;
		if (document === null || !this.#storage) return;

		const entry: SavedNotebook = { savedAt: this.#now(), document };
		try {
			this.#storage.setItem(this.key, JSON.stringify(entry));
		} catch (error) {
			this.#markUnavailable(describeError(error));
		}
	}

	/** Drops the saved entry and any pending write, as "Reset to original" does. */
	clear(): void {
		if (this.#timer !== null) clearTimeout(this.#timer);
		this.#timer = null;
		this.#pending = null;
		try {
			this.#storage?.removeItem(this.key);
		} catch (error) {
			this.#markUnavailable(describeError(error));
		}
	}

	/** Writes what is pending and stops the timer. */
	dispose(): void {
		this.flush();
	}

	#markUnavailable(reason: string): void {
		if (this.#unavailableReason !== null) return;
		this.#unavailableReason = reason;
		this.#onUnavailable(reason);
	}
}

function isNotebookDocument(value: unknown): value is NotebookDocument {
	if (!isRecord(value)) return false;
	if (value.version !== NOTEBOOK_VERSION || typeof value.title !== 'string') return false;
	if (!Array.isArray(value.cells) || !value.cells.every(isCellSource)) return false;
	if (!isRecord(value.inputs)) return false;
	return value.notes === undefined || isRecord(value.notes);
}

function isCellSource(value: unknown): boolean {
	return isRecord(value) && typeof value.id === 'string' && typeof value.code === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(error: unknown): string {
	if (error instanceof Error) return `${error.name}: ${error.message}`;
	return String(error);
}

/**
 * Cells that were stopped (by Stop or the time budget), with the code they had, kept beside a
 * notebook's autosave so that a reload does not start the same runaway loop again.
 */
export class StoppedCells {
	readonly #key: string;
	readonly #storage: Storage | null;
	#cells: Record<string, string>;

	constructor(autosaveKey: string, storage: Storage | null = openStorageOrNull()) {
		this.#key = `${autosaveKey}:stopped`;
		this.#storage = storage;
		this.#cells = this.#read();
	}

	/** Returns the ids whose stored code still equals their current code. */
	held(cells: readonly { id: string; code: string }[]): string[] {
		return cells.filter((cell) => this.#cells[cell.id] === cell.code).map((cell) => cell.id);
	}

	add(id: string, code: string): void {
		this.#cells[id] = code;
		this.#write();
	}

	delete(id: string): void {
		if (!(id in this.#cells)) return;
		delete this.#cells[id];
		this.#write();
	}

	#read(): Record<string, string> {
		try {
			const value: unknown = JSON.parse(this.#storage?.getItem(this.#key) ?? '{}');
			if (!isRecord(value)) return {};
			return Object.fromEntries(
				Object.entries(value).filter(
					(entry): entry is [string, string] => typeof entry[1] === 'string'
				)
			);
		} catch {
			return {};
		}
	}

	#write(): void {
		try {
			if (Object.keys(this.#cells).length === 0) this.#storage?.removeItem(this.#key);
			else this.#storage?.setItem(this.#key, JSON.stringify(this.#cells));
		} catch {
			// Storage that refuses writes is reported once by the autosave of the same notebook.
		}
	}
}

function openStorageOrNull(): Storage | null {
	const opened = openStorage();
	return opened.storage;
}
