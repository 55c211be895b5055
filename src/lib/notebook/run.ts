/**
 * One run of one cell: the names the cell can use without importing them (torch, nn, F, optim,
 * plt, views, the input controls, progress, display and a console of its own), the call of
 * the compiled function, and the events that report it. Every event of a run is dropped once
 * a newer run has replaced it, so a superseded run can never overwrite the page.
 */

import type { torch as Torch } from '../engine';
import type { CellError, CellId, ChartSpec, InputSpec, LogLine, WorkerEvent } from '../worker/api';
import { CancelledError, yieldDue, yieldToEventLoop, LoopPacer, type CancelToken } from './cancel';
import { instantiateCell, locateError, type CompiledCell, type InstantiatedCell } from './compile';
import { createInputs, type InputStore } from './inputs';
import type { CellExecutor, CellRunRequest } from './scheduler';
import { formatLogArguments, isChartSpec, summarizeValue } from './summary';
import { createViews } from './views';

/** Names every cell can use without declaring them, in the order the cell function takes them. */
export const CELL_GLOBALS = [
	'torch',
	'nn',
	'F',
	'optim',
	'plt',
	'views',
	'slider',
	'number',
	'select',
	'checkbox',
	'button',
	'progress',
	'display',
	'console'
] as const;

export type RunTorch = typeof Torch;

export interface ExecutorOptions {
	/** The engine; without it, cells that use torch, nn, F, optim or views fail clearly. */
	torch?: RunTorch;
	/** matplotlib-style `plt` for one run; charts get ids that start with `idPrefix`. */
	createPlt?: (emit: (chart: ChartSpec) => void, idPrefix: string) => unknown;
	emit: (event: WorkerEvent) => void;
	inputs: InputStore;
	/** Called when a run fails because the GPU device was lost. */
	onDeviceLost?: (cell: CellId, error: Error) => void;
	/** Cells whose next run has anomaly detection on; each id is removed when its run starts. */
	anomalyRuns?: Set<CellId>;
	/** The engine's `setReadCheck`, so that a cancelled run stops at its next tensor read. */
	setReadCheck?: (check: (() => void) | null) => void;
}

/** Console lines sent per run; a loop that logs every step would flood the page. */
export const MAX_LOG_LINES_PER_RUN = 1000;
/** Progress events are sent at most this often, and always for the last step. */
const PROGRESS_INTERVAL_MS = 100;

/** Creates the function the scheduler calls to run one cell. */
export function createExecutor(options: ExecutorOptions): CellExecutor {
	const instances = new WeakMap<CompiledCell, Map<string, InstantiatedCell>>();
	/** The read check of the run that started last, until that run ends. */
	let installedCheck: (() => void) | null = null;

	function instantiate(compiled: CompiledCell, cell: CellId, inputs: string[]): InstantiatedCell {
		const key = JSON.stringify([cell, inputs]);
		let byKey = instances.get(compiled);
		if (!byKey) instances.set(compiled, (byKey = new Map()));
		let instance = byKey.get(key);
		if (!instance) {
			instance = instantiateCell(compiled, { cellId: cell, globals: CELL_GLOBALS, inputs });
			byKey.set(key, instance);
		}
		return instance;
	}

	return async (request: CellRunRequest) => {
		const { cell, compiled, token } = request;
		const run = new CellRun(cell, token, options);
		// A read started by this run throws once a newer run replaced it. A superseded run's
		// read still in flight keeps the check it started with.
		const readCheck = () => token.throwIfCancelled();
		options.setReadCheck?.(readCheck);
		installedCheck = readCheck;
		const detectAnomaly = options.anomalyRuns?.delete(cell) ?? false;
		if (detectAnomaly) options.torch?.autograd.set_detect_anomaly(true);
		let instance: InstantiatedCell | undefined;
		try {
			instance = instantiate(compiled, cell, [...request.inputs.keys()]);
			const body = instance.factory(new LoopPacer(token), ...run.globals());
			const result = await body(...request.inputs.values());
			token.throwIfCancelled();

			// As in a Jupyter notebook, a figure the cell drew but did not show appears when it ends.
			run.flushProgress();
			await run.showOpenFigures();
			await run.displays;
			if (run.displayError !== undefined) throw run.displayError;
			const value = compiled.hasValue
				? await summarizeValue(result.value)
				: { kind: 'none' as const };
			run.emit({ type: 'value', cell, value });
			return { ok: true, outputs: result.outputs };
		} catch (error) {
			if (error instanceof CancelledError && token.cancelled) throw error;
			const described = run.describeError(error, compiled, instance);
			if (described.kind === 'device') options.onDeviceLost?.(cell, error as Error);
			await run.displays;
			return { ok: false, error: described };
		} finally {
			if (installedCheck === readCheck) {
				options.setReadCheck?.(null);
				installedCheck = null;
			}
			if (detectAnomaly) options.torch?.autograd.set_detect_anomaly(false);
			// Sent after every run, even an unchanged list, because a page that reloaded the
			// notebook has no controls until it hears them again.
			run.emit({ type: 'inputs', cell, inputs: run.inputs });
		}
	};
}

