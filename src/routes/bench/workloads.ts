/**
 * The `/bench` workloads and the interface each engine implements for them. Every engine builds
 * its own random inputs of the same shapes, because only the time is compared.
 */

export type WorkloadId = 'post34' | 'mlp' | 'matmul' | 'landscape';

/** 'gpu' rows are compared with TF.js WebGPU; 'cpu' rows with the faster of TF.js CPU and Wasm. */
export type Kind = 'gpu' | 'cpu';

export interface Workload {
	id: WorkloadId;
	title: string;
	/** Floating-point operations of one step, for the GFLOP/s column; null where not reported. */
	flops: number | null;
	/** Timed steps at least and at most, and the time after which no new step starts. */
	minRuns: number;
	maxRuns: number;
	budgetMs: number;
}

export const LANDSCAPE_RESOLUTION = 41;
export const LANDSCAPE_POINTS = 256;
export const LANDSCAPE_HIDDEN = 64;
/** Half the side of the landscape's plane, in units of its direction vectors. */
export const LANDSCAPE_SPAN = 1;

export const workloads: Workload[] = [
	{
		id: 'post34',
		title: 'post 3.4: 20 x (Linear(32,32) + sigmoid), batch 16, fwd + bwd + 20 norms',
		flops: null,
		minRuns: 5,
		maxRuns: 50,
		budgetMs: 3000
	},
	{
		id: 'mlp',
		title: 'MLP 784-512-512-512-10 SGD step, batch 256, cross-entropy',
		flops: null,
		minRuns: 2,
		maxRuns: 20,
		budgetMs: 4000
	},
	{
		id: 'matmul',
		title: 'matmul 1024 x 1024',
		flops: 2 * 1024 ** 3,
		minRuns: 2,
		maxRuns: 20,
		budgetMs: 3000
	},
	{
		id: 'landscape',
		title: '41 x 41 loss landscape: 1681 losses of a 2-64-1 tanh MLP on 256 points',
		flops: null,
		minRuns: 1,
		maxRuns: 5,
		// Long enough that rows of 4 to 10 s per grid get a warm step, not only the one that
		// compiles their shaders.
		budgetMs: 10000
	}
];

/** One prepared workload: `step` runs it once and resolves after its result is read back. */
export interface Prepared {
	step(): Promise<unknown>;
	dispose(): void;
}

/** One engine on one backend, as a row of the table. */
export interface Contender {
	engine: 'ours' | 'tfjs' | 'jax-js';
	backend: string;
	kind: Kind;
	/** Whether jax-js compiles the step with `jit` (absent for other engines). */
	jit?: boolean;
	/** A second way of running the same engine, shown after the label: 'landscape view'. */
	variant?: string;
	/** The workloads this row times, where it times only some; the page drops it without them. */
	only?: WorkloadId[];
	/** Loads the engine and selects the backend; throws when it is not available. */
	load(): Promise<void>;
	/** GPU dispatches recorded so far, where the engine counts them (ours on WebGPU). */
	dispatches?(): number;
	/** The GPU memory pool's counters, where the engine has them (ours on WebGPU). */
	memory?: {
		resetPeak(): void;
		read(): { peak_bytes: number; live_bytes: number };
	};
	/** Builds the inputs; null where the workload does not apply (jit of a single matmul). */
	prepare(id: WorkloadId): Promise<Prepared | null>;
}

/** Grid coordinates of one landscape row: LANDSCAPE_RESOLUTION values in [-span, span]. */
export function landscapeAxis(): number[] {
	const n = LANDSCAPE_RESOLUTION;
	return Array.from({ length: n }, (_, i) => -LANDSCAPE_SPAN + (2 * LANDSCAPE_SPAN * i) / (n - 1));
}
