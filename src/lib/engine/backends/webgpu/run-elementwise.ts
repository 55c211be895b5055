/**
 * Records elementwise kernels for backend calls: picks the compute type, handles operands
 * that share the output's storage, merges dims and packs the uniforms.
 */
import type { DType } from '../../dtype';
import { broadcastStrides, contiguousStrides, isContiguous } from '../../shape';
import type { View } from '../backend';
import { collapseDims, product, sameGeometry } from './layout';
import type { GpuRuntime, GpuStorage } from './runtime';
import {
	addShapeParams,
	addViewParams,
	foldWorkgroups,
	Params,
	wgslTypeOf,
	type WgslType
} from './wgsl/emit';
import {
	ELEMENTS_PER_THREAD,
	elementwiseSource,
	INTEGER_OPS,
	PREDICATES,
	USES_P,
	USES_Q,
	WORKGROUP_SIZE,
	type ElementwiseOp,
	type OperandSpec
} from './wgsl/elementwise';

const NAMES = ['a', 'b', 'c'];

/** A view whose storage is known to be on this runtime. */
export interface BoundView {
	storage: GpuStorage;
	shape: readonly number[];
	strides: readonly number[];
	offset: number;
	dtype: DType;
}

/** Binds a view that a kernel reads (or reads and writes), zero-filling it first if deferred. */
export function bind(rt: GpuRuntime, view: View): BoundView {
	const storage = rt.storageOf(view);
	rt.zeroIfPending(storage);
	return boundView(storage, view);
}

/**
 * Binds a view that a kernel only writes, every element of it. Deferred zero-filling is
 * skipped when the view covers its whole storage. Bind the kernel's inputs first, in case one
 * of them is this storage.
 */
export function bindOutput(rt: GpuRuntime, view: View): BoundView {
	const storage = rt.storageOf(view);
	if (storage.needsZero) {
		const whole = view.offset === 0 && product(view.shape) === storage.size;
		if (whole && isContiguous(view.shape, view.strides)) storage.needsZero = false;
		else rt.zeroIfPending(storage);
	}
	return boundView(storage, view);
}

function boundView(storage: GpuStorage, view: View): BoundView {
	const { shape, strides, offset, dtype } = view;
	return { storage, shape, strides, offset, dtype };
}

/** Largest and smallest int64 values the GPU's i32 storage holds. */
const I32_MAX = 2147483647;
const I32_MIN = -2147483648;

function scalarIn(type: WgslType, value: number): number {
	if (type === 'f32') return value;
	if (Number.isNaN(value)) return 0;
	return Math.min(Math.max(Math.trunc(value), I32_MIN), I32_MAX);
}

function computeTypeOf(
	op: ElementwiseOp,
	operands: readonly (BoundView | number)[],
	outType: WgslType
): WgslType {
	const types = operands.map((o) => (typeof o === 'number' ? null : wgslTypeOf(o.dtype)));
	const hasFloatScalar = operands.some((o) => typeof o === 'number' && !Number.isInteger(o));
	const anyFloat = types.includes('f32') || hasFloatScalar;
	if (op === 'copy') return types[0] ?? outType;
	if (op === 'fill' || op === 'where') return outType;
	if (PREDICATES.has(op)) return anyFloat ? 'f32' : 'i32';
	if (outType === 'f32' || anyFloat || !INTEGER_OPS.has(op)) return 'f32';
	return 'i32';
}

/**
 * Records `out = op(operands)`. An operand that is `out` itself (an in-place op) is read
 * through the output binding; one that overlaps it differently is copied first.
 */
