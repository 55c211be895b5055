/**
 * The table of every primitive: the ops with a backward rule of their own. Everything else is
 * a composite of these. The table must name each PrimitiveName, and a Primitive cannot be
 * defined without a backward rule, so a primitive missing from either fails to compile; the
 * finite-difference tests key their cases by the same names.
 */
import type { Primitive } from '../autograd';
import * as binary from './binary';
import * as dropout from './dropout';
import * as indexing from './indexing';
import * as loss from './loss';
import * as matmul from './matmul';
import * as movement from './movement';
import * as normalization from './normalization';
import * as reduce from './reduce';
import * as softmax from './softmax';
import * as unary from './unary';

export type PrimitiveName =
	| 'neg'
	| 'exp'
	| 'expm1'
	| 'log'
	| 'log1p'
	| 'sqrt'
	| 'rsqrt'
	| 'abs'
	| 'sign'
	| 'sin'
	| 'cos'
	| 'tan'
	| 'erf'
	| 'sigmoid'
	| 'tanh'
	| 'relu'
	| 'reciprocal'
	| 'leaky_relu'
	| 'gelu'
	| 'gelu_tanh'
	| 'clamp'
	| 'pow_scalar'
	| 'rpow_scalar'
	| 'floor'
	| 'ceil'
	| 'round'
	| 'trunc'
	| 'add'
	| 'sub'
	| 'rsub'
	| 'mul'
	| 'div'
	| 'pow'
	| 'maximum'
	| 'minimum'
	| 'where'
	| 'masked_fill'
	| 'sum'
	| 'mean'
	| 'prod'
	| 'amax'
	| 'max_dim'
	| 'vector_norm'
	| 'cumsum'
	| 'var'
	| 'softmax'
	| 'log_softmax'
	| 'logsumexp'
	| 'view'
	| 'permute'
	| 'expand'
	| 'slice'
	| 'clone'
	| 'to'
	| 'cat'
	| 'stack'
	| 'index_select'
	| 'gather'
	| 'scatter_add'
	| 'matmul'
	| 'linear'
	| 'mse_loss'
	| 'nll_loss'
	| 'binary_cross_entropy'
	| 'binary_cross_entropy_with_logits'
	| 'layer_norm'
	| 'batch_norm'
	| 'dropout';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- params differ per primitive
type AnyPrimitive = Primitive<any>;

export const primitives = {
	neg: unary.neg.primitive,
	exp: unary.exp.primitive,
	expm1: unary.expm1.primitive,
	log: unary.log.primitive,
	log1p: unary.log1p.primitive,
	sqrt: unary.sqrt.primitive,
	rsqrt: unary.rsqrt.primitive,
	abs: unary.abs.primitive,
	sign: unary.sign.primitive,
	sin: unary.sin.primitive,
	cos: unary.cos.primitive,
	tan: unary.tan.primitive,
	erf: unary.erf.primitive,
	sigmoid: unary.sigmoid.primitive,
	tanh: unary.tanh.primitive,
	relu: unary.relu.primitive,
	reciprocal: unary.reciprocal.primitive,
	leaky_relu: unary.leaky_relu.primitive,
	gelu: unary.gelu.primitive,
	gelu_tanh: unary.gelu_tanh.primitive,
	clamp: unary.clamp.primitive,
	pow_scalar: unary.pow_scalar.primitive,
	rpow_scalar: unary.rpow_scalar.primitive,
	floor: unary.floor.primitive,
	ceil: unary.ceil.primitive,
	round: unary.round.primitive,
	trunc: unary.trunc.primitive,
	add: binary.primitives.Add,
	sub: binary.primitives.Sub,
	rsub: binary.primitives.Rsub,
	mul: binary.primitives.Mul,
	div: binary.primitives.Div,
	pow: binary.primitives.Pow,
	maximum: binary.primitives.Maximum,
	minimum: binary.primitives.Minimum,
	where: binary.primitives.Where,
	masked_fill: binary.primitives.MaskedFill,
	sum: reduce.primitives.Sum,
	mean: reduce.primitives.Mean,
	prod: reduce.primitives.Prod,
	amax: reduce.primitives.Extreme,
	max_dim: reduce.primitives.SelectExtreme,
	vector_norm: reduce.primitives.VectorNorm,
	cumsum: reduce.primitives.Cumsum,
	var: reduce.primitives.Var,
	softmax: softmax.primitives.Softmax,
	log_softmax: softmax.primitives.LogSoftmax,
	logsumexp: softmax.primitives.Logsumexp,
	view: movement.primitives.View,
	permute: movement.primitives.Permute,
	expand: movement.primitives.Expand,
	slice: movement.primitives.Slice,
	clone: movement.primitives.Clone,
	to: movement.primitives.ToCopy,
	cat: indexing.primitives.Cat,
	stack: indexing.primitives.Stack,
	index_select: indexing.primitives.IndexSelect,
	gather: indexing.primitives.Gather,
	scatter_add: indexing.primitives.ScatterAdd,
	matmul: matmul.primitives.Matmul,
	linear: matmul.primitives.Linear,
	mse_loss: loss.primitives.MseLoss,
	nll_loss: loss.primitives.NllLoss,
	binary_cross_entropy: loss.primitives.BinaryCrossEntropy,
	binary_cross_entropy_with_logits: loss.primitives.BinaryCrossEntropyWithLogits,
	layer_norm: normalization.primitives.LayerNorm,
	batch_norm: normalization.primitives.BatchNorm,
	dropout: dropout.primitives.Dropout
} satisfies Record<PrimitiveName, AnyPrimitive>;
