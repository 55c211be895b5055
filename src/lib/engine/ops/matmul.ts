/** Matrix products: matmul with PyTorch's 1-D and batch-broadcast rules, and linear. */
import { definePrimitive, record, sumToShape } from '../autograd';
import { promoteTypes } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { broadcastShapes, formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { backendOf, emptyOn, runCopy, viewOf } from './kernel';

/** Views a 1-D operand as a matrix: [k] as [1, k] on the left, as [k, 1] on the right. */
function asMatrix(x: Tensor, side: 'left' | 'right'): Tensor {
	if (x.shape.length !== 1) return x;
	const k = x.shape[0];
	const s = x.strides[0];
	return side === 'left' ? viewOf(x, [1, k], [k * s, s]) : viewOf(x, [k, 1], [s, s]);
}

/**
 * Checks the contracted sizes of a @ b, naming the shapes the caller passed (before 1-D
 * operands become matrices). The other.T hint appears only when the transpose would fit.
 */
function checkContracted(op: string, a: readonly number[], b: readonly number[]): void {
	const ka = a[a.length - 1];
	const kb = b.length === 1 ? b[0] : b[b.length - 2];
	if (ka === kb) return;
	const shapes = `got shapes ${formatShape(a)} and ${formatShape(b)}`;
	if (a.length === 1 || b.length === 1) {
		throw new ShapeError(
			`${op}: input.shape[-1] must equal the contracted size of other (other.shape[0] for a 1-D other, else other.shape[-2]), ${shapes}`
		);
	}
	const rows = (shape: readonly number[]) => shape.slice(-2).join('x');
	const hint = b[b.length - 1] === ka ? ' Did you mean other.T?' : '';
	throw new ShapeError(
		`${op}: mat1 and mat2 shapes cannot be multiplied (${rows(a)} and ${rows(b)}): input.shape[-1] must equal other.shape[-2], ${shapes}.${hint}`
	);
}

function product(a: Tensor, b: Tensor, op: string): Tensor {
	checkContracted(op, a.shape, b.shape);
	const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), op);
	const backend = backendOf(op, a, b);
	const dtype = promoteTypes(a.dtype, b.dtype);
	const out = emptyOn(
		backend,
		[...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]],
		dtype
	);
	const cast = (t: Tensor) => (t.dtype === dtype ? t : runCopy(t, dtype));
	backend.matmul(cast(a), cast(b), out);
	return out;
}

