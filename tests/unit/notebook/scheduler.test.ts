import { describe, expect, test } from 'vitest';
import { createNotebook, shownText } from './notebook-harness';

describe('scheduler', () => {
	test('setNotebook runs cells in dependency order', async () => {
		const nb = createNotebook();
		await nb.load({
			c: 'const z = y + 1; z',
			b: 'const y = x * 2;',
			a: 'const x = 3;'
		});
		expect(nb.runOrder()).toEqual(['a', 'b', 'c']);
		expect(shownText(nb.value('c'))).toBe('7');
		for (const id of ['a', 'b', 'c']) expect(nb.state(id)).toBe('done');
	});

	test('independent cells keep notebook order', async () => {
		const nb = createNotebook();
		await nb.load({ first: 'const p = 1;', second: 'const q = 2;', third: 'p + q' });
		expect(nb.runOrder()).toEqual(['first', 'second', 'third']);
	});

	test('updateCell re-runs the cell and its downstream only', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'const y = x + 1; y', c: 'const other = 5;' });
		expect([nb.runCount('a'), nb.runCount('b'), nb.runCount('c')]).toEqual([1, 1, 1]);

		nb.runtime.updateCell({ id: 'a', code: 'const x = 10;' });
		await nb.runtime.idle();
		expect([nb.runCount('a'), nb.runCount('b'), nb.runCount('c')]).toEqual([2, 2, 1]);
		expect(shownText(nb.value('b'))).toBe('11');
	});

	test('runCell re-runs the cell and its downstream', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'x + 1', c: 'const other = 5;' });
		nb.runtime.runCell('a');
		await nb.runtime.idle();
		expect([nb.runCount('a'), nb.runCount('b'), nb.runCount('c')]).toEqual([2, 2, 1]);
	});

	test('a duplicate name is an error on every cell that declares it', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'let x = 2;', c: 'x + 1', d: 'const fine = 3;' });

		const [errorA] = nb.errors('a');
		expect(errorA).toEqual({
			cell: 'a',
			kind: 'duplicate',
			message: "'x' is defined in cells a and b. Rename one of them.",
			related: ['b']
		});
		expect(nb.errors('b')[0].related).toEqual(['a']);
		expect(nb.state('a')).toBe('error');
		expect(nb.state('b')).toBe('error');
		expect(nb.state('c')).toBe('stale');
		expect(nb.state('d')).toBe('done');
		expect(nb.runCount('a')).toBe(0);
	});

	test('renaming a duplicate runs both cells and the reader', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'const x = 2;', c: 'x + 1' });
		nb.runtime.updateCell({ id: 'b', code: 'const w = 2;' });
		await nb.runtime.idle();
		expect(nb.state('a')).toBe('done');
		expect(nb.state('b')).toBe('done');
		expect(shownText(nb.value('c'))).toBe('2');
	});

	test('a cycle is an error on every cell in it', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = y + 1;', b: 'const y = x + 1;', c: 'x', d: '1' });

		const [errorA] = nb.errors('a');
		const [errorB] = nb.errors('b');
		expect(errorA.kind).toBe('cycle');
		expect(errorA.related).toEqual(['b']);
		expect(errorA.message).toBe(
			"Circular definition: cell a uses 'y' from cell b and cell b uses 'x' from cell a. Move the code that needs both into one cell, or rename one of the names."
		);
		expect(errorB.kind).toBe('cycle');
		expect(errorB.related).toEqual(['a']);
		expect(nb.state('c')).toBe('stale');
		expect(nb.state('d')).toBe('done');
	});

	test('a name defined nowhere gives a ReferenceError on that cell', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const total = stepz + 1;' });
		const [error] = nb.errors('a');
		expect(error.kind).toBe('undefined');
		expect(error.message).toMatch(/^ReferenceError: stepz is not defined\./);
		expect(nb.state('a')).toBe('error');
	});

	test('globals and injected names are not undefined', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const m = Math.max(1, 2); typeof plt; m' });
		expect(nb.errors('a')).toEqual([]);
		expect(shownText(nb.value('a'))).toBe('2');
	});

	test('a runtime error marks the cell error and its downstream stale', async () => {
		const nb = createNotebook();
		await nb.load({
			a: 'const x = 1;\nconst y = (null as any).field;',
			b: 'y + 1',
			c: 'x + 1'
		});
		const [error] = nb.errors('a');
		expect(error.kind).toBe('runtime');
		expect(error.message).toBe("TypeError: Cannot read properties of null (reading 'field')");
		expect(error.line).toBe(2);
		expect(nb.state('a')).toBe('error');
		expect(nb.state('b')).toBe('stale');
		expect(nb.errors('b')).toEqual([]);
		expect(nb.state('c')).toBe('stale');
		expect(nb.runCount('b')).toBe(0);
	});

	test('fixing an error runs its stale downstream', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = (null as any).f;', b: 'x' });
		nb.runtime.updateCell({ id: 'a', code: 'const x = 4;' });
		await nb.runtime.idle();
		expect(nb.state('b')).toBe('done');
		expect(shownText(nb.value('b'))).toBe('4');
	});

	test('a syntax error is a compile error with its line', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;\nconst = 2;', b: 'x' });
		const [error] = nb.errors('a');
		expect(error.kind).toBe('compile');
		expect(error.line).toBe(2);
		expect(error.message).toMatch(/^SyntaxError: /);
		expect(nb.state('b')).toBe('stale');
	});

	test('a typo in a provider makes readers stale, not undefined', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'x' });
		nb.runtime.updateCell({ id: 'a', code: 'const x = ;' });
		await nb.runtime.idle();
		expect(nb.state('a')).toBe('error');
		expect(nb.state('b')).toBe('stale');
		expect(nb.errors('b')).toEqual([]);
	});

	test('deleteCell leaves its readers with an undefined name', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const x = 1;', b: 'x' });
		nb.runtime.deleteCell('a');
		await nb.runtime.idle();
		expect(nb.errors('b').at(-1)?.kind).toBe('undefined');
	});

	test('insertCell provides a missing name and runs the reader', async () => {
		const nb = createNotebook();
		await nb.load({ b: 'x * 3' });
		expect(nb.state('b')).toBe('error');
		nb.runtime.insertCell({ id: 'a', code: 'const x = 2;' }, 0);
		await nb.runtime.idle();
		expect(nb.runOrder()).toEqual(['a', 'b']);
		expect(shownText(nb.value('b'))).toBe('6');
	});

	test('a superseded run is cancelled at its next pause', async () => {
		const nb = createNotebook();
		nb.runtime.setNotebook([
			{ id: 'a', code: 'const limit = 0;' },
			{ id: 'b', code: 'let spins = 0;\nwhile (spins >= limit) { spins++; }\nspins' }
		]);
		// b spins forever while limit is 0; give it time to start.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(nb.state('b')).toBe('running');

		nb.runtime.updateCell({ id: 'a', code: 'const limit = Infinity;' });
		await nb.runtime.idle();
		expect(nb.states('b')).toEqual(['queued', 'running', 'queued', 'running', 'done']);
		expect(nb.runCount('b')).toBe(2);
		expect(nb.errors('b')).toEqual([]);
		expect(nb.ofCell('b', 'value')).toHaveLength(1);
	});

	test('a cancelled run sends no more events', async () => {
		const nb = createNotebook();
		nb.runtime.setNotebook([
			{ id: 'a', code: 'let i = 0;\nwhile (true) { i++; if (i % 1000 === 0) console.log(i); }' }
		]);
		await new Promise((resolve) => setTimeout(resolve, 30));
		nb.runtime.updateCell({ id: 'a', code: '"replaced"' });
		await nb.runtime.idle();

		const events = nb.ofCell('a', 'log').length;
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(nb.ofCell('a', 'log')).toHaveLength(events);
		expect(shownText(nb.value('a'))).toBe('replaced');
	});

	test('setNotebook holds stopped cells and their downstream', async () => {
		const nb = createNotebook();
		nb.runtime.setNotebook(
			[
				{ id: 'a', code: 'const x = 1;' },
				{ id: 'b', code: 'const y = x + 1;' },
				{ id: 'c', code: 'y' },
				{ id: 'd', code: 'x' }
			],
			{},
			{ stopped: { b: 'Stopped by the reader.' }, runCounts: { a: 4, b: 2 } }
		);
		await nb.runtime.idle();
		expect(nb.state('b')).toBe('stopped');
		expect(nb.errors('b')).toEqual([
			{ cell: 'b', kind: 'stopped', message: 'Stopped by the reader.' }
		]);
		expect(nb.state('c')).toBe('stopped');
		expect(nb.state('d')).toBe('done');
		expect(nb.runCount('a')).toBe(5);
		expect(nb.runCount('b')).toBe(2);

		nb.runtime.runCell('b');
		await nb.runtime.idle();
		expect(nb.state('b')).toBe('done');
		expect(nb.state('c')).toBe('done');
		expect(nb.runCount('b')).toBe(3);
	});

	test('setNotebook rejects two cells with one id', () => {
		const nb = createNotebook();
		expect(() =>
			nb.runtime.setNotebook([
				{ id: 'a', code: '1' },
				{ id: 'a', code: '2' }
			])
		).toThrow("setNotebook: two cells have the id 'a'");
	});
});
