import { describe, expect, test } from 'vitest';
import { buildGraph, downstreamOf, type GraphCell } from '../../../src/lib/notebook/graph';

const noGlobals = () => false;

function cell(id: string, outputs: string[], inputs: string[] = []): GraphCell {
	return { id, outputs, inputs };
}

describe('buildGraph', () => {
	test('buildGraph orders providers before readers, else keeps notebook order', () => {
		const graph = buildGraph(
			[cell('plot', ['fig'], ['loss']), cell('seed', ['g']), cell('train', ['loss'], ['g'])],
			noGlobals
		);
		expect(graph.order).toEqual(['seed', 'train', 'plot']);
		expect(graph.plans.get('plot')?.upstream).toEqual(new Map([['loss', 'train']]));
	});

	test('buildGraph reports a duplicate with every name involved', () => {
		const graph = buildGraph(
			[cell('a', ['x', 'y']), cell('b', ['x']), cell('c', ['x', 'y'])],
			noGlobals
		);
		expect(graph.plans.get('a')?.error?.message).toBe(
			"'x' is defined in cells a, b and c. 'y' is defined in cells a and c. Rename one of each."
		);
		expect(graph.plans.get('a')?.error?.related).toEqual(['b', 'c']);
		expect(graph.plans.get('b')?.error?.related).toEqual(['a', 'c']);
	});

	test('buildGraph reports a three-cell cycle on each cell', () => {
		const graph = buildGraph(
			[cell('a', ['x'], ['z']), cell('b', ['y'], ['x']), cell('c', ['z'], ['y'])],
			noGlobals
		);
		for (const id of ['a', 'b', 'c']) {
			const error = graph.plans.get(id)?.error;
			expect(error?.kind).toBe('cycle');
			expect(error?.related).toHaveLength(2);
			expect(error?.related).not.toContain(id);
		}
		expect(graph.order).toHaveLength(3);
	});

	test('buildGraph lists every undefined name of a cell', () => {
		const graph = buildGraph([cell('a', [], ['p', 'q'])], noGlobals);
		expect(graph.plans.get('a')?.error?.message).toBe(
			'ReferenceError: p and q are not defined. No cell declares them and there is no global of that name. Declare them in a cell, or check the spelling.'
		);
	});

	test('buildGraph waits for a cell that never compiled instead of reporting undefined', () => {
		const graph = buildGraph(
			[{ id: 'broken', outputs: [], inputs: [], unknownOutputs: true }, cell('reader', [], ['x'])],
			noGlobals
		);
		expect(graph.plans.get('reader')?.error).toBeUndefined();
		expect(graph.plans.get('reader')?.dependsOn).toEqual(new Set(['broken']));
	});

	test('buildGraph accepts globals and typeof-only names', () => {
		const graph = buildGraph(
			[{ id: 'a', outputs: [], inputs: ['Math', 'window'], typeofOnly: ['window'] }],
			(name) => name === 'Math'
		);
		expect(graph.plans.get('a')?.error).toBeUndefined();
	});
});

describe('downstreamOf', () => {
	test('downstreamOf follows readers transitively', () => {
		const graph = buildGraph(
			[cell('a', ['x']), cell('b', ['y'], ['x']), cell('c', [], ['y']), cell('d', ['w'])],
			noGlobals
		);
		expect(downstreamOf(graph, ['a'])).toEqual(new Set(['b', 'c']));
		expect(downstreamOf(graph, ['d'])).toEqual(new Set());
	});
});
