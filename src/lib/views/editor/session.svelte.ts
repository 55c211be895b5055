/**
 * The playground's notebook session: the cells being edited, the worker client that runs them
 * and the local autosave. Components call its methods and read its state; it is the only
 * place that talks to the worker.
 *
 * Edits are saved locally as they are typed and reach the worker when a cell is run, so the
 * text survives a worker restart, an error or Stop.
 */

import { Autosave, StoppedCells, type SavedNotebook } from '$lib/share/autosave';
import { NOTEBOOK_VERSION, type NotebookDocument } from '$lib/share/format';
import { TabPresence } from '$lib/share/tab-presence';
import type {
	BackendName,
	CellId,
	CellSource,
	InputSpec,
	RunOptions,
	WorkerEvent
} from '$lib/worker/api';
import { NotebookCell } from './notebook-cell.svelte';

/** The part of the worker client (`$lib/worker/client`) that the page uses. */
export interface NotebookClientLike {
	setNotebook(
		cells: CellSource[],
		inputs?: Record<string, unknown>,
		options?: { stopped?: Record<CellId, string> }
	): Promise<void>;
	updateCell(cell: CellSource): Promise<void>;
	insertCell(cell: CellSource, index: number): Promise<void>;
	deleteCell(id: CellId): Promise<void>;
	runCell(id: CellId, options?: RunOptions): Promise<void>;
	setInput(cell: CellId, label: string, value: unknown): Promise<void>;
	setBackend(backend: BackendName): Promise<void>;
	stop(): Promise<void> | void;
	dispose(): void;
}

export type CreateClient = (options: {
	backend: BackendName | 'auto';
	onEvent: (event: WorkerEvent) => void;
}) => NotebookClientLike;

export interface BackendInfo {
	backend: BackendName;
	adapter: string;
	note?: string;
}

/**
 * The last removal the reader can undo: one deleted cell, or the whole notebook before a reset
 * or before restoring a saved copy.
 */
export type Removal =
	| { kind: 'cell'; cell: CellSource; note?: string; index: number }
	| { kind: 'reset' | 'restore'; document: NotebookDocument };

/** Shown on a cell held after a reload because it was stopped before. */
export const HELD_AFTER_RELOAD =
	'Stopped before the page was reloaded, so this cell does not run by itself. Press Run to run it.';

export interface SessionOptions {
	/** Autosave key, for example the example notebook's name. */
	name: string;
	/** The notebook as published, for "Reset to original". */
	original: NotebookDocument;
	backend: BackendName | 'auto';
	createClient: CreateClient;
	/** Defaults to a localStorage autosave keyed by `name`. */
	autosave?: Autosave;
	/** Storage for the ids of stopped cells; defaults to localStorage, null keeps none. */
	stoppedStorage?: Storage | null;
	/**
	 * Handling of a saved copy that differs from `original`: 'apply' opens it in its place
	 * (example notebooks, embeds); 'offer' opens `original` and offers the copy as `restorable`
	 * (share links, whose notebook wins over the local copy). Defaults to 'apply'.
	 */
	saved?: 'apply' | 'offer';
	/** Run the notebook at once (the default); false waits for `runAll()`. */
	autoRun?: boolean;
	/**
	 * Reports other tabs editing the same notebook; defaults to a TabPresence on the autosave key.
	 * Null turns the check off.
	 */
	presence?: ((key: string, onChange: (otherTabs: number) => void) => { close(): void }) | null;
}

export class NotebookSession {
	readonly name: string;
	readonly original: NotebookDocument;
	title = $state('');
	cells = $state<NotebookCell[]>([]);
	inputs = $state<Record<string, number | string | boolean>>({});
	backend = $state.raw<BackendInfo | null>(null);
	/** The backend the reader asked for: 'auto' until they pick one. */
	requestedBackend = $state<BackendName | 'auto'>('auto');
	lastRemoval = $state.raw<Removal | null>(null);
	/** Reason edits are not kept locally, or null while autosave works. */
	autosaveProblem = $state<string | null>(null);
	restoredFromAutosave = $state(false);
	/**
	 * A saved copy that differs from the notebook opened from a link, offered for restoring. While
	 * it is offered, edits are not saved, so that the copy is never overwritten unseen.
	 */
	restorable = $state.raw<SavedNotebook | null>(null);
	/** Other tabs of this browser that have the same notebook open. */
	otherTabs = $state(0);
	/** False until the notebook has been sent to the worker (see `autoRun`). */
	started = $state(false);
	/** The last failed request to the worker, shown in the page header. */
	workerProblem = $state<string | null>(null);

