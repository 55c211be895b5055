/** Elementwise primitives of one tensor, each with its backward rule. */
import type { UnaryOp } from '../backends/backend';
import { definePrimitive, record, type Primitive } from '../autograd';
import { bool, type DType } from '../dtype';
import type { Tensor } from '../tensor';
import { floatTypeOf, runBinary, runUnary } from './kernel';

/** The tensor a rule reads: the op's input, its output, or neither. */
type Saves = 'input' | 'output' | 'none';

interface UnarySpec {
	op: UnaryOp;
	gradFn: string;
	saves: Saves;
	/** Float ops turn integer inputs into float32; the others keep the dtype. */
	float: boolean;
	rule: (gradOutput: Tensor, saved: Tensor, p: number, q: number) => Tensor;
}

type Params = { p: number; q: number };

export type UnaryFn = ((x: Tensor, p?: number, q?: number) => Tensor) & {
	primitive: Primitive<Params>;
};

function defineUnary(spec: UnarySpec): UnaryFn {
	const primitive: Primitive<Params> = definePrimitive<Params>({
		gradFn: spec.gradFn,
		backward: (g, { saved, params }) => [spec.rule(g, saved[0], params.p, params.q)]
	});
	const apply = (x: Tensor, p = 0, q = 0) => {
		const dtype: DType = spec.float ? floatTypeOf(x.dtype) : x.dtype;
		const out = runUnary(spec.op, x, dtype, p, q);
		if (!x.requires_grad) return out;
		const saved = spec.saves === 'none' ? [] : [spec.saves === 'input' ? x : out];
		return record(primitive, { p, q }, [x], out, saved);
	};
	return Object.assign(apply, { primitive });
}

function fused(
	op: Parameters<typeof runBinary>[0],
	g: Tensor,
	saved: Tensor,
	p = 0,
	q = 0
): Tensor {
	return runBinary(op, g, saved, g.shape, g.dtype, g.storage.backend, p, q);
}

const zero = (g: Tensor) => g.new_zeros(g.shape);

export const neg = defineUnary({
	op: 'neg',
	gradFn: 'NegBackward0',
	saves: 'none',
	float: false,
	rule: (g) => g.neg()
});

export const exp = defineUnary({
	op: 'exp',
	gradFn: 'ExpBackward0',
	saves: 'output',
	float: true,
	// d/dx e^x = e^x, so the saved output is the derivative.
	rule: (g, out) => g.mul(out)
});

export const expm1 = defineUnary({
	op: 'expm1',
	gradFn: 'Expm1Backward0',
	saves: 'output',
	float: true,
	rule: (g, out) => g.mul(out.add(1))
});

export const log = defineUnary({
	op: 'log',
	gradFn: 'LogBackward0',
	saves: 'input',
	float: true,
	// d/dx log x = 1/x, with no domain masking: log(-1) is NaN but its gradient is -1.
	rule: (g, x) => g.div(x)
});

export const log1p = defineUnary({
	op: 'log1p',
	gradFn: 'Log1PBackward0',
	saves: 'input',
	float: true,
	rule: (g, x) => g.div(x.add(1))
});

export const sqrt = defineUnary({
	op: 'sqrt',
	gradFn: 'SqrtBackward0',
	saves: 'output',
	float: true,
	// 1 / (2 sqrt x): Infinity at 0, as in PyTorch.
	rule: (g, out) => g.div(out.mul(2))
});

export const rsqrt = defineUnary({
	op: 'rsqrt',
	gradFn: 'RsqrtBackward0',
	saves: 'output',
	float: true,
	rule: (g, out) => g.mul(-0.5).mul(out.pow(3))
});

export const abs = defineUnary({
	op: 'abs',
	gradFn: 'AbsBackward0',
	saves: 'input',
	float: false,
	// sign(0) = 0, so the gradient at 0 is 0.
	rule: (g, x) => g.mul(x.sign())
});

export const sign = defineUnary({
	op: 'sign',
	gradFn: 'SignBackward0',
	saves: 'none',
	float: false,
	rule: zero
});

export const sin = defineUnary({
	op: 'sin',
	gradFn: 'SinBackward0',
	saves: 'input',
	float: true,
	rule: (g, x) => g.mul(x.cos())
});

export const cos = defineUnary({
	op: 'cos',
	gradFn: 'CosBackward0',
	saves: 'input',
	float: true,
	rule: (g, x) => g.mul(x.sin().neg())
});

