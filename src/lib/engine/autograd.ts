/**
 * Reverse-mode autograd: the graph nodes that ops record, grad mode, and backward(). Backward
 * walks the graph in reverse creation order, sums each gradient back to its input's shape,
 * accumulates into leaves' `.grad` and frees saved tensors unless `retain_graph` is set.
 *
 * A backward pass is engine code from end to end, except for hooks, so the gradients it
 * computes along the way are released when it returns (see `ReleaseScope`), without waiting
 * for the garbage collector. Only tensors that stay reachable are kept: the `.grad` of leaves
 * and of retained tensors, the tensors hooks received or returned, and the returned gradients.
 */
import { checkBackward, checkForward } from './anomaly';
import { AutogradError, InternalError } from './errors';
import { formatShape, isContiguous, numelOf, sameShape, type Shape } from './shape';
import type { DType } from './dtype';
import { runInReleaseScope, runOutsideReleaseScope, type ReleaseScope } from './storage';
import type { Tensor } from './tensor';

/** The context a primitive's backward rule receives besides the gradient of its output. */
export interface BackwardContext<P> {
	/** Tensors the forward kept, as it listed them. */
	readonly saved: readonly Tensor[];
	readonly params: P;
	/** Whether input i needs a gradient; rules may return null for the others. */
	readonly needsInputGrad: readonly boolean[];
	readonly inputShapes: readonly Shape[];
}

/**
 * A differentiable op: its PyTorch grad_fn name and its backward rule. A rule returns one
 * gradient per input, shaped like the output or like the input; autograd sums broadcast
 * gradients back to the input's shape.
 */
export interface Primitive<P = null> {
	readonly gradFn: string | ((params: P) => string);
	backward(gradOutput: Tensor, ctx: BackwardContext<P>): readonly (Tensor | null)[];
}

export function definePrimitive<P = null>(primitive: Primitive<P>): Primitive<P> {
	return primitive;
}

type Hook = (grad: Tensor) => Tensor | void;

let nextNodeId = 0;

/** One recorded op in the graph, shown to users as `grad_fn`. */
export class Node {
	readonly id = nextNodeId++;
	/** The destination of each input's gradient: its grad_fn, the leaf itself, or null. */
	readonly next: (Node | Tensor | null)[];
	readonly inputShapes: Shape[];
	readonly inputDTypes: DType[];
	saved: readonly Tensor[] | null;
	readonly savedVersions: number[];
	/** Hooks registered on the output tensor, and the output when it retains its grad. */
	hooks: Hook[] | null = null;
	retained: Tensor | null = null;
	/** The stack of the forward call, captured only while anomaly detection is on. */
	readonly stack: string | undefined;

	constructor(
		readonly primitive: Primitive<unknown>,
		readonly params: unknown,
		inputs: readonly Tensor[],
		saved: readonly Tensor[]
	) {
		this.next = inputs.map((t) => t.grad_fn ?? (t.requires_grad ? t : null));
		this.inputShapes = inputs.map((t) => t.shape);
		this.inputDTypes = inputs.map((t) => t.dtype);
		this.saved = saved;
		this.savedVersions = saved.map((t) => t.storage.version);
		this.stack = anomaly.enabled ? new Error().stack : undefined;
	}

	/** PyTorch's class name of this node, as `type(t.grad_fn).__name__`. */
	name(): string {
		const gradFn = this.primitive.gradFn;
		return typeof gradFn === 'string' ? gradFn : gradFn(this.params);
	}

	/** The nodes gradients flow to next, as PyTorch's `next_functions` pairs. */
	get next_functions(): [Node | { name(): string; variable: Tensor } | null, number][] {
		return this.next.map((n) => {
			if (n === null || n instanceof Node) return [n, 0];
			return [{ name: () => 'torch::autograd::AccumulateGrad', variable: n }, 0];
		});
	}

	toString(): string {
		return `<${this.name()}>`;
	}
}

/** Grad mode and anomaly mode, process-wide as in PyTorch. */
export const gradMode = { enabled: true };
export const anomaly = { enabled: false };

/**
 * Runs `fn` with grad mode set to `enabled`. When `fn` returns a promise, the mode stays set
 * until it settles, so `torch.no_grad(async () => ...)` covers the awaited work too.
 */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
	const previous = gradMode.enabled;
	gradMode.enabled = enabled;
	let result: T;
	try {
		result = fn();
	} catch (error) {
		gradMode.enabled = previous;
		throw error;
	}
	if (result instanceof Promise) {
		return result.finally(() => {
			gradMode.enabled = previous;
		}) as T;
	}
	gradMode.enabled = previous;
	return result;
}

