/**
 * The golden op suite: every case of tests/fixtures/golden/ops.json (PyTorch 1.13 values),
 * evaluated through a `torch` object so the same module runs on the CPU backend under Vitest
 * and on WebGPU in a browser page. Each case builds its inputs, evaluates its expression,
 * backpropagates sum(output * G) and compares the output and every gradient with the case's
 * tolerance: |engine - golden| <= atol + rtol * |golden|, non-finite values exactly.
 */
import ops from '../fixtures/golden/ops.json';
import type { Tensor, torch as engineTorch } from '../../src/lib/engine';

export type Torch = typeof engineTorch;

type Value = number | string;

export interface GoldenTensor {
	shape: number[];
	dtype: 'float32' | 'int64';
	data: Value[];
	requires_grad?: boolean;
}

export interface GoldenCase {
	name: string;
	expr: string;
	inputs: Record<string, GoldenTensor>;
	params: Record<string, unknown> | null;
	G: GoldenTensor;
	output: GoldenTensor;
	output_indices?: GoldenTensor;
	grads: Record<string, GoldenTensor>;
	tol: { rtol: number; atol: number; class: string };
	running_mean?: GoldenTensor;
	running_var?: GoldenTensor;
	running_mean_before?: GoldenTensor;
	running_var_before?: GoldenTensor;
	running_mean_after?: GoldenTensor;
	running_var_after?: GoldenTensor;
}

export const goldenCases = ops.cases as unknown as GoldenCase[];

/** What an evaluator returns: the output, or values with indices for max/min along a dim. */
type Evaluated = Tensor | { values: Tensor; indices: Tensor };

interface Context {
	torch: Torch;
	inputs: Record<string, Tensor>;
	params: Record<string, unknown>;
	/** Running statistics a batch-norm case starts from, updated in place by training cases. */
	running: { mean: Tensor | null; var: Tensor | null };
}

type Evaluator = (c: Context) => Evaluated;

const F = (c: Context) => c.torch.nn.functional;

