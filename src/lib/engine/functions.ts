/**
 * The `torch.*` functions that mirror Tensor methods (`torch.add(a, b)` is `a.add(b)`), plus
 * the ones with no method form (`torch.cat`, `torch.where`, `torch.pow(2, x)`).
 */
import { backwardInto, runBackward, type BackwardOptions } from './autograd';
import { dimList, type DimArg, type DimOptions } from './ops/args';
import * as binaryOps from './ops/binary';
import { checkRanks, matmul as matmulOp } from './ops/matmul';
import * as unaryOps from './ops/unary';
import type { ValuesIndices } from './ops/reduce';
import type { FlattenOptions, VarOptions, NormOptions } from './tensor';
import { Tensor, type TensorOrScalar } from './tensor';
import { broadcastShapes as broadcastShapesOf } from './shape';
import { vector_norm as vectorNormOp } from './ops/reduce';

export {
	cat,
	stack,
	split,
	chunk,
	unbind,
	index_select,
	gather,
	scatter_add
} from './ops/indexing';
export { where, maximum, minimum, logical_and, logical_or, logical_xor } from './ops/binary';

type Options = { alpha?: number };

export const add = (a: TensorOrScalar, b: TensorOrScalar, o: Options = {}) =>
	binaryOps.add(a, b, o.alpha ?? 1);
export const sub = (a: TensorOrScalar, b: TensorOrScalar, o: Options = {}) =>
	binaryOps.sub(a, b, o.alpha ?? 1);
export const subtract = sub;
export const mul = (a: TensorOrScalar, b: TensorOrScalar) => binaryOps.mul(a, b);
export const multiply = mul;
export const div = (a: TensorOrScalar, b: TensorOrScalar) => binaryOps.div(a, b);
export const divide = div;
export const true_divide = div;
export const rsub = (a: Tensor, b: TensorOrScalar, o: Options = {}) =>
	binaryOps.sub(b, a, o.alpha ?? 1);

/** a ** b for a tensor or number base and a tensor or number exponent, as `torch.pow`. */
export function pow(base: TensorOrScalar, exponent: TensorOrScalar): Tensor {
	if (base instanceof Tensor) return base.pow(exponent);
	if (exponent instanceof Tensor) return unaryOps.rpow_scalar(exponent, Number(base));
	throw new TypeError('pow: expected at least one tensor operand, got two numbers');
}

export const neg = (x: Tensor) => x.neg();
export const negative = neg;
export const exp = (x: Tensor) => x.exp();
export const expm1 = (x: Tensor) => x.expm1();
export const log = (x: Tensor) => x.log();
export const log1p = (x: Tensor) => x.log1p();
export const sqrt = (x: Tensor) => x.sqrt();
export const rsqrt = (x: Tensor) => x.rsqrt();
export const square = (x: Tensor) => x.square();
export const abs = (x: Tensor) => x.abs();
export const sign = (x: Tensor) => x.sign();
export const sin = (x: Tensor) => x.sin();
export const cos = (x: Tensor) => x.cos();
export const tan = (x: Tensor) => x.tan();
export const erf = (x: Tensor) => x.erf();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const tanh = (x: Tensor) => x.tanh();
export const relu = (x: Tensor) => x.relu();
export const reciprocal = (x: Tensor) => x.reciprocal();
export const floor = (x: Tensor) => x.floor();
export const ceil = (x: Tensor) => x.ceil();
export const round = (x: Tensor) => x.round();
export const trunc = (x: Tensor) => x.trunc();
export const isnan = (x: Tensor) => x.isnan();
export const isinf = (x: Tensor) => x.isinf();
export const isfinite = (x: Tensor) => x.isfinite();
export const logical_not = (x: Tensor) => x.logical_not();