/** Runs `fn` without recording: the forward of a primitive built from other ops. */
export function untracked<T>(fn: () => T): T {
	const previous = gradMode.enabled;
	gradMode.enabled = false;
	try {
		return fn();
	} finally {
		gradMode.enabled = previous;
	}
}

/** Runs `fn` without recording, as `with torch.no_grad():`; returns what `fn` returns. */
export function no_grad<T>(fn: () => T): T {
	return withGradMode(false, fn);
}

/** Runs `fn` with recording on, as `with torch.enable_grad():`. */
export function enable_grad<T>(fn: () => T): T {
	return withGradMode(true, fn);
}

export function is_grad_enabled(): boolean {
	return gradMode.enabled;
}

/**
 * Attaches a graph node to `output` when grad mode is on and an input requires grad.
 * `saved` lists the tensors the backward rule reads; their versions are recorded now, so
 * that modifying one in place before backward raises PyTorch's error.
 */
export function record<P>(
	primitive: Primitive<P>,
	params: P,
	inputs: readonly Tensor[],
	output: Tensor,
	saved: readonly Tensor[] = EMPTY
): Tensor {
	if (!gradMode.enabled) return output;
	let needed = false;
	for (let i = 0; i < inputs.length; i++) needed ||= inputs[i].requires_grad;
	if (!needed) return output;
	const node = new Node(primitive as Primitive<unknown>, params, inputs, saved);
	output._setGradFn(node);
	if (anomaly.enabled) checkForward(node, inputs, output);
	return output;
}

const EMPTY: readonly Tensor[] = [];

export interface BackwardOptions {
	retain_graph?: boolean;
	/** The tensors whose `.grad` receives a gradient, as PyTorch's `inputs=`; others keep theirs. */
	inputs?: Tensor | readonly Tensor[];
}

export interface RunBackwardOptions {
	retain_graph?: boolean;
	/** Tensors whose gradients are returned instead of accumulated, for torch.autograd.grad. */
	capture?: readonly Tensor[];
}

/**
 * Runs backward from `roots`, seeding each with its gradient (ones for scalars), and
 * accumulates into `.grad` of the leaves, or of `options.inputs` only, as `Tensor.backward`.
 */
export function backwardInto(
	roots: readonly Tensor[],
	rootGrads: readonly (Tensor | null | undefined)[],
	options: BackwardOptions = {}
): void {
	// PyTorch takes one tensor or a sequence of them.
	const requested = options.inputs;
	const inputs =
		requested === undefined || Array.isArray(requested) ? requested : [requested as Tensor];
	if (!inputs) {
		runBackward(roots, rootGrads, { retain_graph: options.retain_graph });
		return;
	}
	if (inputs.length === 0) {
		throw new AutogradError(
			"backward: 'inputs' cannot be empty. Leave it out to accumulate into every leaf."
		);
	}
	inputs.forEach((t, i) => {
		if (!t.requires_grad) {
			throw new AutogradError(
				`backward: inputs[${i}] does not require grad. Call requires_grad_() on it, or leave it out of inputs.`
			);
		}
	});
	const grads = runBackward(roots, rootGrads, {
		retain_graph: options.retain_graph,
		capture: inputs
	});
	no_grad(() =>
		inputs.forEach((t, i) => {
			const grad = grads[i];
			if (!grad) return;
			// A captured gradient may be a seed or a hook's tensor, so `.grad` gets its own copy.
			if (t.grad === null) t.grad = grad.clone();
			else t.grad.add_(grad);
		})
	);
}

/**
 * Runs backward from `roots`, seeding each with its gradient (ones for scalars). Returns the
 * gradients of `options.capture`, or an empty list when it is not given.
 */
export function runBackward(
	roots: readonly Tensor[],
	rootGrads: readonly (Tensor | null | undefined)[],
	options: RunBackwardOptions = {}
): (Tensor | null)[] {
	// NOTE: the scope relies on backward rules recording no graph. With create_graph, the
	// gradients would be saved by new nodes and must be kept.
	return runInReleaseScope((scope) => {
		const pass = new BackwardPass(options, scope);
		roots.forEach((root, i) => pass.seed(root, rootGrads[i] ?? null));
		return pass.run();
	});
}