/** One entry per case: how its Python `expr` reads in this engine's API. */
export const evaluators: Record<string, Evaluator> = {
	add_broadcast_row: ({ inputs: { a, b } }) => a.add(b),
	add_broadcast_outer: ({ inputs: { a, b } }) => a.add(b),
	add_scalar: ({ inputs: { a } }) => a.add(2.5),
	sub_broadcast_3d: ({ inputs: { a, b } }) => a.sub(b),
	mul_broadcast_col: ({ inputs: { a, b } }) => a.mul(b),
	mul_broadcast_3d: ({ inputs: { a, b } }) => a.mul(b),
	div_broadcast: ({ inputs: { a, b } }) => a.div(b),
	div_scalar_by_tensor: ({ torch, inputs: { b } }) => torch.div(1.0, b),
	div_by_zero: ({ inputs: { a, b } }) => a.div(b),
	matmul_2d: ({ torch, inputs: { a, b } }) => torch.matmul(a, b),
	matmul_batched_3d: ({ torch, inputs: { a, b } }) => torch.matmul(a, b),
	matmul_broadcast_batch: ({ torch, inputs: { a, b } }) => torch.matmul(a, b),
	matmul_matrix_vector: ({ torch, inputs: { a, v } }) => torch.matmul(a, v),
	linear: (c) => F(c).linear(c.inputs.x, c.inputs.w, c.inputs.b),
	pow_2: ({ inputs: { x } }) => x.pow(2),
	pow_3: ({ inputs: { x } }) => x.pow(3),
	pow_0_5: ({ inputs: { x } }) => x.pow(0.5),
	pow_2_5: ({ inputs: { x } }) => x.pow(2.5),
	pow_neg1: ({ inputs: { x } }) => x.pow(-1),
	pow_edge: ({ inputs: { x } }) => x.pow(0.5),
	pow_zero_exponent: ({ inputs: { x } }) => x.pow(0),
	pow_2_at_zero: ({ inputs: { x } }) => x.pow(2),
	exp: ({ inputs: { x } }) => x.exp(),
	exp_overflow: ({ inputs: { x } }) => x.exp(),
	log: ({ inputs: { x } }) => x.log(),
	log_zero_and_negative: ({ inputs: { x } }) => x.log(),
	sqrt: ({ inputs: { x } }) => x.sqrt(),
	sqrt_zero: ({ inputs: { x } }) => x.sqrt(),
	neg: ({ inputs: { x } }) => x.neg(),
	abs: ({ inputs: { x } }) => x.abs(),
	sigmoid: ({ torch, inputs: { x } }) => torch.sigmoid(x),
	sigmoid_extremes: ({ torch, inputs: { x } }) => torch.sigmoid(x),
	tanh: ({ torch, inputs: { x } }) => torch.tanh(x),
	tanh_extremes: ({ torch, inputs: { x } }) => torch.tanh(x),
	relu: ({ torch, inputs: { x } }) => torch.relu(x),
	relu_at_zero: ({ torch, inputs: { x } }) => torch.relu(x),
	clamp_min_at_zero: ({ inputs: { x } }) => x.clamp({ min: 0 }),
	clamp_both_boundaries: ({ inputs: { x } }) => x.clamp(-0.5, 0.5),
	leaky_relu: (c) => F(c).leaky_relu(c.inputs.x),
	leaky_relu_0_2: (c) =>
		F(c).leaky_relu(c.inputs.x, { negative_slope: c.params.negative_slope as number }),
	gelu_exact: (c) => F(c).gelu(c.inputs.x),
	gelu_tanh: (c) => F(c).gelu(c.inputs.x, { approximate: 'tanh' }),
	softmax_last_dim: (c) => F(c).softmax(c.inputs.x, { dim: c.params.dim as number }),
	softmax_dim0: (c) => F(c).softmax(c.inputs.x, { dim: c.params.dim as number }),
	log_softmax_last_dim: (c) => F(c).log_softmax(c.inputs.x, { dim: c.params.dim as number }),
	softmax_large_logits: (c) => F(c).softmax(c.inputs.x, { dim: c.params.dim as number }),
	log_softmax_large_logits: (c) => F(c).log_softmax(c.inputs.x, { dim: c.params.dim as number }),
	softmax_with_neg_inf: (c) => F(c).softmax(c.inputs.x, { dim: c.params.dim as number }),
	sum_all: ({ inputs: { x } }) => x.sum(),
	mean_all: ({ inputs: { x } }) => x.mean(),
	sum_dim1_keepdim: ({ inputs: { x } }) => x.sum({ dim: 1, keepdim: true }),
	sum_dim1: ({ inputs: { x } }) => x.sum({ dim: 1 }),
	mean_dim0_keepdim: ({ inputs: { x } }) => x.mean({ dim: 0, keepdim: true }),
	mean_dim0: ({ inputs: { x } }) => x.mean({ dim: 0 }),
	sum_dims_0_2: ({ inputs: { x } }) => x.sum({ dim: [0, 2] }),
	mean_dim_neg1_keepdim_3d: ({ inputs: { x } }) => x.mean({ dim: -1, keepdim: true }),
	max_dim1: ({ inputs: { x } }) => x.max({ dim: 1 }),
	max_dim0_keepdim: ({ inputs: { x } }) => x.max({ dim: 0, keepdim: true }),
	max_dim_ties: ({ inputs: { x } }) => x.max(1),
	max_all_ties: ({ inputs: { x } }) => x.max(),
	amax_dim_ties: ({ inputs: { x } }) => x.amax({ dim: 1 }),
	min_dim1: ({ inputs: { x } }) => x.min(1),
	norm_frobenius: ({ inputs: { x } }) => x.norm(),
	norm_all_zero: ({ inputs: { x } }) => x.norm(),
	norm_dim1_with_zero_row: ({ inputs: { x } }) => x.norm({ dim: 1 }),
	norm_overflow: ({ inputs: { x } }) => x.norm(),
	norm_underflow: ({ inputs: { x } }) => x.norm(),
	transpose_2d: ({ inputs: { x } }) => x.t(),
	transpose_3d: ({ inputs: { x } }) => x.transpose(0, 2),
	permute_3d: ({ inputs: { x } }) => x.permute(2, 0, 1),
	reshape: ({ inputs: { x } }) => x.reshape(6, 4),
	reshape_after_transpose: ({ inputs: { x } }) => x.t().reshape(-1),
	slice_dim1: ({ inputs: { x } }) => x.index(':, 1:3'),
	slice_step: ({ inputs: { x } }) => x.index('::2, 1:'),
	select_index: ({ inputs: { x } }) => x.index('1'),
	index_select_repeated: ({ inputs: { x, idx } }) => x.index_select(0, idx),
	gather_dim1: ({ inputs: { x, idx } }) => x.gather(1, idx),
	cat_dim0: ({ torch, inputs: { a, b } }) => torch.cat([a, b], 0),
	cat_dim1: ({ torch, inputs: { a, b } }) => torch.cat([a, b], 1),
	stack_dim1: ({ torch, inputs: { a, b } }) => torch.stack([a, b], 1),
	expand: ({ inputs: { x } }) => x.expand(3, 4),
	unsqueeze_squeeze: ({ inputs: { x } }) => x.unsqueeze(0).squeeze(1),
	mse_loss_mean: (c) => F(c).mse_loss(c.inputs.input, c.inputs.target),
	mse_loss_sum: (c) => F(c).mse_loss(c.inputs.input, c.inputs.target, { reduction: 'sum' }),
	mse_loss_none: (c) => F(c).mse_loss(c.inputs.input, c.inputs.target, { reduction: 'none' }),
	cross_entropy_mean: (c) => F(c).cross_entropy(c.inputs.logits, c.inputs.target),
	cross_entropy_none: (c) =>
		F(c).cross_entropy(c.inputs.logits, c.inputs.target, { reduction: 'none' }),
	cross_entropy_ignore_index: (c) =>
		F(c).cross_entropy(c.inputs.logits, c.inputs.target, { ignore_index: c.params.ignore_index }),
	cross_entropy_label_smoothing: (c) =>
		F(c).cross_entropy(c.inputs.logits, c.inputs.target, {
			label_smoothing: c.params.label_smoothing
		}),
	cross_entropy_large_logits: (c) => F(c).cross_entropy(c.inputs.logits, c.inputs.target),
	bce_with_logits_mean: (c) =>
		F(c).binary_cross_entropy_with_logits(c.inputs.logits, c.inputs.target),
	bce_with_logits_extremes: (c) =>
		F(c).binary_cross_entropy_with_logits(c.inputs.logits, c.inputs.target, { reduction: 'none' }),
	layer_norm_affine: (c) =>
		F(c).layer_norm(c.inputs.x, [6], c.inputs.weight, c.inputs.bias, { eps: c.params.eps }),
	layer_norm_3d: (c) => F(c).layer_norm(c.inputs.x, [4], c.inputs.weight, c.inputs.bias),
	batch_norm_train: (c) => batchNorm(c, true),
	batch_norm_train_3d: (c) => batchNorm(c, true),
	batch_norm_eval: (c) => batchNorm(c, false)
};