export const tan = defineUnary({
	op: 'tan',
	gradFn: 'TanBackward0',
	saves: 'output',
	float: true,
	// d/dx tan x = 1 + tan^2 x.
	rule: (g, out) => g.mul(out.pow(2).add(1))
});

export const erf = defineUnary({
	op: 'erf',
	gradFn: 'ErfBackward0',
	saves: 'input',
	float: true,
	// d/dx erf x = 2/sqrt(pi) e^(-x^2).
	rule: (g, x) =>
		g.mul(
			x
				.pow(2)
				.neg()
				.exp()
				.mul(2 / Math.sqrt(Math.PI))
		)
});

export const sigmoid = defineUnary({
	op: 'sigmoid',
	gradFn: 'SigmoidBackward0',
	saves: 'output',
	float: true,
	rule: (g, out) => fused('sigmoid_backward', g, out)
});

export const tanh = defineUnary({
	op: 'tanh',
	gradFn: 'TanhBackward0',
	saves: 'output',
	float: true,
	rule: (g, out) => fused('tanh_backward', g, out)
});

export const relu = defineUnary({
	op: 'relu',
	gradFn: 'ReluBackward0',
	saves: 'output',
	float: false,
	// Zero where the output is <= 0: relu's subgradient at 0 is 0.
	rule: (g, out) => fused('relu_backward', g, out)
});

export const reciprocal = defineUnary({
	op: 'reciprocal',
	gradFn: 'ReciprocalBackward0',
	saves: 'output',
	float: true,
	rule: (g, out) => g.neg().mul(out.mul(out))
});

export const leaky_relu = defineUnary({
	op: 'leaky_relu',
	gradFn: 'LeakyReluBackward0',
	saves: 'input',
	float: true,
	rule: (g, x, slope) => fused('leaky_relu_backward', g, x, slope)
});

export const gelu = defineUnary({
	op: 'gelu',
	gradFn: 'GeluBackward0',
	saves: 'input',
	float: true,
	rule: (g, x) => fused('gelu_backward', g, x)
});

export const gelu_tanh = defineUnary({
	op: 'gelu_tanh',
	gradFn: 'GeluBackward0',
	saves: 'input',
	float: true,
	rule: (g, x) => fused('gelu_tanh_backward', g, x)
});

/** min(max(x, min), max); the gradient passes where min <= x <= max. */
export const clamp = defineUnary({
	op: 'clamp',
	gradFn: 'ClampBackward1',
	saves: 'input',
	float: false,
	rule: (g, x, min, max) => fused('clamp_backward', g, x, min, max)
});

export const pow_scalar = defineUnary({
	op: 'pow_scalar',
	gradFn: 'PowBackward0',
	saves: 'input',
	float: false,
	// d/dx x^e = e x^(e-1); PyTorch returns exact zeros for e = 0, even at x = 0.
	rule: (g, x, exponent) => (exponent === 0 ? zero(g) : g.mul(x.pow(exponent - 1).mul(exponent)))
});

export const rpow_scalar = defineUnary({
	op: 'rpow_scalar',
	gradFn: 'PowBackward2',
	saves: 'output',
	float: true,
	rule: (g, out, base) => g.mul(out.mul(Math.log(base)))
});

/** Elementwise ops whose gradient is zero almost everywhere (PyTorch returns zeros). */
export const floor = defineUnary({
	op: 'floor',
	gradFn: 'FloorBackward0',
	saves: 'none',
	float: false,
	rule: zero
});
export const ceil = defineUnary({
	op: 'ceil',
	gradFn: 'CeilBackward0',
	saves: 'none',
	float: false,
	rule: zero
});
export const round = defineUnary({
	op: 'round',
	gradFn: 'RoundBackward0',
	saves: 'none',
	float: false,
	rule: zero
});
export const trunc = defineUnary({
	op: 'trunc',
	gradFn: 'TruncBackward0',
	saves: 'none',
	float: false,
	rule: zero
});

/** Tests and masks: bool results, never differentiable. */
export const isnan = (x: Tensor) => runUnary('isnan', x, bool);
export const isinf = (x: Tensor) => runUnary('isinf', x, bool);
export const isfinite = (x: Tensor) => runUnary('isfinite', x, bool);
export const logical_not = (x: Tensor) => runUnary('logical_not', x, bool);
