/**
 * Container modules: Sequential, ModuleList and ModuleDict. Children are named by position
 * ('0', '1', ...) or by key, as in PyTorch, so parameter names read '0.weight'. Python's
 * `seq[i]` and `len(seq)` are `seq.at(i)` and `seq.length`; all three containers are iterable.
 */
import type { Tensor } from '../tensor';
import { IndexError } from '../errors';
import { Module, describe, type AnyModule } from './module';

function checkModule(value: unknown, where: string): asserts value is AnyModule {
	if (!(value instanceof Module)) {
		throw new TypeError(`${where}: ${describe(value)} is not a Module subclass`);
	}
}

function normalizeIndex(container: string, index: number, length: number): number {
	if (!Number.isInteger(index)) {
		throw new TypeError(`${container} indices must be integers, got ${index}`);
	}
	const i = index < 0 ? index + length : index;
	if (i < 0 || i >= length) {
		throw new IndexError(`index ${index} is out of range for ${container} of length ${length}`);
	}
	return i;
}

/** Children in registration order, skipping names set to null. */
function childList(module: AnyModule): AnyModule[] {
	return [...module._modules.values()].filter((m) => m !== null) as AnyModule[];
}

/** Re-registers `modules` under the names '0', '1', ... in order. */
function renumber(module: AnyModule, modules: AnyModule[]): void {
	for (const name of [...module._modules.keys()])
		delete (module as unknown as Record<string, unknown>)[name];
	modules.forEach((m, i) => module.add_module(String(i), m));
}

/**
 * Modules run one after another, as `nn.Sequential`: `new nn.Sequential(new nn.Linear(4, 3),
 * new nn.ReLU())`. A Map or object of named modules keeps those names.
 */
export class Sequential extends Module<[Tensor], Tensor> {
	constructor(...modules: AnyModule[] | [Map<string, AnyModule> | Record<string, AnyModule>]) {
		super();
		const [first] = modules;
		if (modules.length === 1 && !(first instanceof Module)) {
			const named = first instanceof Map ? [...first] : Object.entries(first);
			for (const [name, module] of named) {
				checkModule(module, 'Sequential');
				this.add_module(name, module);
			}
			return;
		}
		(modules as AnyModule[]).forEach((module, i) => {
			checkModule(module, 'Sequential');
			this.add_module(String(i), module);
		});
	}

	forward(input: Tensor): Tensor {
		let x: unknown = input;
		for (const module of this) x = module(x);
		return x as Tensor;
	}

	/** Number of modules, as `len(seq)`. */
	get length(): number {
		return this._modules.size;
	}

	/** Returns the module at `index`, counting from the end when negative, as `seq[index]`. */
	at(index: number): AnyModule {
		return childList(this)[normalizeIndex('Sequential', index, this.length)];
	}

	/** Returns a new Sequential of the modules in [start, end), keeping their names, as `seq[start:end]`. */
	slice(start?: number, end?: number): Sequential {
		const entries = [...this._modules].slice(start, end);
		return new Sequential(new Map(entries.filter((e): e is [string, AnyModule] => e[1] !== null)));
	}

	/** Adds a module at the end; returns this Sequential. */
	append(module: AnyModule): this {
		checkModule(module, 'Sequential.append');
		this.add_module(String(this.length), module);
		return this;
	}

	/** Inserts a module before `index`; the modules are renumbered. */
	insert(index: number, module: AnyModule): this {
		checkModule(module, 'Sequential.insert');
		const modules = childList(this);
		const i = index < 0 ? Math.max(0, index + modules.length) : Math.min(index, modules.length);
		modules.splice(i, 0, module);
		renumber(this, modules);
		return this;
	}

	/** Appends every module of `modules`. */
	extend(modules: Iterable<AnyModule>): this {
		for (const module of modules) this.append(module);
		return this;
	}

	/** Removes and returns the module at `index`; the rest are renumbered, as in PyTorch. */
	pop(index = -1): AnyModule {
		const modules = childList(this);
		const [removed] = modules.splice(normalizeIndex('Sequential', index, modules.length), 1);
		renumber(this, modules);
		return removed;
	}

	*[Symbol.iterator](): IterableIterator<AnyModule> {
		yield* childList(this);
	}
}

/**
 * A list of submodules whose parameters are registered, as `nn.ModuleList`. It has no forward:
 * iterate over it in your own module's forward.
 */
