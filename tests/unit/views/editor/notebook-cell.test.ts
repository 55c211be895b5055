import { describe, expect, test } from 'vitest';
import { NotebookCell } from '../../../../src/lib/views/editor/notebook-cell.svelte';
import type { ChartSpec } from '../../../../src/lib/worker/api';

const chart: ChartSpec = {
	kind: 'grad-norms',
	id: 'a-grad-norms-0',
	layers: ['layers.0.weight'],
	values: [[1]],
	float32Values: [[1]],
	steps: [0]
};

function finishedCell(): NotebookCell {
	const cell = new NotebookCell('a', 'const a = 1;');
	cell.setState('running', 1);
	cell.setChart(chart);
	cell.setValue({ kind: 'inspect', value: { kind: 'primitive', text: '1', type: 'number' } });
	cell.setState('done', 1);
	return cell;
}

describe('NotebookCell outputs', () => {
	test('error without a run clears the previous outputs', () => {
		const cell = finishedCell();
		cell.setState('error', 1);
		expect(cell.charts).toEqual([]);
		expect(cell.value).toBeNull();
	});

	test('stop keeps what the run drew so far', () => {
		const cell = finishedCell();
		cell.setState('running', 2);
		cell.setChart(chart);
		cell.setState('stopped', 2);
		expect(cell.charts).toHaveLength(1);
	});

	test('a rerun that draws the same chart keeps it', () => {
		const cell = finishedCell();
		cell.setState('running', 2);
		cell.setChart(chart);
		cell.setState('done', 2);
		expect(cell.charts).toHaveLength(1);
	});

	test('rerun marks the previous value until it returns', () => {
		const cell = finishedCell();
		expect(cell.valueFromEarlierRun).toBe(false);
		cell.setState('running', 2);
		expect(cell.valueFromEarlierRun).toBe(true);
		expect(cell.earlierRunChartIds).toEqual([chart.id]);
		cell.setValue({ kind: 'inspect', value: { kind: 'primitive', text: '2', type: 'number' } });
		expect(cell.valueFromEarlierRun).toBe(false);
	});

	test('stopped run keeps the earlier-run marks', () => {
		const cell = finishedCell();
		cell.setState('running', 2);
		cell.setState('stopped', 2);
		expect(cell.value).not.toBeNull();
		expect(cell.valueFromEarlierRun).toBe(true);
		expect(cell.earlierRunChartIds).toEqual([chart.id]);
	});

	test('chart drawn again loses its mark', () => {
		const cell = finishedCell();
		cell.setState('running', 2);
		cell.setChart(chart);
		expect(cell.earlierRunChartIds).toEqual([]);
		cell.setState('stopped', 2);
		expect(cell.earlierRunChartIds).toEqual([]);
	});

	test('finished run clears the marks', () => {
		const cell = finishedCell();
		cell.setState('running', 2);
		cell.setState('done', 2);
		expect(cell.value).toBeNull();
		expect(cell.valueFromEarlierRun).toBe(false);
		expect(cell.earlierRunChartIds).toEqual([]);
	});
});
