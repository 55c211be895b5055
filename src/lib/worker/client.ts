/**
 * The page's handle on the notebook worker. It keeps the notebook text and input values it
 * was given, so a restart never loses code, and it owns cancellation: a worker cannot be
 * interrupted mid-loop, only terminated. Stop, a watchdog (no heartbeat for `budgetMs` while
 * a cell runs) and a crash all do the same: terminate the worker at once, mark the running
 * cells 'stopped', start a fresh worker and re-run every cell except the stopped ones and
 * their downstream. Calls pending on the old worker reject with `WorkerStoppedError`.
 */

import * as Comlink from 'comlink';
import type {
	BackendName,
	CellId,
	CellSource,
	CellState,
	NotebookWorkerApi,
	RestartOptions,
	RunOptions,
	WorkerEvent
} from './api';
import { inputKey } from '../notebook/inputs';
import { workerEventError } from './validate-event';
import workerScriptUrl from './worker.ts?worker&url';

/** The worker interface the client uses. Tests pass an in-process stand-in. */
export interface WorkerLike extends Comlink.Endpoint {
	terminate(): void;
}

export interface NotebookClientOptions {
	backend: BackendName | 'auto';
	onEvent: (event: WorkerEvent) => void;
	/** Milliseconds a running cell may go without a heartbeat before the worker is restarted. */
	budgetMs?: number;
	createWorker?: () => WorkerLike;
}

/**
 * A call was pending on a worker that was stopped, restarted or disposed, or the worker kept
 * crashing. `reason` tells the page whether the reader caused it ('restart', 'dispose') or
 * should be shown it ('failure').
 */
export class WorkerStoppedError extends Error {
	override name = 'WorkerStoppedError';
	constructor(
		message: string,
		readonly reason: 'restart' | 'dispose' | 'failure'
	) {
		super(message);
	}
}

export const DEFAULT_BUDGET_MS = 5000;
/** Crashes within CRASH_WINDOW_MS, with no cell running, after which restarts stop. */
const MAX_QUICK_CRASHES = 3;
const CRASH_WINDOW_MS = 10_000;

export const STOP_MESSAGE = 'Stopped. Edit the cell or run it again to restart it.';

interface Session {
	worker: WorkerLike;
	remote: Comlink.Remote<NotebookWorkerApi>;
	/** Settles when init() has finished. Every other call waits for it. */
	ready: Promise<void>;
	/** Rejects with WorkerStoppedError when this worker is terminated. */
	terminated: Promise<never>;
	terminate(reason: string, kind: WorkerStoppedError['reason']): void;
}

export class NotebookClient {
	private cells: CellSource[] = [];
	private inputs: Record<string, unknown> = {};
	private backend: BackendName | 'auto';
	private readonly states = new Map<CellId, { state: CellState; runCount: number }>();
	/** Cells held after a stop, with their message, until they are edited or run. */
	private readonly stopped = new Map<CellId, string>();
	private session: Session;
	private lastHeartbeat = 0;
	private watchdog: ReturnType<typeof setInterval> | null = null;
	private crashes: number[] = [];
	private failure: string | null = null;
	private disposed = false;
	private readonly budgetMs: number;
	private readonly createWorker: () => WorkerLike;

	constructor(private readonly options: NotebookClientOptions) {
		this.backend = options.backend;
		this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
		this.createWorker = options.createWorker ?? createIsolatedWorker;
		this.session = this.start(false);
	}

	/** Returns a copy of the client's notebook, which is what a restarted worker runs. */
	get notebook(): { cells: CellSource[]; inputs: Record<string, unknown> } {
		return { cells: this.cells.map((cell) => ({ ...cell })), inputs: { ...this.inputs } };
	}

	/** Loads the notebook; cells in `options.stopped` are held, with their message, not run. */
	setNotebook(
		cells: CellSource[],
		inputs: Record<string, unknown> = {},
		options: Pick<RestartOptions, 'stopped'> = {}
	): Promise<void> {
		this.cells = cells.map((cell) => ({ ...cell }));
		this.inputs = { ...inputs };
		this.stopped.clear();
		for (const [id, message] of Object.entries(options.stopped ?? {}))
			this.stopped.set(id, message);
		return this.call((api) => api.setNotebook(this.cells, this.inputs, options));
	}