export class ModuleList extends Module<never[], never> {
	constructor(modules: Iterable<AnyModule> = []) {
		super();
		this.extend(modules);
	}

	/** Number of modules, as `len(list)`. */
	get length(): number {
		return this._modules.size;
	}

	/** Returns the module at `index`, counting from the end when negative, as `list[index]`. */
	at(index: number): AnyModule {
		return childList(this)[normalizeIndex('ModuleList', index, this.length)];
	}

	/** Replaces the module at `index`, as `list[index] = module`. */
	set(index: number, module: AnyModule): void {
		checkModule(module, 'ModuleList.set');
		const i = normalizeIndex('ModuleList', index, this.length);
		this.add_module(String(i), module);
	}

	/** A new ModuleList of the modules in [start, end), as `list[start:end]`. */
	slice(start?: number, end?: number): ModuleList {
		return new ModuleList(childList(this).slice(start, end));
	}

	/** Adds a module at the end; returns this list. */
	append(module: AnyModule): this {
		checkModule(module, 'ModuleList.append');
		this.add_module(String(this.length), module);
		return this;
	}

	/** Appends every module of `modules`; returns this list. */
	extend(modules: Iterable<AnyModule>): this {
		for (const module of modules) this.append(module);
		return this;
	}

	/** Inserts a module before `index`; the modules are renumbered. */
	insert(index: number, module: AnyModule): void {
		checkModule(module, 'ModuleList.insert');
		const modules = childList(this);
		const i = index < 0 ? Math.max(0, index + modules.length) : Math.min(index, modules.length);
		modules.splice(i, 0, module);
		renumber(this, modules);
	}

	/** Removes and returns the module at `index`; the rest are renumbered. */
	pop(index = -1): AnyModule {
		const modules = childList(this);
		const [removed] = modules.splice(normalizeIndex('ModuleList', index, modules.length), 1);
		renumber(this, modules);
		return removed;
	}

	forward(): never {
		throw new Error(
			'ModuleList has no forward: iterate over it inside your module, for (const layer of this.layers) x = layer(x).'
		);
	}

	*[Symbol.iterator](): IterableIterator<AnyModule> {
		yield* childList(this);
	}
}

/**
 * Submodules by key, in insertion order, as `nn.ModuleDict`. Python's `d[key]` and
 * `d[key] = m` are `d.get(key)` and `d.set(key, m)`; iterating yields the keys.
 */
export class ModuleDict extends Module<never[], never> {
	constructor(modules: Map<string, AnyModule> | Record<string, AnyModule> = {}) {
		super();
		this.update(modules);
	}

	/** Number of modules, as `len(d)`. */
	get length(): number {
		return this._modules.size;
	}

	/** The module under `key`, as `d[key]`; throws for a missing key. */
	get(key: string): AnyModule {
		const module = this._modules.get(key);
		if (!module) throw new Error(`ModuleDict has no key '${key}'. Keys: ${this.keys().join(', ')}`);
		return module as AnyModule;
	}

	/** Adds or replaces the module under `key`, as `d[key] = module`. */
	set(key: string, module: AnyModule): void {
		checkModule(module, 'ModuleDict.set');
		this.add_module(key, module);
	}

	/** Whether `key` is present, as `key in d`. */
	has(key: string): boolean {
		return this._modules.has(key);
	}

	/** Removes and returns the module under `key`. */
	pop(key: string): AnyModule {
		const module = this.get(key);
		delete (this as unknown as Record<string, unknown>)[key];
		return module;
	}

	/** Removes every module. */
	clear(): void {
		for (const key of this.keys()) delete (this as unknown as Record<string, unknown>)[key];
	}

	keys(): string[] {
		return [...this._modules.keys()];
	}

	values(): AnyModule[] {
		return childList(this);
	}

	items(): [string, AnyModule][] {
		return [...this._modules].filter((e) => e[1] !== null) as [string, AnyModule][];
	}

	/** Adds the modules of a Map or object, replacing existing keys. */
	update(modules: Map<string, AnyModule> | Record<string, AnyModule>): void {
		const entries = modules instanceof Map ? [...modules] : Object.entries(modules);
		for (const [key, module] of entries) this.set(key, module);
	}

	forward(): never {
		throw new Error('ModuleDict has no forward: call its modules with d.get(key)(x).');
	}

	*[Symbol.iterator](): IterableIterator<string> {
		yield* this._modules.keys();
	}
}
