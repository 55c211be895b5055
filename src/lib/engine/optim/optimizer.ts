/**
 * torch.optim.Optimizer: parameter groups, per-parameter state, zero_grad and state_dict.
 *
 * Hyperparameters live in plain `param_groups` objects (`opt.param_groups[0].lr = 0.01`
 * works, and the schedulers rely on it). Per-parameter state is a Map keyed by the parameter
 * tensor. `state.step` is a JS number; PyTorch 1.13 keeps a 0-d tensor for Adam, AdamW and
 * Adagrad, but reading it back would need an await on the GPU.
 */
import { enable_grad, no_grad } from '../autograd';
import { ValueError } from '../errors';
import { resetGrad } from '../nn/module';
import { runInReleaseScope, type ReleaseScope } from '../storage';
import { Tensor } from '../tensor';

/** Hyperparameters of one group, plus its tensors, as an entry of `optimizer.param_groups`. */
export interface ParamGroup {
	params: Tensor[];
	lr: number;
	initial_lr?: number;
	[option: string]: unknown;
}

/** Parameters as optimizers take them: tensors, or groups with their own hyperparameters. */
export type ParamGroupInput = { params: Iterable<Tensor> | Tensor; [option: string]: unknown };
export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

export type OptimizerState = Record<string, unknown>;

/** The result of `optimizer.state_dict()`: state keyed by parameter index, groups with indices. */
export interface OptimizerStateDict {
	state: Record<number, OptimizerState>;
	param_groups: (Omit<ParamGroup, 'params'> & { params: number[] })[];
}

/** The update methods of the engine's optimizers, which `engineRule` registers. */
const ENGINE_RULES = new WeakSet<object>();

/**
 * Registers an optimizer class's own `update` as engine code, so `step` runs it in a release
 * scope. A subclass that overrides `update` is not registered, and runs without one.
 */
export function engineRule(optimizer: { prototype: object }): void {
	ENGINE_RULES.add((optimizer.prototype as { update: object }).update);
}

/** Marks a hyperparameter that has no default, such as SGD's lr. */
export const required = Symbol('required');

/** Base class of all optimizers, as `torch.optim.Optimizer`. */
export class Optimizer {
	defaults: Record<string, unknown>;
	param_groups: ParamGroup[] = [];
	state = new Map<Tensor, OptimizerState>();

	constructor(params: Params, defaults: Record<string, unknown>) {
		this.defaults = defaults;
		if (params instanceof Tensor) {
			throw new TypeError(
				`${this.constructor.name}: params argument given to the optimizer should be an iterable of Tensors or objects, but got a Tensor. Wrap it in an array: [w].`
			);
		}
		const list = [...params] as (Tensor | ParamGroupInput)[];
		if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
		const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : list;
		for (const group of groups as ParamGroupInput[]) this.add_param_group(group);
	}

	/**
	 * Updates every parameter that has a gradient, without recording a graph; `closure`, if
	 * given, re-evaluates the model with grad enabled and its loss is returned.
	 */
	step(closure?: () => Tensor): Tensor | undefined {
		const loss = closure ? enable_grad(closure) : undefined;
		const updateAll = (scope?: ReleaseScope) => {
			for (const group of this.param_groups) {
				for (const p of group.params) {
					if (p.grad === null) continue;
					const state = this.stateOf(p);
					this.update(p, p.grad, group, state);
					for (const value of Object.values(state)) if (value instanceof Tensor) scope?.keep(value);
				}
			}
		};
		// The engine's own update rules keep nothing but the state they store, so what else
		// they allocate (Adam's denominator, a Nesterov step) goes back to the backend at once.
		// A rule from user code may keep tensors anywhere, so only the collector frees them.
		if (ENGINE_RULES.has(this.update))
			runInReleaseScope((scope) => no_grad(() => updateAll(scope)));
		else no_grad(() => updateAll());
		return loss;
	}

	/** Updates one parameter; optimizers override it (or override `step` entirely). */
	protected update(_p: Tensor, _grad: Tensor, _group: ParamGroup, _state: OptimizerState): void {
		throw new Error(
			`${this.constructor.name}: override step() or update() to define the update rule.`
		);
	}

	/** Adds a group of parameters with its own hyperparameters (missing ones take the defaults). */
	add_param_group(group: ParamGroupInput): void {
		const params = group.params instanceof Tensor ? [group.params] : [...group.params];
		for (const p of params) checkParam(p);
		const filled: Record<string, unknown> = { ...group, params };
		for (const [name, value] of Object.entries(this.defaults)) {
			if (name in filled) continue;
			if (value === required) {
				throw new ValueError(
					`parameter group didn't specify a value of required optimization parameter ${name}. Pass { ${name}: ... }.`
				);
			}
			filled[name] = value;
		}

		const seen = new Set(this.param_groups.flatMap((g) => g.params));
		if (params.some((p) => seen.has(p))) {
			throw new ValueError('some parameters appear in more than one parameter group');
		}
		this.param_groups.push(filled as ParamGroup);
	}