function batchNorm(c: Context, training: boolean): Tensor {
	const { x, weight, bias } = c.inputs;
	return F(c).batch_norm(x, c.running.mean, c.running.var, weight, bias, {
		training,
		momentum: (c.params.momentum as number | undefined) ?? 0.1,
		eps: c.params.eps as number
	});
}

const decode = (v: Value): number =>
	typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;

/** Builds a leaf tensor with the golden values, shape and dtype. */
export function tensorOf(torch: Torch, t: GoldenTensor, requiresGrad = false): Tensor {
	const values =
		t.dtype === 'int64' ? Float64Array.from(t.data, decode) : Float32Array.from(t.data, decode);
	const dtype = t.dtype === 'int64' ? torch.int64 : torch.float32;
	const flat = torch.tensor(values, { dtype });
	return flat.reshape(t.shape).detach().requires_grad_(requiresGrad);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
	return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Compares engine values with a golden tensor; returns a description of each mismatch
 * (at most 3 elements listed), or nothing when all match.
 */
export async function compareTensor(
	label: string,
	actual: Tensor | null,
	expected: GoldenTensor,
	tol: { rtol: number; atol: number }
): Promise<string[]> {
	if (actual === null) return [`${label}: missing (null)`];
	if (!sameShape(actual.shape, expected.shape)) {
		return [`${label}: shape [${actual.shape}] but golden [${expected.shape}]`];
	}
	const values = await actual.array();
	const bad: string[] = [];
	expected.data.forEach((raw, i) => {
		const want = decode(raw);
		const got = Number(values[i]);
		const ok = Number.isFinite(want)
			? Math.abs(got - want) <= tol.atol + tol.rtol * Math.abs(want)
			: Object.is(got, want) || (Number.isNaN(want) && Number.isNaN(got));
		if (!ok) bad.push(`[${i}] engine ${got}, golden ${want}`);
	});
	if (bad.length === 0) return [];
	return [`${label}: ${bad.length} of ${values.length} differ: ${bad.slice(0, 3).join('; ')}`];
}

/** Runs one golden case; resolves to the list of mismatches (empty when the case passes). */
export async function runGoldenCase(torch: Torch, c: GoldenCase): Promise<string[]> {
	const evaluate = evaluators[c.name];
	if (!evaluate) return [`no evaluator for case '${c.name}' (${c.expr})`];

	const inputs: Record<string, Tensor> = {};
	for (const [name, t] of Object.entries(c.inputs))
		inputs[name] = tensorOf(torch, t, t.requires_grad ?? false);
	const before = {
		mean: c.running_mean_before ?? c.running_mean,
		var: c.running_var_before ?? c.running_var
	};
	const running = {
		mean: before.mean ? tensorOf(torch, before.mean) : null,
		var: before.var ? tensorOf(torch, before.var) : null
	};

	const result = evaluate({ torch, inputs, params: c.params ?? {}, running });
	const output =
		'values' in result && !(result instanceof torch.Tensor) ? result.values : (result as Tensor);
	const failures = await compareTensor('output', output, c.output, c.tol);
	if (c.output_indices && 'indices' in result) {
		failures.push(
			...(await compareTensor('indices', result.indices, c.output_indices, { rtol: 0, atol: 0 }))
		);
	}
	if (c.running_mean_after && running.mean) {
		failures.push(
			...(await compareTensor('running_mean', running.mean, c.running_mean_after, c.tol))
		);
	}
	if (c.running_var_after && running.var) {
		failures.push(...(await compareTensor('running_var', running.var, c.running_var_after, c.tol)));
	}

	if (Object.keys(c.grads).length > 0) {
		output.mul(tensorOf(torch, c.G)).sum().backward();
		for (const [name, expected] of Object.entries(c.grads)) {
			failures.push(
				...(await compareTensor(`grad ${name}`, inputs[name]?.grad ?? null, expected, c.tol))
			);
		}
	}
	return failures;
}
