/**
 * nn.Module: the base class of layers and models, as `torch.nn.Module`.
 *
 * Two PyTorch behaviours need a trick in JavaScript. Instances are callable (`layer(x)` runs
 * `forward` with its hooks): the constructor returns an arrow function whose prototype is the
 * subclass's prototype, so the object is both a function and a class instance. Fields assigned
 * in a constructor register as parameters, buffers or submodules in assignment order, as
 * PyTorch's `__setattr__` does: that function sits behind a Proxy whose `defineProperty` trap
 * intercepts every assignment. Only assignments pass through the trap, so reads stay plain property
 * lookups.
 */
import type { Device } from '../device';
import { Tensor } from '../tensor';
import { Parameter } from './parameter';
import { setUpBackwardHooks, type BackwardHook } from './backward-hooks';
import { collectStateDict, loadStateDict } from './state-dict';

/** A forward pre-hook: returns replacement inputs, or nothing to keep them. */
export type ForwardPreHook = (module: AnyModule, input: unknown[]) => unknown;
/** A forward hook: returns a replacement output, or nothing to keep it. */
export type ForwardHook = (module: AnyModule, input: unknown[], output: unknown) => unknown;
export type { BackwardHook };

/** Returned by `register_*_hook`; `remove()` unregisters the hook. */
export interface RemovableHandle {
	readonly id: number;
	remove(): void;
}

let nextHookId = 0;

function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
	const id = nextHookId++;
	hooks.set(id, hook);
	return { id, remove: () => hooks.delete(id) };
}

/** The state PyTorch keeps in a module's `__dict__`, stored as non-enumerable fields. */
interface ModuleInternals {
	_parameters: Map<string, Parameter | null>;
	_buffers: Map<string, Tensor | null>;
	_non_persistent_buffers_set: Set<string>;
	_modules: Map<string, AnyModule | null>;
	_forward_pre_hooks: Map<number, ForwardPreHook>;
	_forward_hooks: Map<number, ForwardHook>;
	_backward_hooks: Map<number, BackwardHook>;
}

/*
 * Args defaults to any[] because a call signature's parameters are checked contravariantly:
 * with unknown[], a Linear (called with one Tensor) would not count as a Module.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-declaration-merging */

/** Calling a module runs `forward` through its hooks. */
export interface Module<Args extends any[] = any[], Out = Tensor> {
	(...args: Args): Out;
}

/**
 * A module of any subclass, as containers return it: known members keep their types, other
 * fields (`seq.at(0).weight`) are `any`, as a Python reader would expect to write them.
 */
export type AnyModule = Module<any[], any> & { [field: string]: any };

/** Base class for all neural network modules, as `torch.nn.Module`. */
export class Module<Args extends any[] = any[], Out = Tensor> {
	/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-declaration-merging */
	declare readonly _parameters: Map<string, Parameter | null>;
	declare readonly _buffers: Map<string, Tensor | null>;
	declare readonly _non_persistent_buffers_set: Set<string>;
	declare readonly _modules: Map<string, AnyModule | null>;
	declare readonly _forward_pre_hooks: Map<number, ForwardPreHook>;
	declare readonly _forward_hooks: Map<number, ForwardHook>;
	declare readonly _backward_hooks: Map<number, BackwardHook>;
	/** Whether the module is in training mode; set it with `train()` or `eval()`. */
	declare training: boolean;

	constructor() {
		// The callable target reaches the module through `proxy`, which exists by the time any
		// call can happen.
		const target = ((...args: unknown[]) => callModule(proxy, args)) as unknown as Module<
			Args,
			Out
		>;

		// A function's own `name` and `length` are read-only and would shadow fields and getters
		// (Sequential's `length`), so remove them; the prototype chain then decides.
		delete (target as { name?: string }).name;
		delete (target as { length?: number }).length;
		Object.setPrototypeOf(target, new.target.prototype);

		const internals: ModuleInternals = {
			_parameters: new Map(),
			_buffers: new Map(),
			_non_persistent_buffers_set: new Set(),
			_modules: new Map(),
			_forward_pre_hooks: new Map(),
			_forward_hooks: new Map(),
			_backward_hooks: new Map()
		};
		for (const [key, value] of Object.entries(internals)) {
			Object.defineProperty(target, key, { value, enumerable: false });
		}
		Object.defineProperty(target, 'training', { value: true, writable: true, enumerable: false });

		const proxy = new Proxy(target, moduleTraps as ProxyHandler<Module<Args, Out>>);
		return proxy;
	}

