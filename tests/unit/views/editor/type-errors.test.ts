import { describe, expect, test } from 'vitest';
import { listTypeErrors } from '../../../../src/lib/views/editor/type-errors';
import type { CellError } from '../../../../src/lib/worker/api';

const syntax = { line: 1, column: 16, message: 'Expression expected.', code: '1109' };
const arithmetic = {
	line: 2,
	column: 1,
	message:
		"The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.",
	code: '2362'
};
const chained = {
	line: 3,
	column: 5,
	message: "Type 'string' is not assignable to type 'number'.\n  More detail.",
	code: '2322'
};
const compileError: CellError = {
	cell: 'a',
	kind: 'compile',
	message: 'Unexpected token',
	line: 1
};

describe('listTypeErrors', () => {
	test('labels TypeScript syntax codes as syntax errors', () => {
		const [listed] = listTypeErrors([syntax], []);
		expect(listed.label).toBe('Syntax error');
		expect(listed.line).toBe(1);
		expect(listTypeErrors([chained], [])[0].label).toBe('Type error');
	});

	test('drops syntax errors the compiler already reports', () => {
		const listed = listTypeErrors([syntax, chained], [compileError]);
		expect(listed.map((error) => error.label)).toEqual(['Type error']);
	});

	test('arithmetic on a non-number suggests await', () => {
		const [listed] = listTypeErrors([arithmetic], []);
		expect(listed.summary).toContain('add await: they return promises');
		expect(listed.message).toContain('add await');
	});

	test('summary keeps the first line of a chained message', () => {
		const [listed] = listTypeErrors([chained], []);
		expect(listed.summary).toBe("Type 'string' is not assignable to type 'number'. …");
		expect(listed.message).toContain('More detail.');
	});
});
