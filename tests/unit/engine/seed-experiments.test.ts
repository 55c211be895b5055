import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { seedExperimentCases, type SeedExperimentsGolden } from '../../suites/seed-experiments';

const golden = JSON.parse(
	readFileSync(new URL('../../fixtures/golden/seed-experiments.json', import.meta.url), 'utf8')
) as SeedExperimentsGolden;

describe('seed experiments on the CPU backend', () => {
	for (const c of seedExperimentCases(torch, golden)) test(c.name, c.run);
});
