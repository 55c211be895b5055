/**
 * Helpers that allocate outputs and run one backend kernel, without autograd. Primitives call
 * these for their forward passes; nothing here records a graph node.
 */
import type { Backend, BinaryOp, Operand, ReduceOp, UnaryOp } from '../backends/backend';
import { castScalar, float32, type DType } from '../dtype';
import { ValueError } from '../errors';
import { contiguousStrides, numelOf } from '../shape';
import { Storage } from '../storage';
import { Tensor } from '../tensor';

export function emptyOn(backend: Backend, shape: readonly number[], dtype: DType): Tensor {
	const size = numelOf(shape);
	const storage = new Storage(backend, backend.allocate(size, dtype), size, dtype);
	return new Tensor(storage, shape, contiguousStrides(shape), 0);
}

/** Creates a contiguous tensor holding host `values` converted to `dtype`. */
export function uploadOn(
	backend: Backend,
	values: ArrayLike<number>,
	shape: readonly number[],
	dtype: DType
): Tensor {
	const storage = new Storage(backend, backend.upload(values, dtype), values.length, dtype);
	return new Tensor(storage, shape, contiguousStrides(shape), 0);
}

/** Allocates a contiguous tensor on x's backend; allocation zero-fills. */
export function emptyLike(x: Tensor, shape: readonly number[] = x.shape, dtype = x.dtype): Tensor {
	return emptyOn(x.storage.backend, shape, dtype);
}

export function fullLike(
	x: Tensor,
	shape: readonly number[],
	value: number,
	dtype = x.dtype
): Tensor {
	const out = emptyOn(x.storage.backend, shape, dtype);
	if (value !== 0) out.storage.backend.fill(out, castScalar(value, dtype));
	return out;
}

/** Finds the backend shared by all tensor operands; throws naming both when they differ. */
export function backendOf(op: string, ...operands: unknown[]): Backend {
	let backend: Backend | null = null;
	for (const operand of operands) {
		if (!(operand instanceof Tensor)) continue;
		const other = operand.storage.backend;
		if (backend === null) backend = other;
		else if (backend !== other) {
			throw new ValueError(
				`${op}: Expected all tensors to be on the same backend, but found at least two: ${backend.name} and ${other.name}. Move one with .to('${backend.name}')`
			);
		}
	}
	if (backend === null) throw new ValueError(`${op}: expected at least one tensor argument`);
	return backend;
}

/** Picks the dtype float ops compute in: the input's when it is a float, else float32. */
export function floatTypeOf(dtype: DType): DType {
	return dtype.is_floating_point ? dtype : float32;
}

export function runUnary(op: UnaryOp, x: Tensor, dtype = x.dtype, p?: number, q?: number): Tensor {
	const out = emptyLike(x, x.shape, dtype);
	x.storage.backend.unary(op, x, out, p, q);
	return out;
}

export function runBinary(
	op: BinaryOp,
	a: Operand,
	b: Operand,
	shape: readonly number[],
	dtype: DType,
	backend: Backend,
	p?: number,
	q?: number
): Tensor {
	const out = emptyOn(backend, shape, dtype);
	backend.binary(op, a, b, out, p, q);
	return out;
}

/** Reduces over `dims` (sorted, non-negative) into a keepdim-shaped tensor. */
export function runReduce(
	op: ReduceOp,
	x: Tensor,
	dims: readonly number[],
	dtype = x.dtype
): Tensor {
	const shape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
	const out = emptyLike(x, shape, dtype);
	x.storage.backend.reduce(op, x, dims, out);
	return out;
}

/** Copies x into a fresh contiguous tensor of `dtype`. */
export function runCopy(x: Tensor, dtype = x.dtype): Tensor {
	const out = emptyLike(x, x.shape, dtype);
	x.storage.backend.copy(x, out);
	return out;
}

/** Creates a tensor that reads x's storage through new metadata. */
export function viewOf(
	x: Tensor,
	shape: readonly number[],
	strides: readonly number[],
	offset = x.offset
): Tensor {
	const view = new Tensor(x.storage, shape, strides, offset);
	view._base = x._base ?? x;
	return view;
}