class BackwardPass {
	private readonly pending = new Map<Node, Tensor>();
	private readonly leafGrads = new Map<Tensor, Tensor>();
	/** Storages already handed to a leaf or given by the caller: these must not be adopted. */
	private readonly shared = new Set<object>();
	private readonly retainGraph: boolean;
	private readonly inputs: readonly Tensor[] | undefined;
	private readonly captured = new Map<Tensor, Tensor>();

	constructor(
		options: RunBackwardOptions,
		/** Every tensor this pass leaves reachable must be kept in it. */
		private readonly scope: ReleaseScope
	) {
		this.retainGraph = options.retain_graph ?? false;
		this.inputs = options.capture;
	}

	seed(root: Tensor, grad: Tensor | null): void {
		if (!root.requires_grad) {
			throw new AutogradError(
				'backward: element 0 of tensors does not require grad and does not have a grad_fn. Set requires_grad on an input, or check that the output was not computed under torch.no_grad()'
			);
		}
		if (grad === null) {
			if (numelOf(root.shape) !== 1) {
				throw new AutogradError(
					`backward: grad can be implicitly created only for scalar outputs, got shape ${formatShape(root.shape)}. Call .sum() or .mean() first, or pass a gradient of that shape.`
				);
			}
			grad = root.new_ones(root.shape);
		} else {
			if (!sameShape(grad.shape, root.shape)) {
				throw new AutogradError(
					`backward: Mismatch in shape: grad_output[0] has a shape of ${formatShape(grad.shape)} and output[0] has a shape of ${formatShape(root.shape)}`
				);
			}
			this.shared.add(grad.storage);
		}
		this.deliver(root.grad_fn ?? root, grad);
	}

	run(): (Tensor | null)[] {
		for (const node of this.nodesInOrder()) {
			const grad = this.pending.get(node);
			this.pending.delete(node);
			if (grad) this.execute(node, grad);
		}
		for (const [leaf, grad] of this.leafGrads) this.accumulateLeaf(leaf, grad);
		return (this.inputs ?? []).map((t) => this.captured.get(t) ?? null);
	}

	// Creation order is a topological order, so reverse creation order visits every node
	// after all the nodes that send it gradients.
	private nodesInOrder(): Node[] {
		const seen = new Set<Node>();
		const stack = [...this.pending.keys()];
		while (stack.length > 0) {
			const node = stack.pop() as Node;
			if (seen.has(node)) continue;
			seen.add(node);
			for (const next of node.next) if (next instanceof Object && isNode(next)) stack.push(next);
		}
		return [...seen].sort((a, b) => b.id - a.id);
	}

	private execute(node: Node, gradOutput: Tensor): void {
		gradOutput = this.runHooks(node.hooks, gradOutput);
		if (this.inputs) this.captureNonLeaf(node, gradOutput);
		else if (node.retained) this.scope.keep(retainGrad(node.retained, gradOutput, this.shared));
		const saved = this.unpackSaved(node);

		const needsInputGrad = node.next.map((n) => n !== null);
		const ctx = { saved, params: node.params, needsInputGrad, inputShapes: node.inputShapes };
		const previous = gradMode.enabled;
		gradMode.enabled = false;
		let grads: readonly (Tensor | null)[];
		try {
			grads = node.primitive.backward(gradOutput, ctx);
		} finally {
			gradMode.enabled = previous;
		}
		if (anomaly.enabled) checkBackward(node, grads);
		// Only saved tensors are freed: PyTorch lets a graph that saved nothing run again.
		// NOTE: their memory is not released here, because they were handed to the caller of
		// the forward ops, and JS cannot tell whether the caller still holds them. The
		// collector reclaims them once the graph was their last holder.
		if (!this.retainGraph && saved.length > 0) node.saved = null;

		for (let i = 0; i < node.next.length; i++) {
			const target = node.next[i];
			const grad = grads[i];
			if (target === null || grad === null || grad === undefined) continue;
			this.deliver(target, this.fitToInput(grad, node, i));
		}
	}

	private unpackSaved(node: Node): readonly Tensor[] {
		const saved = node.saved;
		if (saved === null) {
			throw new AutogradError(
				'backward: Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.'
			);
		}
		for (let i = 0; i < saved.length; i++) {
			const version = saved[i].storage.version;
			if (version !== node.savedVersions[i])
				throw modifiedError(saved[i], version, node.savedVersions[i]);
		}
		return saved;
	}

	/** Sums a broadcast gradient back to the input's shape and casts it to the input's dtype. */
	private fitToInput(grad: Tensor, node: Node, i: number): Tensor {
		const shape = node.inputShapes[i];
		if (!sameShape(grad.shape, shape)) grad = sumToShape(grad, shape);
		if (grad.dtype !== node.inputDTypes[i]) grad = grad.to(node.inputDTypes[i]);
		return grad;
	}

