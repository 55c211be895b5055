/** Records batched matrix products: broadcast batch dims, merged where possible. */
import { broadcastStrides } from '../../shape';
import type { View } from '../backend';
import { collapseDims, product } from './layout';
import {
	bind,
	bindOutput,
	contiguousCopy,
	runElementwise,
	type BoundView
} from './run-elementwise';
import type { GpuRuntime } from './runtime';
import { addShapeParams, foldWorkgroups, Params, wgslTypeOf } from './wgsl/emit';
import {
	MATMUL_WORKGROUP_SIZE,
	matmulSource,
	type MatmulBlock,
	type MatmulSpec
} from './wgsl/matmul';

/** Below this many workgroups of 8 x 8 blocks, 4 x 4 blocks give the cores more to share. */
const MIN_WORKGROUPS_FOR_BLOCK_8 = 8;

export function runMatmul(rt: GpuRuntime, aView: View, bView: View, outView: View): void {
	const outStorage = rt.storageOf(outView);
	const scratch: BoundView[] = [];
	// The output may not share a binding with an input, so an aliased input is copied first.
	const input = (view: View) => {
		const bound = bind(rt, view);
		if (bound.storage !== outStorage) return bound;
		const copy = contiguousCopy(rt, bound);
		scratch.push(copy);
		return copy;
	};
	const a = input(aView);
	const b = input(bView);
	const out = bindOutput(rt, outView);

	const rank = out.shape.length;
	const n = out.shape[rank - 2];
	const m = out.shape[rank - 1];
	const k = a.shape[a.shape.length - 1];
	const batchShape = out.shape.slice(0, -2);
	const batchStrides = (view: BoundView) =>
		broadcastStrides(view.shape.slice(0, -2), view.strides.slice(0, -2), batchShape);
	const batch = collapseDims(batchShape, [
		batchStrides(a),
		batchStrides(b),
		out.strides.slice(0, -2)
	]);
	const batches = product(batch.shape);
	if (n * m * batches === 0) return;
	if (k === 0) {
		runElementwise(rt, 'fill', [], outView, 0, 0, 0);
		return;
	}

	const type = wgslTypeOf(out.dtype);
	const narrow = m < 4;
	const columns = narrow ? 1 : 8;
	const block = blockFor(n, m, columns, batches);
	const spec: MatmulSpec = {
		type,
		aType: wgslTypeOf(a.dtype),
		bType: wgslTypeOf(b.dtype),
		batchRank: batch.shape.length,
		block,
		narrow
	};
	const params = new Params().u32('n', n).u32('k', k).u32('m', m).u32('batches', batches);
	addShapeParams(params, 'batch', batch.shape);
	[a, b, out].forEach((view, i) => {
		const name = ['a', 'b', 'out'][i];
		const r = view.shape.length;
		params.u32(`${name}_offset`, view.offset);
		batch.strides[i].forEach((s, d) => params.u32(`${name}_batch_stride_${d}`, s));
		params.u32(`${name}_row_stride`, view.strides[r - 2]);
		params.u32(`${name}_col_stride`, view.strides[r - 1]);
	});
	const threads = batches * Math.ceil(n / block) * Math.ceil(m / (narrow ? 1 : block));
	const limit = rt.context.limits.maxComputeWorkgroupsPerDimension;
	const workgroups = foldWorkgroups(Math.ceil(threads / MATMUL_WORKGROUP_SIZE), limit);
	const buffers = [out.storage.buffer, a.storage.buffer, b.storage.buffer];
	rt.run(matmulSource(spec, params), params, buffers, workgroups);
	for (const copy of scratch) rt.release(copy.storage);
}

function blockFor(n: number, m: number, columns: number, batches: number): MatmulBlock {
	const threads = batches * Math.ceil(n / 8) * Math.ceil(m / columns);
	return threads >= MIN_WORKGROUPS_FOR_BLOCK_8 * MATMUL_WORKGROUP_SIZE ? 8 : 4;
}
