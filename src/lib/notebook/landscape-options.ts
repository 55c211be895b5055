/**
 * The options of `views.loss_landscape` and the checks of its arguments. Every error names the
 * bad value and, where there is one, the fix.
 */

import type { torch as Torch, Tensor } from '../engine';
import { countScalars } from './landscape-plane';

type LandscapeTorch = typeof Torch;

export interface LandscapeOptions {
	/**
	 * Coordinates run from -span to span along each direction: in filter-normalised units for
	 * random directions, in parameter units for PCA directions and the exact surface. Default 1,
	 * or for 'pca' enough to hold the checkpoints' path.
	 */
	span?: number;
	/** Grid points per axis, 2 to MAX_RESOLUTION (default 41); odd puts the centre on the grid. */
	resolution?: number;
	/** 1 draws the loss along one direction as a curve, 2 (default) a plane as contours. */
	dims?: 1 | 2;
	/**
	 * 'random' (default): Gaussian directions, filter-normalised. 'pca': the top two principal
	 * directions of `checkpoints`.
	 */
	directions?: 'random' | 'pca';
	/** Seed of the private generator for random directions; the global stream is not touched. */
	seed?: number;
	/** Colour the loss (2-D) or draw the loss axis (1-D) on a log scale. */
	log?: boolean;
	/** Give 1-D parameters (biases, norm weights) a direction too: a copy of themselves. */
	include_biases?: boolean;
	/** Parameter snapshots along a training run, one list per step in `parameters()` order. */
	checkpoints?: Tensor[][];
	/** The middle of the exact surface of a two-parameter model, as [first, second]. */
	center?: number[];
}

export const MAX_RESOLUTION = 201;

const OPTION_NAMES = [
	'span',
	'resolution',
	'dims',
	'directions',
	'seed',
	'log',
	'include_biases',
	'checkpoints',
	'center'
];

export type LandscapeSettings = ReturnType<typeof checkOptions>;

/** Checks the options, naming the bad value, and fills in the defaults. */
export function checkOptions(options: LandscapeOptions) {
	if (typeof options !== 'object' || options === null || Array.isArray(options)) {
		throw new TypeError(
			`views.loss_landscape: options must be an object such as { span: 1, resolution: 41 }, got ${describe(options)}.`
		);
	}
	const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.includes(key));
	if (unknown.length > 0) {
		throw new Error(
			`views.loss_landscape: unknown option '${unknown[0]}'. The options are ${OPTION_NAMES.join(', ')}.`
		);
	}
	const { span, resolution = 41, dims = 2, directions = 'random', seed = 0, center } = options;
	const fail = (message: string) => {
		throw new Error(`views.loss_landscape: ${message}`);
	};

	if (span !== undefined && !(typeof span === 'number' && span > 0 && span < Infinity)) {
		fail(`span must be a positive finite number, got ${describe(span)}.`);
	}
	if (!Number.isInteger(resolution) || resolution < 2 || resolution > MAX_RESOLUTION) {
		fail(`resolution must be an integer from 2 to ${MAX_RESOLUTION}, got ${describe(resolution)}.`);
	}
	if (dims !== 1 && dims !== 2) fail(`dims must be 1 or 2, got ${describe(dims)}.`);
	if (directions !== 'random' && directions !== 'pca') {
		fail(`directions must be 'random' or 'pca', got ${describe(directions)}.`);
	}
	if (!Number.isSafeInteger(seed) || seed < 0) {
		fail(`seed must be a non-negative integer, got ${describe(seed)}.`);
	}
	for (const flag of ['log', 'include_biases'] as const) {
		const value = options[flag];
		if (value !== undefined && typeof value !== 'boolean') {
			fail(`${flag} must be true or false, got ${describe(value)}.`);
		}
	}
	const checkpoints = options.checkpoints ?? [];
	if (!Array.isArray(checkpoints) || !checkpoints.every(Array.isArray)) {
		fail(
			`checkpoints must be a list of parameter lists, got ${describe(checkpoints)}. ` +
				'Record one per step: checkpoints.push(model.parameters().map((p) => p.detach().clone())).'
		);
	}
	const centerValid =
		Array.isArray(center) && center.length === 2 && center.every((v) => Number.isFinite(v));
	if (center !== undefined && !centerValid) {
		fail(`center must be two finite numbers [first, second], got ${describe(center)}.`);
	}
	return {
		span,
		resolution,
		dims: dims as 1 | 2,
		directions,
		checkpoints,
		seed,
		center,
		log: options.log ?? false,
		includeBiases: options.include_biases ?? false
	};
}

