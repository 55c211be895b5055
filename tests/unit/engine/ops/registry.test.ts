import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../../src/lib/engine';
import { primitives, type PrimitiveName } from '../../../../src/lib/engine/ops/registry';

/**
 * Every primitive's backward checked against central finite differences in float64 on the
 * CPU: d/dx_e sum(f(x) * G) ~ (f(x + h) - f(x - h)) / 2h for each element e.
 */
const F = torch.nn.functional;
const f64 = torch.float64;

let seed = 1000;
/** A float64 leaf of uniform values in [low, high), drawn from a fixed seed. */
function leaf(shape: number[], low = -1, high = 1): Tensor {
	torch.manual_seed(seed++);
	return torch
		.rand(shape, { dtype: f64 })
		.mul(high - low)
		.add(low)
		.detach()
		.requires_grad_();
}

/** Values away from the kinks of floor, round, abs and friends. */
function offGrid(shape: number[]): Tensor {
	return leaf(shape, 0.1, 0.4)
		.add(torch.tensor([-3, -1, 1, 2]).reshape(shape).to(f64))
		.detach()
		.requires_grad_();
}

const int64 = (values: number[] | number[][]) => torch.tensor(values, { dtype: 'int64' });

interface FdCase {
	inputs: () => Tensor[];
	run: (...inputs: Tensor[]) => Tensor;
	/** Step and tolerance, for cases that cannot use the float64 defaults. */
	h?: number;
	rtol?: number;
}

const unary = (run: (x: Tensor) => Tensor, low = -1, high = 1): FdCase => ({
	inputs: () => [leaf([2, 3], low, high)],
	run
});

