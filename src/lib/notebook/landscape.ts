/**
 * `views.loss_landscape`: the loss on a line or a plane through the model's parameters, as in
 * Li et al., "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018). The plane comes
 * from landscape-plane.ts and the option checks from landscape-options.ts. This module evaluates
 * the grid, projects the optimiser's path and builds the 'landscape' chart.
 *
 * The losses of one grid row are stacked and read back together, so a 41 x 41 grid costs 41
 * readbacks, and `progress` runs between rows, which is where a superseded run stops. Models of
 * Linear layers and activations run a whole row in one batched forward pass (landscape-batch.ts),
 * and a point is then copied into the parameters only if something reads them
 * (landscape-deferred.ts). Parameters and buffers are restored exactly afterwards, also when
 * `loss_fn` throws.
 */

import type { torch as Torch, Tensor } from '../engine';
import type { Module } from '../engine/nn';
import type { ChartSpec } from '../worker/api';
import { BatchedForward } from './landscape-batch';
import { DeferredWrites } from './landscape-deferred';
import {
	checkArguments,
	checkLoss,
	checkModel,
	checkOptions,
	checkRecordedModel,
	type LandscapeOptions,
	type LandscapeSettings as Settings
} from './landscape-options';
import {
	countScalars,
	exactPlane,
	pcaPlane,
	projectionProducts,
	randomPlane,
	solveCoordinates,
	type Plane
} from './landscape-plane';

type LandscapeTorch = typeof Torch;
type LossFn = (model: Module) => Tensor;
type LandscapeChart = Extract<ChartSpec, { kind: 'landscape' }>;

export { MAX_RESOLUTION, type LandscapeOptions } from './landscape-options';

export interface LandscapeHooks {
	emit(chart: ChartSpec): void;
	progress?(done: number, total: number): Promise<void>;
	/** Registers cleanup for when the run is replaced, stopped or its cell deleted. */
	onDispose?(dispose: () => void): void;
	chartId: string;
	/** Whether rows may run as one batched forward pass (default true); tests compare both. */
	batchRows?: boolean;
}

/** A computed landscape: its chart, its directions, and `record()` to extend the path. */
export interface Landscape {
	chart: LandscapeChart;
	/** One direction per axis, each a list of tensors in `parameters()` order. */
	directions: Tensor[][];
	/**
	 * Adds the model's current parameters to the path, projected onto the plane (in 1-D, the
	 * point's coordinate and its loss), and redraws the chart. Await it inside a training loop.
	 * With a `label`, the point goes to the path of that name in `chart.paths`, which is drawn in
	 * its own colour with a legend; without one it goes to `chart.path`. With a `model` of the
	 * same parameter shapes, its parameters are recorded instead, so that several training runs
	 * can draw their paths on one landscape.
	 */
	record(label?: string, model?: Module): Promise<void>;
}

/** Stacked parameters one group of grid points may hold (16 MiB of float32). */
const MAX_GROUP_ELEMENTS = 1 << 22;

/** Minimum time between chart sends while `record()` extends the path; the last one always goes. */
const MIN_EMIT_INTERVAL_MS = 1000 / 60;

/** Computes the landscape of `lossFn(model)` around the model's parameters and emits its chart. */
export async function lossLandscape(
	torch: LandscapeTorch,
	model: Module,
	lossFn: LossFn,
	options: LandscapeOptions,
	hooks: LandscapeHooks
): Promise<Landscape> {
	const settings = checkOptions(options);
	checkArguments(torch, model, lossFn);
	const named = [...model.named_parameters()];
	const params = named.map(([, p]) => p);
	checkModel(named, settings);

	const saved = snapshot(torch, [...params, ...model.buffers()]);
	const plane = await choosePlane(torch, named, settings);
	const grid: Grid = {
		torch,
		model,
		lossFn,
		params,
		plane,
		offsets: [],
		batched: hooks.batchRows === false ? null : BatchedForward.create(torch, model, params),
		deferred: new DeferredWrites(params)
	};

	let path: [number, number][];
	let z: number[][];
	try {
		const checkpoints = settings.checkpoints;
		const coordinates = checkpoints.length ? await projectPoints(torch, checkpoints, plane) : [];
		const span = settings.span ?? defaultSpan(settings, coordinates, plane);
		grid.offsets = linspace(-span, span, settings.resolution);
		z = await evaluateGrid(grid, settings.dims, hooks);
		path = settings.dims === 1 ? await lossPath(grid, checkpoints, coordinates) : coordinates;
	} finally {
		saved.restore();
	}

	const chart: LandscapeChart = {
		kind: 'landscape',
		id: hooks.chartId,
		x: grid.offsets.map((t) => t + plane.center[0]),
		...(settings.dims === 2 ? { y: grid.offsets.map((t) => t + plane.center[1]) } : {}),
		z: settings.dims === 1 ? z[0] : z,
		path,
		xlabel: plane.labels[0],
		ylabel: settings.dims === 2 ? plane.labels[1] : 'loss',
		logScale: settings.log
	};
	hooks.emit(copyChart(chart));
	return {
		chart,
		directions: plane.directions,
		record: recorder(grid, settings.dims, chart, hooks)
	};
}