export function runElementwise(
	rt: GpuRuntime,
	op: ElementwiseOp,
	inputs: readonly (View | number)[],
	outView: View,
	p = 0,
	q = 0,
	value = 0
): void {
	const numel = product(outView.shape);
	if (numel === 0) return;
	const outStorage = rt.storageOf(outView);
	const outType = wgslTypeOf(outView.dtype);

	const scratch: GpuStorage[] = [];
	const operands = inputs.map((input) => {
		if (typeof input === 'number') return input;
		const view = bind(rt, input);
		if (view.storage !== outStorage || sameGeometry(view, outView)) return view;
		const copy = contiguousCopy(rt, view);
		scratch.push(copy.storage);
		return copy;
	});
	const out = bindOutput(rt, outView);
	const computeType = computeTypeOf(op, operands, outType);

	const tensors = operands.filter((o): o is BoundView => typeof o !== 'number');
	const viaOutput = tensors.map((v) => v.storage === out.storage);
	const strideLists = [
		out.strides,
		...tensors.map((v) => broadcastStrides(v.shape, v.strides, out.shape))
	];
	const collapsed = collapseDims(out.shape, strideLists);

	const rank = collapsed.shape.length;
	const flat = rank === 1 && collapsed.strides.every((strides) => strides[0] === 1);
	if (op === 'copy' && (flat || rank === 0) && !viaOutput[0]) {
		const [input] = tensors;
		if (wgslTypeOf(input.dtype) === outType) {
			// On SwiftShader (Chromium 156) a small buffer copy took 2.4 us, and a dispatch 25 to 70 us.
			const bytes = 4;
			rt.copy(
				input.storage.buffer,
				input.offset * bytes,
				out.storage.buffer,
				out.offset * bytes,
				numel * bytes
			);
			for (const storage of scratch) rt.release(storage);
			return;
		}
	}

	const specs: OperandSpec[] = [];
	const params = new Params().u32('numel', numel);
	addShapeParams(params, 'shape', collapsed.shape);
	addViewParams(params, 'out', collapsed.strides[0], out.offset);
	const buffers = [out.storage.buffer];
	let tensorIndex = 0;
	operands.forEach((operand, k) => {
		if (typeof operand === 'number') {
			specs.push({ kind: 'scalar' });
			params.scalar(`${NAMES[k]}_value`, computeType, scalarIn(computeType, operand));
			return;
		}
		const alias = viaOutput[tensorIndex];
		specs.push({ kind: 'tensor', type: wgslTypeOf(operand.dtype), viaOutput: alias });
		if (!alias) {
			addViewParams(params, NAMES[k], collapsed.strides[tensorIndex + 1], operand.offset);
			buffers.push(operand.storage.buffer);
		}
		tensorIndex++;
	});
	if (USES_P.has(op)) params.scalar('p', computeType, scalarIn(computeType, p));
	if (USES_Q.has(op)) params.scalar('q', computeType, scalarIn(computeType, q));
	if (op === 'fill') params.scalar('value', outType, scalarIn(outType, value));

	const spec = { op, operands: specs, computeType, outType, rank, flat };
	const perThread = flat ? ELEMENTS_PER_THREAD : 1;
	const groups = Math.ceil(numel / (WORKGROUP_SIZE * perThread));
	const workgroups = foldWorkgroups(groups, rt.context.limits.maxComputeWorkgroupsPerDimension);
	rt.run(elementwiseSource(spec, params), params, buffers, workgroups);
	for (const storage of scratch) rt.release(storage);
}

/** Copies `view` into fresh contiguous storage, which the caller releases after using it. */
export function contiguousCopy(
	rt: GpuRuntime,
	view: BoundView,
	dtype: DType = view.dtype
): BoundView {
	const size = product(view.shape);
	const storage = rt.allocate(size, dtype, 4);
	const copy: BoundView = {
		storage,
		shape: view.shape,
		strides: contiguousStrides(view.shape),
		offset: 0,
		dtype
	};
	runElementwise(rt, 'copy', [asView(view)], asView(copy));
	return copy;
}

/** Converts a BoundView back to the backend's View, for calls that take views. */
export function asView(view: BoundView): View {
	return {
		storage: { data: view.storage },
		shape: view.shape,
		strides: view.strides,
		offset: view.offset,
		dtype: view.dtype
	};
}
