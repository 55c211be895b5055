import { describe, expect, test } from 'vitest';
import { encodeNotebook } from '../../../src/lib/share/codec';
import type { NotebookDocument } from '../../../src/lib/share/format';
import {
	embedLink,
	fnv1a64,
	linkAutosaveName,
	readLinkedNotebook,
	shareLink
} from '../../../src/lib/share/link';

const notebook: NotebookDocument = {
	version: 1,
	title: 'Two cells',
	cells: [
		{ id: 'a', code: 'const a = 1;' },
		{ id: 'b', code: 'a + 1' }
	],
	inputs: {}
};
const payload = encodeNotebook(notebook);

describe('shareLink', () => {
	test('shareLink() puts the notebook in the fragment of the app root', () => {
		const link = shareLink(payload, 'https://example.org/playground');
		expect(link).toBe(`https://example.org/playground/#nb=${payload}`);
		expect(new URL(link).search).toBe('');
	});

	test('embedLink() adds only options that differ from the defaults', () => {
		const link = embedLink(payload, 'https://example.org/', {
			cells: ['b'],
			code: 'hidden',
			run: 'load',
			theme: 'dark'
		});
		expect(link).toBe(`https://example.org/embed#nb=${payload}&cells=b&code=hidden&theme=dark`);
	});
});

describe('readLinkedNotebook', () => {
	test('readLinkedNotebook() decodes the notebook and the options', () => {
		const linked = readLinkedNotebook(`#nb=${payload}&code=collapsible`);
		expect(linked?.payload).toBe(payload);
		expect(linked?.decoded).toEqual({ ok: true, notebook });
		expect(linked?.fragment.options.code).toBe('collapsible');
	});

	test('readLinkedNotebook() returns null without nb=', () => {
		expect(readLinkedNotebook('')).toBeNull();
		expect(readLinkedNotebook('#section-2')).toBeNull();
	});

	test('readLinkedNotebook() reports a cut link as damaged', () => {
		const linked = readLinkedNotebook(`#nb=${payload.slice(0, 12)}`);
		expect(linked?.decoded.ok).toBe(false);
	});
});

describe('linkAutosaveName', () => {
	test('linkAutosaveName() differs per notebook and per place', () => {
		const other = encodeNotebook({ ...notebook, title: 'Other' });
		expect(linkAutosaveName('link', payload)).toMatch(/^link-[0-9a-f]{16}$/);
		expect(linkAutosaveName('link', payload)).toBe(linkAutosaveName('link', payload));
		expect(linkAutosaveName('link', payload)).not.toBe(linkAutosaveName('link', other));
		expect(linkAutosaveName('embed', payload)).not.toBe(linkAutosaveName('link', payload));
	});

	test('fnv1a64() matches the published FNV-1a test vectors', () => {
		expect(fnv1a64('')).toBe('cbf29ce484222325');
		expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
		expect(fnv1a64('foobar')).toBe('85944171f73967e8');
	});
});