class CellRun {
	readonly inputs: InputSpec[] = [];
	/** Settles after every `display` so far has been sent, in call order. */
	displays: Promise<void> = Promise.resolve();
	/** The first rejection of a promise passed to `display`, raised when the cell ends. */
	displayError: unknown = undefined;
	private logLines = 0;
	private lastProgress = -Infinity;

	constructor(
		readonly cell: CellId,
		readonly token: CancelToken,
		private readonly options: ExecutorOptions
	) {}

	emit(event: WorkerEvent): void {
		if (!this.token.cancelled) this.options.emit(event);
	}

	/** Values for `CELL_GLOBALS`, in that order. */
	globals(): unknown[] {
		const { torch } = this.options;
		const inputs = createInputs(this.cell, this.options.inputs, (spec) => this.inputs.push(spec));
		const values: Record<(typeof CELL_GLOBALS)[number], unknown> = {
			torch: torch ?? missing('torch', 'the tensor engine is not loaded'),
			nn: torch?.nn ?? missing('nn', 'the tensor engine is not loaded'),
			F: torch?.nn.functional ?? missing('F', 'the tensor engine is not loaded'),
			optim: torch?.optim ?? missing('optim', 'the tensor engine is not loaded'),
			plt: this.createPlt(),
			views: this.createViews(),
			slider: inputs.slider,
			number: inputs.number,
			select: inputs.select,
			checkbox: inputs.checkbox,
			button: inputs.button,
			progress: (done: number, total: number) => this.progress(done, total),
			display: (value: unknown) => this.display(value),
			console: this.createConsole()
		};
		return CELL_GLOBALS.map((name) => values[name]);
	}

	describeError(error: unknown, compiled: CompiledCell, instance?: InstantiatedCell): CellError {
		const location = instance ? locateError(error, compiled, instance) : undefined;
		const deviceLost = (error as { name?: unknown } | null)?.name === 'DeviceLostError';
		const described: CellError = {
			cell: this.cell,
			kind: deviceLost ? 'device' : 'runtime',
			message: instance
				? nameCellLines(errorMessage(error), instance.sourceUrl)
				: errorMessage(error)
		};
		if (location) Object.assign(described, location);
		return described;
	}

	private plt: { show?: () => Promise<void> } | undefined;

	private createPlt(): unknown {
		const { createPlt } = this.options;
		if (!createPlt) return missing('plt', 'charts are not available in this build');
		this.plt = createPlt((chart) => this.emitChart(chart), `${this.cell}-plot`) as typeof this.plt;
		return this.plt;
	}

	/** Emits every figure the cell drew but did not pass to `plt.show()`. */
	async showOpenFigures(): Promise<void> {
		await this.plt?.show?.();
	}

	private createViews(): unknown {
		const { torch } = this.options;
		if (!torch) return missing('views', 'the tensor engine is not loaded');
		return createViews({
			torch,
			cell: this.cell,
			emit: (chart) => this.emitChart(chart),
			progress: (done, total) => this.progress(done, total),
			onDispose: (dispose) => this.token.onCancel(dispose),
			reportError: (error) => this.log('error', [errorMessage(error)])
		});
	}

	private emitChart(chart: ChartSpec): void {
		this.emit({ type: 'chart', cell: this.cell, chart });
	}

	private pendingProgress: { done: number; total: number } | null = null;

	/** Sends the latest progress call if the throttle held it back, so the bar ends where the loop did. */
	flushProgress(): void {
		if (!this.pendingProgress) return;
		this.emit({ type: 'progress', cell: this.cell, ...this.pendingProgress });
		this.pendingProgress = null;
	}

