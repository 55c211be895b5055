/**
 * The line or plane a loss landscape is drawn on: an origin in parameter space and one or two
 * directions, each a list of tensors shaped like the model's parameters. Three kinds, as in
 * Li et al., "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018): random Gaussian
 * directions normalised filter by filter, the top principal directions of a training path, and,
 * for a model of exactly two scalar parameters, the parameter axes themselves.
 */

import type { torch as Torch, Tensor } from '../engine';

type LandscapeTorch = typeof Torch;

export interface Plane {
	/** The parameters at the origin of the directions. */
	origin: Tensor[];
	/** One direction per axis, each a list of tensors shaped like the parameters. */
	directions: Tensor[][];
	/**
	 * `zero[d][k]`: whether direction d's tensor for parameter k is all zeros by construction, so
	 * the grid points need no arithmetic for it. False where that is not known.
	 */
	zero: boolean[][];
	/** Coordinates drawn at the origin: the parameter values on the exact surface, else 0. */
	center: [number, number];
	labels: [string, string];
}

/** Counts scalar parameters; the exact surface is drawn when the count is two. */
export function countScalars(params: readonly Tensor[]): number {
	return params.reduce((sum, p) => sum + p.numel(), 0);
}

/**
 * Builds the plane of the parameter axes of a model with two scalar parameters, so that the grid
 * coordinates are the parameter values themselves. `center` (default: the current values) is
 * the grid's middle.
 */
export async function exactPlane(
	torch: LandscapeTorch,
	named: readonly [string, Tensor][],
	center: readonly number[] | undefined
): Promise<Plane> {
	const params = named.map(([, p]) => p);
	const values = center ?? Array.from(await flatten(torch, params).array());
	const unit = (index: number) => unflatten(torch.tensor(index === 0 ? [1, 0] : [0, 1]), params);
	// Direction d is the unit vector of scalar d, so it is zero in every parameter but its own.
	const ends = params.map((_, k) => countScalars(params.slice(0, k + 1)));
	const holder = (index: number) => ends.findIndex((end) => index < end);
	return {
		origin: unflatten(torch.tensor([values[0], values[1]]), params),
		directions: [unit(0), unit(1)],
		zero: [0, 1].map((d) => params.map((_, k) => k !== holder(d))),
		center: [values[0], values[1]],
		labels: scalarNames(named) as [string, string]
	};
}

/** Names each scalar parameter: `weight` for a one-element parameter, `weight[1]` otherwise. */
function scalarNames(named: readonly [string, Tensor][]): string[] {
	return named.flatMap(([name, p]) =>
		p.numel() === 1 ? [name] : Array.from({ length: p.numel() }, (_, k) => `${name}[${k}]`)
	);
}

/**
 * Random Gaussian directions drawn from a generator seeded with `seed`, so the global stream is
 * untouched and the same seed gives the same plane. Every weight's directions are drawn before
 * the next weight's, and 1-D parameters draw nothing, so including biases does not change the
 * weights' directions.
 */
export function randomPlane(
	torch: LandscapeTorch,
	params: readonly Tensor[],
	dims: 1 | 2,
	seed: number,
	includeBiases: boolean
): Plane {
	const generator = new torch.Generator().manual_seed(seed);
	const directions: Tensor[][] = [];
	for (let d = 0; d < dims; d++) {
		directions.push(
			params.map((p) => filterNormalizedDirection(torch, generator, p, includeBiases))
		);
	}
	const zero = params.map((p) => p.ndim <= 1 && !includeBiases);
	return {
		origin: params.map((p) => p.detach().clone()),
		directions,
		zero: directions.map(() => zero),
		center: [0, 0],
		labels: ['direction 1', 'direction 2']
	};
}

/**
 * Draws a Gaussian direction shaped like `p`, each filter (the slice along dim 0: a row of a Linear
 * weight) rescaled to the norm of the same filter of `p`. A 1-D parameter (a bias, a norm
 * layer's weight) gets zeros, or with `includeBiases` a copy of `p`, whose filters are its
 * single elements and so already have the right norms.
 */
export function filterNormalizedDirection(
	torch: LandscapeTorch,
	generator: InstanceType<LandscapeTorch['Generator']>,
	p: Tensor,
	includeBiases: boolean
): Tensor {
	if (p.ndim <= 1) return includeBiases ? p.detach().clone() : torch.zeros_like(p);

	const rows = p.shape[0];
	const direction = torch.randn(p.shape, { generator }).reshape([rows, -1]);
	const directionNorms = direction.norm(2, 1, true);
	const paramNorms = p.detach().reshape([rows, -1]).norm(2, 1, true);
	// The 1e-10 keeps a filter whose random draw is all zeros from dividing by zero.
	return direction.div(directionNorms.add(1e-10)).mul(paramNorms).reshape(p.shape);
}

/**
 * Finds the top principal directions of the checkpoints' offsets from the current parameters,
 * as Li et al. do to draw a training path. The plane passes through the final parameters and
 * contains as much of the path as any plane can. The offsets' Gram matrix is only n x n for n
 * checkpoints, so its eigenvectors come from a Jacobi iteration on the host, and each direction
 * is the matching combination of offsets, scaled to unit length.
 */
