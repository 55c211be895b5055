/** Elementwise CPU kernels: one tight loop per row of the output (see iterate.ts). */
import { bool, float32, int64 } from '../../dtype';
import { broadcastStrides, isContiguous, sameShape } from '../../shape';
import type { BinaryOp, Operand, UnaryOp, View } from '../backend';
import { rowLayout, type Strided } from './iterate';
import { binaryCode, binaryRow, COPY_CODES, unaryCode, unaryRow, type Data } from './scalar-ops';

export function dataOf(view: View): Data {
	return view.storage.data as Data;
}

/** Strides of `view` read at `shape`'s rank, broadcasting size-1 and missing dims. */
export function readAs(view: View, shape: readonly number[]): Strided {
	return { strides: broadcastStrides(view.shape, view.strides, shape), offset: view.offset };
}

/** Tells whether `view` covers `shape` contiguously, so a kernel can read it as one flat row. */
function flatAlike(view: View, shape: readonly number[]): boolean {
	return sameShape(view.shape, shape) && isContiguous(view.shape, view.strides);
}

function operandOf(operand: Operand, shape: readonly number[]): [Data, Strided] {
	if (typeof operand === 'number') {
		return [Float64Array.of(operand), { strides: shape.map(() => 0), offset: 0 }];
	}
	return [dataOf(operand), readAs(operand, shape)];
}

export function unary(op: UnaryOp, x: View, out: View, p = 0, q = 0): void {
	runUnary(unaryCode(op, out.dtype === float32), x, out, p, q);
}

export function copy(src: View, out: View): void {
	let code = COPY_CODES.plain;
	if (out.dtype === int64 && src.dtype.is_floating_point) code = COPY_CODES.trunc;
	else if (out.dtype === bool && src.dtype !== bool) code = COPY_CODES.bool;
	runUnary(code, src, out, 0, 0);
}

export function fill(out: View, value: number): void {
	const layout = rowLayout(out.shape, [out]);
	const o = dataOf(out);
	const os = layout.strides[0];
	const starts = layout.starts[0];
	for (let r = 0; r < layout.rows; r++) {
		for (let j = 0; j < layout.length; j++) o[starts[r] + j * os] = value;
	}
}

function runUnary(code: number, x: View, out: View, p: number, q: number): void {
	const o = dataOf(out);
	const xd = dataOf(x);
	if (flatAlike(out, out.shape) && flatAlike(x, out.shape)) {
		unaryRow(code, o, out.offset, 1, xd, x.offset, 1, countOf(out), p, q);
		return;
	}
	const layout = rowLayout(out.shape, [out, readAs(x, out.shape)]);
	const [os, xs] = layout.strides;
	const [oStarts, xStarts] = layout.starts;
	for (let r = 0; r < layout.rows; r++) {
		unaryRow(code, o, oStarts[r], os, xd, xStarts[r], xs, layout.length, p, q);
	}
}

function countOf(view: View): number {
	let n = 1;
	for (const s of view.shape) n *= s;
	return n;
}

export function binary(op: BinaryOp, a: Operand, b: Operand, out: View, p = 1, q = 0): void {
	const code = binaryCode(op, out.dtype === float32);
	const o = dataOf(out);
	if (flatAlike(out, out.shape) && flatOperand(a, out) && flatOperand(b, out)) {
		const [ad, as, ao] = flatData(a);
		const [bd, bs, bo] = flatData(b);
		binaryRow(code, o, out.offset, 1, ad, ao, as, bd, bo, bs, countOf(out), p, q);
		return;
	}
	const [ad, aStrided] = operandOf(a, out.shape);
	const [bd, bStrided] = operandOf(b, out.shape);
	const layout = rowLayout(out.shape, [out, aStrided, bStrided]);
	const [os, as, bs] = layout.strides;
	const [oStarts, aStarts, bStarts] = layout.starts;
	for (let r = 0; r < layout.rows; r++) {
		binaryRow(code, o, oStarts[r], os, ad, aStarts[r], as, bd, bStarts[r], bs, layout.length, p, q);
	}
}

function flatOperand(operand: Operand, out: View): boolean {
	return typeof operand === 'number' || flatAlike(operand, out.shape);
}

/** Data, stride and offset of an operand read as one flat row (stride 0 for a number). */
function flatData(operand: Operand): [Data, number, number] {
	if (typeof operand === 'number') return [Float64Array.of(operand), 0, 0];
	return [dataOf(operand), 1, operand.offset];
}

export function where(cond: View, a: Operand, b: Operand, out: View): void {
	const cd = dataOf(cond);
	const [ad, aStrided] = operandOf(a, out.shape);
	const [bd, bStrided] = operandOf(b, out.shape);
	const layout = rowLayout(out.shape, [out, readAs(cond, out.shape), aStrided, bStrided]);
	const o = dataOf(out);
	const [os, cs, as, bs] = layout.strides;
	const n = layout.length;
	for (let r = 0; r < layout.rows; r++) {
		const oo = layout.starts[0][r];
		const co = layout.starts[1][r];
		const ao = layout.starts[2][r];
		const bo = layout.starts[3][r];
		for (let j = 0; j < n; j++) {
			o[oo + j * os] = cd[co + j * cs] ? ad[ao + j * as] : bd[bo + j * bs];
		}
	}
}
