/**
 * The notebook runtime behind the worker API, without the worker: the scheduler, the cell
 * executor and the input values, wired together. `worker.ts` exposes it through comlink; the
 * unit tests drive it directly in Node.
 */

import type { CellId, CellSource, RestartOptions, WorkerEvent } from '../worker/api';
import { InputStore } from './inputs';
import { CELL_GLOBALS, createExecutor, type ExecutorOptions } from './run';
import { Scheduler } from './scheduler';

export interface NotebookRuntimeOptions extends Omit<ExecutorOptions, 'inputs' | 'emit'> {
	emit: (event: WorkerEvent) => void;
	/** Whether a name exists without a cell declaring it; defaults to `name in globalThis`. */
	isGlobal?: (name: string) => boolean;
	cancelGraceMs?: number;
}

const INJECTED = new Set<string>(CELL_GLOBALS);

export class NotebookRuntime {
	private readonly inputs = new InputStore();
	private readonly anomalyRuns = new Set<CellId>();
	private readonly scheduler: Scheduler;

	constructor(options: NotebookRuntimeOptions) {
		const isGlobal = options.isGlobal ?? ((name: string) => name in globalThis);
		const execute = createExecutor({
			...options,
			inputs: this.inputs,
			anomalyRuns: this.anomalyRuns
		});
		this.scheduler = new Scheduler({
			execute,
			emit: options.emit,
			isGlobal: (name) => INJECTED.has(name) || isGlobal(name),
			cancelGraceMs: options.cancelGraceMs
		});
	}

	setNotebook(
		cells: CellSource[],
		inputs: Record<string, unknown> = {},
		options: RestartOptions = {}
	): void {
		checkUniqueIds(cells);
		this.inputs.replace(inputs);
		this.scheduler.load(cells, options);
	}

	updateCell(cell: CellSource): void {
		this.scheduler.update(cell);
	}

	insertCell(cell: CellSource, index: number): void {
		this.scheduler.insert(cell, index);
	}

	deleteCell(id: CellId): void {
		this.scheduler.delete(id);
		this.inputs.deleteCell(id);
	}

	/**
	 * Re-runs one cell and everything downstream of it. With `detect_anomaly`, that cell's run
	 * has `torch.autograd.set_detect_anomaly(true)`, so the first op producing NaN raises an
	 * error naming the op and the line that created it.
	 */
	runCell(id: CellId, options: { detect_anomaly?: boolean } = {}): void {
		if (options.detect_anomaly) this.anomalyRuns.add(id);
		this.scheduler.run(id);
	}

	/** Stores the control's new value and re-runs exactly its cell and that cell's downstream. */
	setInput(cell: CellId, label: string, value: unknown): void {
		this.inputs.set(cell, label, value);
		this.scheduler.run(cell);
	}

	runAll(): void {
		this.scheduler.runAll();
	}

	/** Resolves when no cell is queued or running. */
	idle(): Promise<void> {
		return this.scheduler.idle();
	}

	/** Returns the cell and every cell downstream of it. */
	withDownstream(id: CellId): Set<CellId> {
		return this.scheduler.withDownstream(id);
	}

	dispose(): void {
		this.scheduler.dispose();
	}
}

function checkUniqueIds(cells: readonly CellSource[]): void {
	const seen = new Set<CellId>();
	for (const cell of cells) {
		if (seen.has(cell.id)) {
			throw new Error(
				`setNotebook: two cells have the id '${cell.id}'. Give every cell its own id.`
			);
		}
		seen.add(cell.id);
	}
}