const cases = {
	neg: unary((x) => x.neg()),
	exp: unary((x) => x.exp()),
	expm1: unary((x) => x.expm1()),
	log: unary((x) => x.log(), 0.5, 2),
	log1p: unary((x) => x.log1p(), -0.5, 2),
	sqrt: unary((x) => x.sqrt(), 0.5, 2),
	rsqrt: unary((x) => x.rsqrt(), 0.5, 2),
	abs: { inputs: () => [offGrid([4])], run: (x) => x.abs() },
	sign: { inputs: () => [offGrid([4])], run: (x) => x.sign() },
	sin: unary((x) => x.sin(), -3, 3),
	cos: unary((x) => x.cos(), -3, 3),
	tan: unary((x) => x.tan(), -1.2, 1.2),
	erf: unary((x) => x.erf(), -2, 2),
	sigmoid: unary((x) => x.sigmoid(), -4, 4),
	tanh: unary((x) => x.tanh(), -3, 3),
	relu: { inputs: () => [offGrid([4])], run: (x) => x.relu() },
	reciprocal: unary((x) => x.reciprocal(), 0.5, 2),
	leaky_relu: { inputs: () => [offGrid([4])], run: (x) => F.leaky_relu(x, 0.2) },
	gelu: unary((x) => F.gelu(x), -3, 3),
	gelu_tanh: unary((x) => F.gelu(x, { approximate: 'tanh' }), -3, 3),
	clamp: { inputs: () => [offGrid([4])], run: (x) => x.clamp(-1.5, 1.5) },
	pow_scalar: unary((x) => x.pow(2.5), 0.5, 2),
	rpow_scalar: unary((x) => torch.pow(2, x)),
	floor: { inputs: () => [offGrid([4])], run: (x) => x.floor() },
	ceil: { inputs: () => [offGrid([4])], run: (x) => x.ceil() },
	round: { inputs: () => [offGrid([4])], run: (x) => x.round() },
	trunc: { inputs: () => [offGrid([4])], run: (x) => x.trunc() },

	add: { inputs: () => [leaf([2, 3]), leaf([3])], run: (a, b) => a.add(b, { alpha: 2.5 }) },
	sub: { inputs: () => [leaf([2, 1]), leaf([1, 3])], run: (a, b) => a.sub(b, { alpha: 0.5 }) },
	rsub: unary((x) => torch.sub(2, x, { alpha: 3 })),
	mul: { inputs: () => [leaf([2, 3]), leaf([2, 1])], run: (a, b) => a.mul(b) },
	div: { inputs: () => [leaf([2, 3]), leaf([3], 0.5, 2)], run: (a, b) => a.div(b) },
	pow: { inputs: () => [leaf([2, 3], 0.5, 2), leaf([2, 3])], run: (a, b) => a.pow(b) },
	maximum: { inputs: () => [leaf([5]), leaf([5])], run: (a, b) => a.maximum(b) },
	minimum: { inputs: () => [leaf([5]), leaf([5])], run: (a, b) => a.minimum(b) },
	where: {
		inputs: () => [leaf([4]), leaf([2, 4])],
		run: (a, b) => torch.where(torch.tensor([true, false, false, true]), a, b)
	},
	masked_fill: unary((x) => x.masked_fill(torch.tensor([[true, false, true]]), 2)),

	sum: { inputs: () => [leaf([2, 3, 4])], run: (x) => x.sum([0, 2]) },
	mean: { inputs: () => [leaf([2, 3, 4])], run: (x) => x.mean(1, true) },
	prod: { inputs: () => [leaf([3, 4], 0.5, 1.5)], run: (x) => x.prod(1) },
	amax: { inputs: () => [leaf([3, 4])], run: (x) => x.amax(0) },
	max_dim: { inputs: () => [leaf([3, 4])], run: (x) => x.max(1).values },
	vector_norm: {
		inputs: () => [leaf([3, 4])],
		run: (x) => x.norm().add(x.norm(1, 1).sum()).add(x.norm(3).mul(2)).add(x.norm(Infinity))
	},
	cumsum: { inputs: () => [leaf([3, 4])], run: (x) => x.cumsum(1) },
	var: { inputs: () => [leaf([3, 4])], run: (x) => x.var(1).add(x.std()) },

	softmax: { inputs: () => [leaf([3, 4], -3, 3)], run: (x) => x.softmax(1) },
	log_softmax: { inputs: () => [leaf([3, 4], -3, 3)], run: (x) => x.log_softmax(0) },
	logsumexp: { inputs: () => [leaf([3, 4], -3, 3)], run: (x) => x.logsumexp(1) },

	view: { inputs: () => [leaf([2, 6])], run: (x) => x.view(3, 4) },
	permute: { inputs: () => [leaf([2, 3, 4])], run: (x) => x.permute(2, 0, 1) },
	expand: { inputs: () => [leaf([3, 1])], run: (x) => x.expand(2, 3, 4) },
	slice: { inputs: () => [leaf([5, 4])], run: (x) => x.index('1::2, 2') },
	clone: unary((x) => x.clone()),
	to: {
		inputs: () => [leaf([3])],
		run: (x) => x.to(torch.float32).mul(x.to(torch.float32)),
		h: 1e-2,
		rtol: 1e-3
	},
	cat: { inputs: () => [leaf([2, 3]), leaf([2, 1])], run: (a, b) => torch.cat([a, b], 1) },
	stack: { inputs: () => [leaf([2, 3]), leaf([2, 3])], run: (a, b) => torch.stack([a, b], 2) },
	index_select: { inputs: () => [leaf([3, 4])], run: (x) => x.index_select(1, int64([3, 0, 3])) },
	gather: {
		inputs: () => [leaf([3, 4])],
		run: (x) =>
			x.gather(
				1,
				int64([
					[0, 0],
					[3, 1],
					[2, 2]
				])
			)
	},
	scatter_add: {
		inputs: () => [leaf([2, 4]), leaf([2, 2])],
		run: (x, src) =>
			x.scatter_add(
				1,
				int64([
					[0, 0],
					[3, 1]
				]),
				src
			)
	},

	matmul: {
		inputs: () => [leaf([2, 3, 4]), leaf([4, 5]), leaf([5])],
		run: (a, b, v) => torch.matmul(torch.matmul(a, b), v)
	},
	linear: {
		inputs: () => [leaf([2, 3, 4]), leaf([5, 4]), leaf([5])],
		run: (x, w, b) => F.linear(x, w, b)
	},

	mse_loss: { inputs: () => [leaf([3, 4]), leaf([3, 4])], run: (a, b) => F.mse_loss(a, b) },
	nll_loss: {
		inputs: () => [leaf([3, 4])],
		run: (x) =>
			F.nll_loss(x, int64([1, -100, 3]), { weight: torch.tensor([1, 2, 0.5, 3], { dtype: f64 }) })
	},
	binary_cross_entropy: {
		inputs: () => [leaf([2, 3], 0.1, 0.9), leaf([2, 3], 0, 1)],
		run: (p, t) => F.binary_cross_entropy(p, t)
	},
	binary_cross_entropy_with_logits: {
		inputs: () => [leaf([2, 3], -3, 3), leaf([2, 3], 0, 1)],
		run: (x, t) =>
			F.binary_cross_entropy_with_logits(x, t, {
				pos_weight: torch.tensor([1, 2, 3], { dtype: f64 }),
				weight: torch.tensor([0.5, 1, 2], { dtype: f64 })
			})
	},
	layer_norm: {
		inputs: () => [leaf([2, 3, 4]), leaf([4]), leaf([4])],
		run: (x, w, b) => F.layer_norm(x, [4], w, b)
	},
	batch_norm: {
		inputs: () => [leaf([4, 3, 2]), leaf([3]), leaf([3])],
		run: (x, w, b) =>
			F.batch_norm(x, null, null, w, b, { training: true }).add(
				F.batch_norm(x, torch.zeros(3, { dtype: f64 }), torch.ones(3, { dtype: f64 }), w, b)
			)
	},
	dropout: {
		inputs: () => [leaf([4, 5])],
		run: (x) => {
			torch.manual_seed(3);
			return F.dropout(x, 0.4);
		}
	}
} satisfies Record<PrimitiveName, FdCase>;

