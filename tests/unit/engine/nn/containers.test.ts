import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';

const { nn } = torch;

describe('Sequential', () => {
	test('Sequential names children by index, so parameters read 0.weight', () => {
		const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
		expect(seq.named_parameters().map(([n]) => n)).toEqual([
			'0.weight',
			'0.bias',
			'2.weight',
			'2.bias'
		]);
		expect(Object.keys(seq.state_dict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
	});

	test('at(-1), length and iteration follow Python indexing and len', () => {
		const first = new nn.Linear(2, 3);
		const last = new nn.Linear(3, 1);
		const seq = new nn.Sequential(first, new nn.ReLU(), last);
		expect(seq.length).toBe(3);
		expect(seq.at(0)).toBe(first);
		expect(seq.at(-1)).toBe(last);
		expect([...seq]).toEqual([first, seq.at(1), last]);
		expect(() => seq.at(3)).toThrow(/index 3 is out of range/);
		expect(() => seq.at(-4)).toThrow(/index -4 is out of range/);
	});

	test('forward runs the modules in order', async () => {
		const seq = new nn.Sequential(new nn.Identity(), new nn.ReLU());
		expect(Array.from(await seq(torch.tensor([-1, 2])).array())).toEqual([0, 2]);
	});

	test('append, insert and pop renumber like PyTorch', () => {
		const a = new nn.ReLU();
		const b = new nn.Tanh();
		const c = new nn.Sigmoid();
		const seq = new nn.Sequential(a).append(c);
		seq.insert(1, b);
		expect([...seq]).toEqual([a, b, c]);
		expect(seq.named_children().map(([n]) => n)).toEqual(['0', '1', '2']);
		expect(seq.pop(0)).toBe(a);
		expect(seq.named_children()).toEqual([
			['0', b],
			['1', c]
		]);
	});

	test('a Map of named modules keeps the names', () => {
		const seq = new nn.Sequential(
			new Map([
				['fc', new nn.Linear(2, 2)],
				['act', new nn.ReLU()]
			])
		);
		expect(seq.named_parameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
		expect(
			seq
				.slice(1)
				.named_children()
				.map(([n]) => n)
		).toEqual(['act']);
	});
});

describe('ModuleList', () => {
	test('ModuleList registers, indexes and iterates its modules', () => {
		const layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
		expect(layers.length).toBe(2);
		expect(layers.parameters().length).toBe(4);
		expect([...layers].length).toBe(2);
		layers.append(new nn.ReLU());
		expect(layers.at(-1)).toBeInstanceOf(nn.ReLU);
		layers.set(0, new nn.Tanh());
		expect(layers.at(0)).toBeInstanceOf(nn.Tanh);
		expect(layers.named_parameters().map(([n]) => n)).toEqual(['1.weight', '1.bias']);
	});

	test('calling a ModuleList explains how to use it', () => {
		const layers = new nn.ModuleList([new nn.ReLU()]);
		expect(() => (layers as unknown as () => void)()).toThrow(/ModuleList has no forward/);
	});
});

describe('ModuleDict', () => {
	test('ModuleDict keeps insertion order and iterates keys', () => {
		const dict = new nn.ModuleDict({ encoder: new nn.Linear(2, 2), act: new nn.ReLU() });
		dict.set('decoder', new nn.Linear(2, 1));
		expect([...dict]).toEqual(['encoder', 'act', 'decoder']);
		expect(dict.length).toBe(3);
		expect(dict.has('act')).toBe(true);
		expect(dict.get('decoder')).toBeInstanceOf(nn.Linear);
		expect(dict.named_parameters().map(([n]) => n)).toEqual([
			'encoder.weight',
			'encoder.bias',
			'decoder.weight',
			'decoder.bias'
		]);
		dict.pop('act');
		expect(dict.keys()).toEqual(['encoder', 'decoder']);
		expect(() => dict.get('act')).toThrow(/has no key 'act'/);
	});

	test('ModuleDict rejects a key that shadows a method', () => {
		const dict = new nn.ModuleDict();
		expect(() => dict.set('keys', new nn.ReLU())).toThrow(/attribute 'keys' already exists/);
	});
});