	busy = $derived(
		this.started && this.cells.some((cell) => cell.state === 'running' || cell.state === 'queued')
	);

	#client: NotebookClientLike | null = null;
	#createClient: CreateClient;
	#backend: BackendName | 'auto';
	#autosave: Autosave;
	#stoppedCells: StoppedCells;
	#presence: { close(): void } | null;
	// Values waiting for the next animation frame; nothing renders them.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#pendingInputs = new Map<string, { cell: CellId; label: string; value: unknown }>();
	#inputFrame: number | null = null;
	#nextId = 1;

	constructor(options: SessionOptions) {
		this.name = options.name;
		this.original = options.original;
		this.requestedBackend = options.backend;
		this.#autosave =
			options.autosave ??
			new Autosave(options.name, { onUnavailable: (reason) => (this.autosaveProblem = reason) });
		if (!this.#autosave.available) this.autosaveProblem = this.#autosave.unavailableReason;
		this.#stoppedCells = new StoppedCells(this.#autosave.key, options.stoppedStorage);

		const saved = this.#autosave.load();
		const differs = saved !== null && !sameContent(saved.document, options.original);
		if (differs && options.saved === 'offer') {
			this.#applyDocument(options.original);
			this.restorable = saved;
		} else {
			this.#applyDocument(saved?.document ?? options.original);
			this.restoredFromAutosave = differs;
		}

		const presence =
			options.presence === undefined
				? (key: string, onChange: (otherTabs: number) => void) => new TabPresence(key, { onChange })
				: options.presence;
		this.#presence = presence?.(this.#autosave.key, (count) => (this.otherTabs = count)) ?? null;

		this.#createClient = options.createClient;
		this.#backend = options.backend;
		if (options.autoRun ?? true) this.runAll();
	}

	/** The worker client, started on first use so that a notebook run on click costs nothing before. */
	get #worker(): NotebookClientLike {
		this.#client ??= this.#createClient({
			backend: this.#backend,
			onEvent: (event) => this.handleEvent(event)
		});
		return this.#client;
	}

	/** Returns the notebook as autosave and share links store it. */
	toDocument(): NotebookDocument {
		const notes: Record<string, string> = {};
		for (const cell of this.cells) if (cell.note) notes[cell.id] = cell.note;
		return {
			version: NOTEBOOK_VERSION,
			title: this.title,
			cells: this.cells.map((cell) => ({ id: cell.id, code: cell.code })),
			inputs: { ...this.inputs },
			notes
		};
	}

	cell(id: CellId): NotebookCell | undefined {
		return this.cells.find((cell) => cell.id === id);
	}

	handleEvent(event: WorkerEvent): void {
		if (event.type === 'heartbeat') return;
		if (event.type === 'backend') {
			this.backend = { backend: event.backend, adapter: event.adapter, note: event.note };
			return;
		}
		const cell = this.cell(event.cell);
		if (!cell) return;

		this.#trackStopped(event);
		switch (event.type) {
			case 'state':
				return cell.setState(event.state, event.runCount);
			case 'log':
				return cell.addLog(event.line);
			case 'value':
				return cell.setValue(event.value);
			case 'error':
				return cell.addError(event.error);
			case 'chart':
				return cell.setChart(event.chart);
			case 'inputs':
				return cell.setInputs(this.#withSavedValues(event.cell, event.inputs));
			case 'progress':
				return cell.setProgress(event.done, event.total);
			case 'display':
				return cell.addDisplay(event.value);
		}
	}

	/** Records an edit: saved locally at once, sent to the worker when the cell runs. */
	setCode(id: CellId, code: string): void {
		const cell = this.cell(id);
		if (!cell || cell.code === code) return;
		cell.code = code;
		this.#save();
	}

	/**
	 * Sends an edited cell's code, or re-runs an unchanged one; downstream cells follow.
	 * `detect_anomaly` applies to an unchanged cell's re-run, which is when the page offers it.
	 */
	runCell(id: CellId, options: RunOptions = {}): void {
		const cell = this.cell(id);
		if (!cell) return;
		if (!this.started) return this.runAll();
		if (cell.dirty) {
			const code = cell.code;
			const previous = cell.sentCode;
			cell.sentCode = code;
			// A rejected request marks the cell as edited again, so the reader can re-run it.
			this.#call(this.#worker.updateCell({ id, code }), () => {
				if (cell.sentCode === code) cell.sentCode = previous;
			});
		} else {
			this.#call(this.#worker.runCell(id, options));
		}
	}

	/**
	 * Sends every cell's current code and runs the whole notebook. On the first run after a
	 * load, a cell that was stopped before the reload, and still has that code, is held.
	 */
	runAll(): void {
		const first = !this.started;
		this.started = true;
		for (const cell of this.cells) cell.sentCode = cell.code;
		const held = first ? this.#stoppedCells.held(this.#sources()) : [];
		const stopped = Object.fromEntries(held.map((id) => [id, HELD_AFTER_RELOAD]));
		if (!first) for (const cell of this.cells) this.#stoppedCells.delete(cell.id);
		this.#call(this.#worker.setNotebook(this.#sources(), { ...this.inputs }, { stopped }));
	}

	/** Terminates the worker; the client starts a fresh one and marks the stopped cells. */
	stop(): void {
		if (this.#client) this.#call(Promise.resolve(this.#client.stop()));
	}

	/** Adds an empty cell at `index` and returns its id. */
	insertCell(index: number, code = ''): CellId {
		const id = this.#newId();
		const cell = new NotebookCell(id, code);
		const at = Math.max(0, Math.min(index, this.cells.length));
		this.cells.splice(at, 0, cell);
		this.#send((worker) => worker.insertCell({ id, code }, at));
		this.#save();
		return id;
	}

	deleteCell(id: CellId): void {
		const index = this.cells.findIndex((cell) => cell.id === id);
		if (index < 0) return;
		const [cell] = this.cells.splice(index, 1);
		this.lastRemoval = { kind: 'cell', cell: { id, code: cell.code }, note: cell.note, index };
		this.#send((worker) => worker.deleteCell(id));
		this.#save();
	}

	/** Moves a cell up (-1) or down (+1). Order is only for reading: cells run in dependency order. */
	moveCell(id: CellId, offset: -1 | 1): void {
		const index = this.cells.findIndex((cell) => cell.id === id);
		const target = index + offset;
		if (index < 0 || target < 0 || target >= this.cells.length) return;
		const [cell] = this.cells.splice(index, 1);
		this.cells.splice(target, 0, cell);
		this.#save();
	}

	/** Restores the last deleted cell, or the notebook as it was before "Reset to original". */
	undoRemoval(): void {
		const removal = this.lastRemoval;
		if (!removal) return;
		this.lastRemoval = null;

		if (removal.kind !== 'cell') {
			this.#applyDocument(removal.document);
			this.runAll();
			this.#save();
			return;
		}
		const cell = new NotebookCell(removal.cell.id, removal.cell.code, removal.note);
		const at = Math.min(removal.index, this.cells.length);
		this.cells.splice(at, 0, cell);
		this.#send((worker) => worker.insertCell(removal.cell, at));
		this.#save();
	}

	/** Replaces the notebook with the published example; the replaced one can be restored once. */
	resetToOriginal(): void {
		this.lastRemoval = { kind: 'reset', document: this.toDocument() };
		this.#applyDocument(this.original);
		// A saved copy still on offer was never shown, so it stays stored and offered.
		if (!this.restorable) this.#autosave.clear();
		this.restoredFromAutosave = false;
		this.runAll();
	}

	/** Opens the offered saved copy in place of the notebook; Undo brings the replaced one back. */
	restoreSaved(): void {
		const saved = this.restorable;
		if (!saved) return;
		this.restorable = null;
		this.lastRemoval = { kind: 'restore', document: this.toDocument() };
		this.#applyDocument(saved.document);
		this.restoredFromAutosave = true;
		this.runAll();
	}

	/** Declines the offered copy; edits are saved again from now on, replacing it. */
	discardSaved(): void {
		if (!this.restorable) return;
		this.restorable = null;
		this.#save();
	}

	/**
	 * Applies a moved form control. The new value shows at once. The worker gets at most one
	 * value per control per animation frame, so dragging a slider does not queue a run per pixel.
	 */
	setInput(cellId: CellId, label: string, value: number | string | boolean): void {
		this.cell(cellId)?.setInputValue(label, value);
		this.inputs[`${cellId}/${label}`] = value;
		this.#save();

		this.#pendingInputs.set(`${cellId}/${label}`, { cell: cellId, label, value });
		this.#inputFrame ??= requestAnimationFrame(() => {
			this.#inputFrame = null;
			const pending = [...this.#pendingInputs.values()];
			this.#pendingInputs.clear();
			for (const input of pending) {
				this.#send((worker) => worker.setInput(input.cell, input.label, input.value));
			}
		});
	}

	setBackend(backend: BackendName): void {
		this.requestedBackend = backend;
		this.#backend = backend;
		this.#send((worker) => worker.setBackend(backend));
	}

	/** Writes pending edits now; call it when the page is hidden. */
	flush(): void {
		this.#autosave.flush();
	}

	/**
	 * Flushes pending edits whenever the page is hidden or unloaded, because the debounced
	 * autosave may still hold the last keystrokes when the tab closes or reloads. Returns a
	 * function that removes the listeners.
	 */
	flushOnPageHide(): () => void {
		const flush = () => this.flush();
		window.addEventListener('pagehide', flush);
		document.addEventListener('visibilitychange', flush);
		return () => {
			window.removeEventListener('pagehide', flush);
			document.removeEventListener('visibilitychange', flush);
		};
	}

	dispose(): void {
		if (this.#inputFrame !== null) cancelAnimationFrame(this.#inputFrame);
		this.#autosave.dispose();
		this.#presence?.close();
		this.#client?.dispose();
	}

	#applyDocument(document: NotebookDocument): void {
		const notes = document.notes ?? {};
		this.title = document.title;
		this.inputs = { ...document.inputs };
		this.cells = document.cells.map((cell) => new NotebookCell(cell.id, cell.code, notes[cell.id]));
	}

	#sources(): CellSource[] {
		return this.cells.map((cell) => ({ id: cell.id, code: cell.code }));
	}

	/** Input specs from the worker, with the values the reader set (kept in the document) applied. */
	#withSavedValues(cellId: CellId, inputs: InputSpec[]): InputSpec[] {
		return inputs.map((input) => {
			const saved = this.inputs[`${cellId}/${input.label}`];
			return saved === undefined || typeof saved !== typeof input.value
				? input
				: ({ ...input, value: saved } as InputSpec);
		});
	}

	/** Remembers cells stopped while running, so a reload does not start them again. */
	#trackStopped(event: WorkerEvent): void {
		if (!('cell' in event)) return;
		const cell = this.cell(event.cell);
		if (!cell) return;
		const stoppedWhileRunning =
			event.type === 'error' &&
			event.error.kind === 'stopped' &&
			event.error.message !== HELD_AFTER_RELOAD;
		if (stoppedWhileRunning) this.#stoppedCells.add(cell.id, cell.sentCode || cell.code);
		if (event.type === 'state' && (event.state === 'running' || event.state === 'done')) {
			this.#stoppedCells.delete(cell.id);
		}
	}

	#save(): void {
		if (this.restorable) return;
		this.#autosave.schedule(this.toDocument());
	}

	#newId(): CellId {
		let id: CellId;
		do id = `cell-${this.#nextId++}`;
		while (this.cell(id));
		return id;
	}

	/** Sends a change to the worker once the notebook runs; before that, `runAll` sends it all. */
	#send(request: (worker: NotebookClientLike) => Promise<unknown>): void {
		if (this.started) this.#call(request(this.#worker));
	}

	/**
	 * Runs a worker request. A failure is shown in the header and logged; the reader's text is
	 * already saved, so nothing is lost. A request cancelled because the worker was stopped or
	 * restarted is expected and only logged.
	 */
	#call(request: Promise<unknown>, onFailure?: () => void): void {
		request.then(
			() => (this.workerProblem = null),
			(error: unknown) => {
				const message = error instanceof Error ? error.message : String(error);
				// The client hands the code of a cancelled call to its fresh worker, so the
				// request took effect there and must not be undone here.
				if (isCancelledCall(error)) {
					console.info(`notebook worker request cancelled: ${message}`);
					return;
				}
				onFailure?.();
				console.warn(`notebook worker request failed: ${message}`);
				this.workerProblem = message;
			}
		);
	}
}

/** Compares the cells and input values of two documents, ignoring titles and notes. */
function sameContent(a: NotebookDocument, b: NotebookDocument): boolean {
	return (
		JSON.stringify(a.cells) === JSON.stringify(b.cells) &&
		JSON.stringify(sortedEntries(a.inputs)) === JSON.stringify(sortedEntries(b.inputs))
	);
}

function sortedEntries(record: Record<string, unknown>): [string, unknown][] {
	const entries = Object.entries(record);
	// Code-unit order, as the codec writes inputs, whatever the locale.
	entries.sort(([a], [b]) => Number(a > b) - Number(a < b));
	return entries;
}

/**
 * Checks whether a request failed only because Stop, the watchdog or a crash replaced the worker.
 * A worker that keeps crashing rejects with reason 'failure', and that error must reach the reader.
 */
function isCancelledCall(error: unknown): boolean {
	return (
		error instanceof Error &&
		error.name === 'WorkerStoppedError' &&
		['restart', 'dispose'].includes(String((error as Error & { reason?: unknown }).reason))
	);
}
