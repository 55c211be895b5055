import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { EXAMPLES } from '../../../src/lib/share/examples';

const FOLDER = 'static/notebooks';

describe('examples list', () => {
	test('EXAMPLES names every notebook file once', () => {
		const files = readdirSync(FOLDER)
			.filter((name) => name.endsWith('.json'))
			.map((name) => name.slice(0, -'.json'.length));
		expect(EXAMPLES.map((example) => example.name).sort()).toEqual(files.sort());
	});

	test.each(EXAMPLES.map((example) => [example.name, example]))(
		'%s carries the title of its file',
		(name, example) => {
			const file = JSON.parse(readFileSync(`${FOLDER}/${name}.json`, 'utf8')) as { title: string };
			expect(example.title).toBe(file.title);
		}
	);
});