	/** Computes the module's output; subclasses override it. Call the module, not `forward`, so hooks run. */
	forward(..._args: Args): Out {
		throw new Error(
			`Module [${this._get_name()}] is missing the required "forward" function. Define forward(...) in your subclass.`
		);
	}

	/** Registers a submodule under `name`, as `add_module` (assigning a field does the same). */
	add_module(name: string, module: AnyModule | null): void {
		if (module !== null && !(module instanceof Module)) {
			throw new TypeError(`${describe(module)} is not a Module subclass`);
		}
		checkName('module', name, this, this._modules);
		this._modules.set(name, module);
		Reflect.defineProperty(this, name, plainField(module));
	}

	/** Same as `add_module`. */
	register_module(name: string, module: AnyModule | null): void {
		this.add_module(name, module);
	}

	/** Registers a parameter under `name`; `null` registers a missing one (like `bias=False`). */
	register_parameter(name: string, param: Parameter | null): void {
		if (param !== null && !(param instanceof Parameter)) {
			throw new TypeError(
				`cannot assign '${describe(param)}' object to parameter '${name}' (torch.nn.Parameter or None required). Wrap it: new nn.Parameter(t).`
			);
		}
		checkName('parameter', name, this, this._parameters);
		if (param !== null && param.grad_fn !== null) {
			throw new Error(
				`Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`
			);
		}
		this._parameters.set(name, param);
		Reflect.defineProperty(this, name, plainField(param));
	}

	/**
	 * Registers a tensor that is saved in `state_dict` but not trained, such as BatchNorm's
	 * running mean. `persistent: false` keeps it out of `state_dict`.
	 */
	register_buffer(
		name: string,
		tensor: Tensor | null,
		options: { persistent?: boolean } = {}
	): void {
		if (tensor !== null && !(tensor instanceof Tensor)) {
			throw new TypeError(
				`cannot assign '${describe(tensor)}' object to buffer '${name}' (torch Tensor or None required)`
			);
		}
		checkName('buffer', name, this, this._buffers);
		this._buffers.set(name, tensor);
		if (options.persistent === false) this._non_persistent_buffers_set.add(name);
		else this._non_persistent_buffers_set.delete(name);
		Reflect.defineProperty(this, name, plainField(tensor));
	}

	/** Returns the submodule at a dotted path such as `'layers.0'`, as `get_submodule`. */
	get_submodule(target: string): AnyModule {
		if (target === '') return this;
		return target.split('.').reduce((module: AnyModule, item) => {
			const child = module._modules.get(item);
			if (!child) {
				throw new Error(`${module._get_name()} has no attribute \`${item}\` (in '${target}')`);
			}
			return child;
		}, this);
	}

	/** Parameters of this module and, with `recurse`, its descendants, each once. */
	parameters(recurse = true): Parameter[] {
		return this.named_parameters({ recurse }).map(([, p]) => p);
	}

	/** `[name, parameter]` pairs with dotted names such as `'0.weight'`, each parameter once. */
	named_parameters(options: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
		return this.namedMembers((m) => m._parameters, options);
	}

	/** Buffers of this module and, with `recurse`, its descendants. */
	buffers(recurse = true): Tensor[] {
		return this.named_buffers({ recurse }).map(([, b]) => b);
	}

	/** `[name, buffer]` pairs with dotted names. */
	named_buffers(options: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
		return this.namedMembers((m) => m._buffers, options);
	}

	/** Direct submodules, each once. */
	children(): AnyModule[] {
		return this.named_children().map(([, m]) => m);
	}

	/** `[name, module]` pairs of the direct submodules. */
	named_children(): [string, AnyModule][] {
		const seen = new Set<AnyModule>();
		const out: [string, AnyModule][] = [];
		for (const [name, module] of this._modules) {
			if (module === null || seen.has(module)) continue;
			seen.add(module);
			out.push([name, module]);
		}
		return out;
	}

