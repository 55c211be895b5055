/**
 * `views`: live charts that compute in the worker. `views.grad_norms(model)` hooks the
 * model's weight matrices and, after every backward pass, appends one step of per-layer
 * gradient norms to a 'grad-norms' chart. `views.loss_landscape(model, loss_fn, options)`
 * charts the loss around the model's parameters (see landscape.ts).
 *
 * Each gradient norm is computed twice. The scaled norm divides by the largest |element|
 * first and multiplies back on the host in float64, so it neither overflows (an exploding
 * network) nor needs subnormal floats (a vanishing one), which most GPUs flush to zero. The
 * plain float32 `.norm()` shows what PyTorch itself prints: Infinity where float32 overflows.
 */

import type { Tensor, torch as Torch } from '../engine';
import type { Module } from '../engine/nn';
import type { ChartSpec } from '../worker/api';
import { lossLandscape, type Landscape, type LandscapeOptions } from './landscape';

export interface ViewModel {
	named_parameters(): Iterable<[string, Tensor]>;
}

/** PyTorch 2.1's hook that runs once `.grad` has accumulated; the engine may not have it. */
type WithPostAccumulateHook = Tensor & {
	register_post_accumulate_grad_hook?(hook: (param: Tensor) => void): { remove(): void };
};

/** Run facilities that `views` uses. */
export interface ViewsContext {
	torch: typeof Torch;
	cell: string;
	emit(chart: ChartSpec): void;
	progress(done: number, total: number): Promise<void>;
	/** Registers cleanup for when the run is replaced, stopped or its cell deleted. */
	onDispose(dispose: () => void): void;
	/** Reports a failure that happened outside the cell's own code (in a hook or readback). */
	reportError(error: unknown): void;
}

export interface Views {
	/** Charts each weight's gradient norm after every backward pass, with `title` above it. */
	grad_norms(model: ViewModel, options?: { title?: string }): void;
	loss_landscape(
		model: Module,
		loss_fn: (model: Module) => Tensor,
		options?: LandscapeOptions
	): Promise<Landscape>;
}

/** The chart refreshes at most this often; the last state is always sent. */
const MIN_EMIT_INTERVAL_MS = 1000 / 60;

/** Creates `views` for one cell run; chart ids count calls, so a re-run replaces its charts. */
export function createViews(context: ViewsContext): Views {
	let gradNormCharts = 0;
	let landscapeCharts = 0;
	return {
		grad_norms(model, options = {}) {
			const title = options?.title;
			if (title !== undefined && typeof title !== 'string') {
				throw new TypeError(
					`views.grad_norms: title must be a string, got ${describe(title)}. ` +
						"Pass it as views.grad_norms(model, { title: 'With BatchNorm' })."
				);
			}
			const id = `${context.cell}-grad-norms-${gradNormCharts++}`;
			new GradNormsView(model, id, context, title).attach();
		},
		loss_landscape(model, loss_fn, options = {}) {
			return lossLandscape(context.torch, model, loss_fn, options, {
				emit: context.emit,
				progress: context.progress,
				onDispose: context.onDispose,
				chartId: `${context.cell}-landscape-${landscapeCharts++}`
			});
		}
	};
}

type GradNormsChart = Extract<ChartSpec, { kind: 'grad-norms' }>;

class GradNormsView {
	private readonly weights: [string, Tensor][];
	private readonly chart: GradNormsChart;
	/** Norm tensors of the backward pass in progress, per weight index: [max|g|, ‖g/max‖, ‖g‖]. */
	private pass = new Map<number, Tensor[]>();
	private readbacks: Promise<void> = Promise.resolve();
	/** Steps whose readback finished; later rows are still NaN and are not sent. */
	private stepsRead = 0;
	private lastEmit = -Infinity;
	private trailingEmit: ReturnType<typeof setTimeout> | null = null;
	private disposed = false;

	constructor(
		model: ViewModel,
		id: string,
		private readonly context: ViewsContext,
		title?: string
	) {
		if (typeof model?.named_parameters !== 'function') {
			throw new TypeError(
				`views.grad_norms: expected an nn.Module, got ${describe(model)}. Pass the model, e.g. views.grad_norms(model).`
			);
		}
		this.weights = [...model.named_parameters()].filter(([, p]) => p.shape.length === 2);
		if (this.weights.length === 0) {
			throw new Error(
				'views.grad_norms: the model has no weight matrices (2-D parameters), so there is nothing to chart. Pass a model with nn.Linear layers.'
			);
		}
		this.chart = {
			kind: 'grad-norms',
			id,
			layers: this.weights.map(([name]) => name),
			values: [],
			float32Values: [],
			steps: [],
			...(title ? { title } : {})
		};
	}