/** Returns a view with the last two dims swapped. */
function mT(x: Tensor): Tensor {
	const r = x.shape.length;
	const shape = x.shape.slice();
	const strides = x.strides.slice();
	[shape[r - 2], shape[r - 1]] = [shape[r - 1], shape[r - 2]];
	[strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
	return viewOf(x, shape, strides);
}

type MatmulParams = { gradFn: string; outShape2d: readonly number[] };

const Matmul = definePrimitive<MatmulParams>({
	gradFn: (p) => p.gradFn,
	backward: (g, { saved, params, needsInputGrad, inputShapes }) => {
		const [a, b] = saved;
		const a2 = asMatrix(a, 'left');
		const b2 = asMatrix(b, 'right');
		const g2 = g.reshape(params.outShape2d);
		// d(A B) = dA B + A dB, so grad_A = G B^T and grad_B = A^T G, summed over broadcast
		// batch dims back to each operand's own (matrix) shape.
		const ga = needsInputGrad[0] ? sumToShape(product(g2, mT(b2), 'matmul'), a2.shape) : null;
		const gb = needsInputGrad[1] ? sumToShape(product(mT(a2), g2, 'matmul'), b2.shape) : null;
		return [ga && ga.reshape(inputShapes[0]), gb && gb.reshape(inputShapes[1])];
	}
});

function gradFnOf(a: Tensor, b: Tensor): string {
	if (a.shape.length === 1 && b.shape.length === 1) return 'DotBackward0';
	if (a.shape.length === 2 && b.shape.length === 1) return 'MvBackward0';
	if (a.shape.length <= 2 && b.shape.length <= 2) return 'MmBackward0';
	if (a.shape.length === 3 && b.shape.length === 3) return 'BmmBackward0';
	return 'UnsafeViewBackward0';
}

/**
 * Matrix product with PyTorch's rules, as `torch.matmul`: 1-D operands are vectors (the
 * added dim is removed again), batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
	if (a.shape.length === 0 || b.shape.length === 0) {
		throw new ShapeError(
			`matmul: both arguments to matmul need to be at least 1D, but they are ${a.shape.length}D and ${b.shape.length}D`
		);
	}
	checkContracted('matmul', a.shape, b.shape);
	const out2d = product(asMatrix(a, 'left'), asMatrix(b, 'right'), 'matmul');
	let shape = out2d.shape.slice();
	if (b.shape.length === 1) shape = shape.slice(0, -1);
	if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1);
	const out =
		shape.length === out2d.shape.length ? out2d : viewOf(out2d, shape, contiguous(shape), 0);
	const params = { gradFn: gradFnOf(a, b), outShape2d: out2d.shape };
	return record(Matmul, params, [a, b], out, [a, b]);
}

function contiguous(shape: readonly number[]): number[] {
	const strides = new Array<number>(shape.length);
	let step = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		strides[i] = step;
		step *= shape[i];
	}
	return strides;
}

/** Checks the rank rules of mm, bmm, mv and dot, which (unlike matmul) do not broadcast. */
export function checkRanks(op: string, a: Tensor, b: Tensor, ranks: [number, number]): void {
	if (a.shape.length !== ranks[0] || b.shape.length !== ranks[1]) {
		throw new ShapeError(
			`${op}: expected ${ranks[0]}-D and ${ranks[1]}-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`
		);
	}
	if (op === 'bmm' && a.shape[0] !== b.shape[0]) {
		throw new ShapeError(
			`bmm: batch sizes must match, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`
		);
	}
}

type LinearParams = { hasBias: boolean };

const Linear = definePrimitive<LinearParams>({
	gradFn: (p) => (p.hasBias ? 'AddmmBackward0' : 'MmBackward0'),
	backward: (g, { saved, needsInputGrad, params }) => {
		const [x, w] = saved;
		const features = w.shape[0];
		const g2 = g.reshape([-1, features]);
		const x2 = x.reshape([-1, w.shape[1]]);
		return [
			needsInputGrad[0] ? product(g2, w, 'linear').reshape(x.shape) : null,
			needsInputGrad[1] ? product(mT(g2), x2, 'linear') : null,
			params.hasBias && needsInputGrad[2] ? g2.sum(0) : null
		];
	}
});

/** y = x W^T + b, as `torch.nn.functional.linear`; W is [out_features, in_features]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
	if (weight.shape.length !== 2) {
		throw new ShapeError(
			`linear: weight must be 2-D [out_features, in_features], got shape ${formatShape(weight.shape)}`
		);
	}
	if (!x.dtype.is_floating_point) {
		throw new DTypeError(
			`linear: expected a floating point input, got ${x.dtype}. Convert first with .float()`
		);
	}
	if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== weight.shape[1]) {
		throw new ShapeError(
			`linear: input.shape[-1] must equal weight.shape[1] (in_features = ${weight.shape[1]}), got input shape ${formatShape(x.shape)} and weight shape ${formatShape(weight.shape)}`
		);
	}
	const input = x.shape.length === 1 ? asMatrix(x, 'left') : x;
	let out = product(input, mT(weight), 'linear');
	if (bias) out.storage.backend.binary('add', out, bias, out, 1);
	if (x.shape.length === 1) out = viewOf(out, [weight.shape[0]], [1], 0);
	const inputs = bias ? [x, weight, bias] : [x, weight];
	return record(Linear, { hasBias: bias !== null }, inputs, out, [x, weight]);
}

export const primitives = { Matmul, Linear };