export function checkArguments(torch: LandscapeTorch, model: unknown, lossFn: unknown) {
	if (!(model instanceof torch.nn.Module)) {
		throw new TypeError(
			`views.loss_landscape: model must be an nn.Module, got ${describe(model)}. Call views.loss_landscape(model, (m) => loss).`
		);
	}
	if (typeof lossFn !== 'function') {
		throw new TypeError(
			`views.loss_landscape: loss_fn must be a function of the model returning a scalar tensor, got ${describe(lossFn)}. Example: (m) => F.mse_loss(m(x), y).`
		);
	}
}

/** Checks what the options need of the model: two scalars for `center`, shapes of checkpoints. */
export function checkModel(named: [string, Tensor][], settings: LandscapeSettings) {
	const params = named.map(([, p]) => p);
	if (params.length === 0) throw new Error('views.loss_landscape: the model has no parameters.');
	const scalars = countScalars(params);
	if (settings.center && scalars !== 2) {
		throw new Error(
			`views.loss_landscape: center applies to a model with exactly two scalar parameters, but this model has ${scalars}. Leave center out: the plane is centred at the current parameters.`
		);
	}
	const exact = scalars === 2 && settings.directions === 'random';
	if (!exact && settings.directions === 'random' && !settings.includeBiases) {
		if (params.every((p) => p.ndim <= 1)) {
			throw new Error(
				'views.loss_landscape: every parameter is 1-D, and 1-D parameters get no random direction unless include_biases is true. Pass { include_biases: true }.'
			);
		}
	}
	if (settings.directions === 'pca' && settings.checkpoints.length < settings.dims + 1) {
		throw new Error(
			`views.loss_landscape: directions 'pca' needs at least ${settings.dims + 1} checkpoints of a training run, got ${settings.checkpoints.length}. ` +
				'Record one per step: checkpoints.push(model.parameters().map((p) => p.detach().clone())).'
		);
	}
	settings.checkpoints.forEach((checkpoint, i) => {
		if (checkpoint.length !== params.length) {
			throw new Error(
				`views.loss_landscape: checkpoints[${i}] has ${checkpoint.length} tensors, but the model has ${params.length} parameters. Record model.parameters(), all of them, in order.`
			);
		}
		checkpoint.forEach((t, k) => {
			const same =
				t?.shape?.length === params[k].ndim && t.shape.every((n, d) => n === params[k].shape[d]);
			if (!same) {
				throw new Error(
					`views.loss_landscape: checkpoints[${i}][${k}] has shape [${t?.shape ?? describe(t)}], but parameter ${named[k][0]} has shape [${params[k].shape}].`
				);
			}
		});
	});
}

/** Returns the parameters of the model passed to `record()`, which must match the landscape's. */
export function checkRecordedModel(
	torch: LandscapeTorch,
	model: unknown,
	expected: readonly Tensor[]
): Tensor[] {
	if (!(model instanceof torch.nn.Module)) {
		throw new TypeError(
			`record: model must be an nn.Module, got ${describe(model)}. Pass the model whose parameters to add, e.g. landscape.record('sgd', sgdModel).`
		);
	}
	const params = model.parameters();
	const shapes = (list: readonly Tensor[]) => list.map((p) => `[${p.shape}]`).join(', ');
	const same =
		params.length === expected.length &&
		params.every(
			(p, k) =>
				p.shape.length === expected[k].ndim && p.shape.every((n, d) => n === expected[k].shape[d])
		);
	if (!same) {
		throw new Error(
			`record: the model's parameters have shapes ${shapes(params)}, but the landscape's model has ${shapes(expected)}. Record a model of the same architecture.`
		);
	}
	return params;
}

/** Returns `loss` as a 0-d tensor, or throws when it is not a one-element tensor. */
export function checkLoss(torch: LandscapeTorch, loss: unknown): Tensor {
	if (!(loss instanceof torch.Tensor)) {
		const hint =
			loss instanceof Promise ? ' loss_fn must not be async.' : ' Return a tensor, not a number.';
		throw new TypeError(
			`views.loss_landscape: loss_fn(model) must return a scalar tensor, got ${describe(loss)}.${hint}`
		);
	}
	if (loss.numel() !== 1) {
		throw new Error(
			`views.loss_landscape: loss_fn(model) must return a scalar tensor, got shape [${loss.shape}]. Reduce it with .mean() or .sum().`
		);
	}
	return loss.reshape([]);
}

function describe(value: unknown): string {
	if (typeof value === 'string') return `'${value}'`;
	if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
	if (value === null || value === undefined || typeof value !== 'object') return String(value);
	return (value as object).constructor?.name ?? 'an object';
}