	updateCell(cell: CellSource): Promise<void> {
		const index = this.cells.findIndex((existing) => existing.id === cell.id);
		if (index >= 0) this.cells[index] = { ...cell };
		this.stopped.delete(cell.id);
		return this.call((api) => api.updateCell(cell));
	}

	insertCell(cell: CellSource, index: number): Promise<void> {
		this.cells.splice(Math.max(0, Math.min(index, this.cells.length)), 0, { ...cell });
		return this.call((api) => api.insertCell(cell, index));
	}

	deleteCell(id: CellId): Promise<void> {
		this.cells = this.cells.filter((cell) => cell.id !== id);
		for (const key of Object.keys(this.inputs)) {
			if (key.startsWith(`${id}/`)) delete this.inputs[key];
		}
		this.stopped.delete(id);
		this.states.delete(id);
		return this.call((api) => api.deleteCell(id));
	}

	runCell(id: CellId, options?: RunOptions): Promise<void> {
		this.stopped.delete(id);
		return this.call((api) => api.runCell(id, options));
	}

	setInput(cell: CellId, label: string, value: unknown): Promise<void> {
		this.inputs[inputKey(cell, label)] = value;
		this.stopped.delete(cell);
		return this.call((api) => api.setInput(cell, label, value));
	}

	setBackend(backend: BackendName): Promise<void> {
		this.backend = backend;
		return this.call((api) => api.setBackend(backend));
	}

