import { describe, expect, test } from 'vitest';
import { selectContenders } from '../../../src/routes/bench/run';
import type { Contender } from '../../../src/routes/bench/workloads';

function contender(engine: Contender['engine'], backend: string, extra: Partial<Contender> = {}) {
	const row: Contender = {
		engine,
		backend,
		kind: backend === 'webgpu' ? 'gpu' : 'cpu',
		async load() {},
		async prepare() {
			return null;
		},
		...extra
	};
	return row;
}

const all = [
	contender('ours', 'cpu'),
	contender('ours', 'cpu', { variant: 'landscape view', only: ['landscape'] }),
	contender('ours', 'webgpu'),
	contender('tfjs', 'wasm'),
	contender('jax-js', 'webgpu', { jit: true })
];

const labels = (rows: Contender[]) =>
	rows.map((c) => `${c.engine}/${c.backend}${c.variant ? ` (${c.variant})` : ''}`);

describe('selectContenders', () => {
	test('keeps every row when the query names nothing', () => {
		const rows = selectContenders(all, {
			engines: null,
			backends: null,
			workloads: ['post34', 'landscape']
		});
		expect(rows).toEqual(all);
	});

	test('filters by engine and backend', () => {
		const rows = selectContenders(all, {
			engines: ['ours', 'jax-js'],
			backends: ['webgpu'],
			workloads: ['mlp']
		});
		expect(labels(rows)).toEqual(['ours/webgpu', 'jax-js/webgpu']);
	});

	test('drops a row whose only workloads are not selected', () => {
		const rows = selectContenders(all, {
			engines: ['ours'],
			backends: ['cpu'],
			workloads: ['mlp', 'matmul']
		});
		expect(labels(rows)).toEqual(['ours/cpu']);
		const withLandscape = selectContenders(all, {
			engines: ['ours'],
			backends: ['cpu'],
			workloads: ['landscape']
		});
		expect(labels(withLandscape)).toEqual(['ours/cpu', 'ours/cpu (landscape view)']);
	});
});
