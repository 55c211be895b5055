/**
 * Batched matrix product, out[b] = a[b] @ b[b]. Each thread computes a square block of out
 * (4 x 4 or 8 x 8) in registers, so every element it loads serves 4 or 8 products. There is
 * no workgroup memory and no barrier: SwiftShader, the adapter of machines without a GPU, runs
 * barriers as fiber switches, which made a 16 x 16 tiled kernel slower than this one. On
 * SwiftShader (Chromium 156) every storage load is a per-lane gather, so the loads per product
 * set the speed. With 8 x 8 blocks, the GPU process used 1.5 to 2 times less CPU time than with
 * 4 x 4 blocks, on the shapes of the `/bench` MLP and on 1024 x 1024 (2 shared cores). Small
 * outputs keep 4 x 4 blocks, so that they still spread over several workgroups.
 * Operands are strided views (a transposed weight is read in place) and batch dims broadcast
 * with stride 0.
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

export const MATMUL_WORKGROUP_SIZE = 64;

/** Rows of out per thread, and columns unless `narrow`: a multiple of 4, for vec4 columns. */
export type MatmulBlock = 4 | 8;

export interface MatmulSpec {
	type: WgslType;
	aType: WgslType;
	bType: WgslType;
	batchRank: number;
	block: MatmulBlock;
	/**
	 * One column per thread, for outputs narrower than 4 columns (a layer with one output).
	 * A square block there would load and multiply `block` copies of the last column.
	 */
	narrow: boolean;
}

export function matmulSource(spec: MatmulSpec, params: Params): KernelSource {
	return {
		pipelineKey:
			`matmul/${spec.aType},${spec.bType}->${spec.type}` +
			`/batch${spec.batchRank}/block${spec.block}${spec.narrow ? 'x1' : ''}`,
		wgsl: () => matmulWgsl(spec, params)
	};
}

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

	const block = spec.block;
	const columns = spec.narrow ? 1 : block;
	const rows = Array.from({ length: block }, (_, r) => r);
	const cols = Array.from({ length: columns }, (_, q) => q);
	const columnGroups = Array.from({ length: columns / 4 }, (_, g) => g);
	emitFlatEntry(w, MATMUL_WORKGROUP_SIZE);
	w.line(`let blocks_n = (params.n + ${block - 1}u) / ${block}u;`);
	w.line(`let blocks_m = (params.m + ${columns - 1}u) / ${columns}u;`);
	w.line('let batch = i / (blocks_n * blocks_m);');
	w.open('if (batch >= params.batches)').line('return;').close();
	w.line('let block = i % (blocks_n * blocks_m);');
	w.line(`let row0 = (block / blocks_m) * ${block}u;`);
	w.line(`let col0 = (block % blocks_m) * ${columns}u;`);
	emitSplitIndex(w, 'batch', spec.batchRank, 'batch', 'bi');
	for (const name of ['a', 'b', 'out']) {
		const terms = [`params.${name}_offset`];
		for (let d = 0; d < spec.batchRank; d++)
			terms.push(`bi_${d} * params.${name}_batch_stride_${d}`);
		w.line(`let ${name}_base = ${terms.join(' + ')};`);
	}
	w.line();

	w.line('// Rows and columns past the edge read the last valid one; their results are dropped.');
	for (const r of rows) {
		w.line(`let a_row_${r} = a_base + min(row0 + ${r}u, params.n - 1u) * params.a_row_stride;`);
	}
	for (const q of cols) {
		w.line(`let b_col_${q} = b_base + min(col0 + ${q}u, params.m - 1u) * params.b_col_stride;`);
	}
	if (spec.narrow) for (const r of rows) w.line(`var acc_${r} = ${t}();`);
	for (const r of rows) for (const g of columnGroups) w.line(`var acc_${r}_${g} = vec4<${t}>();`);
	w.open('for (var k = 0u; k < params.k; k++)');
	w.line('let a_k = k * params.a_col_stride;');
	w.line('let b_k = k * params.b_row_stride;');
	if (spec.narrow) w.line(`let b_0 = ${load('b', spec.bType, 'b_col_0 + b_k')};`);
	for (const g of columnGroups) {
		const loads = [0, 1, 2, 3].map((q) => load('b', spec.bType, `b_col_${4 * g + q} + b_k`));
		w.line(`let b_${g} = vec4<${t}>(${loads.join(', ')});`);
	}
	for (const r of rows) {
		w.line(`let a_${r} = ${load('a', spec.aType, `a_row_${r} + a_k`)};`);
		if (spec.narrow) w.line(`acc_${r} += a_${r} * b_0;`);
		for (const g of columnGroups) w.line(`acc_${r}_${g} += a_${r} * b_${g};`);
	}
	w.close();
	w.line();

	for (const r of rows) {
		w.open(`if (row0 + ${r}u < params.n)`);
		w.line(`let out_row = out_base + (row0 + ${r}u) * params.out_row_stride;`);
		for (const q of cols) {
			w.open(`if (col0 + ${q}u < params.m)`);
			const value = spec.narrow ? `acc_${r}` : `acc_${r}_${Math.floor(q / 4)}[${q % 4}]`;
			w.line(`out[out_row + (col0 + ${q}u) * params.out_col_stride] = ${value};`);
			w.close();
		}
		w.close();
	}
	w.close();
	return w.toString();
}
