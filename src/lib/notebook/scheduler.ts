/**
 * Runs the notebook's cells in dependency order, one at a time, and tracks each cell's state
 * and run count. Editing a cell queues it and everything downstream; a queued cell that was
 * running is cancelled at its next pause.
 *
 * States: 'queued' waits for its turn. 'error' means the cell's own code failed, or the cell
 * cannot run because of a syntax error, a name declared twice, a cycle or an undefined name.
 * 'stale' means a cell it uses is in error or stale, so it did not run and shows no error of
 * its own. 'stopped' means the cell was stopped, or a cell it uses was.
 *
 * NOTE: this does not build on @observablehq/runtime, for three reasons. (1) Observable runs
 * independent variables concurrently, interleaved at every await; cells here share one random
 * generator and one GPU queue, so a seeded figure would depend on timing, while running one
 * cell at a time in notebook order reproduces it. (2) Its variables are pending, fulfilled or
 * rejected: there is no queued/stale/stopped or run count, and a downstream variable receives
 * a new RuntimeError that no longer says which cell failed or why. (3) A recompute waits for
 * the superseded run to settle, and a run that never reaches a pause would block it forever.
 */

import type { CellError, CellId, CellSource, CellState, WorkerEvent } from '../worker/api';
import { CancelToken } from './cancel';
import { CellCompileError, compileCell, type CompiledCell } from './compile';
import { buildGraph, downstreamOf, type CellPlan, type NotebookGraph } from './graph';

export interface CellRunRequest {
	cell: CellId;
	compiled: CompiledCell;
	/** Values of the inputs that other cells provide, by name. */
	inputs: Map<string, unknown>;
	token: CancelToken;
}

export type CellRunOutcome =
	{ ok: true; outputs: Record<string, unknown> } | { ok: false; error: CellError };

/** Runs one cell. Resolves with its outputs or its error, and rejects only with CancelledError. */
export type CellExecutor = (request: CellRunRequest) => Promise<CellRunOutcome>;

export interface SchedulerOptions {
	execute: CellExecutor;
	emit: (event: WorkerEvent) => void;
	/** Whether a name that no cell declares exists anyway (a global or an injected name). */
	isGlobal: (name: string) => boolean;
	/** How long to wait for a cancelled run to reach a pause before the next run starts. */
	cancelGraceMs?: number;
}

export interface LoadOptions {
	/** Cells to hold instead of running, with the message their 'stopped' error shows. */
	stopped?: Record<CellId, string>;
	runCounts?: Record<CellId, number>;
}

interface CellRecord {
	id: CellId;
	code: string;
	compiled?: CompiledCell;
	compileError?: CellError;
	/** Outputs of the last compile that worked, so a typo makes readers stale, not undefined. */
	declared: readonly string[];
	everCompiled: boolean;
	state: CellState;
	runCount: number;
	outputs: Record<string, unknown>;
	/** Token of the current or last run, cancelled when the cell is queued again or removed. */
	token?: CancelToken;
	stoppedMessage?: string;
	/** What the cell's run depends on (code, providers, static error). A change re-runs it. */
	signature: string;
}

export class Scheduler {
	private records: CellRecord[] = [];
	private graph: NotebookGraph = { plans: new Map(), order: [], readers: new Map() };
	private pumping = false;
	private idleWaiters: (() => void)[] = [];
	private disposed = false;

	constructor(private readonly options: SchedulerOptions) {}

	/** Replaces the notebook and runs every cell. */
	load(cells: readonly CellSource[], options: LoadOptions = {}): void {
		for (const record of this.records) record.token?.cancel();
		this.records = cells.map((cell) => this.createRecord(cell));
		for (const record of this.records) {
			record.runCount = options.runCounts?.[record.id] ?? 0;
			record.stoppedMessage = options.stopped?.[record.id];
		}
		this.refresh(this.records.map((record) => record.id));
	}

	update(cell: CellSource): void {
		const record = this.require(cell.id);
		record.code = cell.code;
		this.compileInto(record);
		record.stoppedMessage = undefined;
		this.refresh([cell.id]);
	}