type Bounds = number | null | { min?: number | null; max?: number | null };
export const clamp = (x: Tensor, min?: Bounds, max?: number | null) => x.clamp(min, max);
export const clip = clamp;
export const clamp_min = (x: Tensor, min: number) => x.clamp_min(min);
export const clamp_max = (x: Tensor, max: number) => x.clamp_max(max);
export const lerp = (start: Tensor, end: Tensor, weight: TensorOrScalar) => start.lerp(end, weight);
export const addcmul = (x: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}) =>
	x.addcmul(t1, t2, o);
export const addcdiv = (x: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}) =>
	x.addcdiv(t1, t2, o);
export const masked_fill = (x: Tensor, mask: Tensor, value: number) => x.masked_fill(mask, value);

export const eq = (a: Tensor, b: TensorOrScalar) => a.eq(b);
export const ne = (a: Tensor, b: TensorOrScalar) => a.ne(b);
export const lt = (a: Tensor, b: TensorOrScalar) => a.lt(b);
export const le = (a: Tensor, b: TensorOrScalar) => a.le(b);
export const gt = (a: Tensor, b: TensorOrScalar) => a.gt(b);
export const ge = (a: Tensor, b: TensorOrScalar) => a.ge(b);

type DimsArg = DimArg | DimOptions | null;
type KeepArg = boolean | DimOptions;
export const sum = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.sum(dim, keepdim);
export const mean = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.mean(dim, keepdim);
export const prod = (x: Tensor, dim?: number | DimOptions | null, keepdim?: KeepArg) =>
	x.prod(dim, keepdim);
export const amax = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.amax(dim, keepdim);
export const amin = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.amin(dim, keepdim);
export const all = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.all(dim, keepdim);
export const any = (x: Tensor, dim?: DimsArg, keepdim?: KeepArg) => x.any(dim, keepdim);
export const logsumexp = (x: Tensor, dim: DimArg | DimOptions, keepdim?: boolean) =>
	x.logsumexp(dim, keepdim);
export const cumsum = (x: Tensor, dim: number | DimOptions) => x.cumsum(dim);
export const softmax = (x: Tensor, dim: number | DimOptions) => x.softmax(dim);
export const log_softmax = (x: Tensor, dim: number | DimOptions) => x.log_softmax(dim);
export const argmax = (x: Tensor, dim?: number | DimOptions | null, keepdim?: boolean) =>
	x.argmax(dim, keepdim);
export const argmin = (x: Tensor, dim?: number | DimOptions | null, keepdim?: boolean) =>
	x.argmin(dim, keepdim);

type VarArgs = [
	dim?: DimArg | VarOptions | null,
	unbiased?: boolean | VarOptions,
	keepdim?: boolean
];
export const var_ = (x: Tensor, ...args: VarArgs) => x.var(...args);
export const std = (x: Tensor, ...args: VarArgs) => x.std(...args);

type NormArgs = [
	p?: number | 'fro' | NormOptions | null,
	dim?: DimArg | NormOptions | null,
	keepdim?: boolean
];
export const norm = (x: Tensor, ...args: NormArgs) => x.norm(...args);

