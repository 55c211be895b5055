/**
 * Loss landscapes as in Li et al., "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018):
 * the loss on a line or a plane through the current parameters, along random Gaussian directions
 * rescaled filter by filter to the model's own filter norms, or along the top two principal
 * directions of a recorded training path. A model of exactly two scalar parameters gets its exact
 * surface in parameter space instead.
 *
 * Losses of one grid row are stacked and read back together, so a 41x41 grid costs 41 readbacks.
 */

import type { torch as Torch, Tensor } from '../engine';
import type { Module } from '../engine/nn';
import { Generator, normalFloat32 } from '../engine/random';
import type { ChartSpec } from '../worker/api';

type LandscapeTorch = typeof Torch;
type LandscapeTensor = Tensor;
type LandscapeModel = Module;

export interface LandscapeOptions {
	/** Coordinates run from -span to span along each direction (parameter units for 2 parameters). */
	span?: number;
	/** Grid points per axis; odd values put the current parameters on a grid point. */
	resolution?: number;
	dims?: 1 | 2;
	directions?: 'random' | 'pca';
	/** Seed of the private generator for random directions; the global stream is not touched. */
	seed?: number;
	/** Colour the loss on a log scale. */
	log?: boolean;
	/** Give biases and other 1-D parameters a direction too (the paper leaves them at zero). */
	include_biases?: boolean;
	/** Parameter snapshots along a training run, for `directions: 'pca'` and as the drawn path. */
	checkpoints?: LandscapeTensor[][];
}

export interface LandscapeHooks {
	emit(chart: ChartSpec): void;
	progress?(done: number, total: number): Promise<void>;
	chartId: string;
}

export const MAX_RESOLUTION = 201;

/** A computed landscape: its chart, and `record()` to add the model's current point to the path. */
export interface Landscape {
	chart: Extract<ChartSpec, { kind: 'landscape' }>;
	record(): Promise<void>;
}

interface Plane {
	origin: LandscapeTensor[];
	directions: LandscapeTensor[][];
	/** Coordinates of the origin: the parameter values for the exact two-parameter surface, else 0. */
	center: [number, number];
	labels: [string, string];
}

/** Computes the landscape of `lossFn(model)` around the model's parameters and emits its chart. */
export async function lossLandscape(
	torch: LandscapeTorch,
	model: LandscapeModel,
	lossFn: (model: LandscapeModel) => LandscapeTensor,
	options: LandscapeOptions,
	hooks: LandscapeHooks
): Promise<Landscape> {
	const settings = checkOptions(options);
	const params = [...model.parameters()];
	if (params.length === 0) throw new Error('loss_landscape: the model has no parameters.');

	const plane = await choosePlane(torch, params, settings);
	const offsets = linspace(-settings.span, settings.span, settings.resolution);
	const axisX = offsets.map((t) => t + plane.center[0]);
	const axisY = offsets.map((t) => t + plane.center[1]);

	const rows = settings.dims === 1 ? [0] : offsets;
	const z: number[][] = [];
	try {
		for (const [j, beta] of rows.entries()) {
			z.push(await evaluateRow(torch, model, lossFn, params, plane, offsets, beta));
			await hooks.progress?.(j + 1, rows.length);
		}
	} finally {
		restore(torch, params, plane.origin);
	}

	const chart: Landscape['chart'] = {
		kind: 'landscape',
		id: hooks.chartId,
		x: axisX,
		...(settings.dims === 2 ? { y: axisY } : {}),
		z: settings.dims === 1 ? z[0] : z,
		path: [],
		xlabel: plane.labels[0],
		ylabel: settings.dims === 2 ? plane.labels[1] : 'loss',
		logScale: settings.log
	};
	for (const checkpoint of settings.checkpoints) {
		chart.path.push(await project(torch, checkpoint, plane, settings.dims));
	}
	hooks.emit(chart);

	return {
		chart,
		async record() {
			chart.path.push(await project(torch, params, plane, settings.dims));
			hooks.emit({ ...chart, path: [...chart.path] });
		}
	};
}

function checkOptions(options: LandscapeOptions) {
	const span = options.span ?? 1;
	const resolution = options.resolution ?? 41;
	const dims = options.dims ?? 2;
	if (!(span > 0) || !Number.isFinite(span)) {
		throw new Error(`loss_landscape: span must be a positive number, got ${span}.`);
	}
	if (!Number.isInteger(resolution) || resolution < 2 || resolution > MAX_RESOLUTION) {
		throw new Error(
			`loss_landscape: resolution must be an integer from 2 to ${MAX_RESOLUTION}, got ${resolution}.`
		);
	}
	if (dims !== 1 && dims !== 2) throw new Error(`loss_landscape: dims must be 1 or 2, got ${dims}.`);
	const directions = options.directions ?? 'random';
	const checkpoints = options.checkpoints ?? [];
	if (directions === 'pca' && checkpoints.length < dims + 1) {
		throw new Error(
			`loss_landscape: directions 'pca' needs at least ${dims + 1} checkpoints of a training ` +
				`run, got ${checkpoints.length}. Pass { checkpoints } recorded with record_checkpoint(model).`
		);
	}
	return {
		span,
		resolution,
		dims,
		directions,
		checkpoints,
		seed: options.seed ?? 0,
		log: options.log ?? false,
		includeBiases: options.include_biases ?? false
	};
}