	/**
	 * Terminates the worker now and restarts it without the running cells. Does nothing when
	 * no cell runs: queued cells would only run again in the new worker.
	 */
	stop(): void {
		if (this.disposed || this.runningCells().length === 0) return;
		this.restart(STOP_MESSAGE);
	}

	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		this.stopWatchdog();
		this.session.terminate('the notebook client was disposed', 'dispose');
	}

	/** Starts a worker. On a restart it also sends the notebook, the held cells and run counts. */
	private start(restart: boolean): Session {
		const worker = this.createWorker();
		const remote = Comlink.wrap<NotebookWorkerApi>(worker);
		let reject!: (error: WorkerStoppedError) => void;
		const terminated = new Promise<never>((_, r) => (reject = r));
		terminated.catch(() => {});

		let alive = true;
		const onEvent = Comlink.proxy((event: unknown) => {
			if (alive) this.receive(event);
		});
		const session: Session = {
			worker,
			remote,
			terminated,
			ready: Promise.resolve(),
			terminate: (reason, kind) => {
				if (!alive) return;
				alive = false;
				worker.terminate();
				const message = `notebook worker: ${reason}, so the call was cancelled.`;
				reject(new WorkerStoppedError(message, kind));
			}
		};

		worker.addEventListener('error', (event) => {
			if (!alive) return;
			const message = (event as ErrorEvent).message || 'the worker failed';
			this.crashed(message);
		});

		const init = remote.init(this.backend, onEvent);
		session.ready = Promise.race([init, terminated]);
		session.ready.catch(() => {});
		if (restart && this.cells.length > 0) {
			const runCounts: Record<CellId, number> = {};
			for (const [id, { runCount }] of this.states) runCounts[id] = runCount;
			const options = { stopped: Object.fromEntries(this.stopped), runCounts };
			void this.callOn(session, (api) => api.setNotebook(this.cells, this.inputs, options)).catch(
				() => {}
			);
		}
		return session;
	}

	private call(method: (api: Comlink.Remote<NotebookWorkerApi>) => Promise<void>): Promise<void> {
		if (this.disposed)
			return Promise.reject(
				new WorkerStoppedError('notebook worker: the client was disposed.', 'dispose')
			);
		if (this.failure) return Promise.reject(new WorkerStoppedError(this.failure, 'failure'));
		return this.callOn(this.session, method);
	}

	/** Runs `method` once the session is ready, and rejects at once if the worker is terminated. */
	private callOn(
		session: Session,
		method: (api: Comlink.Remote<NotebookWorkerApi>) => Promise<void>
	): Promise<void> {
		const result = session.ready.then(() => method(session.remote));
		return Promise.race([result, session.terminated]);
	}

	private receive(raw: unknown): void {
		const problem = workerEventError(raw);
		if (problem !== null) return this.rejectEvent(raw, problem);

		const event = raw as WorkerEvent;
		if (event.type === 'heartbeat') {
			this.lastHeartbeat = performance.now();
			return;
		}
		if (event.type === 'state') {
			this.states.set(event.cell, { state: event.state, runCount: event.runCount });
			if (event.state === 'running') {
				this.lastHeartbeat = performance.now();
				this.startWatchdog();
			}
		}
		this.options.onEvent(event);
	}

	/**
	 * Drops an event that failed validation. The cell it names, when it names a known one, shows
	 * the problem as an error, so a cell whose output cannot be trusted does not look fine.
	 */
	private rejectEvent(raw: unknown, problem: string): void {
		const type = isRecord(raw) && typeof raw.type === 'string' ? raw.type : 'unknown';
		const message = `notebook worker: dropped an invalid "${type}" event (${problem}).`;
		console.warn(message);

		const cell = isRecord(raw) ? raw.cell : undefined;
		if (typeof cell === 'string' && this.cells.some((known) => known.id === cell)) {
			this.options.onEvent({ type: 'error', cell, error: { cell, kind: 'runtime', message } });
		}
	}

	private runningCells(): CellId[] {
		return [...this.states].filter(([, { state }]) => state === 'running').map(([id]) => id);
	}

	/**
	 * Terminates the worker, marks the running cells stopped with `message` (at once, before
	 * the new worker starts) and starts a fresh worker that keeps them and their downstream from
	 * running.
	 */
	private restart(message: string): void {
		const running = this.runningCells();
		for (const id of running) this.stopped.set(id, message);
		this.session.terminate('the worker was restarted', 'restart');
		this.stopWatchdog();

		for (const id of running) {
			const runCount = this.states.get(id)?.runCount ?? 0;
			this.states.set(id, { state: 'stopped', runCount });
			this.options.onEvent({
				type: 'error',
				cell: id,
				error: { cell: id, kind: 'stopped', message }
			});
			this.options.onEvent({ type: 'state', cell: id, state: 'stopped', runCount });
		}
		this.session = this.start(true);
	}

	private crashed(detail: string): void {
		const running = this.runningCells();
		const now = performance.now();
		this.crashes = this.crashes.filter((time) => now - time < CRASH_WINDOW_MS);
		this.crashes.push(now);

		if (running.length === 0 && this.crashes.length > MAX_QUICK_CRASHES) {
			this.failure =
				`notebook worker: it failed ${this.crashes.length} times in a row (${detail}). ` +
				'Reload the page; if it keeps failing, try another browser.';
			this.session.terminate('the worker failed', 'failure');
			return;
		}
		this.restart(
			`Stopped: the worker crashed while this cell ran (${detail}), for example because it ` +
				'ran out of memory. It was restarted. Use smaller tensors or fewer steps, then run the cell again.'
		);
	}

	private startWatchdog(): void {
		if (this.watchdog !== null) return;
		const interval = Math.min(250, this.budgetMs / 4);
		this.watchdog = setInterval(() => this.checkHeartbeat(), interval);
	}

	private stopWatchdog(): void {
		if (this.watchdog !== null) clearInterval(this.watchdog);
		this.watchdog = null;
	}

	private checkHeartbeat(): void {
		if (this.runningCells().length === 0) return this.stopWatchdog();
		if (performance.now() - this.lastHeartbeat <= this.budgetMs) return;

		const seconds = +(this.budgetMs / 1000).toFixed(1);
		this.restart(
			`Stopped: the cell ran for more than ${seconds} s without letting the worker respond, ` +
				'so the worker was restarted. Either one operation took that long (make the tensors ' +
				'smaller), or a loop inside a function never paused: add await progress(i, n) in it. ' +
				'Loops at the top level of a cell pause by themselves.'
		);
	}
}

/**
 * Starts the notebook worker where user code cannot reach the app. A classic worker started from
 * a `data:` URL has an opaque origin, so the cells it runs cannot open the app's IndexedDB or
 * localStorage, send the app's cookies with fetch, or touch the page. It stays a secure
 * context, so WebGPU works (checked in Chromium 156). It loads the runtime, built as a classic
 * script bundle, with importScripts: classic scripts load across origins without CORS.
 *
 * The dev server serves the worker only as an ES module, which importScripts cannot load, so
 * `vite dev` runs it as a same-origin module worker, without this isolation.
 */
function createIsolatedWorker(): WorkerLike {
	const runtime = new URL(workerScriptUrl, location.href).href;
	if (import.meta.env.DEV) return new Worker(runtime, { type: 'module' });

	const bootstrap = `importScripts(${JSON.stringify(runtime)});`;
	return new Worker(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}
