/**
 * Batched matrix product, out[b] = a[b] @ b[b]. Each thread computes a 4 x 4 block of out in
 * registers, so every element it loads serves four products. There is no workgroup memory
 * and no barrier: SwiftShader, the adapter of machines without a GPU, runs barriers as fiber
 * switches, which made a 16 x 16 tiled kernel slower than this one. Operands are strided
 * views (a transposed weight is read in place) and batch dims broadcast with stride 0.
 */
import {
	emitFlatEntry,
	emitSplitIndex,
	PARAMS_BINDING,
	storageBinding,
	WgslWriter,
	type Params,
	type WgslType
} from './emit';
import type { KernelSource } from '../pipelines';

/** Rows and columns of out per thread. */
export const MATMUL_BLOCK = 4;
export const MATMUL_WORKGROUP_SIZE = 64;

export interface MatmulSpec {
	type: WgslType;
	aType: WgslType;
	bType: WgslType;
	batchRank: number;
}

export function matmulSource(spec: MatmulSpec, params: Params): KernelSource {
	return {
		pipelineKey:
			`matmul/${spec.aType},${spec.bType}->${spec.type}` +
			`/batch${spec.batchRank}/block${MATMUL_BLOCK}`,
		wgsl: () => matmulWgsl(spec, params)
	};
}

const ROWS = [0, 1, 2, 3];

function matmulWgsl(spec: MatmulSpec, params: Params): string {
	const t = spec.type;
	const load = (name: string, type: WgslType, index: string) =>
		type === t ? `${name}[${index}]` : `${t}(${name}[${index}])`;
	const w = new WgslWriter();
	w.raw(params.struct()).line();
	w.line(PARAMS_BINDING);
	w.line(storageBinding(1, 'out', t, 'read_write'));
	w.line(storageBinding(2, 'a', spec.aType, 'read'));
	w.line(storageBinding(3, 'b', spec.bType, 'read'));
	w.line();

	emitFlatEntry(w, MATMUL_WORKGROUP_SIZE);
	w.line('let blocks_n = (params.n + 3u) / 4u;');
	w.line('let blocks_m = (params.m + 3u) / 4u;');
	w.line('let batch = i / (blocks_n * blocks_m);');
	w.open('if (batch >= params.batches)').line('return;').close();
	w.line('let block = i % (blocks_n * blocks_m);');
	w.line('let row0 = (block / blocks_m) * 4u;');
	w.line('let col0 = (block % blocks_m) * 4u;');
	emitSplitIndex(w, 'batch', spec.batchRank, 'batch', 'bi');
	for (const name of ['a', 'b', 'out']) {
		const terms = [`params.${name}_offset`];
		for (let d = 0; d < spec.batchRank; d++)
			terms.push(`bi_${d} * params.${name}_batch_stride_${d}`);
		w.line(`let ${name}_base = ${terms.join(' + ')};`);
	}
	w.line();

	w.line('// Rows and columns past the edge read the last valid one; their results are dropped.');
	for (const r of ROWS) {
		w.line(`let a_row_${r} = a_base + min(row0 + ${r}u, params.n - 1u) * params.a_row_stride;`);
	}
	for (const q of ROWS) {
		w.line(`let b_col_${q} = b_base + min(col0 + ${q}u, params.m - 1u) * params.b_col_stride;`);
	}
	for (const r of ROWS) w.line(`var acc_${r} = vec4<${t}>();`);
	w.open('for (var k = 0u; k < params.k; k++)');
	w.line('let a_k = k * params.a_col_stride;');
	w.line('let b_k = k * params.b_row_stride;');
	const bRow = ROWS.map((q) => load('b', spec.bType, `b_col_${q} + b_k`)).join(', ');
	w.line(`let b_row = vec4<${t}>(${bRow});`);
	for (const r of ROWS) w.line(`acc_${r} += ${load('a', spec.aType, `a_row_${r} + a_k`)} * b_row;`);
	w.close();
	w.line();

	for (const r of ROWS) {
		w.open(`if (row0 + ${r}u < params.n)`);
		w.line(`let out_row = out_base + (row0 + ${r}u) * params.out_row_stride;`);
		for (const q of ROWS) {
			w.open(`if (col0 + ${q}u < params.m)`);
			w.line(`out[out_row + (col0 + ${q}u) * params.out_col_stride] = acc_${r}[${q}];`);
			w.close();
		}
		w.close();
	}
	w.close();
	return w.toString();
}
