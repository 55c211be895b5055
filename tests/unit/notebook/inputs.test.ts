import { describe, expect, test } from 'vitest';
import { createInputs, InputStore } from '../../../src/lib/notebook/inputs';
import type { InputSpec } from '../../../src/lib/worker/api';
import { createNotebook, shownText } from './notebook-harness';

const SLIDER = "const depth = slider({ label: 'depth', min: 1, max: 100, step: 1, value: 20 });";

describe('setInput', () => {
	test('setInput re-runs exactly the slider cell and the cells that use it', async () => {
		const nb = createNotebook();
		await nb.load({
			control: SLIDER,
			model: 'const layers = depth * 2; layers',
			plot: 'layers + 1',
			other: 'const unrelated = 7;'
		});
		expect(shownText(nb.value('model'))).toBe('40');

		nb.runtime.setInput('control', 'depth', 30);
		await nb.runtime.idle();
		expect(shownText(nb.value('model'))).toBe('60');
		expect(shownText(nb.value('plot'))).toBe('61');
		expect(nb.runCount('control')).toBe(2);
		expect(nb.runCount('model')).toBe(2);
		expect(nb.runCount('plot')).toBe(2);
		expect(nb.runCount('other')).toBe(1);
	});

	test('setInput sends the control with its new value', async () => {
		const nb = createNotebook();
		await nb.load({ control: SLIDER });
		expect(nb.ofCell('control', 'inputs').at(-1)?.inputs).toEqual([
			{ kind: 'slider', label: 'depth', min: 1, max: 100, step: 1, value: 20 }
		]);
		nb.runtime.setInput('control', 'depth', 55);
		await nb.runtime.idle();
		expect(nb.ofCell('control', 'inputs').at(-1)?.inputs[0].value).toBe(55);
	});

	test('setNotebook inputs override the defaults in code', async () => {
		const nb = createNotebook();
		await nb.load({ control: SLIDER, show: 'depth' }, { 'control/depth': 50 });
		expect(shownText(nb.value('show'))).toBe('50');
	});

	test('an input declared twice in one cell is an error', async () => {
		const nb = createNotebook();
		await nb.load({
			control: "const a = checkbox({ label: 'bn' });\nconst b = checkbox({ label: 'bn' });"
		});
		expect(nb.errors('control')[0].message).toMatch(/label 'bn' is used twice/);
		expect(nb.errors('control')[0].line).toBe(2);
	});
});

describe('createInputs', () => {
	function declareWith(values: Record<string, unknown> = {}) {
		const specs: InputSpec[] = [];
		const inputs = createInputs('c', new InputStore(values), (spec) => specs.push(spec));
		return { inputs, specs };
	}

	test('slider clamps a stored value to its range', () => {
		const { inputs } = declareWith({ 'c/depth': 500 });
		expect(inputs.slider({ label: 'depth', min: 1, max: 100, value: 20 })).toBe(100);
	});

	test('slider rejects min not below max', () => {
		const { inputs } = declareWith();
		expect(() => inputs.slider({ label: 'x', min: 5, max: 5 })).toThrow(
			'slider: min must be less than max, got min 5 and max 5.'
		);
	});

	test('slider without a label names the fix', () => {
		const { inputs } = declareWith();
		expect(() => inputs.slider({ min: 0, max: 1 } as never)).toThrow(
			/slider: label must be a non-empty string, got undefined\. Example: slider/
		);
	});

	test('select falls back to the default for an unknown stored option', () => {
		const { inputs, specs } = declareWith({ 'c/act': 'gelu' });
		expect(inputs.select({ label: 'act', options: ['relu', 'tanh'], value: 'tanh' })).toBe('tanh');
		expect(specs[0]).toEqual({
			kind: 'select',
			label: 'act',
			options: ['relu', 'tanh'],
			value: 'tanh'
		});
	});

	test('checkbox, number and button read stored values', () => {
		const { inputs, specs } = declareWith({ 'c/bn': true, 'c/lr': 0.5, 'c/go': 3 });
		expect(inputs.checkbox({ label: 'bn' })).toBe(true);
		expect(inputs.number({ label: 'lr', value: 0.1, min: 0 })).toBe(0.5);
		expect(inputs.button({ label: 'go' })).toBe(3);
		expect(specs.map((spec) => spec.kind)).toEqual(['checkbox', 'number', 'button']);
		expect(specs[1]).toEqual({ kind: 'number', label: 'lr', value: 0.5, min: 0 });
	});
});
