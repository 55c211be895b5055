/** Elementwise CPU kernels: one tight loop per row of the output (see iterate.ts). */
import { bool, float32, int64 } from '../../dtype';
import { broadcastStrides, isContiguous, sameShape } from '../../shape';
import type { BinaryOp, Operand, UnaryOp, View } from '../backend';
import {
	binaryLoopFloat32,
	binaryRepeatedFloat32,
	unaryLoopFloat32,
	type BinaryLoop
} from './elementwise-fast';
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

// One reusable cell per operand position for scalars that float32 represents exactly, so a
// float32 op with a scalar reads only Float32Arrays and can take the fast loops.
const scalarCells = [new Float32Array(1), new Float32Array(1)];

/** Returns a one-element array with `value` exactly; `position` keeps a's and b's cells apart. */
function scalarData(value: number, position: 0 | 1): Data {
	if (Math.fround(value) !== value && value === value) return Float64Array.of(value);
	const cell = scalarCells[position];
	cell[0] = value;
	return cell;
}

function operandOf(operand: Operand, shape: readonly number[], position: 0 | 1): [Data, Strided] {
	if (typeof operand === 'number') {
		return [scalarData(operand, position), { strides: shape.map(() => 0), offset: 0 }];
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
		// A contiguous row is one native fill, which runs at memset speed.
		if (os === 1) o.fill(value, starts[r], starts[r] + layout.length);
		else for (let j = 0; j < layout.length; j++) o[starts[r] + j * os] = value;
	}
}

function runUnary(code: number, x: View, out: View, p: number, q: number): void {
	const o = dataOf(out);
	const xd = dataOf(x);
	// The fast loop only reads and writes Float32Arrays, which the check here guarantees.
	const fast =
		o instanceof Float32Array && xd instanceof Float32Array ? unaryLoopFloat32(code, p) : undefined;
	if (flatAlike(out, out.shape) && flatAlike(x, out.shape)) {
		const n = countOf(out);
		if (fast) fast(o as Float32Array, out.offset, 1, xd as Float32Array, x.offset, 1, n);
		else unaryRow(code, o, out.offset, 1, xd, x.offset, 1, n, p, q);
		return;
	}
	const layout = rowLayout(out.shape, [out, readAs(x, out.shape)]);
	const [os, xs] = layout.strides;
	const [oStarts, xStarts] = layout.starts;
	const n = layout.length;
	for (let r = 0; r < layout.rows; r++) {
		if (fast) fast(o as Float32Array, oStarts[r], os, xd as Float32Array, xStarts[r], xs, n);
		else unaryRow(code, o, oStarts[r], os, xd, xStarts[r], xs, n, p, q);
	}
}

function countOf(view: View): number {
	let n = 1;
	for (const s of view.shape) n *= s;
	return n;
}

export function binary(op: BinaryOp, a: Operand, b: Operand, out: View, p = 1, q = 0): void {
	const code = binaryCode(op, out.dtype === float32);

	if (flatAlike(out, out.shape) && flatOperand(a, out) && flatOperand(b, out)) {
		const [ad, as, ao] = flatData(a, 0);
		const [bd, bs, bo] = flatData(b, 1);
		binaryRows(code, dataOf(out), out.offset, 1, ad, ao, as, bd, bo, bs, countOf(out), 1, 0, p, q);
		return;
	}

	const period = typeof b === 'number' ? 0 : repeatPeriod(b, out.shape);
	if (period > 0 && flatAlike(out, out.shape) && flatOperand(a, out)) {
		// b repeats along out's leading dims, as a bias added to a batch: one row per repeat.
		const [ad, as, ao] = flatData(a, 0);
		const [bd, , bo] = flatData(b, 1);
		const rows = countOf(out) / period;
		binaryRows(code, dataOf(out), out.offset, 1, ad, ao, as, bd, bo, 1, period, rows, period, p, q);
		return;
	}

	const [ad, aStrided] = operandOf(a, out.shape, 0);
	const [bd, bStrided] = operandOf(b, out.shape, 1);
	const layout = rowLayout(out.shape, [out, aStrided, bStrided]);
	const [os, as, bs] = layout.strides;
	const [oStarts, aStarts, bStarts] = layout.starts;
	const o = dataOf(out);
	const loop = fastBinaryLoop(code, o, ad, bd);
	const [of, af, bf] = [o, ad, bd] as Float32Array[];
	const n = layout.length;
	for (let r = 0; r < layout.rows; r++) {
		const oo = oStarts[r];
		const ao = aStarts[r];
		const bo = bStarts[r];
		if (loop) loop(of, oo, os, af, ao, as, bf, bo, bs, n, p);
		else binaryRow(code, o, oo, os, ad, ao, as, bd, bo, bs, n, p, q);
	}
}

/** Runs `rows` rows of n elements; row r starts `period * r` elements on in out and a. */
function binaryRows(
	code: number,
	o: Data,
	oo: number,
	os: number,
	ad: Data,
	ao: number,
	as: number,
	bd: Data,
	bo: number,
	bs: number,
	n: number,
	rows: number,
	period: number,
	p: number,
	q: number
): void {
	const loop = fastBinaryLoop(code, o, ad, bd);
	const [of, af, bf] = [o, ad, bd] as Float32Array[];
	const repeated = rows > 1 && os === 1 && as === 1 && bs === 1 && n === period;
	if (loop && repeated && binaryRepeatedFloat32(code, of, oo, af, ao, bf, bo, n, rows * n, p)) {
		return;
	}
	for (let r = 0; r < rows; r++) {
		const oStart = oo + r * period;
		const aStart = ao + r * period * as;
		if (loop) loop(of, oStart, os, af, aStart, as, bf, bo, bs, n, p);
		else binaryRow(code, o, oStart, os, ad, aStart, as, bd, bo, bs, n, p, q);
	}
}

/**
 * Returns the fast loop for `code` when all three arrays are Float32Arrays, which the fast
 * loops need. Callers pass the arrays to it as Float32Arrays only when it is defined.
 */
function fastBinaryLoop(code: number, o: Data, a: Data, b: Data): BinaryLoop | undefined {
	const float32Arrays =
		o instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array;
	return float32Arrays ? binaryLoopFloat32(code) : undefined;
}

/**
 * Returns how many elements v has when v is contiguous and, without its leading size-1 dims,
 * equals the trailing dims of `shape`, so that v repeats along the rest of `shape`. Returns 0
 * for any other v.
 */
function repeatPeriod(v: View, shape: readonly number[]): number {
	if (!isContiguous(v.shape, v.strides)) return 0;
	let first = 0;
	while (first < v.shape.length && v.shape[first] === 1) first++;
	const rank = v.shape.length - first;
	if (rank === 0 || rank > shape.length) return 0;
	let period = 1;
	for (let i = 0; i < rank; i++) {
		const size = v.shape[first + i];
		if (size !== shape[shape.length - rank + i]) return 0;
		period *= size;
	}
	return period;
}

function flatOperand(operand: Operand, out: View): boolean {
	return typeof operand === 'number' || flatAlike(operand, out.shape);
}

/** Data, stride and offset of an operand read as one flat row (stride 0 for a number). */
function flatData(operand: Operand, position: 0 | 1): [Data, number, number] {
	if (typeof operand === 'number') return [scalarData(operand, position), 0, 0];
	return [dataOf(operand), 1, operand.offset];
}

export function where(cond: View, a: Operand, b: Operand, out: View): void {
	const cd = dataOf(cond);
	const [ad, aStrided] = operandOf(a, out.shape, 0);
	const [bd, bStrided] = operandOf(b, out.shape, 1);
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