	/**
	 * Resets the gradients of all optimized tensors. As in PyTorch 1.13 the default zeroes
	 * them in place; `set_to_none: true` sets `grad` to null instead.
	 */
	zero_grad(options: boolean | { set_to_none?: boolean } = {}): void {
		const setToNone = typeof options === 'boolean' ? options : (options.set_to_none ?? false);
		for (const group of this.param_groups) {
			for (const p of group.params) {
				resetGrad(p, setToNone);
			}
		}
	}

	/** State and hyperparameters, with parameters replaced by their index, as `state_dict()`. */
	state_dict(): OptimizerStateDict {
		const index = new Map<Tensor, number>();
		const param_groups = this.param_groups.map((group) => {
			for (const p of group.params) if (!index.has(p)) index.set(p, index.size);
			return { ...group, params: group.params.map((p) => index.get(p) as number) };
		});
		const state: Record<number, OptimizerState> = {};
		for (const [p, value] of this.state) {
			const i = index.get(p);
			if (i !== undefined) state[i] = value;
		}
		return { state, param_groups };
	}

	/** Restores a `state_dict()`; the groups must hold the same numbers of parameters. */
	load_state_dict(stateDict: OptimizerStateDict): void {
		const saved = stateDict.param_groups;
		if (saved.length !== this.param_groups.length) {
			throw new ValueError(
				`loaded state dict has a different number of parameter groups: ${saved.length} saved, ${this.param_groups.length} in the optimizer`
			);
		}
		const byIndex = new Map<number, Tensor>();
		saved.forEach((group, g) => {
			const params = this.param_groups[g].params;
			if (group.params.length !== params.length) {
				throw new ValueError(
					`loaded state dict contains a parameter group that doesn't match the size of optimizer's group: group ${g} has ${group.params.length} saved and ${params.length} current parameters`
				);
			}
			group.params.forEach((id, i) => byIndex.set(id, params[i]));
		});

		this.state = new Map();
		for (const [id, value] of Object.entries(stateDict.state)) {
			const p = byIndex.get(Number(id));
			if (p) this.state.set(p, copyState(value));
		}
		this.param_groups = saved.map((group, g) => ({
			...group,
			params: this.param_groups[g].params
		})) as ParamGroup[];
	}

	/** Returns the state of `p`, created empty on first use (PyTorch's defaultdict). */
	protected stateOf(p: Tensor): OptimizerState {
		let state = this.state.get(p);
		if (!state) {
			state = {};
			this.state.set(p, state);
		}
		return state;
	}
}

function checkParam(p: unknown): asserts p is Tensor {
	if (!(p instanceof Tensor)) {
		throw new TypeError(
			`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`
		);
	}
	if (!p.is_leaf) {
		throw new ValueError(
			"can't optimize a non-leaf Tensor. Optimize the leaf it was computed from, or call .detach().requires_grad_() on it."
		);
	}
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (typeof value === 'object') return value.constructor?.name ?? 'object';
	return typeof value;
}

function copyState(state: OptimizerState): OptimizerState {
	const copy: OptimizerState = {};
	for (const [key, value] of Object.entries(state)) {
		copy[key] = value instanceof Tensor ? value.clone() : value;
	}
	return copy;
}

/** Reads the learning rate given positionally or in an options object. */
export function lrAndOptions<T extends { lr?: number }>(
	lrOrOptions: number | T | undefined,
	options: T | undefined
): T {
	if (typeof lrOrOptions === 'number') return { ...(options ?? ({} as T)), lr: lrOrOptions };
	return lrOrOptions ?? ({} as T);
}

/**
 * Returns the gradient an update step follows: negated for `maximize`, plus `weightDecay` p.
 * This is the L2 penalty's gradient, which PyTorch adds for every optimizer except AdamW.
 */
export function penalizedGradient(
	p: Tensor,
	grad: Tensor,
	group: ParamGroup,
	weightDecay: number
): Tensor {
	const g = group.maximize ? grad.neg() : grad;
	return weightDecay === 0 ? g : g.add(p, { alpha: weightDecay });
}

/** Throws PyTorch's message when a hyperparameter is out of range. */
export function checkRange(ok: boolean, message: string): void {
	if (!ok) throw new ValueError(message);
}