async function choosePlane(
	torch: LandscapeTorch,
	named: [string, Tensor][],
	settings: Settings
): Promise<Plane> {
	const params = named.map(([, p]) => p);
	if (settings.directions === 'pca') {
		return pcaPlane(torch, params, settings.checkpoints, settings.dims);
	}
	if (countScalars(params) === 2) {
		const plane = await exactPlane(torch, named, settings.center);
		const dims = settings.dims;
		return {
			...plane,
			directions: plane.directions.slice(0, dims),
			zero: plane.zero.slice(0, dims)
		};
	}
	return randomPlane(torch, params, settings.dims, settings.seed, settings.includeBiases);
}

/** Returns the span for 'pca' that contains the whole path with a margin, and 1 otherwise. */
function defaultSpan(settings: Settings, coordinates: [number, number][], plane: Plane): number {
	if (settings.directions !== 'pca') return 1;
	const reach = Math.max(
		...coordinates.map(([a, b]) =>
			Math.max(Math.abs(a - plane.center[0]), Math.abs(b - plane.center[1]))
		)
	);
	return reach > 0 && Number.isFinite(reach) ? 1.25 * reach : 1;
}

interface Grid {
	torch: LandscapeTorch;
	model: Module;
	lossFn: LossFn;
	params: Tensor[];
	plane: Plane;
	/** Coordinates along each direction, relative to the plane's origin. */
	offsets: number[];
	batched: BatchedForward | null;
	/** Defers the copy of each point into the parameters while `batched` serves the output. */
	deferred: DeferredWrites;
}

/** Evaluates every row; 1-D is the single row at β = 0. */
async function evaluateGrid(grid: Grid, dims: 1 | 2, hooks: LandscapeHooks): Promise<number[][]> {
	const rows = dims === 1 ? [0] : grid.offsets;
	const z: number[][] = [];
	for (const [j, beta] of rows.entries()) {
		z.push(await evaluateRow(grid, beta));
		await hooks.progress?.(j + 1, rows.length);
	}
	return z;
}

/** Evaluates the row at `beta` in groups of points, with one readback for the whole row. */
async function evaluateRow(grid: Grid, beta: number): Promise<number[]> {
	const { torch, offsets } = grid;
	const groupSize = Math.max(1, Math.floor(MAX_GROUP_ELEMENTS / countScalars(grid.params)));
	const losses = torch.no_grad(() => {
		const row: Tensor[] = [];
		for (let start = 0; start < offsets.length; start += groupSize) {
			row.push(...evaluateGroup(grid, offsets.slice(start, start + groupSize), beta));
		}
		return row;
	});
	return Array.from(await torch.stack(losses).array(), Number);
}

function evaluateGroup(grid: Grid, alphas: number[], beta: number): Tensor[] {
	const { torch, params, batched, deferred } = grid;
	const points = groupPoints(grid, alphas, beta);
	const write = (i: number) => params.forEach((p, k) => p.copy_(points[k].select(0, i)));

	if (!batched) {
		return alphas.map((_, i) => {
			write(i);
			return checkLoss(torch, grid.lossFn(grid.model));
		});
	}
	batched.beginGroup(points);
	const evaluate = (i: number) => {
		batched.setPoint(i);
		return checkLoss(torch, grid.lossFn(batched.model));
	};
	// The stand-in reads `points`, not the parameters, so a copy waits for a real read.
	return deferred.evaluate(alphas.length, write, evaluate);
}

/**
 * Stacks parameter k of every point of the group: origin + β d2 + α d1, shape [points, ...].
 * A direction that is zero by construction adds nothing, so a parameter that no direction
 * moves is its origin, expanded without a copy.
 */
function groupPoints(grid: Grid, alphas: number[], beta: number): Tensor[] {
	const { torch, plane } = grid;
	const alpha = torch.tensor(alphas);
	return plane.origin.map((origin, k) => {
		let base = origin;
		const second = plane.directions[1]?.[k];
		if (second && !plane.zero[1][k]) base = base.add(second, { alpha: beta });
		if (plane.zero[0][k]) return base.unsqueeze(0).expand([alphas.length, ...base.shape]);
		const column = alpha.reshape([alphas.length, ...origin.shape.map(() => 1)]);
		return column.mul(plane.directions[0][k].unsqueeze(0)).add(base.unsqueeze(0));
	});
}

