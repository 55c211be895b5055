import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { highlightLines, tokenize } from '../../../../src/lib/views/editor/highlight';

const kinds = (code: string) => tokenize(code).filter((token) => token.kind !== 'plain');

describe('tokenize', () => {
	test('tokenize() marks keywords, types, numbers, strings and comments', () => {
		expect(kinds("const layer = new nn.Linear(32, 16); // 'hidden'")).toEqual([
			{ kind: 'keyword', text: 'const' },
			{ kind: 'keyword', text: 'new' },
			{ kind: 'type', text: 'Linear' },
			{ kind: 'number', text: '32' },
			{ kind: 'number', text: '16' },
			{ kind: 'comment', text: "// 'hidden'" }
		]);
	});

	test('tokenize() keeps names containing keywords and digits whole', () => {
		expect(kinds('const newLayer1 = format2;')).toEqual([{ kind: 'keyword', text: 'const' }]);
	});

	test('tokenize() reads template strings, escapes and numbers with exponents', () => {
		expect(kinds('`a ${b}` "q\\"q" 1e-3 0x1F')).toEqual([
			{ kind: 'string', text: '`a ${b}`' },
			{ kind: 'string', text: '"q\\"q"' },
			{ kind: 'number', text: '1e-3' },
			{ kind: 'number', text: '0x1F' }
		]);
	});

	test('tokenize() runs an unterminated comment or string to the end', () => {
		expect(kinds('/* open')).toEqual([{ kind: 'comment', text: '/* open' }]);
		expect(kinds("x = 'open")).toEqual([{ kind: 'string', text: "'open" }]);
	});

	test('tokenize() loses no character of any example notebook', () => {
		const notebook = JSON.parse(readFileSync('static/notebooks/post-3-4.json', 'utf8'));
		for (const cell of notebook.cells as { code: string }[]) {
			expect(
				tokenize(cell.code)
					.map((token) => token.text)
					.join('')
			).toBe(cell.code);
		}
	});
});

describe('highlightLines', () => {
	test('highlightLines() splits a block comment across its lines', () => {
		const lines = highlightLines('/* one\ntwo */\nconst x = 1;');
		expect(lines).toHaveLength(3);
		expect(lines[0]).toEqual([{ kind: 'comment', text: '/* one' }]);
		expect(lines[1]).toEqual([{ kind: 'comment', text: 'two */' }]);
		expect(lines[2][0]).toEqual({ kind: 'keyword', text: 'const' });
	});

	test('highlightLines() keeps empty lines', () => {
		expect(highlightLines('a\n\nb')).toEqual([
			[{ kind: 'plain', text: 'a' }],
			[],
			[{ kind: 'plain', text: 'b' }]
		]);
	});
});
