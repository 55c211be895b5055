/**
 * Records reductions: splits the input's dims into kept and reduced, merges each group, and
 * chains passes. Rows longer than `perThread` elements are folded into partial results by
 * several threads each, until one thread per row can finish. The Euclidean norm runs as
 * max |x| per row, then a sum of squares scaled by that max, so no square is subnormal or
 * overflows on the way. When one thread can take a whole row, it does both in one dispatch.
 */
import type { ReduceOp, View } from '../backend';
import { bind, bindOutput, type BoundView } from './run-elementwise';
import { collapseDims, product } from './layout';
import type { GpuRuntime } from './runtime';
import { addShapeParams, foldWorkgroups, Params, wgslTypeOf, type WgslType } from './wgsl/emit';
import { reduceBindings, reduceSource, type ReduceKernelOp, type ReduceSpec } from './wgsl/reduce';
import { runElementwise } from './run-elementwise';

/**
 * Elements one thread folds in a pass. Longer rows get ceil(cols / perThread) threads each and
 * a further pass over their partial results. A GPU runs many short threads best. An adapter
 * that runs on the CPU pays about 0.1 ms per dispatch, more than a loop of 4096 elements.
 */
const perThread = (rt: GpuRuntime) => (rt.context.runsOnCpu ? 4096 : 64);

interface Geometry {
	keptShape: number[];
	xKept: number[];
	/** Strides of the second input of a squared-difference reduction; empty otherwise. */
	yKept: number[];
	yReduced: number[];
	outKept: number[];
	indexKept: number[];
	reducedShape: number[];
	xReduced: number[];
	rows: number;
	cols: number;
}

/** The row input of one pass: the tensor itself, or partial results of an earlier pass. */
type PassInput =
	| { kind: 'view'; x: BoundView; y?: BoundView }
	| { kind: 'partials'; values: GPUBuffer; indices: GPUBuffer | null; cols: number };

/** An output buffer and the offset of its view; the strides are in the geometry. */
interface Target {
	buffer: GPUBuffer;
	offset: number;
}

const targetOf = (view: BoundView): Target => ({
	buffer: view.storage.buffer,
	offset: view.offset
});

/** The destination of one pass: the output views, or partial results [rows, chunks]. */
type PassOutput =
	| { kind: 'views'; values: Target | null; indices: Target | null }
	| { kind: 'partials'; values: GPUBuffer; indices: GPUBuffer | null };

function geometryOf(
	x: BoundView,
	dims: readonly number[],
	out: BoundView,
	indices: BoundView | null,
	y: BoundView | null = null
): Geometry {
	const kept: number[] = [];
	const reduced: number[] = [];
	for (let d = 0; d < x.shape.length; d++) (dims.includes(d) ? reduced : kept).push(d);
	// y's strides collapse with x's, so merged dims are contiguous in both.
	const keptCollapsed = collapseDims(
		kept.map((d) => x.shape[d]),
		[
			kept.map((d) => x.strides[d]),
			kept.map((d) => out.strides[d]),
			kept.map((d) => (indices ?? out).strides[d]),
			kept.map((d) => (y ?? x).strides[d])
		]
	);
	const reducedCollapsed = collapseDims(
		reduced.map((d) => x.shape[d]),
		[reduced.map((d) => x.strides[d]), reduced.map((d) => (y ?? x).strides[d])]
	);
	return {
		keptShape: keptCollapsed.shape,
		xKept: keptCollapsed.strides[0],
		yKept: y ? keptCollapsed.strides[3] : [],
		yReduced: y ? reducedCollapsed.strides[1] : [],
		outKept: keptCollapsed.strides[1],
		indexKept: keptCollapsed.strides[2],
		reducedShape: reducedCollapsed.shape,
		xReduced: reducedCollapsed.strides[0],
		rows: product(keptCollapsed.shape),
		cols: product(reducedCollapsed.shape)
	};
}

/** Value of a reduction over zero elements, as PyTorch returns it. */
const EMPTY: Partial<Record<ReduceOp, number>> = {
	sum: 0,
	mean: NaN,
	prod: 1,
	all: 1,
	any: 0,
	norm2: 0,
	sum_squares: 0,
	mean_squares: NaN
};

