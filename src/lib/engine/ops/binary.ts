/** Elementwise primitives of two operands (tensor or number), with broadcasting. */
import type { BinaryOp } from '../backends/backend';
import { definePrimitive, record } from '../autograd';
import { bool, castScalar, float32, promoteTypes, promoteWithScalar, type DType } from '../dtype';
import { ValueError } from '../errors';
import { broadcastShapes } from '../shape';
import { Tensor } from '../tensor';
import { backendOf, emptyOn, runBinary, runCopy } from './kernel';

/** A binary op's second operand: a tensor, or a number treated as PyTorch treats a scalar. */
export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

const CATEGORY: Record<string, number> = { bool: 0, int64: 1, float32: 2, float64: 2 };

/**
 * PyTorch's result type: dimensioned tensors decide unless a 0-d tensor or a number is of a
 * higher category (bool < integer < float); a number then gives the default float32.
 */
export function resultType(a: TensorOrScalar, b: TensorOrScalar): DType {
	if (a instanceof Tensor && b instanceof Tensor) {
		const aZero = a.shape.length === 0;
		if (aZero === (b.shape.length === 0)) return promoteTypes(a.dtype, b.dtype);
		const [dimensioned, zero] = aZero ? [b, a] : [a, b];
		return CATEGORY[zero.dtype.name] > CATEGORY[dimensioned.dtype.name]
			? zero.dtype
			: dimensioned.dtype;
	}
	if (a instanceof Tensor) return promoteWithScalar(a.dtype, b as Scalar);
	if (b instanceof Tensor) return promoteWithScalar(b.dtype, a as Scalar);
	return float32;
}

/** Runs a binary kernel with operands converted to `dtype` (the compute type). */
export function elementwise(
	op: BinaryOp,
	name: string,
	a: TensorOrScalar,
	b: TensorOrScalar,
	dtype: DType,
	outType: DType = dtype,
	p?: number,
	q?: number
): Tensor {
	checkOperand(name, a, 'input');
	checkOperand(name, b, 'other');
	const backend = backendOf(name, a, b);
	const shape =
		a instanceof Tensor && b instanceof Tensor
			? broadcastShapes(a.shape, b.shape, name)
			: a instanceof Tensor
				? a.shape
				: (b as Tensor).shape;
	return runBinary(op, operand(a, dtype), operand(b, dtype), shape, outType, backend, p, q);
}

/**
 * Raises for an operand that is neither a tensor nor a number or boolean. A string or an array
 * would otherwise become NaN through Number() and give a tensor of NaN without an error.
 */
export function checkOperand(name: string, value: unknown, argument: 'input' | 'other'): void {
	if (value instanceof Tensor || typeof value === 'number' || typeof value === 'boolean') return;
	const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
	const quoted = typeof value === 'string' ? ` ("${value}")` : '';
	throw new TypeError(
		`${name}(): argument '${argument}' must be a Tensor or a number, not ${kind}${quoted}. ` +
			'Convert it first, e.g. with Number(value) or torch.tensor(value)'
	);
}

function operand(x: TensorOrScalar, dtype: DType): Tensor | number {
	if (x instanceof Tensor) return x.dtype === dtype ? x : runCopy(x, dtype);
	return castScalar(Number(x), dtype);
}

const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

type Alpha = { alpha: number };

const Add = definePrimitive<Alpha>({
	gradFn: 'AddBackward0',
	backward: (g, { params }) => [g, params.alpha === 1 ? g : g.mul(params.alpha)]
});

const Sub = definePrimitive<Alpha>({
	gradFn: 'SubBackward0',
	backward: (g, { params }) => [g, params.alpha === 1 ? g.neg() : g.mul(-params.alpha)]
});

/** scalar - alpha * x, for a number on the left. */
const Rsub = definePrimitive<Alpha>({
	gradFn: 'RsubBackward1',
	backward: (g, { params }) => [g.mul(-params.alpha)]
});

type ScalarParam = { scalar: number | null };

