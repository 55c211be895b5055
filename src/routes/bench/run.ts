/** Runs every `/bench` workload on every contender and computes the ratios to TF.js. */
import type { Contender, Kind, Workload, WorkloadId } from './workloads';

export interface Cell {
	/** Median wall time of one step in ms after one warm-up step (see warmup_only); null on error. */
	median_ms: number | null;
	runs: number;
	gflops?: number;
	/** True when the one timed step was the first, because it alone took longer than the budget. */
	warmup_only?: boolean;
	/** GPU dispatches per step, where the engine counts them. */
	dispatches_per_step?: number;
	/**
	 * GPU buffer-pool bytes, where the engine reports them (ours on WebGPU): the peak over the
	 * warm-up and timed steps, and the bytes still allocated after them. Both include earlier
	 * cells' tensors that the garbage collector has not reclaimed yet.
	 */
	peak_bytes?: number;
	live_bytes?: number;
	/** median_ms divided by the best TF.js median of the same kind; below 1 is faster. */
	ratio?: number;
	error?: string;
	/** Why the workload was not timed on this row (not an error). */
	skipped?: string;
}

export interface Row {
	label: string;
	engine: Contender['engine'];
	backend: string;
	kind: Kind;
	jit?: boolean;
	/** Why the engine did not load; the row has no cells then. */
	error?: string;
	cells: Partial<Record<WorkloadId, Cell>>;
}

export interface Report {
	date: string;
	userAgent: string;
	workloads: { id: WorkloadId; title: string }[];
	rows: Row[];
	total_s: number;
}

export function labelOf(contender: Contender): string {
	const jit = contender.jit === undefined ? '' : contender.jit ? ' jit' : ' eager';
	const variant = contender.variant === undefined ? '' : ` (${contender.variant})`;
	return `${contender.engine} ${contender.backend}${jit}${variant}`;
}

function message(error: unknown): string {
	return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Times `step`: warm-up steps for a quarter of `budgetMs` (at least one, at most `maxRuns`),
 * then timed steps until `budgetMs` has passed and `minRuns` are done. V8 optimizes a small
 * step's functions over its first tens of runs, for every engine on the page, and a training
 * loop runs long past that, so the steady state is what the table reports.
 */
async function time(
	step: () => Promise<unknown>,
	workload: Workload,
	dispatches?: () => number
): Promise<Cell> {
	const warmupStart = performance.now();
	await step();
	const warmupMs = performance.now() - warmupStart;
	// A step slower than the whole budget (TF.js WebGPU's landscape takes minutes on SwiftShader)
	// is timed once, from its warm-up, so the page still finishes in minutes.
	if (warmupMs > workload.budgetMs) {
		return {
			median_ms: round(warmupMs),
			runs: 1,
			warmup_only: true,
			...gflopsOf(workload, warmupMs)
		};
	}
	for (let runs = 1; runs < workload.maxRuns; runs++) {
		if (performance.now() - warmupStart > workload.budgetMs / 4) break;
		await step();
	}
	const dispatchesBefore = dispatches?.();
	const times: number[] = [];
	const start = performance.now();
	while (
		times.length < workload.maxRuns &&
		(times.length < workload.minRuns || performance.now() - start < workload.budgetMs)
	) {
		const t0 = performance.now();
		await step();
		times.push(performance.now() - t0);
	}
	times.sort((a, b) => a - b);
	const median = times[Math.floor(times.length / 2)];
	const cell: Cell = { median_ms: round(median), runs: times.length };
	Object.assign(cell, gflopsOf(workload, median));
	if (dispatches && dispatchesBefore !== undefined) {
		cell.dispatches_per_step = round((dispatches() - dispatchesBefore) / times.length);
	}
	return cell;
}

function gflopsOf(workload: Workload, ms: number): { gflops?: number } {
	return workload.flops === null ? {} : { gflops: round(workload.flops / ms / 1e6) };
}

function round(value: number): number {
	return Number(value.toPrecision(4));
}

async function runCell(contender: Contender, workload: Workload): Promise<Cell> {
	let prepared;
	try {
		prepared = await contender.prepare(workload.id);
	} catch (error) {
		return { median_ms: null, runs: 0, error: message(error) };
	}
	if (!prepared) return { median_ms: null, runs: 0, skipped: 'n/a' };
	try {
		contender.memory?.resetPeak();
		const cell = await time(() => prepared.step(), workload, contender.dispatches);
		if (contender.memory) Object.assign(cell, contender.memory.read());
		return cell;
	} catch (error) {
		return { median_ms: null, runs: 0, error: message(error) };
	} finally {
		prepared.dispose();
	}
}

/** Sets each cell's ratio to the fastest TF.js row of the same kind for that workload. */
export function addRatios(rows: Row[], workloads: Workload[]): void {
	for (const workload of workloads) {
		for (const kind of ['cpu', 'gpu'] as const) {
			const tfTimes = rows
				.filter((row) => row.engine === 'tfjs' && row.kind === kind)
				.map((row) => row.cells[workload.id]?.median_ms)
				.filter((t): t is number => typeof t === 'number');
			if (tfTimes.length === 0) continue;
			const best = Math.min(...tfTimes);
			for (const row of rows.filter((r) => r.kind === kind)) {
				const cell = row.cells[workload.id];
				if (cell?.median_ms != null) cell.ratio = round(cell.median_ms / best);
			}
		}
	}
}

/** The rows and columns the page's query selects; a null list selects every value. */
export interface Selection {
	engines: string[] | null;
	backends: string[] | null;
	workloads: WorkloadId[];
}

/** Filters contenders by the query and drops rows that would time none of its workloads. */
export function selectContenders(all: Contender[], selection: Selection): Contender[] {
	const { engines, backends, workloads } = selection;
	return all.filter(
		(c) =>
			(!engines || engines.includes(c.engine)) &&
			(!backends || backends.includes(c.backend)) &&
			(!c.only || c.only.some((id) => workloads.includes(id)))
	);
}

/**
 * Loads each contender and times each workload on it, calling `update` after every cell so the
 * page can redraw. A contender that fails to load keeps its error and gets no cells.
 */
export async function runBench(
	contenders: Contender[],
	workloads: Workload[],
	update: (rows: Row[], status: string) => void
): Promise<Report> {
	const started = performance.now();
	const rows: Row[] = contenders.map((c) => ({
		label: labelOf(c),
		engine: c.engine,
		backend: c.backend,
		kind: c.kind,
		...(c.jit === undefined ? {} : { jit: c.jit }),
		cells: {}
	}));
	for (const [index, contender] of contenders.entries()) {
		const row = rows[index];
		update(rows, `Loading ${row.label}…`);
		try {
			await contender.load();
		} catch (error) {
			row.error = message(error);
			update(rows, `${row.label} failed to load.`);
			continue;
		}
		for (const workload of workloads) {
			update(rows, `Timing ${workload.id} on ${row.label}…`);
			// Lets the page paint between cells, because a cell can take seconds.
			await new Promise((resolve) => setTimeout(resolve, 0));
			row.cells[workload.id] = await runCell(contender, workload);
		}
	}
	addRatios(rows, workloads);
	const report: Report = {
		date: new Date().toISOString(),
		userAgent: navigator.userAgent,
		workloads: workloads.map(({ id, title }) => ({ id, title })),
		rows,
		total_s: round((performance.now() - started) / 1000)
	};
	update(rows, `Done in ${report.total_s} s.`);
	return report;
}
