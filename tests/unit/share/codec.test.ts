import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import {
	MAX_FRAGMENT_LENGTH,
	MAX_NOTEBOOK_BYTES,
	decodeNotebook,
	encodeNotebook,
	validateNotebook
} from '../../../src/lib/share/codec';
import type { NotebookDocument } from '../../../src/lib/share/format';

const notebooksDir = path.resolve('static/notebooks');
const examples = readdirSync(notebooksDir).filter((name) => name.endsWith('.json'));

function loadExample(name: string): NotebookDocument {
	return validateNotebook(JSON.parse(readFileSync(path.join(notebooksDir, name), 'utf8')));
}

const small: NotebookDocument = {
	version: 1,
	title: 'two cells',
	cells: [
		{ id: 'a', code: 'const a = 1;' },
		{ id: 'b', code: 'const b = a + 1; // "quoted" \\ and ünïcode' }
	],
	inputs: { 'a/depth': 30 }
};

describe('encodeNotebook', () => {
	test('examples exist to round-trip', () => {
		expect(examples.length).toBeGreaterThan(0);
	});

	test.each(examples)('round trip of %s keeps every byte', (name) => {
		const notebook = loadExample(name);
		const link = encodeNotebook(notebook);
		const decoded = decodeNotebook(link);

		expect(decoded.ok).toBe(true);
		if (!decoded.ok) return;
		expect(JSON.stringify(decoded.notebook)).toBe(JSON.stringify(notebook));
		expect(encodeNotebook(decoded.notebook)).toBe(link);
	});

	test('round trip keeps non-ASCII text', () => {
		const decoded = decodeNotebook(encodeNotebook(small));
		expect(decoded.ok).toBe(true);
		if (decoded.ok) expect(decoded.notebook.cells[1].code).toBe(small.cells[1].code);
	});

	test('link uses v1 prefix and base64url only', () => {
		expect(encodeNotebook(small)).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
	});

	test('key order of the input does not change the link', () => {
		const reordered = {
			inputs: small.inputs,
			cells: small.cells,
			title: small.title,
			version: 1
		} as NotebookDocument;
		expect(encodeNotebook(reordered)).toBe(encodeNotebook(small));
	});
});

describe('decodeNotebook on damaged links', () => {
	const link = encodeNotebook(small);

	test.each([0.3, 0.5, 0.8, 0.95])('link cut at %s recovers leading cells intact', (fraction) => {
		const notebook = loadExample('post-3-4.json');
		const full = encodeNotebook(notebook);
		const result = decodeNotebook(full.slice(0, Math.floor(full.length * fraction)));

		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).toMatch(/^This share link is damaged: .+ could be recovered\.$/);
		expect(result.recovered.length).toBeGreaterThan(0);
		expect(result.recovered).toEqual(notebook.cells.slice(0, result.recovered.length));
	});

	test.each([
		['empty payload', 'v1.'],
		['no version', 'abcdef'],
		['bad characters', 'v1.abc$def'],
		['corrupted bytes', `v1.${'A'.repeat(40)}`],
		['flipped middle', link.slice(0, 10) + (link[10] === 'A' ? 'B' : 'A') + link.slice(11)]
	])('%s gives a message, not an exception', (_, payload) => {
		const result = decodeNotebook(payload);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toMatch(/^This share link is damaged: .+\./);
	});

	test('no changed character opens as a different notebook', () => {
		// Raw deflate has no checksum, so without the link's check many of these changes
		// inflated to a notebook with one letter of its code changed.
		const notebook = loadExample('post-3-4.json');
		const full = encodeNotebook(notebook);
		const expected = JSON.stringify(notebook);
		let damaged = 0;
		for (let at = 3; at < full.length; at += 7) {
			const replacement = full[at] === 'Q' ? 'R' : 'Q';
			const result = decodeNotebook(full.slice(0, at) + replacement + full.slice(at + 1));
			if (result.ok) expect(JSON.stringify(result.notebook), `character ${at}`).toBe(expected);
			else damaged++;
		}
		expect(damaged).toBeGreaterThan(0);
	});

	test('link without a check still opens', () => {
		const json = JSON.stringify(small);
		const bytes = deflateSync(new TextEncoder().encode(json), { level: 9 });
		const payload = `v1.${Buffer.from(bytes).toString('base64url')}`;
		const result = decodeNotebook(payload);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.notebook.cells).toEqual(small.cells);
	});

	test('mismatched check is reported as damaged', () => {
		const json = JSON.stringify({ ...small, check: '00000000' });
		const bytes = deflateSync(new TextEncoder().encode(json), { level: 9 });
		const result = decodeNotebook(`v1.${Buffer.from(bytes).toString('base64url')}`);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).toContain('checksum does not match');
		expect(result.message).toContain('2 cells could be recovered');
	});

	test('unknown version names both versions', () => {
		const result = decodeNotebook(link.replace(/^v1\./, 'v7.'));
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).toContain('v7');
		expect(result.message).toContain('reads v1');
	});

	test('huge payload is rejected before inflating', () => {
		const result = decodeNotebook(`v1.${'A'.repeat(MAX_FRAGMENT_LENGTH + 1)}`);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(String(MAX_FRAGMENT_LENGTH));
	});

	test('invalid notebook JSON names the field', () => {
		expect(() => validateNotebook({ version: 1, cells: [{ id: 1 }] })).toThrow(/cell 0/);
		expect(() => validateNotebook({ version: 1, cells: 'x' })).toThrow(/"cells" must be an array/);
		expect(() => validateNotebook({ version: 1, cells: [small.cells[0], small.cells[0]] })).toThrow(
			/appears twice/
		);
	});
});

