/**
 * One forward pass for a whole group of grid points. The model must be built only of nn.Linear
 * layers and elementwise activations (an nn.Sequential of them, or a single Linear). The group's
 * weights are then stacked along a new first dimension and every Linear runs as one batched
 * matmul, so a row of 41 points costs about two ops per layer instead of 41 forward passes.
 * `loss_fn` still runs once per point. It gets a stand-in for the model whose call returns that
 * point's slice of the batched output, and whose other members are the model's own.
 *
 * Any other model, or a call with an input the stand-in cannot batch, takes the plain path: the
 * real model, whose parameters receive the point when the forward pass reads them
 * (landscape-deferred.ts).
 *
 * NOTE: on the CPU backend this saves less time than ops. For a 2-64-1 tanh MLP on 256 points,
 * a 41x41 grid took at best 1.2 s batched and 1.5 s plain (Node, best of 6 runs on a shared
 * 2-core machine). Math.tanh alone takes about 1 s of that either way. Per point, what remains
 * is the loss, rather than the whole forward pass.
 */

import type { torch as Torch, Tensor } from '../engine';
import type { AnyModule, Module } from '../engine/nn';
import { runInReleaseScope, type ReleaseScope } from '../engine/storage';

type LandscapeTorch = typeof Torch;

/** A tensor computed from `input` while its storage was at `version` (in-place writes bump it). */
interface Cached {
	version: number;
	tensor: Tensor;
}

type Layer =
	| { kind: 'linear'; weight: number; bias: number | null }
	| { kind: 'elementwise'; module: AnyModule };

/** Elements one batched activation may hold (16 MiB of float32); larger groups are split. */
const MAX_BATCHED_ELEMENTS = 1 << 22;

export class BatchedForward {
	/** The stand-in to pass to `loss_fn` in place of the model. */
	readonly model: Module;
	private points: Tensor[] = [];
	private index = 0;
	/** The group's outputs, by input, each with the input's storage version when computed. */
	private readonly outputs = new Map<Tensor, Cached>();
	/** Inputs with a column of ones appended, for folding the first layer's bias, across groups. */
	private readonly augmented = new WeakMap<Tensor, Cached>();
	/** Set once `loss_fn` calls the model with an input first seen after a group's first point. */
	private disabled = false;
	/** The release scope of the forward pass in progress. */
	private scope: ReleaseScope | null = null;

	private constructor(
		private readonly torch: LandscapeTorch,
		private readonly layers: Layer[],
		private readonly inFeatures: number,
		private readonly maxWidth: number,
		model: Module
	) {
		this.model = new Proxy(model, {
			apply: (target, thisArg, args: unknown[]) => this.call(target, thisArg, args)
		});
	}

	/** Returns a batched forward for `model`, or null when its layers cannot be batched. */
	static create(torch: LandscapeTorch, model: Module, params: readonly Tensor[]) {
		const layers = planLayers(torch, model, params);
		if (!layers) return null;
		const shapes = layers.flatMap((layer) =>
			layer.kind === 'linear' ? [params[layer.weight].shape] : []
		);
		for (let k = 1; k < shapes.length; k++) {
			if (shapes[k][1] !== shapes[k - 1][0]) return null;
		}
		if (shapes.length === 0) return null;
		const maxWidth = Math.max(...shapes.flat());
		return new BatchedForward(torch, layers, shapes[0][1], maxWidth, model);
	}

	/** Starts a group of points. `points[k]` stacks parameter k of every point along dim 0. */
	beginGroup(points: Tensor[]): void {
		this.points = points;
		this.outputs.clear();
	}

	/** Selects the point, counted within the group, whose output the next calls return. */
	setPoint(index: number): void {
		this.index = index;
	}

	private call(target: Module, thisArg: unknown, args: unknown[]): unknown {
		const [input] = args;
		if (!this.disabled && args.length === 1 && this.accepts(input)) {
			const output = this.outputFor(input);
			if (output) return output.select(0, this.index);
		}
		return Reflect.apply(target as unknown as (...args: unknown[]) => unknown, thisArg, args);
	}

	private accepts(input: unknown): input is Tensor {
		return (
			input instanceof this.torch.Tensor &&
			input.ndim >= 1 &&
			input.shape[input.ndim - 1] === this.inFeatures &&
			input.is_floating_point()
		);
	}

	private outputFor(input: Tensor): Tensor | null {
		const cached = this.outputs.get(input);
		if (cached && cached.version === input.storage.version) return cached.tensor;
		// A loss_fn that builds a new input on every call (a fresh minibatch), or writes into it,
		// would pay a whole group's forward pass at every point, so it gets the plain path from
		// here on.
		if (this.index !== 0) {
			this.disabled = true;
			return null;
		}
		const output = this.forward(input);
		this.outputs.set(input, { version: input.storage.version, tensor: output });
		return output;
	}

