/**
 * Index kernels (gather, index_select, and their accumulating backward forms scatter_add and
 * index_add) and the running sum, with one thread per output element. The accumulating
 * kernels loop over the indices that could land on their element instead of racing with
 * atomics. So they add in the same order as the CPU backend and need no float atomics, which
 * WGSL lacks.
 *
 * An index outside its dim cannot throw inside a kernel. It is clamped for the read and
 * recorded in the status words, which the next read turns into an IndexError.
 */
import {
	convert,
	emitFlatEntry,
	emitSplitIndex,
	PARAMS_BINDING,
	storageBinding,
	WgslWriter,
	zeroOf,
	type Params,
	type WgslType
} from './emit';
import type { KernelSource } from '../pipelines';

export type IndexKernelOp = 'gather' | 'index_select' | 'scatter_add' | 'index_add';

/** Codes stored in status word 1 so that the error can name the op. */
export const INDEX_OP_CODES: Record<IndexKernelOp, number> = {
	gather: 1,
	index_select: 2,
	scatter_add: 3,
	index_add: 4
};

export interface IndexSpec {
	op: IndexKernelOp;
	type: WgslType;
	/** Rank of the output (gather, index_select) or of the accumulated tensor. */
	rank: number;
	dim: number;
	workgroupSize: number;
}

export function indexSource(spec: IndexSpec, params: Params): KernelSource {
	return {
		pipelineKey: `index/${spec.op}/${spec.type}/rank${spec.rank}/dim${spec.dim}`,
		wgsl: () => indexWgsl(spec, params)
	};
}

/** Storage bindings in binding order: status words last. */
export function indexBindings(spec: IndexSpec): string[] {
	const accumulates = spec.op === 'scatter_add' || spec.op === 'index_add';
	return accumulates ? ['out', 'index', 'src', 'status'] : ['out', 'x', 'index', 'status'];
}

const STATUS_BINDING = (binding: number) =>
	`@group(0) @binding(${binding}) var<storage, read_write> status: array<atomic<u32>>;`;

function reportError(spec: IndexSpec): string[] {
	return [
		`atomicStore(&status[1], ${INDEX_OP_CODES[spec.op]}u);`,
		'atomicStore(&status[2], bitcast<u32>(position));',
		'atomicStore(&status[3], size);',
		'atomicMax(&status[0], 1u);'
	];
}

/** `params.<name>_offset + sum_d <index>_d * params.<name>_stride_d`, with one dim replaced. */
function offsetWith(name: string, rank: number, replaced: number, replacement: string): string {
	const terms = [`params.${name}_offset`];
	for (let d = 0; d < rank; d++) {
		const coordinate = d === replaced ? replacement : `o_${d}`;
		terms.push(`${coordinate} * params.${name}_stride_${d}`);
	}
	return terms.join(' + ');
}

function indexWgsl(spec: IndexSpec, params: Params): string {
	const w = new WgslWriter();
	const t = spec.type;
	w.raw(params.struct()).line();
	w.line(PARAMS_BINDING);
	indexBindings(spec).forEach((name, k) => {
		if (name === 'status') w.line(STATUS_BINDING(k + 1));
		else if (name === 'index') w.line(storageBinding(k + 1, name, 'i32', 'read'));
		else w.line(storageBinding(k + 1, name, t, name === 'out' ? 'read_write' : 'read'));
	});
	w.line();
	emitFlatEntry(w, spec.workgroupSize);
	w.open('if (i >= params.numel)').line('return;').close();
	emitSplitIndex(w, 'i', spec.rank, 'shape', 'o');
	w.line(`let out_at = ${offsetWith('out', spec.rank, -1, '')};`);
	w.line('let size = params.size;');

	if (spec.op === 'gather' || spec.op === 'index_select') {
		const indexAt =
			spec.op === 'gather'
				? offsetWith('index', spec.rank, -1, '')
				: `params.index_offset + o_${spec.dim} * params.index_stride_0`;
		w.line(`let position = index[${indexAt}];`);
		w.open('if (position < 0i || u32(position) >= size)');
		for (const line of reportError(spec)) w.line(line);
		w.line('return;');
		w.close();
		w.line(`out[out_at] = x[${offsetWith('x', spec.rank, spec.dim, 'u32(position)')}];`);
		w.close();
		return w.toString();
	}

	// Accumulating kernels: this thread owns out[o] and adds every source element whose
	// index points at o along dim, in source order, as a sequential loop would.
	// TODO: every thread scans the whole index, so the cost is out.numel() x index length; an
	// embedding-sized index_add needs a sort by index or a compare-and-swap loop instead.
	const d = spec.dim;
	if (spec.op === 'scatter_add') {
		const outside = [];
		for (let k = 0; k < spec.rank; k++) if (k !== d) outside.push(`o_${k} >= params.index_${k}`);
		if (outside.length > 0)
			w.open(`if (${outside.join(' || ')})`)
				.line('return;')
				.close();
	}
	w.line('var acc = out[out_at];');
	w.open(`for (var j = 0u; j < params.count; j++)`);
	const indexAt =
		spec.op === 'scatter_add'
			? offsetWith('index', spec.rank, d, 'j')
			: 'params.index_offset + j * params.index_stride_0';
	w.line(`let position = index[${indexAt}];`);
	// Only the threads at coordinate 0 along dim check, so each bad index is reported once.
	w.open(`if (o_${d} == 0u && (position < 0i || u32(position) >= size))`);
	for (const line of reportError(spec)) w.line(line);
	w.close();
	w.open(`if (position == i32(o_${d}))`);
	w.line(`acc = acc + src[${offsetWith('src', spec.rank, d, 'j')}];`);
	w.close();
	w.close();
	w.line('out[out_at] = acc;');
	w.close();
	return w.toString();
}

export interface ScanSpec {
	inType: WgslType;
	type: WgslType;
	keptRank: number;
	workgroupSize: number;
}

/** cumsum: one thread per line along dim, adding in order, as the CPU backend does. */
export function scanSource(spec: ScanSpec, params: Params): KernelSource {
	return {
		pipelineKey: `cumsum/${spec.inType}->${spec.type}/kept${spec.keptRank}`,
		wgsl: () => {
			const w = new WgslWriter();
			w.raw(params.struct()).line();
			w.line(PARAMS_BINDING);
			w.line(storageBinding(1, 'out', spec.type, 'read_write'));
			w.line(storageBinding(2, 'x', spec.inType, 'read'));
			w.line();
			emitFlatEntry(w, spec.workgroupSize);
			w.open('if (i >= params.rows)').line('return;').close();
			emitSplitIndex(w, 'i', spec.keptRank, 'kept', 'k');
			for (const name of ['x', 'out']) {
				const terms = [`params.${name}_offset`];
				for (let d = 0; d < spec.keptRank; d++)
					terms.push(`k_${d} * params.${name}_kept_stride_${d}`);
				w.line(`let ${name}_base = ${terms.join(' + ')};`);
			}
			w.line(`var acc: ${spec.type} = ${zeroOf(spec.type)};`);
			w.open('for (var j = 0u; j < params.length; j++)');
			w.line(
				`acc = acc + ${convert('x[x_base + j * params.x_dim_stride]', spec.inType, spec.type)};`
			);
			w.line('out[out_base + j * params.out_dim_stride] = acc;');
			w.close();
			w.close();
			return w.toString();
		}
	};
}