export function runReduce(
	rt: GpuRuntime,
	op: ReduceOp,
	xView: View,
	dims: readonly number[],
	outView: View
): void {
	const x = bind(rt, xView);
	const out = bindOutput(rt, outView);
	const geometry = geometryOf(x, dims, out, null);
	if (geometry.rows === 0) return;
	if (geometry.cols === 0) {
		runElementwise(rt, 'fill', [], outView, 0, 0, EMPTY[op] ?? NaN);
		return;
	}
	const inType = wgslTypeOf(x.dtype);
	const outType = wgslTypeOf(out.dtype);
	const views: PassOutput = { kind: 'views', values: targetOf(out), indices: null };

	if (op === 'norm2') {
		runNorm(rt, x, geometry, views, outType);
		return;
	}
	// all and any fold flags; the others fold values, and bools count as integers.
	let accType: WgslType = inType === 'u32' ? 'i32' : inType;
	if (op === 'all' || op === 'any') accType = 'u32';
	reduceAll(rt, op, { kind: 'view', x }, geometry, views, { inType, accType, outType });
}

/**
 * Records the sum or mean of (a - b)^2 over every element of a and b, which have one shape and
 * one dtype, into the one-element `outView`: F.mse_loss's forward pass in one dispatch.
 */
export function runReduceSquaredDifference(
	rt: GpuRuntime,
	op: 'sum' | 'mean',
	aView: View,
	bView: View,
	outView: View
): void {
	const a = bind(rt, aView);
	const b = bind(rt, bView);
	const out = bindOutput(rt, outView);
	const dims = a.shape.map((_, d) => d);
	const geometry = geometryOf(a, dims, out, null, b);
	if (geometry.cols === 0) {
		runElementwise(rt, 'fill', [], outView, 0, 0, op === 'sum' ? 0 : NaN);
		return;
	}
	const inType = wgslTypeOf(a.dtype);
	const views: PassOutput = { kind: 'views', values: targetOf(out), indices: null };
	const kernelOp = op === 'sum' ? 'sum_squared_difference' : 'mean_squared_difference';
	const types = { inType, accType: inType, outType: wgslTypeOf(out.dtype) };
	reduceAll(rt, kernelOp, { kind: 'view', x: a, y: b }, geometry, views, types);
}

export function runArgReduce(
	rt: GpuRuntime,
	op: 'max' | 'min',
	xView: View,
	dim: number,
	valuesView: View | null,
	indicesView: View
): void {
	const x = bind(rt, xView);
	const indices = bindOutput(rt, indicesView);
	const values = valuesView ? bindOutput(rt, valuesView) : null;
	const dims = x.shape.length === 0 ? [] : [dim];
	const geometry = geometryOf(x, dims, values ?? indices, indices);
	if (geometry.rows === 0) return;
	const inType = wgslTypeOf(x.dtype);
	const accType: WgslType = inType === 'u32' ? 'i32' : inType;
	const outType = values ? wgslTypeOf(values.dtype) : accType;
	const kernelOp = op === 'max' ? 'argmax' : 'argmin';
	const targets: PassOutput = {
		kind: 'views',
		values: values && targetOf(values),
		indices: targetOf(indices)
	};
	reduceAll(rt, kernelOp, { kind: 'view', x }, geometry, targets, { inType, accType, outType });
}

interface Types {
	inType: WgslType;
	accType: WgslType;
	outType: WgslType;
}

// sqrt(sum x^2) as max|x| * sqrt(sum (x / max|x|)^2), with the scaling by a power of two.
function runNorm(
	rt: GpuRuntime,
	x: BoundView,
	geometry: Geometry,
	out: PassOutput,
	outType: WgslType
): void {
	const types: Types = { inType: wgslTypeOf(x.dtype), accType: 'f32', outType };
	if (geometry.cols <= perThread(rt)) {
		// One thread per row finds the max and then sums, in one dispatch.
		runPass(rt, 'norm2_scaled', { kind: 'view', x }, geometry, out, types, 1, null, true);
		return;
	}
	const rowMax = rt.scratch(geometry.rows * 4);
	const contiguousKept = contiguousStridesOf(geometry.keptShape);
	const maxOut: Target = { buffer: rowMax.buffer, offset: 0 };
	const maxGeometry = { ...geometry, outKept: contiguousKept, indexKept: contiguousKept };
	const f32: Types = { inType: wgslTypeOf(x.dtype), accType: 'f32', outType: 'f32' };
	reduceAll(
		rt,
		'max_abs',
		{ kind: 'view', x },
		maxGeometry,
		{ kind: 'views', values: maxOut, indices: null },
		f32
	);
	reduceAll(
		rt,
		'norm2_scaled',
		{ kind: 'view', x },
		geometry,
		out,
		{ ...f32, outType },
		rowMax.buffer
	);
	rt.releaseScratch(rowMax);
}