/** `torch.max(x)`, `torch.max(x, dim)` (values and indices) or `torch.max(a, b)`. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function max(
	x: Tensor,
	dim?: number | DimOptions | Tensor,
	keepdim?: boolean
): Tensor | ValuesIndices {
	if (dim === undefined) return x.max();
	if (dim instanceof Tensor) return x.max(dim);
	return x.max(dim, keepdim);
}

/** `torch.min(x)`, `torch.min(x, dim)` (values and indices) or `torch.min(a, b)`. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
export function min(
	x: Tensor,
	dim?: number | DimOptions | Tensor,
	keepdim?: boolean
): Tensor | ValuesIndices {
	if (dim === undefined) return x.min();
	if (dim instanceof Tensor) return x.min(dim);
	return x.min(dim, keepdim);
}

export const matmul = (a: Tensor, b: Tensor) => matmulOp(a, b);
export const mm = (a: Tensor, b: Tensor) => a.mm(b);
export const bmm = (a: Tensor, b: Tensor) => a.bmm(b);
export const mv = (a: Tensor, v: Tensor) => a.mv(v);
export function dot(a: Tensor, b: Tensor): Tensor {
	checkRanks('dot', a, b, [1, 1]);
	return matmulOp(a, b);
}

export const reshape = (x: Tensor, shape: readonly number[]) => x.reshape(shape);
export const flatten = (x: Tensor, start_dim: number | FlattenOptions = 0, end_dim = -1) =>
	x.flatten(start_dim, end_dim);
export const squeeze = (x: Tensor, dim?: DimArg | DimOptions | null) => x.squeeze(dim);
export const unsqueeze = (x: Tensor, dim: number | DimOptions) => x.unsqueeze(dim);
export const transpose = (x: Tensor, dim0: number, dim1: number) => x.transpose(dim0, dim1);
export const swapaxes = transpose;
export const t = (x: Tensor) => x.t();
export const permute = (x: Tensor, dims: readonly number[]) => x.permute(dims);
export const narrow = (x: Tensor, dim: number, start: number, length: number) =>
	x.narrow(dim, start, length);
export const select = (x: Tensor, dim: number, index: number) => x.select(dim, index);
export const clone = (x: Tensor) => x.clone();
export const numel = (x: Tensor) => x.numel();
export const is_tensor = (value: unknown): value is Tensor => value instanceof Tensor;
export const is_floating_point = (x: Tensor) => x.dtype.is_floating_point;

export function broadcast_shapes(...shapes: (readonly number[])[]): number[] {
	return shapes.reduce<number[]>((acc, s) => broadcastShapesOf(acc, s, 'broadcast_shapes'), []);
}

/** torch.linalg: vector_norm and the vector case of norm. */
export const linalg = {
	vector_norm(x: Tensor, ord: number = 2, dim: DimArg | null = null, keepdim = false): Tensor {
		return vectorNormOp(x, ord, dimList(dim), keepdim);
	},
	norm(x: Tensor, ord: number | 'fro' = 2, dim: DimArg | null = null, keepdim = false): Tensor {
		return vectorNormOp(x, ord === 'fro' ? 2 : ord, dimList(dim), keepdim);
	}
};

/**
 * Gradients of `outputs` with respect to `inputs`, returned instead of accumulated into
 * `.grad`, as `torch.autograd.grad`.
 */
export function grad(
	outputs: Tensor | readonly Tensor[],
	inputs: Tensor | readonly Tensor[],
	options: Omit<BackwardOptions, 'inputs'> & {
		grad_outputs?: Tensor | readonly (Tensor | null)[];
		allow_unused?: boolean;
	} = {}
): (Tensor | null)[] {
	const outs = outputs instanceof Tensor ? [outputs] : outputs;
	const ins = inputs instanceof Tensor ? [inputs] : inputs;
	const given = options.grad_outputs;
	const grads = given === undefined ? [] : given instanceof Tensor ? [given] : given;
	const result = runBackward(
		outs,
		outs.map((_, i) => grads[i] ?? null),
		{ retain_graph: options.retain_graph, capture: ins }
	);
	if (!options.allow_unused && result.some((g) => g === null)) {
		throw new TypeError(
			'autograd.grad: One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.'
		);
	}
	return result;
}

/** Runs backward from several roots at once, as `torch.autograd.backward`. */
export function backward(
	tensors: Tensor | readonly Tensor[],
	grad_tensors: Tensor | readonly (Tensor | null)[] | null = null,
	options: BackwardOptions = {}
): void {
	const roots = tensors instanceof Tensor ? [tensors] : tensors;
	const grads =
		grad_tensors === null ? [] : grad_tensors instanceof Tensor ? [grad_tensors] : grad_tensors;
	backwardInto(
		roots,
		roots.map((_, i) => grads[i] ?? null),
		options
	);
}