	insert(cell: CellSource, index: number): void {
		if (this.find(cell.id)) {
			throw new Error(`insertCell: a cell with id '${cell.id}' exists already. Use a new id.`);
		}
		const at = Math.max(0, Math.min(index, this.records.length));
		this.records.splice(at, 0, this.createRecord(cell));
		this.refresh([cell.id]);
	}

	delete(id: CellId): void {
		const record = this.require(id);
		record.token?.cancel();
		this.records = this.records.filter((r) => r !== record);
		this.refresh([]);
	}

	/** Re-runs a cell and its downstream. A stopped cell runs again. */
	run(id: CellId): void {
		this.require(id).stoppedMessage = undefined;
		this.refresh([id]);
	}

	/** Re-runs every cell except stopped ones. */
	runAll(): void {
		this.refresh(this.records.map((record) => record.id));
	}

	/** Resolves when no cell is queued or running. */
	idle(): Promise<void> {
		if (!this.busy()) return Promise.resolve();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	state(id: CellId): CellState | undefined {
		return this.find(id)?.state;
	}

	runCount(id: CellId): number | undefined {
		return this.find(id)?.runCount;
	}

	cellIds(): CellId[] {
		return this.records.map((record) => record.id);
	}

	/** Returns the cell and every cell downstream of it. */
	withDownstream(id: CellId): Set<CellId> {
		return new Set([id, ...downstreamOf(this.graph, [id])]);
	}

	dispose(): void {
		this.disposed = true;
		for (const record of this.records) record.token?.cancel();
		this.records = [];
		for (const resolve of this.idleWaiters.splice(0)) resolve();
	}

	private createRecord(cell: CellSource): CellRecord {
		const record: CellRecord = {
			id: cell.id,
			code: cell.code,
			declared: [],
			everCompiled: false,
			state: 'queued',
			runCount: 0,
			outputs: {},
			signature: ''
		};
		this.compileInto(record);
		return record;
	}

	private compileInto(record: CellRecord): void {
		try {
			record.compiled = compileCell(record.code);
			record.compileError = undefined;
			record.declared = record.compiled.outputs;
			record.everCompiled = true;
		} catch (error) {
			if (!(error instanceof CellCompileError)) throw error;
			record.compiled = undefined;
			record.compileError = {
				cell: record.id,
				kind: 'compile',
				message: `SyntaxError: ${error.message}`,
				line: error.line,
				column: error.column
			};
		}
	}

	/**
	 * Rebuilds the graph, then queues the `touched` cells, every cell whose signature changed
	 * (a new provider, a new static error) and everything downstream of them. Cells outside
	 * that set keep their state and do not run.
	 */
	private refresh(touched: Iterable<CellId>): void {
		const graphCells = this.records.map((record) => ({
			id: record.id,
			outputs: record.declared,
			inputs: record.compiled?.inputs ?? [],
			typeofOnly: record.compiled?.typeofOnly,
			unknownOutputs: !record.compiled && !record.everCompiled
		}));
		this.graph = buildGraph(graphCells, this.options.isGlobal);

		const changed = new Set(touched);
		for (const record of this.records) {
			const signature = signatureOf(record, this.plan(record.id));
			if (signature !== record.signature) changed.add(record.id);
			record.signature = signature;
		}

		const queued = new Set([...changed, ...downstreamOf(this.graph, changed)]);
		for (const id of this.graph.order) {
			if (queued.has(id)) this.requeue(this.require(id));
		}
		if (this.pumping) this.settleQueue();
		else void this.pump();
	}

	private requeue(record: CellRecord): void {
		record.token?.cancel();
		record.token = undefined;
		this.setState(record, 'queued');
	}

	/**
	 * Settles every queued cell that cannot run (an error of its own, stopped, or an input
	 * that failed), in dependency order, and returns the first queued cell whose inputs are
	 * all done. Runs synchronously, so static errors show at once even while a cell runs.
	 */
	private settleQueue(): CellRecord | undefined {
		let runnable: CellRecord | undefined;
		for (const id of this.graph.order) {
			const record = this.require(id);
			if (record.state !== 'queued') continue;

			const plan = this.plan(id);
			const error = record.compileError ?? plan.error;
			if (error) {
				this.options.emit({ type: 'error', cell: id, error });
				this.setState(record, 'error');
				continue;
			}
			if (record.stoppedMessage !== undefined) {
				const stopped: CellError = { cell: id, kind: 'stopped', message: record.stoppedMessage };
				this.options.emit({ type: 'error', cell: id, error: stopped });
				this.setState(record, 'stopped');
				continue;
			}

			const inputs = [...plan.dependsOn].map((provider) => this.require(provider).state);
			if (inputs.some((state) => state === 'queued' || state === 'running')) continue;
			if (inputs.includes('stopped')) this.setState(record, 'stopped');
			else if (inputs.some((state) => state !== 'done')) this.setState(record, 'stale');
			else runnable ??= record;
		}
		return runnable;
	}

	/** Runs queued cells one at a time until none can run. A call while it runs returns at once. */
	private async pump(): Promise<void> {
		if (this.pumping || this.disposed) return;
		this.pumping = true;
		try {
			for (let next = this.settleQueue(); next; next = this.settleQueue()) {
				await this.runOne(next);
				if (this.disposed) return;
			}
		} finally {
			this.pumping = false;
			if (!this.busy()) for (const resolve of this.idleWaiters.splice(0)) resolve();
		}
	}

	private async runOne(record: CellRecord): Promise<void> {
		const token = new CancelToken();
		record.token = token;
		record.runCount += 1;
		this.setState(record, 'running');

		const inputs = new Map<string, unknown>();
		for (const [name, provider] of this.plan(record.id).upstream) {
			inputs.set(name, this.require(provider).outputs[name]);
		}
		const execution = this.options.execute({
			cell: record.id,
			compiled: record.compiled!,
			inputs,
			token
		});

		let outcome: CellRunOutcome;
		try {
			outcome = await Promise.race([execution, token.whenCancelled]);
		} catch (error) {
			if (token.cancelled) {
				// Give the superseded run a moment to reach its next pause and throw, so that two
				// runs rarely overlap. The wait is bounded, because a run may never pause.
				await Promise.race([execution.catch(() => {}), delay(this.options.cancelGraceMs ?? 250)]);
				return;
			}
			outcome = { ok: false, error: internalError(record.id, error) };
		}
		if (token.cancelled || this.find(record.id) !== record) return;

		if (outcome.ok) {
			record.outputs = outcome.outputs;
			this.setState(record, 'done');
		} else {
			this.options.emit({ type: 'error', cell: record.id, error: outcome.error });
			this.setState(record, 'error');
		}
	}

	private setState(record: CellRecord, state: CellState): void {
		record.state = state;
		this.options.emit({ type: 'state', cell: record.id, state, runCount: record.runCount });
	}

	private busy(): boolean {
		return (
			this.pumping ||
			this.records.some((record) => record.state === 'queued' || record.state === 'running')
		);
	}

	private plan(id: CellId): CellPlan {
		return this.graph.plans.get(id) ?? { upstream: new Map(), dependsOn: new Set() };
	}

	private find(id: CellId): CellRecord | undefined {
		return this.records.find((record) => record.id === id);
	}

	private require(id: CellId): CellRecord {
		const record = this.find(id);
		if (!record)
			throw new Error(`notebook: no cell has id '${id}'. Check the id, or add the cell first.`);
		return record;
	}
}

function signatureOf(record: CellRecord, plan: CellPlan): string {
	return JSON.stringify([
		record.compiled?.js ?? record.compileError?.message,
		[...plan.upstream],
		[...plan.dependsOn],
		plan.error?.message
	]);
}

function internalError(cell: CellId, error: unknown): CellError {
	const message = error instanceof Error ? error.message : String(error);
	return {
		cell,
		kind: 'runtime',
		message: `internal: ${message}. Please report it with your notebook's link.`
	};
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