	/** This module and all its descendants, depth first, each once. */
	modules(): AnyModule[] {
		return this.named_modules().map(([, m]) => m);
	}

	/** `[name, module]` pairs of this module (name `''`) and all descendants. */
	named_modules(options: { prefix?: string; memo?: Set<AnyModule> } = {}): [string, AnyModule][] {
		const memo = options.memo ?? new Set<AnyModule>();
		const prefix = options.prefix ?? '';
		if (memo.has(this)) return [];
		memo.add(this);
		const out: [string, AnyModule][] = [[prefix, this]];
		for (const [name, module] of this._modules) {
			if (module === null) continue;
			const childPrefix = prefix ? `${prefix}.${name}` : name;
			out.push(...module.named_modules({ prefix: childPrefix, memo }));
		}
		return out;
	}

	/** Sets training mode on this module and its descendants; returns the module. */
	train(mode = true): this {
		if (typeof mode !== 'boolean') {
			throw new TypeError(`training mode is expected to be boolean, got ${describe(mode)}`);
		}
		this.training = mode;
		for (const module of this.children()) module.train(mode);
		return this;
	}

	/** Sets evaluation mode (`train(false)`): Dropout stops dropping, BatchNorm uses running stats. */
	eval(): this {
		return this.train(false);
	}

	/** Sets `requires_grad` on every parameter; returns the module. */
	requires_grad_(requires_grad = true): this {
		for (const p of this.parameters()) p.requires_grad_(requires_grad);
		return this;
	}

	/**
	 * Resets the gradients of all parameters. As in PyTorch 1.13 the default zeroes them in
	 * place; `set_to_none: true` sets `grad` to null instead.
	 */
	zero_grad(options: boolean | { set_to_none?: boolean } = {}): void {
		const setToNone = typeof options === 'boolean' ? options : (options.set_to_none ?? false);
		for (const p of this.parameters()) {
			if (p.grad !== null) resetGrad(p, setToNone);
		}
	}

	/** Calls `fn` on every descendant, then on this module (as `apply`); returns the module. */
	apply(fn: (module: AnyModule) => void): this {
		for (const module of this.children()) module.apply(fn);
		fn(this);
		return this;
	}

	/**
	 * Moves parameters, their gradients and buffers to a backend (`'cpu'`, `'webgpu'`; `'cuda'`
	 * means the GPU backend). The parameter objects stay the same, so optimizers keep working.
	 */
	to(device: string | Device): this {
		const backend = String(device);
		for (const module of this.modules()) {
			for (const p of module._parameters.values()) {
				if (p === null) continue;
				p.data = p.data.to(backend);
				if (p.grad !== null) p.grad = p.grad.to(backend);
			}
			for (const [name, buffer] of module._buffers) {
				if (buffer !== null)
					module.register_buffer(name, buffer.to(backend), persistence(module, name));
			}
		}
		return this;
	}

	/** Same as `to('cpu')`. */
	cpu(): this {
		return this.to('cpu');
	}

	/** Same as `to('webgpu')`: WebGPU plays CUDA's part here. */
	cuda(): this {
		return this.to('webgpu');
	}

	/** Registers `hook(module, input)` to run before `forward`; it may return new inputs. */
	register_forward_pre_hook(hook: ForwardPreHook): RemovableHandle {
		return addHook(this._forward_pre_hooks, hook);
	}

	/** Registers `hook(module, input, output)` to run after `forward`; it may return a new output. */
	register_forward_hook(hook: ForwardHook): RemovableHandle {
		return addHook(this._forward_hooks, hook);
	}

	/**
	 * Registers `hook(module, grad_input, grad_output)` to run when the gradients with respect
	 * to the module's tensor inputs have been computed; it may return replacement grad_input.
	 */
	register_full_backward_hook(hook: BackwardHook): RemovableHandle {
		return addHook(this._backward_hooks, hook);
	}