async function choosePlane(
	torch: LandscapeTorch,
	params: LandscapeTensor[],
	settings: ReturnType<typeof checkOptions>
): Promise<Plane> {
	const origin = params.map((p) => p.detach().clone());
	const total = params.reduce((sum, p) => sum + p.numel(), 0);

	// Two scalar parameters (w and b of a linear regression): draw the exact surface.
	if (total === 2 && settings.directions === 'random') {
		const unit = (index: number) => {
			let seen = 0;
			return params.map((p) => {
				const values = new Float32Array(p.numel());
				for (let k = 0; k < values.length; k++) values[k] = seen++ === index ? 1 : 0;
				return torch.tensor(values).reshape(p.shape);
			});
		};
		const values = await flatten(torch, origin).array();
		const center: [number, number] = [values[0], values[1]];
		return { origin, directions: [unit(0), unit(1)], center, labels: ['w', 'b'] };
	}

	if (settings.directions === 'pca') {
		return {
			origin,
			directions: await pcaDirections(torch, params, settings.checkpoints, settings.dims),
			center: [0, 0],
			labels: ['PC 1', 'PC 2']
		};
	}

	const generator = new Generator().manual_seed(settings.seed);
	const directions = [];
	for (let d = 0; d < settings.dims; d++) {
		directions.push(
			params.map((p) => filterNormalizedDirection(torch, generator, p, settings.includeBiases))
		);
	}
	return { origin, directions, center: [0, 0], labels: ['direction 1', 'direction 2'] };
}

/**
 * A Gaussian direction shaped like `p`, each filter (row of a weight, the slice along dim 0)
 * rescaled to the norm of the same filter of `p`. 1-D parameters get zero unless included, and
 * then copy `p` itself, as the paper's reference code does.
 */
export function filterNormalizedDirection(
	torch: LandscapeTorch,
	generator: Generator,
	p: LandscapeTensor,
	includeBiases: boolean
): LandscapeTensor {
	if (p.ndim <= 1) return includeBiases ? p.detach().clone() : torch.zeros_like(p);

	const direction = torch.tensor(normalFloat32(generator, p.numel())).reshape(p.shape);
	const rows = p.shape[0];
	const flatDirection = direction.reshape([rows, -1]);
	const flatParam = p.detach().reshape([rows, -1]);
	const directionNorms = flatDirection.norm(2, 1, true);
	const paramNorms = flatParam.norm(2, 1, true);
	// 1e-10 keeps an all-zero filter from dividing by zero, as in the reference implementation.
	return flatDirection.div(directionNorms.add(1e-10)).mul(paramNorms).reshape(p.shape);
}

async function evaluateRow(
	torch: LandscapeTorch,
	model: LandscapeModel,
	lossFn: (model: LandscapeModel) => LandscapeTensor,
	params: LandscapeTensor[],
	plane: Plane,
	offsets: number[],
	beta: number
): Promise<number[]> {
	const losses = torch.no_grad(() =>
		offsets.map((alpha) => {
			moveTo(params, plane, alpha, beta);
			const loss = lossFn(model);
			if (loss.numel() !== 1) {
				throw new Error(
					`loss_landscape: loss_fn(model) must return a scalar tensor, got shape [${loss.shape}].`
				);
			}
			return loss.reshape([]);
		})
	);
	return Array.from(await torch.stack(losses).array());
}

function moveTo(params: LandscapeTensor[], plane: Plane, alpha: number, beta: number) {
	params.forEach((p, k) => {
		let point = plane.origin[k].add(plane.directions[0][k].mul(alpha));
		if (plane.directions[1]) point = point.add(plane.directions[1][k].mul(beta));
		p.copy_(point);
	});
}

function restore(torch: LandscapeTorch, params: LandscapeTensor[], origin: LandscapeTensor[]) {
	torch.no_grad(() => params.forEach((p, k) => p.copy_(origin[k])));
}