export async function pcaPlane(
	torch: LandscapeTorch,
	params: readonly Tensor[],
	checkpoints: readonly (readonly Tensor[])[],
	dims: 1 | 2
): Promise<Plane> {
	const final = flatten(torch, params);
	const offsets = torch.stack(checkpoints.map((c) => flatten(torch, c).sub(final)));
	const gram = Float64Array.from(await offsets.matmul(offsets.T).array());
	const n = checkpoints.length;
	const { vectors, values } = symmetricEigen(gram, n);

	const order = values.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
	const directions: Tensor[][] = [];
	for (let d = 0; d < dims; d++) {
		const { value, index } = order[d];
		// Float32 rounding leaves eigenvalues near 1e-8 of the largest on a straight path, so a
		// direction counts only above 1e-6 of it: a sideways spread of 0.1% of the path's length.
		if (!(value > 1e-6 * order[0].value)) {
			throw new Error(
				`views.loss_landscape: the checkpoints span only ${d} direction${d === 1 ? '' : 's'} ` +
					`around the current parameters, so 'pca' cannot find ${dims}. Record checkpoints ` +
					'at several different training steps, or use dims: 1.'
			);
		}
		// ‖offsetsᵀ v‖² = vᵀ G v = λ, so dividing by √λ gives a unit vector.
		const weights = Array.from({ length: n }, (_, i) => vectors[i * n + index] / Math.sqrt(value));
		const direction = torch.tensor([weights]).matmul(offsets).reshape([-1]);
		directions.push(unflatten(direction, params));
	}
	return {
		origin: params.map((p) => p.detach().clone()),
		directions,
		zero: directions.map(() => params.map(() => false)),
		center: [0, 0],
		labels: ['PC 1', 'PC 2']
	};
}

/** Eigen-decomposition of a small symmetric matrix (row-major) by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Float64Array, n: number) {
	const a = Float64Array.from(matrix);
	const vectors = new Float64Array(n * n);
	for (let i = 0; i < n; i++) vectors[i * n + i] = 1;

	const scale = a.reduce((sum, v) => sum + v * v, 0);
	for (let sweep = 0; sweep < 50; sweep++) {
		let offDiagonal = 0;
		for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += a[p * n + q] ** 2;
		if (offDiagonal <= 1e-30 * scale) break;

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

/** Applies the Jacobi rotation that zeroes a[p][q] to both sides of `a` and to `vectors`. */
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

/**
 * Computes the tensor whose readback gives the plane coordinates of `points` (lists of parameter
 * tensors): the directions' Gram matrix [2, 2] and each point's dot products with them
 * [points, 2], flattened into one tensor. `solveCoordinates` finishes on the host.
 */
export function projectionProducts(
	torch: LandscapeTorch,
	points: readonly (readonly Tensor[])[],
	plane: Plane
): Tensor {
	const origin = flatten(torch, plane.origin);
	const first = flatten(torch, plane.directions[0]);
	const second = plane.directions[1]
		? flatten(torch, plane.directions[1])
		: torch.zeros_like(first);
	const basis = torch.stack([first, second]);
	const offsets = torch.stack(points.map((point) => flatten(torch, point).sub(origin)));
	return torch.cat([basis.matmul(basis.T).reshape([-1]), offsets.matmul(basis.T).reshape([-1])]);
}

/**
 * Least-squares coordinates of each point in the plane, from `projectionProducts`' values:
 * the point's offset from the origin, written as a·d1 + b·d2 as closely as possible.
 */
export function solveCoordinates(products: ArrayLike<number>, plane: Plane): [number, number][] {
	const [g11, g12, , g22] = [products[0], products[1], products[2], products[3]];
	const coordinates: [number, number][] = [];
	for (let k = 4; k + 1 < products.length; k += 2) {
		const [r1, r2] = [products[k], products[k + 1]];
		const det = g11 * g22 - g12 * g12;
		let a = g11 > 0 ? r1 / g11 : 0;
		let b = 0;
		if (g22 > 0 && det > 1e-12 * g11 * g22) {
			a = (g22 * r1 - g12 * r2) / det;
			b = (g11 * r2 - g12 * r1) / det;
		}
		coordinates.push([a + plane.center[0], b + plane.center[1]]);
	}
	return coordinates;
}

/** Concatenates the tensors, detached, into one 1-D tensor, in order. */
export function flatten(torch: LandscapeTorch, tensors: readonly Tensor[]): Tensor {
	return torch.cat(tensors.map((t) => t.detach().reshape([-1])));
}

/** Splits a 1-D tensor into pieces shaped like `like`. */
export function unflatten(flat: Tensor, like: readonly Tensor[]): Tensor[] {
	let start = 0;
	return like.map((p) => {
		const piece = flat.narrow(0, start, p.numel()).reshape(p.shape);
		start += p.numel();
		return piece;
	});
}