/** Plane coordinates of parameter snapshots, with one readback for all of them. */
async function projectPoints(
	torch: LandscapeTorch,
	points: readonly (readonly Tensor[])[],
	plane: Plane
): Promise<[number, number][]> {
	const products = torch.no_grad(() => projectionProducts(torch, points, plane));
	return solveCoordinates(await products.array(), plane);
}

/** Evaluates the 1-D path: each checkpoint's coordinate along the line, and its own loss. */
async function lossPath(
	grid: Grid,
	checkpoints: readonly (readonly Tensor[])[],
	coordinates: [number, number][]
): Promise<[number, number][]> {
	if (checkpoints.length === 0) return [];
	const { torch, params } = grid;
	const losses = torch.no_grad(() =>
		checkpoints.map((checkpoint) => {
			params.forEach((p, k) => p.copy_(checkpoint[k]));
			return checkLoss(torch, grid.lossFn(grid.model));
		})
	);
	const values = await torch.stack(losses).array();
	return coordinates.map(([a], i) => [a, Number(values[i])]);
}

/**
 * Builds `record()`. The projection, and in 1-D the loss, is computed when record() is called,
 * so a later optimiser step cannot change it. The readbacks then finish in call order.
 */
function recorder(
	grid: Grid,
	dims: 1 | 2,
	chart: LandscapeChart,
	hooks: LandscapeHooks
): (label?: string, model?: Module) => Promise<void> {
	const { torch, plane } = grid;
	const emitter = throttledEmitter(chart, hooks);
	let queue: Promise<void> = Promise.resolve();

	return (label, model) => {
		if (label !== undefined && typeof label !== 'string') {
			throw new TypeError(
				`record: label must be a string, got ${typeof label}. Pass a name such as 'sgd'.`
			);
		}
		const source = model ?? grid.model;
		const params =
			model === undefined ? grid.params : checkRecordedModel(torch, model, grid.params);
		const values = torch.no_grad(() => {
			const products = projectionProducts(torch, [params], plane);
			if (dims === 2) return products;
			const buffers = snapshot(torch, [...source.buffers()]);
			let loss: Tensor;
			try {
				loss = checkLoss(torch, grid.lossFn(source));
			} finally {
				buffers.restore();
			}
			return torch.cat([loss.reshape([1]).to(products.dtype), products]);
		});
		const done = queue.then(async () => {
			const data = Array.from(await values.array(), Number);
			const products = dims === 2 ? data : data.slice(1);
			const [[a, b]] = solveCoordinates(products, plane);
			pathOf(chart, label).push(dims === 2 ? [a, b] : [a, data[0]]);
			emitter();
		});
		queue = done.catch(() => {});
		return done;
	};
}

/** Sends the chart at most every MIN_EMIT_INTERVAL_MS, with a trailing send for the last point. */
function throttledEmitter(chart: LandscapeChart, hooks: LandscapeHooks): () => void {
	let lastEmit = -Infinity;
	let trailing: ReturnType<typeof setTimeout> | null = null;
	let disposed = false;
	hooks.onDispose?.(() => {
		disposed = true;
		if (trailing !== null) clearTimeout(trailing);
	});

	const send = () => {
		trailing = null;
		lastEmit = performance.now();
		if (!disposed) hooks.emit(copyChart(chart));
	};
	return () => {
		const wait = lastEmit + MIN_EMIT_INTERVAL_MS - performance.now();
		if (wait <= 0) send();
		else trailing ??= setTimeout(send, wait);
	};
}

/** Returns the points of the path named `label`, creating it; no label means `chart.path`. */
function pathOf(chart: LandscapeChart, label: string | undefined): [number, number][] {
	if (label === undefined) return chart.path;
	chart.paths ??= [];
	let named = chart.paths.find((p) => p.label === label);
	if (!named) {
		named = { label, points: [] };
		chart.paths.push(named);
	}
	return named.points;
}

/** Copies the growing path lists, so a sent chart does not change when record() adds a point. */
function copyChart(chart: LandscapeChart): LandscapeChart {
	const copy: LandscapeChart = { ...chart, path: [...chart.path] };
	if (chart.paths) copy.paths = chart.paths.map((p) => ({ label: p.label, points: [...p.points] }));
	return copy;
}

/**
 * Saves tensors of the model to restore them later. Buffers are included because calling a
 * BatchNorm layer in training mode updates its running statistics.
 */
function snapshot(torch: LandscapeTorch, tensors: Tensor[]) {
	const copies = tensors.map((t) => t.detach().clone());
	return {
		restore() {
			torch.no_grad(() => tensors.forEach((t, k) => t.copy_(copies[k])));
		}
	};
}

function linspace(start: number, end: number, count: number): number[] {
	return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}
