/** Joining, splitting and index-driven primitives: cat, stack, gather, index_select, index(). */
import { definePrimitive, record } from '../autograd';
import { int64, promoteTypes } from '../dtype';
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors';
import { formatShape, normalizeDim } from '../shape';
import type { Tensor } from '../tensor';
import { backendOf, emptyOn, runCopy, viewOf } from './kernel';
import { singleDim, type DimOptions } from './args';
import { narrow, select, slice, unsqueeze } from './movement';

type CatParams = { dim: number; sizes: number[] };

const Cat = definePrimitive<CatParams>({
	gradFn: 'CatBackward0',
	backward: (g, { params }) => {
		let start = 0;
		return params.sizes.map((size) => {
			const part = narrow(g, params.dim, start, size);
			start += size;
			return part;
		});
	}
});

function checkJoinable(op: string, tensors: readonly Tensor[]): void {
	if (tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of Tensors`);
	backendOf(op, ...tensors);
}

/** Joins tensors along an existing dim, as `torch.cat`. */
export function cat(tensors: readonly Tensor[], dim: number | DimOptions = 0): Tensor {
	checkJoinable('cat', tensors);
	// PyTorch skips 1-D empty tensors, a legacy allowance for building lists.
	const parts = tensors.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0));
	if (parts.length === 0) return tensors[0].clone();
	const ref = parts[0];
	const d = normalizeDim(singleDim('cat', dim, 0), ref.shape.length, 'cat');
	for (const t of parts) {
		const matches =
			t.shape.length === ref.shape.length && t.shape.every((s, i) => i === d || s === ref.shape[i]);
		if (!matches) {
			throw new ShapeError(
				`cat: Sizes of tensors must match except in dimension ${d}, got shapes ${formatShape(ref.shape)} and ${formatShape(t.shape)}`
			);
		}
	}

	const sizes = parts.map((t) => t.shape[d]);
	const shape = ref.shape.slice();
	shape[d] = sizes.reduce((a, b) => a + b, 0);
	const dtype = parts.map((t) => t.dtype).reduce(promoteTypes);
	const out = emptyOn(ref.storage.backend, shape, dtype);
	let start = 0;
	for (const t of parts) {
		t.storage.backend.copy(t, narrowView(out, d, start, t.shape[d]));
		start += t.shape[d];
	}
	return record(Cat, { dim: d, sizes }, parts, out);
}

function narrowView(x: Tensor, dim: number, start: number, length: number): Tensor {
	const shape = x.shape.slice();
	shape[dim] = length;
	return viewOf(x, shape, x.strides, x.offset + start * x.strides[dim]);
}

type StackParams = { dim: number; count: number };

const Stack = definePrimitive<StackParams>({
	gradFn: 'StackBackward0',
	backward: (g, { params }) =>
		Array.from({ length: params.count }, (_, i) => select(g, params.dim, i))
});

/** Joins same-shaped tensors along a new dim, as `torch.stack`. */
export function stack(tensors: readonly Tensor[], dim: number | DimOptions = 0): Tensor {
	checkJoinable('stack', tensors);
	const ref = tensors[0];
	const d = normalizeDim(singleDim('stack', dim, 0), ref.shape.length + 1, 'stack');
	for (const t of tensors) {
		if (t.shape.length !== ref.shape.length || t.shape.some((s, i) => s !== ref.shape[i])) {
			throw new ShapeError(
				`stack: stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${tensors.indexOf(t)}`
			);
		}
	}
	const shape = ref.shape.slice();
	shape.splice(d, 0, tensors.length);
	const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
	const out = emptyOn(ref.storage.backend, shape, dtype);
	tensors.forEach((t, i) => {
		const target = narrowView(out, d, i, 1);
		t.storage.backend.copy(t, withoutDim(target, d));
	});
	return record(Stack, { dim: d, count: tensors.length }, tensors, out);
}

function withoutDim(x: Tensor, dim: number): Tensor {
	const shape = x.shape.filter((_, i) => i !== dim);
	const strides = x.strides.filter((_, i) => i !== dim);
	return viewOf(x, shape, strides, x.offset);
}

/** Pieces of `size` (or of the listed sizes) along `dim`, as `torch.split`. */
export function split(
	x: Tensor,
	sizes: number | readonly number[],
	dim: number | DimOptions = 0
): Tensor[] {
	const d = normalizeDim(singleDim('split', dim, 0), x.shape.length, 'split');
	const total = x.shape[d];
	let lengths: number[];
	if (typeof sizes === 'number') {
		if (!(sizes > 0)) throw new ValueError(`split: split_size must be positive, got ${sizes}`);
		lengths = [];
		for (let start = 0; start < total; start += sizes) lengths.push(Math.min(sizes, total - start));
		if (total === 0) lengths.push(0);
	} else {
		lengths = sizes.slice();
		if (lengths.reduce((a, b) => a + b, 0) !== total) {
			throw new ShapeError(
				`split_with_sizes expects split_sizes to sum exactly to ${total} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(lengths)}`
			);
		}
	}
	let start = 0;
	return lengths.map((length) => {
		const part = narrow(x, d, start, length);
		start += length;
		return part;
	});
}

/** `chunks` nearly equal pieces along `dim`, as `torch.chunk`. */
export function chunk(x: Tensor, chunks: number, dim: number | DimOptions = 0): Tensor[] {
	if (!(chunks > 0)) throw new ValueError(`chunk: chunks must be positive, got ${chunks}`);
	const d = normalizeDim(singleDim('chunk', dim, 0), x.shape.length, 'chunk');
	return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/** Splits x into its slices along `dim`, as `torch.unbind`. */
export function unbind(x: Tensor, dim: number | DimOptions = 0): Tensor[] {
	const d = normalizeDim(singleDim('unbind', dim, 0), x.shape.length, 'unbind');
	return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

function checkIndexTensor(op: string, index: Tensor): void {
	if (index.dtype !== int64) {
		throw new DTypeError(
			`${op}(): Expected dtype int64 for index, got ${index.dtype}. Create it with { dtype: torch.int64 }`
		);
	}
}

type DimParams = { dim: number };

const IndexSelect = definePrimitive<DimParams>({
	gradFn: 'IndexSelectBackward0',
	backward: (g, { saved, params, inputShapes }) => [
		g.new_zeros(inputShapes[0]).index_add_(params.dim, saved[0], g)
	]
});

/**
 * Reads `(dim, index)`, `({ dim }, index)` or `(index, { dim })`, the orders a port of
 * `f(x, dim, index)` or `f(x, index=..., dim=...)` produces.
 */
function dimAndIndex(op: string, first: IndexDimArg, second: IndexDimArg): [number, Tensor] {
	if (isTensor(first) && !isTensor(second)) return [singleDim(op, second), first];
	if (!isTensor(first) && isTensor(second)) return [singleDim(op, first), second];
	throw new ValueError(
		`${op}: expected (dim, index) or (index, { dim }) with one int64 index tensor, got ${describeArg(first)} and ${describeArg(second)}`
	);
}

type IndexDimArg = number | DimOptions | Tensor;

function isTensor(value: unknown): value is Tensor {
	return typeof value === 'object' && value !== null && 'storage' in value;
}

function describeArg(value: unknown): string {
	return isTensor(value) ? 'a tensor' : JSON.stringify(value);
}

/** Entries at `index` (1-D int64) along `dim`, as `torch.index_select`. */
export function index_select(x: Tensor, dimArg: IndexDimArg, indexArg: IndexDimArg): Tensor {
	const [dim, index] = dimAndIndex('index_select', dimArg, indexArg);
	checkIndexTensor('index_select', index);
	if (index.shape.length > 1) {
		throw new ShapeError(
			`index_select(): Index is supposed to be a vector, got shape ${formatShape(index.shape)}`
		);
	}
	const d = normalizeDim(dim, x.shape.length, 'index_select');
	const backend = backendOf('index_select', x, index);
	const shape = x.shape.slice();
	if (shape.length > 0) shape[d] = index.shape.length === 0 ? 1 : index.shape[0];
	const out = emptyOn(backend, shape, x.dtype);
	backend.indexSelect(x, d, index, out);
	return record(IndexSelect, { dim: d }, [x], out, [index]);
}

const Gather = definePrimitive<DimParams>({
	gradFn: 'GatherBackward0',
	backward: (g, { saved, params, inputShapes }) => [
		g.new_zeros(inputShapes[0]).scatter_add(params.dim, saved[0], g)
	]
});

/** out[i][j] = x[i][index[i][j]] along `dim`, as `torch.gather`. */
export function gather(x: Tensor, dimArg: IndexDimArg, indexArg: IndexDimArg): Tensor {
	const [dim, index] = dimAndIndex('gather', dimArg, indexArg);
	checkIndexTensor('gather', index);
	const d = normalizeDim(dim, x.shape.length, 'gather');
	checkScatterShapes('gather', x, d, index);
	const backend = backendOf('gather', x, index);
	const out = emptyOn(backend, index.shape, x.dtype);
	backend.gather(x, d, index, out);
	return record(Gather, { dim: d }, [x], out, [index]);
}

function checkScatterShapes(op: string, x: Tensor, dim: number, index: Tensor, src?: Tensor): void {
	const fits =
		index.shape.length === x.shape.length &&
		index.shape.every((s, d) => d === dim || s <= x.shape[d]) &&
		(!src || index.shape.every((s, d) => s <= src.shape[d]));
	if (!fits) {
		throw new ShapeError(
			`${op}: Size does not match at dimension ${dim}: index ${formatShape(index.shape)} must have the rank of input ${formatShape(x.shape)} and no larger size outside dim ${dim}`
		);
	}
}

const ScatterAdd = definePrimitive<DimParams>({
	gradFn: 'ScatterAddBackward0',
	backward: (g, { saved, params }) => [g, g.gather(params.dim, saved[0])]
});

/** x with src added at `index` along `dim`, as `Tensor.scatter_add`. */
export function scatter_add(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
	checkIndexTensor('scatter_add', index);
	const d = normalizeDim(dim, x.shape.length, 'scatter_add');
	checkScatterShapes('scatter_add', x, d, index, src);
	const backend = backendOf('scatter_add', x, index, src);
	const out = runCopy(x);
	backend.scatterAdd(out, d, index, src.dtype === x.dtype ? src : runCopy(src, x.dtype));
	return record(ScatterAdd, { dim: d }, [x, src], out, [index]);
}

/**
 * Applies a Python-style index written as a string, as `x[...]`: integers (negative count
 * from the end), slices `start:stop:step`, `...` and `None`, separated by commas.
 */
export function index(x: Tensor, spec: string | number): Tensor {
	if (typeof spec !== 'string' && typeof spec !== 'number') {
		// Cell code is not type-checked at run time, so a tensor can arrive here.
		const value: unknown = spec;
		const got = isTensor(value) ? `a ${value.dtype} tensor` : typeof value;
		throw new IndexError(
			`index: expected a string such as ':, 1:3' or an integer, got ${got}. Boolean and tensor indexing (x[mask], x[idx]) are not supported yet: use torch.where(mask, x, other), x.masked_fill(mask, value) or x.index_select(dim, idx). (masked_select is missing too, because its output size depends on the mask's values.)`
		);
	}
	const items = typeof spec === 'number' ? [String(spec)] : splitSpec(spec);
	const consuming = items.filter((item) => item !== '...' && item !== 'None').length;
	if (consuming > x.shape.length) {
		throw new IndexError(
			`index: too many indices for tensor of dimension ${x.shape.length}: '${spec}' indexes ${consuming} dims`
		);
	}
	if (items.filter((item) => item === '...').length > 1) {
		throw new IndexError(`index: an index can only have a single ellipsis ('...'), got '${spec}'`);
	}

	let result = x;
	let dim = 0;
	for (const item of items) {
		if (item === '...') dim += x.shape.length - consuming;
		else if (item === 'None') result = unsqueeze(result, dim++);
		else if (item.includes(':')) result = applySlice(result, dim++, item, spec);
		else result = select(result, dim, parseInteger(item, spec));
	}
	return result;
}