	private deliver(target: Node | Tensor, grad: Tensor): void {
		const map: Map<Node | Tensor, Tensor> = isNode(target)
			? (this.pending as Map<Node | Tensor, Tensor>)
			: (this.leafGrads as Map<Node | Tensor, Tensor>);
		const existing = map.get(target);
		map.set(target, existing ? existing.add(grad) : grad);
	}

	// A hook is user code: it may store the gradient it receives, and what it allocates is its
	// own, so it runs outside the release scope. Both gradients count as shared, so a leaf's
	// `.grad` gets a copy: zero_grad and later backward passes write into `.grad` in place.
	private runHooks(hooks: Hook[] | null, grad: Tensor): Tensor {
		if (!hooks) return grad;
		for (const hook of hooks) {
			this.keepShared(grad);
			const current = grad;
			grad = runOutsideReleaseScope(() => hook(current)) ?? grad;
			this.keepShared(grad);
		}
		return grad;
	}

	private keepShared(grad: Tensor): void {
		this.scope.keep(grad);
		this.shared.add(grad.storage);
	}

	private captureNonLeaf(node: Node, grad: Tensor): void {
		for (const t of this.inputs ?? []) {
			if (t.grad_fn !== node) continue;
			this.captured.set(t, grad);
			this.scope.keep(grad);
		}
	}

	private accumulateLeaf(leaf: Tensor, grad: Tensor): void {
		grad = this.runHooks(leaf._hooks, grad);
		if (this.inputs) {
			if (this.inputs.includes(leaf)) {
				this.captured.set(leaf, grad);
				this.scope.keep(grad);
			}
			return;
		}
		if (leaf.grad === null) {
			leaf.grad = adoptable(grad, this.shared) ? grad : grad.clone();
			this.shared.add(leaf.grad.storage);
			this.scope.keep(leaf.grad);
		} else {
			leaf.grad.add_(grad);
		}
	}
}

function isNode(value: unknown): value is Node {
	return value instanceof Node;
}

/** Tells whether `.grad` may keep this tensor itself: it owns all of its storage, unshared. */
function adoptable(grad: Tensor, shared: Set<object>): boolean {
	return (
		!shared.has(grad.storage) &&
		grad.offset === 0 &&
		grad.storage.size === numelOf(grad.shape) &&
		isContiguous(grad.shape, grad.strides)
	);
}

/** Stores `grad` in a retained non-leaf's `.grad`; returns the tensor now stored there. */
function retainGrad(tensor: Tensor, grad: Tensor, shared: Set<object>): Tensor {
	if (tensor.grad === null) {
		tensor.grad = adoptable(grad, shared) ? grad : grad.clone();
		shared.add(tensor.grad.storage);
	} else {
		tensor.grad = tensor.grad.add(grad);
	}
	return tensor.grad;
}

/**
 * Sums a gradient that an op broadcast back to the shape of the input it came from: leading
 * dims the input lacks are summed away, and dims where the input has size 1 are summed with
 * keepdim. This is the only place autograd undoes broadcasting.
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
	const lead = grad.shape.length - shape.length;
	const dims: number[] = [];
	for (let d = 0; d < grad.shape.length; d++) {
		if (d < lead || (shape[d - lead] === 1 && grad.shape[d] !== 1)) dims.push(d);
	}
	const summed = dims.length > 0 ? grad.sum(dims, true) : grad;
	return sameShape(summed.shape, shape) ? summed : summed.reshape(shape as number[]);
}

const TYPE_NAMES: Record<string, string> = {
	float32: 'torch.FloatTensor',
	float64: 'torch.DoubleTensor',
	int64: 'torch.LongTensor',
	bool: 'torch.BoolTensor'
};

function modifiedError(tensor: Tensor, version: number, expected: number): AutogradError {
	const what = `[${TYPE_NAMES[tensor.dtype.name]} ${formatShape(tensor.shape)}]`;
	const origin = tensor.grad_fn ? `, which is output 0 of ${tensor.grad_fn.name()},` : '';
	return new AutogradError(
		`backward: one of the variables needed for gradient computation has been modified by an inplace operation: ${what}${origin} is at version ${version}; expected version ${expected} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(true).`
	);
}

export function internalCheck(condition: boolean, message: string): void {
	if (!condition) throw new InternalError(message);
}