/** Coordinates of a parameter point in the plane: least squares over the two directions. */
async function project(
	torch: LandscapeTorch,
	point: LandscapeTensor[],
	plane: Plane,
	dims: 1 | 2
): Promise<[number, number]> {
	const delta = flatten(torch, point).sub(flatten(torch, plane.origin));
	const d1 = flatten(torch, plane.directions[0]);
	const d2 = dims === 2 ? flatten(torch, plane.directions[1]) : torch.zeros_like(d1);
	const dots = torch.stack([d1.dot(d1), d1.dot(d2), d2.dot(d2), d1.dot(delta), d2.dot(delta)]);
	const [g11, g12, g22, r1, r2] = Array.from(await dots.array());

	let a: number;
	let b: number;
	if (dims === 1 || g22 === 0) {
		a = g11 > 0 ? r1 / g11 : 0;
		b = 0;
	} else {
		const det = g11 * g22 - g12 * g12;
		a = det !== 0 ? (g22 * r1 - g12 * r2) / det : 0;
		b = det !== 0 ? (g11 * r2 - g12 * r1) / det : 0;
	}
	return [a + plane.center[0], dims === 1 ? 0 : b + plane.center[1]];
}

/**
 * The top principal directions of (checkpoint - final parameters), as the paper uses to show a
 * training path. The Gram matrix of the n checkpoints is n x n, so its eigenvectors come from a
 * small Jacobi iteration on the host.
 */
async function pcaDirections(
	torch: LandscapeTorch,
	params: LandscapeTensor[],
	checkpoints: LandscapeTensor[][],
	dims: 1 | 2
): Promise<LandscapeTensor[][]> {
	const final = flatten(torch, params);
	const deltas = torch.stack(checkpoints.map((c) => flatten(torch, c).sub(final)));
	const gram = Float64Array.from(await deltas.matmul(deltas.T).array());
	const n = checkpoints.length;
	const { vectors, values } = symmetricEigen(gram, n);

	const order = values.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]);
	const directions: LandscapeTensor[][] = [];
	for (let d = 0; d < dims; d++) {
		const [value, index] = order[d];
		const weights = new Float32Array(n);
		const scale = value > 0 ? 1 / Math.sqrt(value) : 0;
		for (let i = 0; i < n; i++) weights[i] = vectors[i * n + index] * scale;
		const direction = torch.tensor(weights).reshape([1, n]).matmul(deltas).reshape([-1]);
		directions.push(unflatten(direction, params));
	}
	return directions;
}

function unflatten(flatTensor: LandscapeTensor, like: LandscapeTensor[]): LandscapeTensor[] {
	let start = 0;
	return like.map((p) => {
		const piece = flatTensor.narrow(0, start, p.numel()).reshape(p.shape);
		start += p.numel();
		return piece;
	});
}

/** Eigen-decomposition of a small symmetric matrix (row-major) by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, n: number) {
	const a = Float64Array.from(matrix);
	const vectors = new Float64Array(n * n);
	for (let i = 0; i < n; i++) vectors[i * n + i] = 1;

	for (let sweep = 0; sweep < 50; sweep++) {
		let offDiagonal = 0;
		for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += a[p * n + q] ** 2;
		if (offDiagonal < 1e-30) break;

		for (let p = 0; p < n; p++) {
			for (let q = p + 1; q < n; q++) {
				if (a[p * n + q] === 0) continue;
				const theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q]);
				const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
				rotate(a, vectors, n, p, q, 1 / Math.sqrt(t * t + 1), t);
			}
		}
	}
	return { vectors, values: Array.from({ length: n }, (_, i) => a[i * n + i]) };
}

function rotate(
	a: Float64Array,
	vectors: Float64Array,
	n: number,
	p: number,
	q: number,
	c: number,
	t: number
) {
	const s = t * c;
	for (let k = 0; k < n; k++) {
		const akp = a[k * n + p];
		const akq = a[k * n + q];
		a[k * n + p] = c * akp - s * akq;
		a[k * n + q] = s * akp + c * akq;
	}
	for (let k = 0; k < n; k++) {
		const apk = a[p * n + k];
		const aqk = a[q * n + k];
		a[p * n + k] = c * apk - s * aqk;
		a[q * n + k] = s * apk + c * aqk;
	}
	for (let k = 0; k < n; k++) {
		const vkp = vectors[k * n + p];
		const vkq = vectors[k * n + q];
		vectors[k * n + p] = c * vkp - s * vkq;
		vectors[k * n + q] = s * vkp + c * vkq;
	}
}

function linspace(start: number, end: number, count: number): number[] {
	return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}

/** All parameters as one detached 1-D tensor, in parameters() order. */
function flatten(torch: LandscapeTorch, tensors: LandscapeTensor[]): LandscapeTensor {
	return torch.cat(tensors.map((t) => t.detach().reshape([-1])));
}