	/**
	 * Parameters and persistent buffers by dotted name, detached, as `state_dict()`. With
	 * `keep_vars: true` the parameters themselves are returned.
	 */
	state_dict(options: { prefix?: string; keep_vars?: boolean } = {}): Record<string, Tensor> {
		return collectStateDict(this, options.prefix ?? '', options.keep_vars ?? false);
	}

	/**
	 * Copies parameters and buffers from a `state_dict()` into this module, as
	 * `load_state_dict`. With `strict` (the default) missing or unexpected keys throw; the
	 * returned lists name them either way. Shapes must match.
	 */
	load_state_dict(
		stateDict: Record<string, Tensor> | Map<string, Tensor>,
		options: { strict?: boolean } = {}
	): { missing_keys: string[]; unexpected_keys: string[] } {
		return loadStateDict(this, stateDict, options.strict ?? true);
	}

	/**
	 * The class name shown by `toString()`, as `Module._get_name`. Engine classes read the
	 * PyTorch name given by `nameModules`, because minifiers rename them; a user's subclass
	 * has no own name there, so it shows its class name.
	 */
	_get_name(): string {
		const ctor = this.constructor;
		return Object.hasOwn(ctor, TORCH_NAME)
			? (ctor as unknown as Record<typeof TORCH_NAME, string>)[TORCH_NAME]
			: ctor.name;
	}

	/** Extra text shown inside the parentheses of the module's `toString()`. */
	extra_repr(): string {
		return '';
	}

	/** Describes the module tree in PyTorch's format, as `print(model)` does. */
	toString(): string {
		const lines = this.extra_repr() ? this.extra_repr().split('\n') : [];
		for (const [name, module] of this._modules) {
			const text = module === null ? 'None' : module.toString();
			lines.push(`(${name}): ${indentTail(text)}`);
		}
		const name = this._get_name();
		if (lines.length === 0) return `${name}()`;
		if (lines.length === 1 && this._modules.size === 0) return `${name}(${lines[0]})`;
		return `${name}(\n  ${lines.join('\n  ')}\n)`;
	}

	private namedMembers<T extends Tensor>(
		members: (module: AnyModule) => Map<string, T | null>,
		options: { prefix?: string; recurse?: boolean }
	): [string, T][] {
		const modules: [string, AnyModule][] =
			(options.recurse ?? true)
				? this.named_modules({ prefix: options.prefix ?? '' })
				: [[options.prefix ?? '', this]];
		const seen = new Set<T>();
		const out: [string, T][] = [];
		for (const [path, module] of modules) {
			for (const [name, value] of members(module)) {
				if (value === null || seen.has(value)) continue;
				seen.add(value);
				out.push([path ? `${path}.${name}` : name, value]);
			}
		}
		return out;
	}
}

/** Runs `forward` with the pre-hooks, forward hooks and full backward hooks, as `_call_impl`. */
function callModule(module: AnyModule, args: unknown[]): unknown {
	let input = args;
	for (const hook of module._forward_pre_hooks.values()) {
		const result = hook(module, input);
		if (result !== undefined && result !== null) input = Array.isArray(result) ? result : [result];
	}

	const backward = module._backward_hooks.size > 0 ? setUpBackwardHooks(module, input) : null;
	if (backward) input = backward.input;

	let output: unknown = (module.forward as (...a: unknown[]) => unknown)(...input);
	for (const hook of module._forward_hooks.values()) {
		const result = hook(module, input, output);
		if (result !== undefined) output = result;
	}
	return backward ? backward.wrapOutput(output) : output;
}

/**
 * Keeps the registries in step with field assignments, as PyTorch's `__setattr__` does.
 * Assigning a Parameter registers a parameter, and assigning a Module registers a submodule.
 * A name that is already registered accepts only a value of its kind, or null.
 */
const moduleTraps: ProxyHandler<AnyModule> = {
	defineProperty(target, key, descriptor) {
		if (typeof key === 'string' && 'value' in descriptor) {
			registerField(target, key, descriptor.value);
		}
		return Reflect.defineProperty(target, key, descriptor);
	},
	deleteProperty(target, key) {
		if (typeof key === 'string') {
			target._parameters.delete(key);
			target._buffers.delete(key);
			target._non_persistent_buffers_set.delete(key);
			target._modules.delete(key);
		}
		return Reflect.deleteProperty(target, key);
	}
};