const Mul = definePrimitive<ScalarParam>({
	gradFn: 'MulBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		if (params.scalar !== null) return [g.mul(params.scalar)];
		const [a, b] = saved;
		return [needsInputGrad[0] ? g.mul(b) : null, needsInputGrad[1] ? g.mul(a) : null];
	}
});

const Div = definePrimitive<ScalarParam>({
	gradFn: 'DivBackward0',
	backward: (g, { saved, params, needsInputGrad }) => {
		if (params.scalar !== null) return [g.div(params.scalar)];
		const [a, b] = saved;
		// d/db a/b = -a/b^2, evaluated as -(a/b)/b like PyTorch, so 1/0 gives -inf, not NaN.
		return [
			needsInputGrad[0] ? g.div(b) : null,
			needsInputGrad[1] ? g.neg().mul(a.div(b).div(b)) : null
		];
	}
});

const Pow = definePrimitive({
	gradFn: 'PowBackward1',
	backward: (g, { saved, needsInputGrad }) => {
		const [a, b, out] = saved;
		// d/da a^b = b a^(b-1), zero where b = 0; d/db a^b = a^b log a, zero where a = 0 and b >= 0.
		const ga = needsInputGrad[0] ? g.mul(b.mul(a.pow(b.sub(1)))).masked_fill(b.eq(0), 0) : null;
		const gb = needsInputGrad[1]
			? g.mul(out.mul(a.log()).masked_fill(a.eq(0).logical_and(b.ge(0)), 0))
			: null;
		return [ga, gb];
	}
});

/** maximum / minimum: the gradient goes to the larger (smaller) input, split evenly on ties. */
function extremumPrimitive(gradFn: string, losing: 'lt' | 'gt') {
	return definePrimitive({
		gradFn,
		backward: (g, { saved, needsInputGrad }) => {
			const [a, b] = saved;
			const shared = g.where(a.ne(b), g.div(2));
			return [
				needsInputGrad[0] ? shared.masked_fill(a[losing](b), 0) : null,
				needsInputGrad[1] ? shared.masked_fill(b[losing](a), 0) : null
			];
		}
	});
}

const Maximum = extremumPrimitive('MaximumBackward0', 'lt');
const Minimum = extremumPrimitive('MinimumBackward0', 'gt');

/** a + alpha * b, as `torch.add`. */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
	if (!isTensor(a)) {
		if (!isTensor(b)) throw noTensor('add');
		return alpha === 1 ? add(b, a) : add(mul(b, alpha), a);
	}
	const dtype = resultType(a, b);
	const out = elementwise('add', 'add', a, b, dtype, dtype, castScalar(alpha, dtype));
	return record(Add, { alpha }, isTensor(b) ? [a, b] : [a], out);
}

/** a - alpha * b, as `torch.sub`. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
	if (!isTensor(a)) {
		if (!isTensor(b)) throw noTensor('sub');
		const dtype = resultType(a, b);
		const out = elementwise('sub', 'sub', a, b, dtype, dtype, castScalar(alpha, dtype));
		return record(Rsub, { alpha }, [b], out);
	}
	const dtype = resultType(a, b);
	const out = elementwise('sub', 'sub', a, b, dtype, dtype, castScalar(alpha, dtype));
	return record(Sub, { alpha }, isTensor(b) ? [a, b] : [a], out);
}

/** Elementwise product, as `torch.mul`. */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
	if (!isTensor(a)) {
		if (!isTensor(b)) throw noTensor('mul');
		return mul(b, a);
	}
	const dtype = resultType(a, b);
	const out = elementwise('mul', 'mul', a, b, dtype);
	if (isTensor(b)) return record(Mul, { scalar: null }, [a, b], out, [a, b]);
	return record(Mul, { scalar: castScalar(Number(b), dtype) }, [a], out);
}

