/**
 * In-place ops (`add_`, `mul_`, `copy_`, ...). Without autograd involvement the kernel writes
 * straight into the tensor's memory, which is how optimisers and init run. When the tensor or
 * an operand is part of a graph, the op is computed out of place from a copy of the old value
 * (which keeps the old grad_fn), written back, and the tensor takes the new grad_fn. Either way
 * the storage's version goes up, so backward through a saved copy of the old value raises.
 */
import { gradMode } from '../autograd';
import type { BinaryOp, UnaryOp } from '../backends/backend';
import { castScalar, type DType } from '../dtype';
import { AutogradError, DTypeError, ShapeError, UnsupportedOpError, ValueError } from '../errors';
import { broadcastShapes, formatShape, isNonOverlappingAndDense, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { runCopy, uploadOn } from './kernel';
import { checkOperand, resultType, type TensorOrScalar } from './binary';

/**
 * Runs an in-place update of x: `direct` writes through x's memory, `outOfPlace` builds the
 * same result from `previous` (x's old value and grad_fn) when a graph must be recorded.
 */
export function inplace(
	name: string,
	x: Tensor,
	operands: readonly unknown[],
	direct: () => void,
	outOfPlace: (previous: Tensor) => Tensor
): Tensor {
	for (const operand of operands) {
		if (operand instanceof Tensor) checkNoPartialOverlap(name, x, operand);
	}
	const tracked =
		gradMode.enabled &&
		(x.requires_grad || operands.some((o) => o instanceof Tensor && o.requires_grad));
	if (!tracked) {
		direct();
		x.storage.version++;
		return x;
	}

	if (x.grad_fn === null && x.requires_grad) {
		throw new AutogradError(
			`${name}: a leaf Variable that requires grad is being used in an in-place operation. Wrap the update in torch.no_grad(() => ...), or use the out-of-place op.`
		);
	}
	if (x._base !== null && (x._base.requires_grad || x.requires_grad)) {
		// TODO: in-place writes into views of graph tensors need PyTorch's CopySlices node to
		// route gradients to the base. Until it exists they raise, so no gradient is wrong.
		throw new UnsupportedOpError(
			name,
			x.dtype.name,
			x.storage.backend.name,
			'in-place op on a view of a tensor that requires grad'
		);
	}
	const previous = x._snapshot();
	const result = outOfPlace(previous);
	if (!sameShape(result.shape, x.shape)) throw broadcastError(name, x, result.shape);
	x.storage.backend.copy(result, x);
	x.storage.version++;
	if (result.grad_fn) x._setGradFn(result.grad_fn);
	return x;
}

/**
 * Raises, as PyTorch does, when `input` and the written tensor `x` are views of one storage that
 * share some elements but not all. The result would then depend on the order in which the kernel
 * visits elements, and the CPU and WebGPU backends visit them differently. As in PyTorch, views
 * that are not dense are not checked.
 */
function checkNoPartialOverlap(name: string, x: Tensor, input: Tensor): void {
	if (input.storage !== x.storage || input.numel() === 0 || x.numel() === 0) return;
	if (!isNonOverlappingAndDense(x.shape, x.strides)) return;
	if (!isNonOverlappingAndDense(input.shape, input.strides)) return;
	const xEnd = x.offset + x.numel();
	const inputEnd = input.offset + input.numel();
	const sameStrides =
		x.strides.length === input.strides.length && x.strides.every((s, d) => s === input.strides[d]);
	if (x.offset === input.offset && xEnd === inputEnd && sameStrides) return;
	if (x.offset < inputEnd && input.offset < xEnd) {
		throw new ValueError(
			`${name}: some elements of the input tensor and the written-to tensor refer to a single ` +
				`memory location (elements ${input.offset} to ${inputEnd - 1} and ${x.offset} to ` +
				`${xEnd - 1} of one storage). Clone the input first, e.g. .${name}(input.clone())`
		);
	}
}

function broadcastError(name: string, x: Tensor, shape: readonly number[]): ShapeError {
	return new ShapeError(
		`${name}: output with shape ${formatShape(x.shape)} doesn't match the broadcast shape ${formatShape(shape)}`
	);
}

/** Converts an operand to x's dtype after checking that x can store the op's result type. */
function operandFor(name: string, x: Tensor, other: TensorOrScalar): Tensor | number {
	checkOperand(name, other, 'other');
	const type = resultType(x, other);
	if (type !== x.dtype && type.is_floating_point && !x.dtype.is_floating_point) {
		throw new DTypeError(
			`${name}: result type ${type.name} can't be cast to the desired output type ${x.dtype.name}. Convert x first, e.g. x = x.float()`
		);
	}
	if (other instanceof Tensor) {
		const shape = broadcastShapes(x.shape, other.shape, name);
		if (!sameShape(shape, x.shape)) throw broadcastError(name, x, shape);
		return other.dtype === x.dtype ? other : runCopy(other, x.dtype);
	}
	return castScalar(Number(other), x.dtype);
}

export function binaryInplace(
	name: string,
	op: BinaryOp,
	x: Tensor,
	other: TensorOrScalar,
	outOfPlace: (previous: Tensor) => Tensor,
	p = 1
): Tensor {
	return inplace(
		name,
		x,
		[other],
		() => x.storage.backend.binary(op, x, operandFor(name, x, other), x, castScalar(p, x.dtype)),
		outOfPlace
	);
}

export function unaryInplace(
	name: string,
	op: UnaryOp,
	x: Tensor,
	outOfPlace: (previous: Tensor) => Tensor,
	p = 0,
	q = 0
): Tensor {
	if (!x.dtype.is_floating_point && floatOnly.has(op)) {
		throw new DTypeError(
			`${name}: result type Float can't be cast to the desired output type ${x.dtype.name}`
		);
	}
	return inplace(name, x, [], () => x.storage.backend.unary(op, x, x, p, q), outOfPlace);
}

const floatOnly = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'rsqrt']);

/** Writes `values` (host numbers drawn by a sampler) into x, as uniform_ / normal_ do. */
export function fillFromHost(
	name: string,
	x: Tensor,
	values: ArrayLike<number>,
	dtype: DType
): Tensor {
	const backend = x.storage.backend;
	return inplace(
		name,
		x,
		[],
		() => backend.copy(uploadOn(backend, values, x.shape, dtype), x),
		() => {
			throw new AutogradError(
				`${name}: a tensor in a graph cannot be refilled with random values; detach it first`
			);
		}
	);
}
