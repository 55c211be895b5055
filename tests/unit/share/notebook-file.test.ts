import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
	MAX_NOTEBOOK_FILE_BYTES,
	notebookFileName,
	notebookFileText,
	readNotebookFile
} from '../../../src/lib/share/notebook-file';

const example = readFileSync('static/notebooks/post-3-4.json', 'utf8');

describe('notebookFileName', () => {
	test('notebookFileName() turns the title into a file name', () => {
		expect(notebookFileName('Deeper Networks and Backprop Challenges (post 3.4)')).toBe(
			'deeper-networks-and-backprop-challenges-post-3-4.json'
		);
		expect(notebookFileName('Écarts à la moyenne')).toBe('ecarts-a-la-moyenne.json');
		expect(notebookFileName('???')).toBe('notebook.json');
	});
});

describe('readNotebookFile', () => {
	test('readNotebookFile() reads back what notebookFileText() writes', () => {
		const first = readNotebookFile('post-3-4.json', example);
		expect(first.ok).toBe(true);
		if (!first.ok) return;

		const again = readNotebookFile('copy.json', notebookFileText(first.notebook));
		expect(again).toEqual(first);
	});

	test.each([
		['not JSON', '{"version": 1,', /^bad\.json is not JSON: /],
		['no cells', '{"version": 1, "title": "x"}', /^bad\.json is not a notebook: "cells" must be/],
		['unknown version', '{"version": 2, "cells": []}', /unknown version 2/],
		['too large', ' '.repeat(MAX_NOTEBOOK_FILE_BYTES + 1), /over the limit/]
	])('readNotebookFile() names the file for %s', (_, text, message) => {
		const result = readNotebookFile('bad.json', text);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toMatch(message);
	});
});