function contiguousStridesOf(shape: readonly number[]): number[] {
	const strides = new Array<number>(shape.length);
	let step = 1;
	for (let d = shape.length - 1; d >= 0; d--) {
		strides[d] = step;
		step *= shape[d];
	}
	return strides;
}

/** Runs as many passes as the row length needs, ending in `output`. */
function reduceAll(
	rt: GpuRuntime,
	op: ReduceKernelOp,
	input: PassInput,
	geometry: Geometry,
	output: PassOutput,
	types: Types,
	rowMax: GPUBuffer | null = null
): void {
	const cols = input.kind === 'view' ? geometry.cols : input.cols;
	if (cols <= perThread(rt)) {
		runPass(rt, op, input, geometry, output, types, 1, rowMax);
		return;
	}

	const chunks = Math.ceil(cols / perThread(rt));
	const arg = op === 'argmax' || op === 'argmin';
	const count = geometry.rows * chunks;
	const values = rt.scratch(count * 4);
	const indices = arg ? rt.scratch(count * 4) : null;
	const partials: PassOutput = {
		kind: 'partials',
		values: values.buffer,
		indices: indices?.buffer ?? null
	};
	runPass(rt, op, input, geometry, partials, types, chunks, rowMax);
	const next: PassInput = {
		kind: 'partials',
		values: values.buffer,
		indices: indices?.buffer ?? null,
		cols: chunks
	};
	reduceAll(rt, op, next, geometry, output, types, rowMax);
	rt.releaseScratch(values);
	if (indices) rt.releaseScratch(indices);
}

function runPass(
	rt: GpuRuntime,
	op: ReduceKernelOp,
	input: PassInput,
	geometry: Geometry,
	output: PassOutput,
	types: Types,
	chunks: number,
	rowMax: GPUBuffer | null,
	fusedMax = false
): void {
	const arg = op === 'argmax' || op === 'argmin';
	const fromPartials = input.kind === 'partials';
	const toPartials = output.kind === 'partials';
	const threads = geometry.rows * chunks;
	const workgroupSize = threads >= 1024 ? 256 : 64;
	const spec: ReduceSpec = {
		op,
		inType: types.inType,
		accType: types.accType,
		outType: types.outType,
		keptRank: geometry.keptShape.length,
		reducedRank: fromPartials ? 0 : geometry.reducedShape.length,
		workgroupSize,
		fromPartials,
		toPartials,
		writesValues: arg && output.kind === 'views' && output.values !== null,
		fusedMax
	};
	const cols = fromPartials ? input.cols : geometry.cols;

	const params = new Params()
		.u32('rows', geometry.rows)
		.u32('cols', cols)
		.u32('chunks', chunks)
		.f32('count', geometry.cols);
	addShapeParams(params, 'kept', geometry.keptShape);
	if (!fromPartials) addShapeParams(params, 'reduced', geometry.reducedShape);
	const x = input.kind === 'view' ? input.x : null;
	params.u32('x_offset', x?.offset ?? 0);
	geometry.xKept.forEach((s, d) => params.u32(`x_kept_stride_${d}`, s));
	if (!fromPartials) geometry.xReduced.forEach((s, d) => params.u32(`x_reduced_stride_${d}`, s));
	const y = input.kind === 'view' ? input.y : undefined;
	if (y) {
		params.u32('y_offset', y.offset);
		geometry.yKept.forEach((s, d) => params.u32(`y_kept_stride_${d}`, s));
		geometry.yReduced.forEach((s, d) => params.u32(`y_reduced_stride_${d}`, s));
	}
	const views = output.kind === 'views' ? output : null;
	params.u32('out_offset', views?.values?.offset ?? 0);
	geometry.outKept.forEach((s, d) => params.u32(`out_stride_${d}`, s));
	params.u32('out_index_offset', views?.indices?.offset ?? 0);
	geometry.indexKept.forEach((s, d) => params.u32(`out_index_stride_${d}`, s));

	const buffers = reduceBindings(spec).map((name) => {
		switch (name) {
			case 'out':
				return output.kind === 'partials' ? output.values : output.values!.buffer;
			case 'out_index':
				return output.kind === 'partials' ? output.indices! : output.indices!.buffer;
			case 'x':
				return input.kind === 'partials' ? input.values : input.x.storage.buffer;
			case 'x_index':
				return (input as { indices: GPUBuffer }).indices;
			case 'y':
				return y!.storage.buffer;
			default:
				return rowMax!;
		}
	});

	const limit = rt.context.limits.maxComputeWorkgroupsPerDimension;
	const workgroups = foldWorkgroups(Math.ceil(threads / workgroupSize), limit);
	rt.run(reduceSource(spec, params), params, buffers, workgroups);
}