/**
 * True division, as `torch.div`; integer inputs give float32. A number on the left is
 * computed as reciprocal times number, as PyTorch's `__rtruediv__` does.
 */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
	if (!isTensor(a)) {
		if (!isTensor(b)) throw noTensor('div');
		return b.reciprocal().mul(a);
	}
	let dtype = resultType(a, b);
	if (!dtype.is_floating_point) dtype = float32;
	const out = elementwise('div', 'div', a, b, dtype);
	if (isTensor(b)) return record(Div, { scalar: null }, [a, b], out, [a, b]);
	return record(Div, { scalar: castScalar(Number(b), dtype) }, [a], out);
}

/** Elementwise power with a tensor exponent, as `torch.pow(a, b)`. */
export function pow_tensor(a: Tensor, b: Tensor): Tensor {
	const dtype = resultType(a, b);
	const out = elementwise('pow', 'pow', a, b, dtype);
	return record(Pow, null, [a, b], out, [a, b, out]);
}

export function maximum(a: Tensor, b: Tensor): Tensor {
	const dtype = resultType(a, b);
	return record(Maximum, null, [a, b], elementwise('maximum', 'maximum', a, b, dtype), [a, b]);
}

export function minimum(a: Tensor, b: Tensor): Tensor {
	const dtype = resultType(a, b);
	return record(Minimum, null, [a, b], elementwise('minimum', 'minimum', a, b, dtype), [a, b]);
}

/** Comparisons and logical ops: bool results, never differentiable. */
function compare(op: BinaryOp) {
	return (a: TensorOrScalar, b: TensorOrScalar): Tensor =>
		elementwise(op, op, a, b, resultType(a, b), bool);
}

export const eq = compare('eq');
export const ne = compare('ne');
export const lt = compare('lt');
export const le = compare('le');
export const gt = compare('gt');
export const ge = compare('ge');
export const logical_and = compare('logical_and');
export const logical_or = compare('logical_or');
export const logical_xor = compare('logical_xor');

type WhereParams = { aIsTensor: boolean; bIsTensor: boolean };

const Where = definePrimitive<WhereParams>({
	gradFn: 'WhereBackward0',
	backward: (g, { saved, params }) => {
		const cond = saved[0];
		const grads: Tensor[] = [];
		if (params.aIsTensor) grads.push(g.where(cond, 0));
		if (params.bIsTensor) grads.push(g.masked_fill(cond, 0));
		return grads;
	}
});

/** cond ? a : b elementwise, broadcasting all three, as `torch.where`. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
	const backend = backendOf('where', cond, a, b);
	const dtype = resultType(a, b);
	let shape = broadcastShapes(cond.shape, isTensor(a) ? a.shape : [], 'where');
	shape = broadcastShapes(shape, isTensor(b) ? b.shape : [], 'where');
	const out = emptyOn(backend, shape, dtype);
	const condition = cond.dtype === bool ? cond : runCopy(cond, bool);
	backend.where(condition, operand(a, dtype), operand(b, dtype), out);
	const inputs = [a, b].filter(isTensor);
	return record(Where, { aIsTensor: isTensor(a), bIsTensor: isTensor(b) }, inputs, out, [
		condition
	]);
}

const MaskedFill = definePrimitive({
	gradFn: 'MaskedFillBackward0',
	backward: (g, { saved }) => [g.masked_fill(saved[0], 0)]
});

/** x with `value` where mask is true, as `Tensor.masked_fill`. */
export function masked_fill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
	const fill = value instanceof Tensor ? value : castScalar(value, x.dtype);
	const backend = backendOf('masked_fill', x, mask);
	const out = emptyOn(backend, broadcastShapes(x.shape, mask.shape, 'masked_fill'), x.dtype);
	const condition = mask.dtype === bool ? mask : runCopy(mask, bool);
	backend.where(condition, operand(fill, x.dtype), x, out);
	return record(MaskedFill, null, [x], out, [condition]);
}

function noTensor(op: string): ValueError {
	return new ValueError(`${op}: expected at least one tensor operand, got two numbers`);
}

export const primitives = { Add, Sub, Rsub, Mul, Div, Pow, Maximum, Minimum, Where, MaskedFill };