describe('decodeNotebook never throws', () => {
	const full = encodeNotebook(loadExample('post-3-4.json'));

	test('every prefix of a link gives a result', () => {
		for (let length = 0; length < full.length; length += 7) {
			const result = decodeNotebook(full.slice(0, length));
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.message).toMatch(/^This share link is damaged: /);
		}
	});

	test('single-character corruptions give a result or the same notebook', () => {
		// A fixed linear congruential sequence, so a failure reproduces.
		let seed = 12345;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		for (let i = 0; i < 300; i++) {
			const at = 3 + (next() % (full.length - 3));
			const corrupted = full.slice(0, at) + alphabet[next() % 64] + full.slice(at + 1);
			const result = decodeNotebook(corrupted);
			if (result.ok) expect(result.notebook.cells.length).toBeGreaterThan(0);
			else expect(result.message).toMatch(/^This share link is damaged: .+ recovered\.$/);
		}
	});

	test('a link that inflates past the cap is rejected as too large', () => {
		const bomb = deflateSync(new Uint8Array(MAX_NOTEBOOK_BYTES + 1000), { level: 9 });
		const payload = `v1.${Buffer.from(bomb).toString('base64url')}`;
		expect(payload.length).toBeLessThan(20_000);

		const result = decodeNotebook(payload);

		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(`more than ${MAX_NOTEBOOK_BYTES} bytes`);
	});

	test.each([
		['v0 link', 'v0.AAAA', 'v0'],
		['v2 link', full.replace(/^v1\./, 'v2.'), 'v2'],
		['version with no number', 'v.AAAA', 'v1.<data> form']
	])('%s names the version problem', (_, payload, expected) => {
		const result = decodeNotebook(payload);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(expected);
	});

	test('valid deflate of text that is not a notebook is damaged, not thrown', () => {
		for (const text of ['null', '[]', '{"version":1}', '{"version":1,"cells":[{"id":"a"}]}']) {
			const payload = `v1.${Buffer.from(deflateSync(new TextEncoder().encode(text))).toString('base64url')}`;
			const result = decodeNotebook(payload);
			expect(result.ok, text).toBe(false);
			if (!result.ok) expect(result.message).toContain('the notebook inside the link is invalid');
		}
	});
});
