/**
 * The whole contract between the page and the notebook worker: plain data only, so every
 * value crosses postMessage by structured clone and the page can validate what it receives.
 *
 * The page calls the worker through `client.ts` (comlink); the worker reports progress through
 * one callback that receives `WorkerEvent`s.
 */

export type CellId = string;

export type CellState = 'queued' | 'running' | 'done' | 'error' | 'stale' | 'stopped';

export type BackendName = 'cpu' | 'webgpu';

/** A cell as the editor holds it. */
export interface CellSource {
	id: CellId;
	code: string;
}

/** Where an error points: line and column are 1-based within the cell's own text. */
export interface CellError {
	cell: CellId;
	kind: 'compile' | 'runtime' | 'duplicate' | 'cycle' | 'undefined' | 'stopped' | 'device';
	message: string;
	line?: number;
	column?: number;
	/** Other cells involved (the other declaration of a duplicate name, the rest of a cycle). */
	related?: CellId[];
}

export interface LogLine {
	level: 'log' | 'info' | 'warn' | 'error';
	text: string;
}

/** Summary of a tensor as a cell shows it: PyTorch's printed form plus statistics. */
export interface TensorView {
	kind: 'tensor';
	/** As PyTorch prints it, e.g. `tensor([[0.1000, 0.2000]], grad_fn=<AddBackward0>)`. */
	text: string;
	shape: number[];
	dtype: string;
	backend: BackendName;
	requires_grad: boolean;
	/** Statistics over finite elements; null for an empty tensor. */
	stats: { min: number; max: number; mean: number; nan: number; inf: number } | null;
	histogram?: { edges: number[]; counts: number[] };
}

/** Any other value, rendered as an expandable tree. Depth-limited by the worker. */
export type InspectValue =
	| { kind: 'primitive'; text: string; type: string }
	| { kind: 'array'; length: number; items: InspectValue[]; truncated: boolean }
	| { kind: 'object'; name: string; entries: [string, InspectValue][]; truncated: boolean }
	| { kind: 'function'; name: string }
	| TensorView;

export type CellValue =
	| { kind: 'none' }
	| TensorView
	| { kind: 'inspect'; value: InspectValue }
	| { kind: 'chart'; chart: ChartSpec };

/** A form control declared in a cell (`slider({ label: 'depth', ... })`). */
export type InputSpec =
	| {
			kind: 'slider';
			label: string;
			min: number;
			max: number;
			step: number;
			value: number;
	  }
	| { kind: 'number'; label: string; value: number; min?: number; max?: number; step?: number }
	| { kind: 'select'; label: string; options: string[]; value: string }
	| { kind: 'checkbox'; label: string; value: boolean }
	| { kind: 'button'; label: string; value: number };

/**
 * Non-finite values in chart data stay numbers here (structured clone keeps NaN and Infinity);
 * the views write them as the strings "NaN", "Infinity", "-Infinity" in `data-values`.
 */
export interface PlotSeries {
	type: 'line' | 'scatter' | 'bar' | 'hist';
	label?: string;
	x: number[];
	y: number[];
	marker?: string;
	linestyle?: string;
	color?: string;
}

export interface PlotAxes {
	series: PlotSeries[];
	title?: string;
	xlabel?: string;
	ylabel?: string;
	xscale?: 'linear' | 'log';
	yscale?: 'linear' | 'log';
	/** Fixed axis limits, left (bottom) then right (top); null keeps that end autoscaled. */
	xlim?: [number | null, number | null];
	ylim?: [number | null, number | null];
	/** Names of a categorical x axis: x value i stands for xcategories[i], and ticks show names. */
	xcategories?: string[];
	/** Grid lines at the major ticks, as `ax.grid(true)`. */
	grid?: boolean;
	legend?: boolean;
	image?: { rows: number; cols: number; data: number[]; cmap?: string };
}

