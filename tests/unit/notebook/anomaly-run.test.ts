import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { createNotebook } from './notebook-harness';

const NAN_CELL = [
	'const w = torch.tensor([1, -1], { requires_grad: true });',
	'const y = w.sqrt().sum();',
	'y;'
].join('\n');

describe('runCell with detect_anomaly', () => {
	test('plain run shows the NaN value without an error', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: NAN_CELL });
		expect(nb.state('a')).toBe('done');
		expect(nb.value('a')).toMatchObject({ kind: 'tensor', stats: { nan: 1 } });
	});

	test('anomaly run names the op and its line in the cell', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: NAN_CELL });
		nb.runtime.runCell('a', { detect_anomaly: true });
		await nb.runtime.idle();

		expect(nb.state('a')).toBe('error');
		const [error] = nb.errors('a');
		expect(error.message).toContain('SqrtBackward0');
		expect(error.message).toContain('line 2 of this cell');
		expect(error.message).not.toMatch(/eval line/);
		expect(error.line).toBe(2);
	});

	test('anomaly mode is off again after that run', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: NAN_CELL });
		nb.runtime.runCell('a', { detect_anomaly: true });
		await nb.runtime.idle();
		expect(torch.autograd.is_anomaly_enabled()).toBe(false);

		nb.runtime.runCell('a');
		await nb.runtime.idle();
		expect(nb.state('a')).toBe('done');
	});
});