async function numericGradient(
	c: FdCase,
	inputs: Tensor[],
	g: Tensor,
	index: number
): Promise<number[]> {
	const h = c.h ?? 1e-6;
	const base = Array.from(await inputs[index].array());
	const objective = async (values: number[]) => {
		const moved = torch.tensor(Float64Array.from(values)).reshape(inputs[index].shape);
		const args = inputs.map((t, i) => (i === index ? moved : t.detach()));
		return torch
			.no_grad(() =>
				c
					.run(...args)
					.to(f64)
					.mul(g)
					.sum()
			)
			.item();
	};
	const grad: number[] = [];
	for (let e = 0; e < base.length; e++) {
		const plus = base.slice();
		const minus = base.slice();
		plus[e] += h;
		minus[e] -= h;
		grad.push(((await objective(plus)) - (await objective(minus))) / (2 * h));
	}
	return grad;
}

describe('every primitive backward matches central finite differences', () => {
	test('the registry lists a backward rule and a grad_fn name for every primitive', () => {
		for (const [name, primitive] of Object.entries(primitives)) {
			expect(typeof primitive.backward, name).toBe('function');
			expect(primitive.gradFn, name).toBeTruthy();
		}
		expect(Object.keys(cases).sort()).toEqual(Object.keys(primitives).sort());
	});

	for (const [name, c] of Object.entries(cases) as [PrimitiveName, FdCase][]) {
		test(`${name} backward matches finite differences`, async () => {
			const inputs = c.inputs();
			const out = c.run(...inputs);
			torch.manual_seed(77);
			const g = torch.randn(out.shape, { dtype: f64 });
			out.to(f64).mul(g).sum().backward();
			const rtol = c.rtol ?? 1e-5;

			for (let i = 0; i < inputs.length; i++) {
				const analytic = Array.from(
					await (inputs[i].grad ?? inputs[i].new_zeros(inputs[i].shape)).array()
				);
				const numeric = await numericGradient(c, inputs, g, i);
				numeric.forEach((n, e) => {
					const bound = 1e-7 + rtol * Math.max(Math.abs(n), Math.abs(analytic[e]));
					expect(
						Math.abs(analytic[e] - n),
						`input ${i} element ${e}: autograd ${analytic[e]}, numeric ${n}`
					).toBeLessThanOrEqual(bound);
				});
			}
		});
	}
});
