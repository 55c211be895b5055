/**
 * Form controls declared in cell code: `const depth = slider({ label: 'depth', min: 1,
 * max: 100, step: 1, value: 20 })`. Each call declares a control for the running cell and
 * returns its current value: the one the reader set, kept in the `InputStore`, or else the
 * default written in the code. Moving a control stores the value and re-runs that cell and
 * its downstream.
 */

import type { CellId, InputSpec } from '../worker/api';

/** Values the reader set, keyed by `${cellId}/${label}` as in the notebook document. */
export class InputStore {
	private readonly values = new Map<string, unknown>();

	constructor(initial: Record<string, unknown> = {}) {
		this.replace(initial);
	}

	replace(values: Record<string, unknown>): void {
		this.values.clear();
		for (const [key, value] of Object.entries(values)) this.values.set(key, value);
	}

	get(cell: CellId, label: string): unknown {
		return this.values.get(inputKey(cell, label));
	}

	set(cell: CellId, label: string, value: unknown): void {
		this.values.set(inputKey(cell, label), value);
	}

	deleteCell(cell: CellId): void {
		for (const key of [...this.values.keys()]) {
			if (key.startsWith(`${cell}/`)) this.values.delete(key);
		}
	}
}

export function inputKey(cell: CellId, label: string): string {
	return `${cell}/${label}`;
}

export interface SliderOptions {
	label: string;
	min: number;
	max: number;
	step?: number;
	value?: number;
}

export interface NumberOptions {
	label: string;
	value?: number;
	min?: number;
	max?: number;
	step?: number;
}

export interface SelectOptions {
	label: string;
	options: string[];
	value?: string;
}

export interface CheckboxOptions {
	label: string;
	value?: boolean;
}

export interface ButtonOptions {
	label: string;
}

export interface CellInputs {
	slider(options: SliderOptions): number;
	number(options: NumberOptions): number;
	select(options: SelectOptions): string;
	checkbox(options: CheckboxOptions): boolean;
	/** A button's value counts its clicks, so a cell can react to each click. */
	button(options: ButtonOptions): number;
}

/**
 * Creates the input functions for one run of `cell`. `declare` receives every control as it
 * is declared, with its current value.
 */
export function createInputs(
	cell: CellId,
	store: InputStore,
	declare: (spec: InputSpec) => void
): CellInputs {
	const labels = new Set<string>();

	function claim(kind: string, options: unknown): string {
		if (typeof options !== 'object' || options === null) {
			throw new TypeError(
				`${kind}: expected an options object, got ${String(options)}. ${example(kind)}`
			);
		}
		const { label } = options as { label?: unknown };
		if (typeof label !== 'string' || label === '') {
			throw new TypeError(
				`${kind}: label must be a non-empty string, got ${String(label)}. ${example(kind)}`
			);
		}
		if (labels.has(label)) {
			throw new Error(
				`${kind}: the label '${label}' is used twice in this cell. Give each input its own label.`
			);
		}
		labels.add(label);
		return label;
	}

	return {
		slider(options) {
			const label = claim('slider', options);
			const { min, max } = options;
			checkFinite('slider', { min, max });
			if (!(min < max))
				throw new RangeError(`slider: min must be less than max, got min ${min} and max ${max}.`);
			const step = options.step ?? (max - min) / 100;
			if (!(step > 0)) throw new RangeError(`slider: step must be positive, got ${step}.`);
			const fallback = options.value ?? min;
			const value = clamp(toNumber(store.get(cell, label), fallback), min, max);
			declare({ kind: 'slider', label, min, max, step, value });
			return value;
		},

		number(options) {
			const label = claim('number', options);
			const min = options.min ?? -Infinity;
			const max = options.max ?? Infinity;
			const value = clamp(toNumber(store.get(cell, label), options.value ?? 0), min, max);
			const spec: InputSpec = { kind: 'number', label, value };
			if (options.min !== undefined) spec.min = options.min;
			if (options.max !== undefined) spec.max = options.max;
			if (options.step !== undefined) spec.step = options.step;
			declare(spec);
			return value;
		},

		select(options) {
			const label = claim('select', options);
			const choices = options.options;
			if (!Array.isArray(choices) || choices.length === 0) {
				throw new TypeError(
					`select: options must be a non-empty array of strings, got ${String(choices)}.`
				);
			}
			const names = choices.map(String);
			const stored = store.get(cell, label);
			const fallback =
				options.value !== undefined && names.includes(options.value) ? options.value : names[0];
			const value = typeof stored === 'string' && names.includes(stored) ? stored : fallback;
			declare({ kind: 'select', label, options: names, value });
			return value;
		},

		checkbox(options) {
			const label = claim('checkbox', options);
			const stored = store.get(cell, label);
			const value = typeof stored === 'boolean' ? stored : Boolean(options.value ?? false);
			declare({ kind: 'checkbox', label, value });
			return value;
		},

		button(options) {
			const label = claim('button', options);
			const value = Math.max(0, Math.floor(toNumber(store.get(cell, label), 0)));
			declare({ kind: 'button', label, value });
			return value;
		}
	};
}

function toNumber(stored: unknown, fallback: number): number {
	const value = typeof stored === 'number' || typeof stored === 'string' ? Number(stored) : NaN;
	return Number.isFinite(value) ? value : fallback;
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

function checkFinite(kind: string, values: Record<string, unknown>): void {
	for (const [name, value] of Object.entries(values)) {
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			throw new TypeError(
				`${kind}: ${name} must be a finite number, got ${String(value)}. ${example(kind)}`
			);
		}
	}
}

function example(kind: string): string {
	const examples: Record<string, string> = {
		slider: "slider({ label: 'depth', min: 1, max: 100, step: 1, value: 20 })",
		number: "number({ label: 'lr', value: 0.1 })",
		select: "select({ label: 'activation', options: ['relu', 'tanh'], value: 'relu' })",
		checkbox: "checkbox({ label: 'BatchNorm', value: false })",
		button: "button({ label: 'resample' })"
	};
	return `Example: ${examples[kind]}`;
}
