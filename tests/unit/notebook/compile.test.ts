import { describe, expect, test } from 'vitest';
import {
	CancelledError,
	CancelToken,
	LoopPacer,
	yieldToEventLoop
} from '../../../src/lib/notebook/cancel';
import {
	CellCompileError,
	compileCell,
	instantiateCell,
	locateError
} from '../../../src/lib/notebook/compile';

/** Compiles and runs a cell with the given inputs, returning its result or its located error. */
async function run(code: string, inputs: Record<string, unknown> = {}, token = new CancelToken()) {
	const compiled = compileCell(code);
	const instance = instantiateCell(compiled, {
		cellId: 'test',
		globals: [],
		inputs: Object.keys(inputs)
	});
	const body = instance.factory(new LoopPacer(token));
	try {
		return { result: await body(...Object.values(inputs)), compiled };
	} catch (error) {
		return { error, location: locateError(error, compiled, instance), compiled };
	}
}

describe('compileCell', () => {
	test('compileCell strips TypeScript types and keeps lines', () => {
		const code = [
			'interface Point {',
			'  x: number;',
			'}',
			'const p: Point = { x: 2 } as Point;',
			'enum Kind { A, B }',
			'p.x!'
		].join('\n');
		const compiled = compileCell(code);
		expect(compiled.js.split('\n')).toHaveLength(6);
		expect(compiled.js).not.toContain('interface');
		expect(compiled.js).not.toContain(': Point');
		expect(compiled.outputs).toEqual(['p', 'Kind']);
		expect(compiled.hasValue).toBe(true);
	});

	test('compileCell returns outputs and the last expression value', async () => {
		const { result } = await run('const a: number = base * 2;\nlet b = a + 1;\nb * 10', {
			base: 3
		});
		expect(result?.outputs).toEqual({ a: 6, b: 7 });
		expect(result?.value).toBe(70);
	});

	test('compileCell shows no value when the last statement is a declaration', async () => {
		const { result, compiled } = await run('const a = 1;');
		expect(compiled.hasValue).toBe(false);
		expect(result?.value).toBeUndefined();
	});

	test('compileCell supports top-level await', async () => {
		const { result } = await run(
			'const v = await new Promise<number>((r) => setTimeout(() => r(41), 1));\nv + 1'
		);
		expect(result?.value).toBe(42);
	});

	test('compileCell reports syntax errors with the cell line and column', () => {
		const code = 'const ok = 1;\nconst broken = ;';
		let caught: unknown;
		try {
			compileCell(code);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(CellCompileError);
		expect((caught as CellCompileError).line).toBe(2);
		expect((caught as CellCompileError).column).toBe(16);
		expect((caught as CellCompileError).message).toBe('Unexpected token');
	});

	test('compileCell rejects import statements with a fix', () => {
		expect(() => compileCell("import { x } from 'torch';\nx")).toThrow(/'import' is not allowed/);
	});

	test('compileCell rejects top-level return', () => {
		expect(() => compileCell('return 1')).toThrow(CellCompileError);
	});
});

describe('locateError', () => {
	test('locateError maps a runtime error to the cell line', async () => {
		const code = [
			'type Shape = {',
			'  rows: number;',
			'};',
			'const s: Shape = { rows: 2 };',
			'const missing: any = null;',
			'missing.field;'
		].join('\n');
		const { error, location } = await run(code);
		expect(error).toBeInstanceOf(TypeError);
		expect(location).toEqual({ line: 6, column: 9 });
	});

	test('locateError maps errors on line 1 past the generated header', async () => {
		const { location, compiled } = await run('const n: any = null; n.x');
		// V8 points at the property read; columns are those of the compiled JavaScript.
		expect(compiled.js).toBe('const n = null; n.x');
		expect(location).toEqual({ line: 1, column: 19 });
	});

	test('locateError maps errors inside a loop past the inserted pause', async () => {
		const { location, compiled } = await run('for (let i = 0; i < 2; i++) { (null as any).x }');
		expect(compiled.js).toBe('for (let i = 0; i < 2; i++) { (null ).x }');
		expect(location).toEqual({ line: 1, column: 39 });
	});

	test('locateError points at the throwing line inside a function of the cell', async () => {
		const { location } = await run('function f() {\n  throw new Error("boom");\n}\nf();');
		expect(location?.line).toBe(2);
	});
});

describe('loop pauses', () => {
	test('top-level 1e7 loop lets a timer run', async () => {
		// Start the 16 ms slice now, so the loop's first pause comes after real iterations.
		await yieldToEventLoop();
		const flag = { fired: false };
		setTimeout(() => (flag.fired = true), 0);
		const { result } = await run(
			'let seenAt = -1;\nfor (let i = 0; i < 1e7; i++) { if (seenAt < 0 && flag.fired) seenAt = i; }\nseenAt',
			{ flag }
		);
		expect(result?.value).toBeGreaterThan(0);
		expect(result?.value).toBeLessThan(1e7);
	});

	test('compileCell pauses while, do-while, for-in and for-of loops at top level', () => {
		const { body, loopCount } = compileCell(
			'while (a) a--;\ndo { b-- } while (b);\nfor (const k in o) k;\nfor (const v of l) v;\nif (c) { for (;;) break; }'
		);
		expect(loopCount).toBe(5);
		expect(body.match(/await __nb\.pause/g)).toHaveLength(5);
	});

	test('compileCell leaves loops in functions and classes alone', () => {
		const { body, loopCount } = compileCell(
			'function f() { while (true) {} }\nconst g = () => { for (;;) {} };\nclass C { m() { do {} while (1) } }'
		);
		expect(loopCount).toBe(0);
		expect(body).not.toContain('__nb.pause');
	});

	test('a cancelled run throws CancelledError at its next loop pause', async () => {
		const token = new CancelToken();
		setTimeout(() => token.cancel(), 5);
		const { error } = await run('let i = 0;\nwhile (true) { i++; }', {}, token);
		expect(error).toBeInstanceOf(CancelledError);
	});
});
