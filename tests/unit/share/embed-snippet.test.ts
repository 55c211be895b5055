import { describe, expect, test } from 'vitest';
import { EMBED_SANDBOX, embedSnippet } from '../../../src/lib/share/embed-snippet';

const snippet = embedSnippet({
	src: 'https://example.org/embed#nb=v1.abc&cells=a,b&code=hidden',
	title: 'Gradients "up close" & <small>',
	resizeScript: 'https://example.org/embed-resize.js'
});

describe('embedSnippet', () => {
	test('embedSnippet() always carries the sandbox tokens the embed needs', () => {
		const sandbox = /sandbox="([^"]*)"/.exec(snippet)?.[1].split(' ') ?? [];
		expect(sandbox).toEqual([...EMBED_SANDBOX]);
		expect(sandbox).toContain('allow-scripts');
		expect(sandbox).toContain('allow-same-origin');
		expect(sandbox).toContain('allow-popups');
	});

	test('embedSnippet() escapes the title attribute', () => {
		expect(snippet).toContain(
			'title="Gradients &quot;up close&quot; &amp; &lt;small&gt; (Gradient Playground)"'
		);
	});

	test('embedSnippet() keeps the options readable in src', () => {
		expect(snippet).toContain('src="https://example.org/embed#nb=v1.abc&cells=a,b&code=hidden"');
	});

	test('embedSnippet() adds the resize script after the frame', () => {
		expect(snippet).toMatch(
			/<\/iframe>\n<script src="https:\/\/example\.org\/embed-resize\.js" defer><\/script>$/
		);
	});

	test('embedSnippet() names an untitled notebook', () => {
		const untitled = embedSnippet({ src: 'x', title: '', resizeScript: 'y' });
		expect(untitled).toContain('title="Notebook (Gradient Playground)"');
	});
});