	attach(): void {
		const handles = this.weights.map(([, weight], index) => this.hook(weight, index));
		this.context.onDispose(() => {
			this.disposed = true;
			for (const handle of handles) handle.remove();
			if (this.trailingEmit !== null) clearTimeout(this.trailingEmit);
		});
		this.emit(true);
	}

	/**
	 * Prefers a hook that runs after `.grad` has accumulated. A plain tensor hook receives the
	 * incoming gradient instead, so the accumulated one is rebuilt as `.grad + incoming`.
	 */
	private hook(weight: WithPostAccumulateHook, index: number): { remove(): void } {
		if (weight.register_post_accumulate_grad_hook) {
			return weight.register_post_accumulate_grad_hook((param) => {
				if (param.grad) this.collect(index, param.grad);
			});
		}
		return weight.register_hook((incoming) => {
			this.collect(index, weight.grad ? weight.grad.add(incoming) : incoming);
		});
	}

	/**
	 * Records the norm tensors of one weight's gradient. Hooks run synchronously inside
	 * backward(), before the cell can zero or step, so the values are those of this pass.
	 * A pass ends when every weight has reported, when a weight reports twice (the next
	 * backward began without an await in between), or at the next microtask.
	 */
	private collect(index: number, grad: Tensor): void {
		if (this.disposed) return;
		if (this.pass.has(index)) this.finishPass();
		if (this.pass.size === 0) queueMicrotask(() => this.finishPass());

		const { torch } = this.context;
		this.pass.set(
			index,
			torch.no_grad(() => {
				const max = grad.abs().max();
				return [max, grad.div(max).pow(2).sum().sqrt(), grad.norm()];
			})
		);
		if (this.pass.size === this.weights.length) this.finishPass();
	}

	/** Stacks the pass's norms into one tensor, so the whole step costs one readback. */
	private finishPass(): void {
		if (this.pass.size === 0 || this.disposed) return;
		const pass = this.pass;
		this.pass = new Map();

		const layers = this.weights.length;
		const present = [...pass.keys()].sort((a, b) => a - b);
		const stacked = this.context.torch.no_grad(() =>
			this.context.torch.stack(present.flatMap((index) => pass.get(index)!))
		);
		const step = this.chart.steps.length;
		this.chart.steps.push(step);
		this.chart.values.push(new Array(layers).fill(NaN));
		this.chart.float32Values.push(new Array(layers).fill(NaN));

		this.readbacks = this.readbacks.then(async () => {
			if (this.disposed) return;
			try {
				const data = await stacked.array();
				present.forEach((layer, k) => {
					const [max, scaled, plain] = [data[3 * k], data[3 * k + 1], data[3 * k + 2]];
					this.chart.values[step][layer] = scaledNorm(max, scaled);
					this.chart.float32Values[step][layer] = plain;
				});
				this.stepsRead = step + 1;
				this.emit(false);
			} catch (error) {
				this.context.reportError(error);
			}
		});
	}

	/** Sends the chart at most every MIN_EMIT_INTERVAL_MS, with a trailing send for the last step. */
	private emit(force: boolean): void {
		if (this.disposed) return;
		const now = performance.now();
		const wait = this.lastEmit + MIN_EMIT_INTERVAL_MS - now;
		if (force || wait <= 0) {
			this.lastEmit = now;
			this.context.emit(snapshot(this.chart, this.stepsRead));
			return;
		}
		this.trailingEmit ??= setTimeout(() => {
			this.trailingEmit = null;
			this.emit(true);
		}, wait);
	}
}

/**
 * ‖g‖ = max|g| · ‖g / max|g|‖, multiplied in float64. A zero gradient has norm 0 (its scaled
 * part is 0/0); an infinite or NaN element makes the norm Infinity or NaN, as in PyTorch.
 */
export function scaledNorm(maxAbs: number, scaled: number): number {
	if (maxAbs === 0) return 0;
	if (!Number.isFinite(maxAbs)) return maxAbs;
	return maxAbs * scaled;
}

// TODO: every send copies all steps, so a run of many thousand steps sends megabytes a
// second. Sending only the new rows needs an append event in the worker API.
function snapshot(chart: GradNormsChart, steps: number): GradNormsChart {
	return {
		...chart,
		layers: [...chart.layers],
		values: chart.values.slice(0, steps).map((row) => [...row]),
		float32Values: chart.float32Values.slice(0, steps).map((row) => [...row]),
		steps: chart.steps.slice(0, steps)
	};
}

function describe(value: unknown): string {
	if (value === null || value === undefined) return String(value);
	if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
	return typeof value;
}