function splitSpec(spec: string): string[] {
	const trimmed = spec.trim();
	if (trimmed === '') return [];
	return trimmed.split(',').map((part) => part.trim());
}

function applySlice(x: Tensor, dim: number, item: string, spec: string | number): Tensor {
	const parts = item.split(':');
	if (parts.length > 3) throw new IndexError(`index: invalid slice '${item}' in '${spec}'`);
	const [start, stop, step] = parts.map((p) => (p.trim() === '' ? null : parseInteger(p, spec)));
	if (start === null && stop === null && (step === null || step === 1)) return x;
	return slice(x, dim, start ?? 0, stop ?? Infinity, step ?? 1);
}

function parseInteger(text: string, spec: string | number): number {
	const value = Number(text.trim());
	if (text.trim() === '' || !Number.isInteger(value)) {
		throw new IndexError(
			`index: expected integers, slices (start:stop:step), '...' or 'None', got '${text.trim()}' in '${spec}'`
		);
	}
	return value;
}

/** Tiles x `sizes[d]` times along each dim, as `Tensor.repeat`. */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
	if (sizes.length < x.shape.length) {
		throw new ShapeError(
			`repeat: Number of dimensions of repeat dims (${sizes.length}) can not be smaller than number of dimensions of tensor (${x.shape.length})`
		);
	}
	const padded = [...sizes.slice(0, sizes.length - x.shape.length).map(() => 1), ...x.shape];
	// View x as [1, s0, 1, s1, ...], expand the 1s to the repeat counts, then merge pairs.
	const interleaved = padded.flatMap((s) => [1, s]);
	const expanded = padded.flatMap((s, d) => [sizes[d], s]);
	const result = x.reshape(interleaved).expand(expanded);
	return result.reshape(padded.map((s, d) => s * sizes[d]));
}

export const primitives = { Cat, Stack, IndexSelect, Gather, ScatterAdd };
