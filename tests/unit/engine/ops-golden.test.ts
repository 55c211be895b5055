import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { goldenCases, runGoldenCase } from '../../suites/ops-golden';

describe('golden ops on the CPU backend', () => {
	test('suite covers all 97 golden cases', () => {
		expect(goldenCases).toHaveLength(97);
	});

	for (const c of goldenCases) {
		test(c.name, async () => {
			expect(await runGoldenCase(torch, c)).toEqual([]);
		});
	}
});
