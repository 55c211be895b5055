import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { createPlt } from '../../../src/lib/notebook/plt';
import { MAX_LOG_LINES_PER_RUN } from '../../../src/lib/notebook/run';
import { createNotebook, shownText } from './notebook-harness';

describe('cell console', () => {
	test('console calls are captured per cell with their level', async () => {
		const nb = createNotebook();
		await nb.load({
			a: "console.log('loss', 0.5, [1, 2], { step: 3 });\nconsole.warn('careful');",
			b: "console.error(new Error('bad'));\nconsole.info('note');"
		});
		expect(nb.logs('a')).toEqual([
			{ level: 'log', text: 'loss 0.5 [1, 2] {step: 3}' },
			{ level: 'warn', text: 'careful' }
		]);
		expect(nb.logs('b').map((line) => line.level)).toEqual(['error', 'info']);
		expect(nb.logs('b')[0].text).toMatch(/^Error: bad/);
	});

	test('console calls in async continuations stay with their cell', async () => {
		const nb = createNotebook();
		await nb.load({
			a: "await new Promise((r) => setTimeout(r, 5));\nconsole.log('after await');\nsetTimeout(() => console.log('later'), 1);",
			b: "console.log('b')"
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(nb.logs('a').map((line) => line.text)).toEqual(['after await', 'later']);
		expect(nb.logs('b').map((line) => line.text)).toEqual(['b']);
	});

	test('console output of one run is capped', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'for (let i = 0; i < 5000; i++) console.log(i);' });
		const logs = nb.logs('a');
		expect(logs).toHaveLength(MAX_LOG_LINES_PER_RUN + 1);
		expect(logs.at(-1)?.level).toBe('warn');
		expect(logs.at(-1)?.text).toMatch(/at most 1000 lines/);
	});

	test('console.log of a cyclic object does not recurse forever', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const o: any = { name: "o" }; o.self = o; console.log(o);' });
		expect(nb.logs('a')[0].text).toBe('{name: "o", self: [Circular]}');
	});
});

describe('display and progress', () => {
	test('display sends values in call order before the cell value', async () => {
		const nb = createNotebook();
		await nb.load({ a: "display('first');\ndisplay([1, 2]);\n'last'" });
		const shown = nb.ofCell('a', 'display').map((event) => event.value);
		expect(shown).toHaveLength(2);
		expect(shownText(shown[0])).toBe('first');
		expect(shown[1]).toMatchObject({ kind: 'inspect', value: { kind: 'array', length: 2 } });
		const types = nb.events.filter((e) => 'cell' in e && e.cell === 'a').map((e) => e.type);
		expect(types.lastIndexOf('display')).toBeLessThan(types.indexOf('value'));
	});

	test('display keeps a tensor as it was', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: 'const a = torch.tensor([1, 2]);\ndisplay(a);\na.add_(5);' });
		const [shown] = nb.ofCell('a', 'display').map((event) => event.value);
		expect(shown).toMatchObject({ kind: 'tensor', text: 'tensor([1., 2.])' });
		expect(shown).toMatchObject({ stats: { max: 2 } });
	});

	test('display awaits a promise value', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: 'display(torch.tensor([2, 3]).sum().item());' });
		const [shown] = nb.ofCell('a', 'display').map((event) => event.value);
		expect(shownText(shown)).toBe('5');
	});

	test('display of a rejected promise fails the cell', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: 'display(torch.randn(2).item());' });
		expect(nb.state('a')).toBe('error');
		expect(nb.errors('a')[0].message).toMatch(/item: a Tensor with 2 elements cannot be converted/);
	});

	test('progress is throttled and always sends the last step', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'for (let i = 0; i < 200; i++) await progress(i + 1, 200);' });
		const progress = nb.ofCell('a', 'progress');
		expect(progress.length).toBeGreaterThanOrEqual(1);
		expect(progress.length).toBeLessThan(20);
		expect(progress.at(-1)).toMatchObject({ done: 200, total: 200 });
	});

	test('progress rejects a total of zero', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'await progress(1, 0);' });
		expect(nb.errors('a')[0].message).toMatch(
			/progress: done and total must be finite numbers with total > 0, got 1 and 0/
		);
	});
});

describe('missing dependencies', () => {
	test('a cell that uses torch without an engine gets a clear error', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'const t = torch.zeros(2);' });
		expect(nb.errors('a')[0].message).toBe(
			'Error: torch is not available: the tensor engine is not loaded.'
		);
	});
});

describe('plt at the end of a cell', () => {
	test('figure drawn without show() appears when the cell ends', async () => {
		const nb = createNotebook({ createPlt });
		await nb.load({ a: 'plt.plot([1, 2, 3], [4, 5, 6]);\nplt.title("unshown");' });
		const charts = nb.ofCell('a', 'chart').map((event) => event.chart);
		expect(charts).toHaveLength(1);
		expect(charts[0]).toMatchObject({ kind: 'plot', axes: [{ title: 'unshown' }] });
	});

	test('figure passed to show() is not emitted twice', async () => {
		const nb = createNotebook({ createPlt });
		await nb.load({ a: 'plt.plot([1, 2], [3, 4]);\nawait plt.show();' });
		expect(nb.ofCell('a', 'chart')).toHaveLength(1);
	});
});

describe('progress at the end of a run', () => {
	test('last progress call reaches the page despite the throttle', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'for (let i = 0; i < 200; i++) await progress(i + 1, 200);' });
		const last = nb.ofCell('a', 'progress').at(-1);
		expect(last).toMatchObject({ done: 200, total: 200 });
	});

	test('loop ending below total still shows its last step', async () => {
		const nb = createNotebook();
		await nb.load({ a: 'for (let i = 0; i < 200; i++) await progress(i, 200);' });
		const last = nb.ofCell('a', 'progress').at(-1);
		expect(last).toMatchObject({ done: 199, total: 200 });
	});
});