export type ChartSpec =
	| {
			kind: 'plot';
			id: string;
			/** One panel, or a grid from `plt.subplots(rows, cols)`. */
			rows: number;
			cols: number;
			axes: PlotAxes[];
			suptitle?: string;
			/** matplotlib's figsize in inches; the views keep its height-to-width ratio. */
			figsize?: [number, number];
	  }
	| {
			kind: 'grad-norms';
			id: string;
			/** One name per weight matrix, layer 0 first. */
			layers: string[];
			/** values[step][layer]: the scaled (overflow-free) Frobenius norm of each weight's grad. */
			values: number[][];
			/** The same norms as a plain float32 `.norm()` gives them (Infinity or 0 where it loses them). */
			float32Values: number[][];
			/** Training step of each row. */
			steps: number[];
			/** Heading drawn above the chart, from `views.grad_norms(model, { title })`. */
			title?: string;
	  }
	| {
			kind: 'landscape';
			id: string;
			x: number[];
			y?: number[];
			z: number[] | number[][];
			path: [number, number][];
			/** Labelled paths drawn in their own colours with a legend, as `record(label)` fills them. */
			paths?: { label: string; points: [number, number][] }[];
			xlabel?: string;
			ylabel?: string;
			logScale?: boolean;
	  };

export type WorkerEvent =
	| { type: 'state'; cell: CellId; state: CellState; runCount: number }
	| { type: 'log'; cell: CellId; line: LogLine }
	| { type: 'value'; cell: CellId; value: CellValue }
	| { type: 'error'; cell: CellId; error: CellError }
	/** Charts shown by `plt.show()` or `views.*`; a chart with a known id replaces the old one. */
	| { type: 'chart'; cell: CellId; chart: ChartSpec }
	| { type: 'inputs'; cell: CellId; inputs: InputSpec[] }
	| { type: 'progress'; cell: CellId; done: number; total: number }
	/** Which backend runs and on what adapter: sent at init, on setBackend, and after a lost GPU device. */
	| { type: 'backend'; backend: BackendName; adapter: string; note?: string }
	/**
	 * A value shown by `display(x)` during a run, in call order. The page appends it under the
	 * cell and clears the list when the cell's state becomes 'running'.
	 */
	| { type: 'display'; cell: CellId; value: CellValue }
	/**
	 * Sent about every 250 ms while a cell runs, from a timer, so it only arrives when the
	 * worker's event loop turns. `client.ts` uses it as a watchdog and does not forward it.
	 */
	| { type: 'heartbeat' };

/** What a fresh worker needs to continue where a stopped one left off. */
export interface RestartOptions {
	/** Cells not to run, with the message to show: they and their downstream are 'stopped'. */
	stopped?: Record<CellId, string>;
	/** Run counts to continue from, so `data-run-count` never goes back. */
	runCounts?: Record<CellId, number>;
}

/** Options of one `runCell` call. */
export interface RunOptions {
	/** Turn on `torch.autograd.set_detect_anomaly` for this cell's run only. */
	detect_anomaly?: boolean;
}

/**
 * The methods the worker exposes through comlink. All are async across the boundary. Each
 * resolves once the change is applied and the runs it causes are queued, not when they end:
 * follow the runs through 'state' events.
 */
export interface NotebookWorkerApi {
	/** Pick a backend and report it; 'auto' uses WebGPU when an adapter exists. */
	init(backend: BackendName | 'auto', onEvent: (event: WorkerEvent) => void): Promise<void>;
	/**
	 * Replace the whole notebook and run every cell in dependency order. `inputs` are keyed by
	 * `${cellId}/${label}`, as in the notebook document.
	 */
	setNotebook(
		cells: CellSource[],
		inputs?: Record<string, unknown>,
		options?: RestartOptions
	): Promise<void>;
	/** Change one cell's code; it and its downstream cells re-run. */
	updateCell(cell: CellSource): Promise<void>;
	/** Add a cell at `index`. */
	insertCell(cell: CellSource, index: number): Promise<void>;
	deleteCell(id: CellId): Promise<void>;
	/**
	 * Re-run one cell and everything downstream of it. `detect_anomaly` turns on
	 * `torch.autograd.set_detect_anomaly` for that cell's run only.
	 */
	runCell(id: CellId, options?: RunOptions): Promise<void>;
	/** A form control moved: re-run exactly the cells that use its cell's outputs. */
	setInput(cell: CellId, label: string, value: unknown): Promise<void>;
	/** Switch the engine backend and re-run the notebook. */
	setBackend(backend: BackendName): Promise<void>;
}