function registerField(module: AnyModule, name: string, value: unknown): void {
	const isEmpty = value === null || value === undefined;
	if (value instanceof Parameter) {
		forget(module, name, module._parameters);
		module._parameters.set(name, value);
	} else if (module._parameters.has(name)) {
		if (!isEmpty) {
			throw new TypeError(
				`cannot assign '${describe(value)}' as parameter '${name}' (torch.nn.Parameter or None expected). Wrap it: new nn.Parameter(t).`
			);
		}
		module._parameters.set(name, null);
	} else if (value instanceof Module) {
		forget(module, name, module._modules);
		module._modules.set(name, value);
	} else if (module._modules.has(name)) {
		if (!isEmpty) {
			throw new TypeError(
				`cannot assign '${describe(value)}' as child module '${name}' (torch.nn.Module or None expected)`
			);
		}
		module._modules.set(name, null);
	} else if (module._buffers.has(name)) {
		if (!isEmpty && !(value instanceof Tensor)) {
			throw new TypeError(
				`cannot assign '${describe(value)}' as buffer '${name}' (torch.Tensor or None expected)`
			);
		}
		module._buffers.set(name, isEmpty ? null : (value as Tensor));
	}
}

/**
 * Clears one gradient as PyTorch 1.13's zero_grad does: set it to null, or detach it from any
 * graph and zero it in place (the default, which keeps the tensor and its memory).
 */
export function resetGrad(p: Tensor, setToNone: boolean): void {
	const grad = p.grad;
	if (grad === null) return;
	if (setToNone) {
		p.grad = null;
		return;
	}
	if (grad.grad_fn !== null) grad.detach_();
	else grad.requires_grad_(false);
	grad.zero_();
}

/** Removes `name` from every registry except `keep`, where it keeps its position. */
function forget(module: AnyModule, name: string, keep: Map<string, unknown>): void {
	for (const registry of [module._parameters, module._buffers, module._modules]) {
		if (registry !== keep) registry.delete(name);
	}
	module._non_persistent_buffers_set.delete(name);
}

function checkName(kind: string, name: string, module: AnyModule, registry: Map<string, unknown>) {
	if (typeof name !== 'string') {
		throw new TypeError(`${kind} name should be a string. Got ${describe(name)}`);
	}
	if (name === '') throw new Error(`${kind} name can't be empty string ""`);
	if (name.includes('.')) throw new Error(`${kind} name can't contain ".", got: ${name}`);
	// A TypeScript field declared without a value is undefined, so it does not count as taken.
	const taken = name in module && (module as Record<string, unknown>)[name] !== undefined;
	if (taken && !registry.has(name) && !isRegistered(module, name)) {
		throw new Error(`attribute '${name}' already exists`);
	}
}

function isRegistered(module: AnyModule, name: string): boolean {
	return module._parameters.has(name) || module._buffers.has(name) || module._modules.has(name);
}

function plainField(value: unknown): PropertyDescriptor {
	return { value, writable: true, enumerable: true, configurable: true };
}

function persistence(module: AnyModule, name: string): { persistent: boolean } {
	return { persistent: !module._non_persistent_buffers_set.has(name) };
}

function indentTail(text: string): string {
	return text.split('\n').join('\n  ');
}

/** Returns a value's type name for error messages, in PyTorch's words where it has them. */
export function describe(value: unknown): string {
	if (value === null) return 'None';
	if (value instanceof Tensor) return 'torch.FloatTensor';
	if (typeof value === 'object' || typeof value === 'function') {
		return (value as object).constructor?.name ?? typeof value;
	}
	return typeof value;
}

const TORCH_NAME = Symbol('torchName');

/**
 * Gives each engine module class the PyTorch name it prints, from the keys of `classes`:
 * object keys survive minification, class names do not.
 */
export function nameModules(
	classes: Record<string, abstract new (...args: never[]) => unknown>
): void {
	for (const [name, ctor] of Object.entries(classes)) {
		Object.defineProperty(ctor, TORCH_NAME, { value: name });
	}
}
