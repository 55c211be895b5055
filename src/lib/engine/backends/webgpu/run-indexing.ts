/** Records gather, index_select, scatter_add, index_add and cumsum. */
import type { View } from '../backend';
import { product } from './layout';
import { bind, bindOutput, contiguousCopy, type BoundView } from './run-elementwise';
import type { GpuRuntime } from './runtime';
import { addShapeParams, addViewParams, foldWorkgroups, Params, wgslTypeOf } from './wgsl/emit';
import { indexBindings, indexSource, scanSource, type IndexKernelOp } from './wgsl/indexing';
import { collapseDims } from './layout';

const WORKGROUP_SIZE = 256;

interface IndexCall {
	op: IndexKernelOp;
	dim: number;
	/** The tensor written: the output (gather, index_select) or the accumulator (in place). */
	out: View;
	/** The tensor read from (gather, index_select) or added (scatter_add, index_add). */
	source: View;
	index: View;
}

export function runIndex(rt: GpuRuntime, call: IndexCall): void {
	const accumulates = call.op === 'scatter_add' || call.op === 'index_add';
	const outStorage = rt.storageOf(call.out);
	const scratch: BoundView[] = [];
	const input = (view: View) => {
		const bound = bind(rt, view);
		if (bound.storage !== outStorage) return bound;
		const copy = contiguousCopy(rt, bound);
		scratch.push(copy);
		return copy;
	};
	const source = input(call.source);
	const index = input(call.index);
	// scatter_add and index_add add into what out holds, so they read it too.
	const out = accumulates ? bind(rt, call.out) : bindOutput(rt, call.out);
	const numel = product(out.shape);
	if (numel === 0) return;

	const rank = out.shape.length;
	const dim = rank === 0 ? 0 : call.dim;
	const spec = {
		op: call.op,
		type: wgslTypeOf(out.dtype),
		rank,
		dim,
		workgroupSize: WORKGROUP_SIZE
	};

	const params = new Params().u32('numel', numel);
	// The size of dim in the tensor indexed into, which valid indices stay below.
	// The size of dim in the tensor indexed into, which valid indices stay below.
	const indexed = accumulates ? out : source;
	params.u32('size', rank === 0 ? 1 : indexed.shape[dim]);
	// How many source elements an accumulating thread checks.
	let count = 0;
	if (call.op === 'scatter_add') count = index.shape[dim];
	if (call.op === 'index_add') count = index.shape[0];
	params.u32('count', count);
	addShapeParams(params, 'shape', out.shape);
	if (call.op === 'scatter_add') addShapeParams(params, 'index', index.shape);
	addViewParams(params, 'out', out.strides, out.offset);
	addViewParams(params, accumulates ? 'src' : 'x', source.strides, source.offset);
	addViewParams(params, 'index', index.strides, index.offset);

	const buffers = indexBindings(spec).map((name) => {
		if (name === 'out') return out.storage.buffer;
		if (name === 'index') return index.storage.buffer;
		if (name === 'status') return rt.statusBuffer;
		return source.storage.buffer;
	});
	const groups = Math.ceil(numel / WORKGROUP_SIZE);
	const workgroups = foldWorkgroups(groups, rt.context.limits.maxComputeWorkgroupsPerDimension);
	rt.run(indexSource(spec, params), params, buffers, workgroups);
	for (const copy of scratch) rt.release(copy.storage);
}

export function runCumsum(rt: GpuRuntime, xView: View, dim: number, outView: View): void {
	let x = bind(rt, xView);
	const aliased = x.storage === rt.storageOf(outView);
	if (aliased) x = contiguousCopy(rt, x);
	const out = bindOutput(rt, outView);
	const rank = x.shape.length;
	const length = rank === 0 ? 1 : x.shape[dim];
	const kept = [...Array(rank).keys()].filter((d) => d !== dim);
	const collapsed = collapseDims(
		kept.map((d) => x.shape[d]),
		[kept.map((d) => x.strides[d]), kept.map((d) => out.strides[d])]
	);
	const rows = product(collapsed.shape);
	if (rows * length === 0) return;

	const spec = {
		inType: wgslTypeOf(x.dtype),
		type: wgslTypeOf(out.dtype),
		keptRank: collapsed.shape.length,
		workgroupSize: 64
	};
	const params = new Params().u32('rows', rows).u32('length', length);
	addShapeParams(params, 'kept', collapsed.shape);
	params.u32('x_offset', x.offset).u32('x_dim_stride', rank === 0 ? 0 : x.strides[dim]);
	collapsed.strides[0].forEach((s, d) => params.u32(`x_kept_stride_${d}`, s));
	params.u32('out_offset', out.offset).u32('out_dim_stride', rank === 0 ? 0 : out.strides[dim]);
	collapsed.strides[1].forEach((s, d) => params.u32(`out_kept_stride_${d}`, s));

	const groups = Math.ceil(rows / spec.workgroupSize);
	const workgroups = foldWorkgroups(groups, rt.context.limits.maxComputeWorkgroupsPerDimension);
	rt.run(scanSource(spec, params), params, [out.storage.buffer, x.storage.buffer], workgroups);
	if (aliased) rt.release(x.storage);
}
