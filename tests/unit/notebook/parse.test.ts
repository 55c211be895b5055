import { describe, expect, test } from 'vitest';
import { analyseCell, parseCellJs } from '../../../src/lib/notebook/parse';

function analyse(js: string) {
	return analyseCell(parseCellJs(js));
}

describe('analyseCell', () => {
	test('analyseCell finds const, let and var declarations', () => {
		const { outputs, inputs } = analyse('const a = 1; let b = a + c; var d;');
		expect(outputs).toEqual(['a', 'b', 'd']);
		expect(inputs).toEqual(['c']);
	});

	test('analyseCell finds names bound by destructuring', () => {
		const { outputs, inputs } = analyse(
			'const { a, b: [c, d = fallback], ...rest } = source; const [e, , ...more] = list;'
		);
		expect(outputs.sort()).toEqual(['a', 'c', 'd', 'e', 'more', 'rest']);
		expect(inputs.sort()).toEqual(['fallback', 'list', 'source']);
	});

	test('analyseCell counts function and class declarations as outputs', () => {
		const { outputs, inputs } = analyse(
			'function train(model) { return model(x) }\nclass Net extends nn.Module { forward(h) { return F.relu(h) } }'
		);
		expect(outputs).toEqual(['train', 'Net']);
		expect(inputs).toEqual(['x', 'nn', 'F']);
	});

	test('analyseCell ignores names shadowed by parameters and inner declarations', () => {
		const { outputs, inputs } = analyse(`
			const f = (x, { y }) => x + y + z;
			function g(a = b) { const inner = a; var hoisted = 1; return inner + hoisted + arguments.length; }
			const h = function self(n) { return n ? self(n - 1) : w; };
		`);
		expect(outputs).toEqual(['f', 'g', 'h']);
		expect(inputs).toEqual(['z', 'b', 'w']);
	});

	test('analyseCell scopes block declarations to their block', () => {
		const { outputs, inputs } = analyse(`
			{ const local = 1; console.log(local); }
			if (flag) { let other = 2; function nested() { return other; } nested(); }
			for (let i = 0; i < n; i++) { const step = i; }
			for (const item of items) item;
			try { risky(); } catch ({ message }) { message; }
			local;
		`);
		expect(outputs).toEqual([]);
		expect(inputs).toEqual(['console', 'flag', 'n', 'items', 'risky', 'local']);
	});

	test('analyseCell hoists top-level var from blocks and loop heads', () => {
		const { outputs } = analyse('for (var i = 0; i < 3; i++) {} if (true) { var later = 1 }');
		expect(outputs.sort()).toEqual(['i', 'later']);
	});

	test('analyseCell does not treat property names as inputs', () => {
		const { inputs } = analyse(`
			const o = { key: value, [computed]: 1, method() { return this.field } };
			o.prop.deeper;
			o[index];
			class A { field = 1; static other = 2; #secret = 3; get g() { return 0 } }
			label: for (;;) { break label; }
		`);
		expect(inputs.sort()).toEqual(['computed', 'index', 'value']);
	});

	test('analyseCell treats shorthand properties and assignments as uses', () => {
		const { outputs, inputs } = analyse('const o = { depth }; total += 1; ({ a: target } = o);');
		expect(outputs).toEqual(['o']);
		expect(inputs).toEqual(['depth', 'total', 'target']);
	});

	test('analyseCell marks names used only under typeof', () => {
		const { inputs, typeofOnly } = analyse(
			"const hasWindow = typeof window !== 'undefined'; typeof both; both;"
		);
		expect(inputs).toEqual(['window', 'both']);
		expect(typeofOnly).toEqual(['window']);
	});

	test('analyseCell accepts top-level await', () => {
		const { outputs, inputs } = analyse('const v = await t.item();');
		expect(outputs).toEqual(['v']);
		expect(inputs).toEqual(['t']);
	});
});