	/**
	 * Runs the group in chunks whose widest activation stays under MAX_BATCHED_ELEMENTS. Nothing
	 * but the output and the cached input with ones escapes, so a release scope returns every
	 * other activation's memory at once instead of when the collector finds it. For the 41 x 41
	 * grid of a 2-64-1 MLP on 256 points, WebGPU's pool peaked at 8 to 11 MiB instead of 32 to
	 * 66 MiB (Chromium 156, SwiftShader).
	 */
	private forward(input: Tensor): Tensor {
		return runInReleaseScope((scope) => {
			this.scope = scope;
			try {
				const output = this.forwardChunks(input);
				scope.keep(output);
				return output;
			} finally {
				this.scope = null;
			}
		});
	}

	private forwardChunks(input: Tensor): Tensor {
		const count = this.points[0].shape[0];
		const rows = input.numel() / this.inFeatures;
		const chunk = Math.max(1, Math.floor(MAX_BATCHED_ELEMENTS / (rows * this.maxWidth)));
		const pieces: Tensor[] = [];
		for (let start = 0; start < count; start += chunk) {
			pieces.push(this.forwardChunk(input, start, Math.min(chunk, count - start)));
		}
		return pieces.length === 1 ? pieces[0] : this.torch.cat(pieces);
	}

	/** Computes the outputs of `count` points from `start`: [count, ...input.shape[:-1], out]. */
	private forwardChunk(input: Tensor, start: number, count: number): Tensor {
		const lead = input.shape.slice(0, -1);
		let h = input.reshape([-1, this.inFeatures]);
		let batched = false;
		for (const layer of this.layers) {
			if (layer.kind === 'elementwise') {
				h = layer.module.forward(h);
				continue;
			}
			const weight = this.points[layer.weight].narrow(0, start, count);
			const bias = layer.bias === null ? null : this.points[layer.bias].narrow(0, start, count);
			if (batched) h = batchedLinear(h, weight, bias);
			else if (bias === null) h = h.matmul(weight.transpose(1, 2));
			else h = this.withOnes(input, h).matmul(foldBias(this.torch, weight, bias).transpose(1, 2));
			batched = true;
		}
		return h.reshape([count, ...lead, h.shape[h.ndim - 1]]);
	}

	/**
	 * Returns `h` (the input as [rows, in]) with a column of ones appended. The input is the same
	 * for every point, so the ones fold the first layer's bias into its matmul and save an add
	 * over the whole output. Rows of a landscape usually share the input, so it is cached.
	 */
	private withOnes(input: Tensor, h: Tensor): Tensor {
		const cached = this.augmented.get(input);
		if (cached && cached.version === input.storage.version) return cached.tensor;
		const ones = this.torch.ones([h.shape[0], 1], { dtype: h.dtype });
		const tensor = this.torch.cat([h, ones], 1);
		this.scope?.keep(tensor);
		this.augmented.set(input, { version: input.storage.version, tensor });
		return tensor;
	}
}

/** Appends the bias to each point's weight as a last column: [count, out, in + 1]. */
function foldBias(torch: LandscapeTorch, weight: Tensor, bias: Tensor): Tensor {
	return torch.cat([weight, bias.unsqueeze(2)], 2);
}

/** [count, rows, in] times [count, out, in]ᵀ plus [count, out] gives [count, rows, out]. */
function batchedLinear(h: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
	const product = h.bmm(weight.transpose(1, 2));
	return bias === null ? product : product.add(bias.unsqueeze(1));
}

/**
 * Lists the model's layers in call order. Returns null unless every module is an nn.Sequential,
 * an nn.Linear, an elementwise activation or an inactive dropout, with no forward hooks. Exact
 * classes are required, because a subclass may override `forward`.
 */
function planLayers(
	torch: LandscapeTorch,
	model: Module,
	params: readonly Tensor[]
): Layer[] | null {
	const nn = torch.nn;
	const elementwise: unknown[] = [nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.LeakyReLU, nn.Identity];
	const layers: Layer[] = [];

	const visit = (module: AnyModule): boolean => {
		if (module._forward_hooks.size > 0 || module._forward_pre_hooks.size > 0) return false;
		const kind = module.constructor;
		if (kind === nn.Sequential) return [...module.children()].every(visit);
		if (elementwise.includes(kind)) return layers.push({ kind: 'elementwise', module }) > 0;
		if (kind === nn.Dropout && (!module.training || module.p === 0)) return true;
		if (kind !== nn.Linear) return false;

		const weight = params.indexOf(module.weight);
		const bias = module.bias ? params.indexOf(module.bias) : null;
		if (weight < 0 || bias === -1) return false;
		layers.push({ kind: 'linear', weight, bias });
		return true;
	};
	return visit(model as AnyModule) ? layers : null;
}