	/** Sends a throttled progress event, then lets the event loop turn if a yield is due. */
	private async progress(done: number, total: number): Promise<void> {
		if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) {
			throw new TypeError(
				`progress: done and total must be finite numbers with total > 0, got ${done} and ${total}. Example: await progress(step + 1, steps)`
			);
		}
		const now = performance.now();
		this.pendingProgress = { done, total };
		if (done >= total || now - this.lastProgress >= PROGRESS_INTERVAL_MS) {
			this.lastProgress = now;
			this.flushProgress();
		}
		if (yieldDue()) await yieldToEventLoop(this.token);
		else this.token.throwIfCancelled();
	}

	/**
	 * Shows a value now, below the cell. A tensor is read when `display` is called, so later
	 * in-place changes do not alter what is shown. Never rejects.
	 */
	private display(value: unknown): Promise<void> {
		if (isChartSpec(value)) {
			this.emitChart(value);
			return this.displays;
		}
		if (isThenable(value)) {
			// `display(t.item())` shows the value once it arrives. A rejection fails the cell when
			// it ends, instead of escaping as an unhandled rejection.
			const settled = Promise.resolve(value).then(
				(resolved) => summarizeValue(resolved).catch(errorView),
				(error: unknown) => {
					this.displayError ??= error;
					return null;
				}
			);
			this.displays = this.displays.then(async () => {
				const summary = await settled;
				if (summary) this.emit({ type: 'display', cell: this.cell, value: summary });
			});
			return this.displays;
		}
		const summary = summarizeValue(value).catch(errorView);
		this.displays = this.displays.then(async () => {
			this.emit({ type: 'display', cell: this.cell, value: await summary });
		});
		return this.displays;
	}

	private createConsole(): Console {
		const write =
			(level: LogLine['level']) =>
			(...args: unknown[]) =>
				this.log(level, args);
		const cellConsole = {
			log: write('log'),
			info: write('info'),
			warn: write('warn'),
			error: write('error'),
			debug: write('log'),
			trace: write('log'),
			dir: (value: unknown) => this.log('log', [value]),
			table: (value: unknown) => this.log('log', [value]),
			assert: (condition: unknown, ...args: unknown[]) => {
				if (!condition) this.log('error', ['Assertion failed:', ...args]);
			}
		};
		// Methods not captured here (time, count, group…) fall through to the worker's console.
		return Object.setPrototypeOf(cellConsole, globalThis.console) as Console;
	}

	private log(level: LogLine['level'], args: readonly unknown[]): void {
		this.logLines++;
		if (this.logLines > MAX_LOG_LINES_PER_RUN + 1) return;
		const text =
			this.logLines > MAX_LOG_LINES_PER_RUN
				? `Further console output of this run is dropped: a run shows at most ${MAX_LOG_LINES_PER_RUN} lines.`
				: formatLogArguments(args);
		const lineLevel = this.logLines > MAX_LOG_LINES_PER_RUN ? 'warn' : level;
		this.emit({ type: 'log', cell: this.cell, line: { level: lineLevel, text } });
	}
}

/**
 * Rewrites stack locations inside this cell (`<sourceUrl>:12:5`, as anomaly detection quotes
 * where an op was created) as `line 12 of this cell`. The compiled cell keeps the source's
 * line numbers, so only the line is shown.
 */
function nameCellLines(message: string, sourceUrl: string): string {
	const escaped = sourceUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const located = message.replace(
		new RegExp(`\\(?${escaped}:(\\d+):\\d+\\)?`, 'g'),
		'line $1 of this cell'
	);
	// The cell runs through eval, so its frames are named `eval`, which means nothing to a reader.
	const named = located.replace(/\bat (?:async )?eval line/g, 'at line');
	// In the built app the engine's own frames point into a minified bundle. When the quoted
	// stack reaches this cell, only the cell's frames are kept, because only they help the reader.
	const lines = named.split('\n');
	const frame = (line: string) => /^\s+at /.test(line);
	if (!lines.some((line) => frame(line) && line.includes('of this cell'))) return named;
	return lines.filter((line) => !frame(line) || line.includes('of this cell')).join('\n');
}

/** Formats a thrown value as a browser console would: `TypeError: x is not a function`. */
export function errorMessage(error: unknown): string {
	if (error instanceof Error) return `${error.name}: ${error.message}`;
	return `Uncaught ${formatLogArguments([error])}`;
}

/** Creates a stand-in for a missing implementation. Any use throws an error that explains why. */
function missing(name: string, reason: string): unknown {
	const fail = (): never => {
		throw new Error(`${name} is not available: ${reason}.`);
	};
	return new Proxy(fail, { get: fail, apply: fail, construct: fail });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { then?: unknown }).then === 'function'
	);
}

/** Shows an error met while summarising a displayed value in place of the value. */
function errorView(error: unknown) {
	return {
		kind: 'inspect',
		value: { kind: 'primitive', type: 'Error', text: errorMessage(error) }
	} as const;
}
