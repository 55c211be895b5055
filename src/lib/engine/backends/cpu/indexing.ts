/** Index-driven CPU kernels: gather / scatter_add along a dim, index_select / index_add. */
import { IndexError } from '../../errors';
import type { View } from '../backend';
import { dataOf } from './elementwise';
import { elementOffsets } from './iterate';

function checkIndex(op: string, value: number, dim: number, size: number): number {
	if (!(value >= 0 && value < size)) {
		throw new IndexError(
			`${op}: index ${value} is out of bounds for dimension ${dim} with size ${size}`
		);
	}
	return value;
}

/** Strides of `view` at `shape`'s positions, with `dim`'s stride zeroed. */
function stridesWithout(view: View, dim: number): number[] {
	return view.strides.map((s, d) => (d === dim ? 0 : s));
}

export function gather(x: View, dim: number, index: View, out: View): void {
	const shape = index.shape;
	const xAt = elementOffsets(shape, stridesWithout(x, dim), x.offset);
	const indexAt = elementOffsets(shape, index.strides, index.offset);
	const outAt = elementOffsets(shape, out.strides, out.offset);
	const xd = dataOf(x);
	const id = dataOf(index);
	const o = dataOf(out);
	const size = x.shape.length === 0 ? 1 : x.shape[dim];
	const step = x.shape.length === 0 ? 0 : x.strides[dim];
	for (let e = 0; e < outAt.length; e++) {
		const i = checkIndex('gather', id[indexAt[e]], dim, size);
		o[outAt[e]] = xd[xAt[e] + i * step];
	}
}

export function scatterAdd(out: View, dim: number, index: View, src: View): void {
	const shape = index.shape;
	const outAt = elementOffsets(shape, stridesWithout(out, dim), out.offset);
	const indexAt = elementOffsets(shape, index.strides, index.offset);
	const srcAt = elementOffsets(shape, src.strides, src.offset);
	const o = dataOf(out);
	const id = dataOf(index);
	const sd = dataOf(src);
	const size = out.shape.length === 0 ? 1 : out.shape[dim];
	const step = out.shape.length === 0 ? 0 : out.strides[dim];
	for (let e = 0; e < outAt.length; e++) {
		const i = checkIndex('scatter_add', id[indexAt[e]], dim, size);
		o[outAt[e] + i * step] += sd[srcAt[e]];
	}
}

interface Slices {
	/** Offsets of every element of one slice across `dim`, per operand. */
	at: Int32Array[];
	/** Stride along `dim`, per operand. */
	steps: number[];
}

function slicesOf(dim: number, views: View[]): Slices {
	const shape = views[0].shape.filter((_, d) => d !== dim);
	return {
		at: views.map((v) =>
			elementOffsets(
				shape,
				v.strides.filter((_, d) => d !== dim),
				v.offset
			)
		),
		steps: views.map((v) => (v.shape.length === 0 ? 0 : v.strides[dim]))
	};
}

export function indexSelect(x: View, dim: number, index: View, out: View): void {
	const { at, steps } = slicesOf(dim, [x, out]);
	const xd = dataOf(x);
	const o = dataOf(out);
	const id = dataOf(index);
	const size = x.shape.length === 0 ? 1 : x.shape[dim];
	const count = index.shape.length === 0 ? 1 : index.shape[0];
	const indexStep = index.shape.length === 0 ? 0 : index.strides[0];
	for (let i = 0; i < count; i++) {
		const k = checkIndex('index_select', id[index.offset + i * indexStep], dim, size);
		for (let e = 0; e < at[0].length; e++) o[at[1][e] + i * steps[1]] = xd[at[0][e] + k * steps[0]];
	}
}

export function indexAdd(out: View, dim: number, index: View, src: View): void {
	const { at, steps } = slicesOf(dim, [out, src]);
	const o = dataOf(out);
	const sd = dataOf(src);
	const id = dataOf(index);
	const size = out.shape.length === 0 ? 1 : out.shape[dim];
	const count = index.shape.length === 0 ? 1 : index.shape[0];
	const indexStep = index.shape.length === 0 ? 0 : index.strides[0];
	for (let i = 0; i < count; i++) {
		const k = checkIndex('index_add', id[index.offset + i * indexStep], dim, size);
		for (let e = 0; e < at[0].length; e++)
			o[at[0][e] + k * steps[0]] += sd[at[1][e] + i * steps[1]];
	}
}
