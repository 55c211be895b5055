/**
 * One cell as the page shows it: the code being edited, and the outputs that worker events
 * report for it. Outputs of the previous run stay on screen until the new run replaces them,
 * so a chart does not blink while a slider is dragged.
 */

import type {
	CellError,
	CellId,
	CellState,
	CellValue,
	ChartSpec,
	InputSpec,
	LogLine
} from '$lib/worker/api';

/** Console lines kept per cell; a training loop that logs every step would otherwise grow forever. */
export const MAX_LOG_LINES = 500;

export interface CellProgress {
	done: number;
	total: number;
}

export class NotebookCell {
	readonly id: CellId;
	code = $state('');
	/** The code the worker last received; differs from `code` while the reader edits. */
	sentCode = $state('');
	note = $state<string | undefined>(undefined);

	state = $state<CellState>('queued');
	runCount = $state(0);
	logs = $state.raw<LogLine[]>([]);
	/** Lines dropped from the front of `logs` to keep it under MAX_LOG_LINES. */
	droppedLogs = $state(0);
	value = $state.raw<CellValue | null>(null);
	/** Values shown by `display(x)` during the current run, in call order. */
	displays = $state.raw<CellValue[]>([]);
	charts = $state.raw<ChartSpec[]>([]);
	inputs = $state.raw<InputSpec[]>([]);
	progress = $state.raw<CellProgress | null>(null);
	errors = $state.raw<CellError[]>([]);

	/**
	 * Whether `value` comes from an earlier run. A run keeps the previous value until it returns
	 * its own, so the page does not flicker, and a stopped run never returns one.
	 */
	valueFromEarlierRun = $state(false);
	/** Ids of charts in `charts` that the current or stopped run has not drawn again. */
	earlierRunChartIds = $state.raw<readonly string[]>([]);

	/** Edited since the worker last got the code. */
	dirty = $derived(this.code !== this.sentCode);

	/** The state to show: an edited cell that is not running is stale until it runs again. */
	displayState = $derived<CellState>(
		this.dirty && this.state !== 'running' && this.state !== 'queued' ? 'stale' : this.state
	);

	#running = false;
	// Bookkeeping of the current run; the page renders `charts`, not this set.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#freshChartIds = new Set<string>();
	#freshValue = false;

	constructor(id: CellId, code: string, note?: string) {
		this.id = id;
		this.code = code;
		this.sentCode = code;
		this.note = note;
	}

	setState(state: CellState, runCount: number): void {
		// A run that was cancelled and queued again starts over with a new 'running'.
		if (state === 'running' && this.state !== 'running') this.#beginRun();
		if (state === 'queued') this.errors = [];
		if ((state === 'done' || state === 'error') && this.#running) this.#endRun();
		// An error found before running (a name another cell no longer defines) leaves no output
		// of this code, so the previous run's charts and value would mislead.
		else if (state === 'error') this.#clearOutputs();
		// A stopped run keeps what it drew before the stop, such as a loss curve so far.
		if (state === 'stopped') this.#running = false;
		this.state = state;
		this.runCount = runCount;
	}

	addLog(line: LogLine): void {
		const logs = [...this.logs, line];
		const excess = logs.length - MAX_LOG_LINES;
		if (excess > 0) {
			logs.splice(0, excess);
			this.droppedLogs += excess;
		}
		this.logs = logs;
	}

	setValue(value: CellValue): void {
		this.value = value.kind === 'none' ? null : value;
		this.#freshValue = true;
		this.valueFromEarlierRun = false;
	}

	addDisplay(value: CellValue): void {
		this.displays = [...this.displays, value];
	}

	/** Adds a chart, or replaces the chart with the same id in place. */
	setChart(chart: ChartSpec): void {
		this.#freshChartIds.add(chart.id);
		if (this.earlierRunChartIds.includes(chart.id)) {
			this.earlierRunChartIds = this.earlierRunChartIds.filter((id) => id !== chart.id);
		}
		const index = this.charts.findIndex((old) => old.id === chart.id);
		this.charts = index < 0 ? [...this.charts, chart] : this.charts.with(index, chart);
	}

	addError(error: CellError): void {
		const seen = this.errors.some(
			(old) => old.kind === error.kind && old.message === error.message && old.line === error.line
		);
		if (!seen) this.errors = [...this.errors, error];
	}

	setInputs(inputs: InputSpec[]): void {
		this.inputs = inputs;
	}

	/** Shows a new input value at once, before the worker re-runs the cells that use it. */
	setInputValue(label: string, value: InputSpec['value']): void {
		this.inputs = this.inputs.map((input) =>
			input.label === label ? ({ ...input, value } as InputSpec) : input
		);
	}

	setProgress(done: number, total: number): void {
		this.progress = { done, total };
	}

	#beginRun(): void {
		this.#running = true;
		this.#freshChartIds.clear();
		this.#freshValue = false;
		this.valueFromEarlierRun = this.value !== null;
		this.earlierRunChartIds = this.charts.map((chart) => chart.id);
		this.logs = [];
		this.droppedLogs = 0;
		this.displays = [];
		this.errors = [];
		this.progress = null;
	}

	#clearOutputs(): void {
		this.charts = [];
		this.earlierRunChartIds = [];
		this.value = null;
		this.valueFromEarlierRun = false;
		this.displays = [];
		this.progress = null;
	}

	/** Drops the outputs that the finished run did not produce again. */
	#endRun(): void {
		this.#running = false;
		this.charts = this.charts.filter((chart) => this.#freshChartIds.has(chart.id));
		this.earlierRunChartIds = [];
		if (!this.#freshValue) this.value = null;
		this.valueFromEarlierRun = false;
		if (this.progress && this.progress.done >= this.progress.total) this.progress = null;
	}
}
