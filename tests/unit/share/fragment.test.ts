import { describe, expect, test } from 'vitest';
import {
	DEFAULT_EMBED_OPTIONS,
	formatFragment,
	parseFragment,
	type EmbedOptions
} from '../../../src/lib/share/fragment';

describe('parseFragment', () => {
	test('reads payload and readable options', () => {
		const parsed = parseFragment('#nb=v1.abc&cells=vanishing,bn&code=hidden&theme=dark&run=click');
		expect(parsed.payload).toBe('v1.abc');
		expect(parsed.options.cells).toEqual(['vanishing', 'bn']);
		expect(parsed.options.code).toBe('hidden');
		expect(parsed.options.theme).toBe('dark');
		expect(parsed.options.run).toBe('click');
		expect(parsed.options.edit).toBe('editable');
		expect(parsed.warnings).toEqual([]);
	});

	test('empty fragment gives defaults and no payload', () => {
		const parsed = parseFragment('');
		expect(parsed.payload).toBeUndefined();
		expect(parsed.options).toEqual(DEFAULT_EMBED_OPTIONS);
	});

	test('invalid option value warns and keeps the default', () => {
		const parsed = parseFragment('nb=v1.x&code=sideways&colour=red');
		expect(parsed.options.code).toBe('shown');
		expect(parsed.warnings[0]).toMatch(/code=sideways is invalid; use one of shown, hidden/);
		expect(parsed.warnings[1]).toMatch(/"colour" is unknown/);
	});

	test('malformed percent escape does not throw', () => {
		expect(parseFragment('nb=v1.x&cells=%E0%A4%A').options.cells).toEqual(['%E0%A4%A']);
	});
});

describe('formatFragment', () => {
	test('writes only options that differ from defaults', () => {
		expect(formatFragment('v1.x', { code: 'shown', theme: 'dark' })).toBe('nb=v1.x&theme=dark');
	});

	test('round trip through parseFragment', () => {
		const options: Partial<EmbedOptions> = {
			cells: ['a', 'b c'],
			code: 'collapsible',
			edit: 'readonly'
		};
		const parsed = parseFragment(formatFragment('v1.payload', options));
		expect(parsed.payload).toBe('v1.payload');
		expect(parsed.options).toEqual({ ...DEFAULT_EMBED_OPTIONS, ...options, cells: ['a', 'b c'] });
	});
});
