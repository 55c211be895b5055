/**
 * torch.autograd.gradcheck: compares the gradients autograd computes with central finite
 * differences. Everything runs in float64 on the CPU backend, where a difference quotient
 * with eps = 1e-6 is accurate to about 1e-10; inputs are copied to float64 first.
 *
 * Both Jacobians use PyTorch's layout: for input i and output o, a matrix with one row per
 * element of input i and one column per element of output o, entry [j][k] = d out_k / d in_j.
 */
import { no_grad } from './autograd';
import { float64 } from './dtype';
import { ValueError } from './errors';
import { Tensor } from './tensor';
import { tensor } from './creation';
import { grad as autogradGrad } from './functions';

export type GradcheckFunction = (...inputs: Tensor[]) => Tensor | Tensor[];

export interface GradcheckOptions {
	/** Step of the central difference (default 1e-6). */
	eps?: number;
	/** Absolute tolerance (default 1e-5). */
	atol?: number;
	/** Relative tolerance, against the numerical value (default 1e-3). */
	rtol?: number;
	/** Throw on a mismatch (default true); false returns false instead. */
	raise_exception?: boolean;
}

/** One Jacobian block: d outputs[output] / d inputs[input], rows are input elements. */
export interface JacobianBlock {
	input: number;
	output: number;
	numerical: number[][];
	analytical: number[][];
}

/** Raised by gradcheck on a mismatch, as `torch.autograd.gradcheck.GradcheckError`. */
export class GradcheckError extends Error {
	override name = 'GradcheckError';
}

/**
 * Checks the gradients of `fn` at `inputs` against finite differences, as
 * `torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)`. Only inputs with
 * `requires_grad` are checked. Resolves to true, or throws a GradcheckError naming the input,
 * the element and both values. Example:
 * `await torch.autograd.gradcheck((x) => x.pow(3), [torch.randn(4, { requires_grad: true })])`.
 */
export async function gradcheck(
	fn: GradcheckFunction,
	inputs: Tensor | Tensor[],
	options: GradcheckOptions = {}
): Promise<boolean> {
	const atol = options.atol ?? 1e-5;
	const rtol = options.rtol ?? 1e-3;
	const blocks = await compute_jacobians(fn, inputs, { eps: options.eps });
	const list = Array.isArray(inputs) ? inputs : [inputs];

	for (const block of blocks) {
		const mismatch = firstMismatch(block, atol, rtol);
		if (mismatch === null) continue;
		if (options.raise_exception === false) return false;
		const [row, column] = mismatch;
		const element = unravel(row, list[block.input].shape);
		throw new GradcheckError(
			`Jacobian mismatch for output ${block.output} with respect to input ${block.input}: ` +
				`at input element [${element}] and output element ${column}, ` +
				`numerical ${block.numerical[row][column]} but analytical ${block.analytical[row][column]} ` +
				`(atol ${atol}, rtol ${rtol}). Check the backward rule of the ops in the function.`
		);
	}
	return true;
}

/**
 * Numerical and analytical Jacobians of `fn` at `inputs`, one block per (input with
 * requires_grad, output) pair, computed in float64 on the CPU.
 */
export async function compute_jacobians(
	fn: GradcheckFunction,
	inputs: Tensor | Tensor[],
	options: { eps?: number } = {}
): Promise<JacobianBlock[]> {
	const eps = options.eps ?? 1e-6;
	const list = (Array.isArray(inputs) ? inputs : [inputs]).map(toFloat64);
	const checked = list.flatMap((t, i) => (t.requires_grad ? [i] : []));
	if (checked.length === 0) {
		throw new ValueError(
			'gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=true.'
		);
	}

	const outputs = outputsOf(fn(...list));
	const analytical = await analyticalJacobians(outputs, list, checked);
	const numerical = await numericalJacobians(fn, list, checked, outputs, eps);
	return checked.flatMap((input, c) =>
		outputs.map((_, output) => ({
			input,
			output,
			numerical: numerical[c][output],
			analytical: analytical[c][output]
		}))
	);
}

function toFloat64(t: Tensor): Tensor {
	const copy = t.detach().to('cpu').to(float64);
	return t.requires_grad ? copy.requires_grad_(true) : copy;
}

function outputsOf(result: Tensor | Tensor[]): Tensor[] {
	const outputs = Array.isArray(result) ? result : [result];
	for (const out of outputs) {
		if (!(out instanceof Tensor)) {
			throw new ValueError(`gradcheck: the function must return tensors, got ${typeof out}.`);
		}
	}
	return outputs;
}

/** Row j of block [c][o] is d outputs[o] / d (element j of input checked[c]). */
async function analyticalJacobians(
	outputs: Tensor[],
	inputs: Tensor[],
	checked: number[]
): Promise<number[][][][]> {
	const blocks = checked.map((i) => outputs.map((out) => matrix(inputs[i].numel(), out.numel())));
	for (let o = 0; o < outputs.length; o++) {
		const out = outputs[o];
		if (!out.requires_grad) continue;
		for (let k = 0; k < out.numel(); k++) {
			const seed = new Float64Array(out.numel());
			seed[k] = 1;
			const gradOutput = tensor(seed, { dtype: float64, device: 'cpu' }).reshape(out.shape);
			const grads = autogradGrad(
				[out],
				checked.map((i) => inputs[i]),
				{
					grad_outputs: [gradOutput],
					retain_graph: true,
					allow_unused: true
				}
			);
			for (let c = 0; c < checked.length; c++) {
				const grad = grads[c];
				if (grad === null) continue;
				const values = await grad.array();
				for (let j = 0; j < values.length; j++) blocks[c][o][j][k] = values[j];
			}
		}
	}
	return blocks;
}

async function numericalJacobians(
	fn: GradcheckFunction,
	inputs: Tensor[],
	checked: number[],
	outputs: Tensor[],
	eps: number
): Promise<number[][][][]> {
	const blocks = checked.map((i) => outputs.map((out) => matrix(inputs[i].numel(), out.numel())));
	for (let c = 0; c < checked.length; c++) {
		const i = checked[c];
		const base = Float64Array.from(await inputs[i].array());
		for (let j = 0; j < base.length; j++) {
			const plus = await evaluateAt(fn, inputs, i, base, j, eps);
			const minus = await evaluateAt(fn, inputs, i, base, j, -eps);
			for (let o = 0; o < outputs.length; o++) {
				for (let k = 0; k < plus[o].length; k++) {
					blocks[c][o][j][k] = (plus[o][k] - minus[o][k]) / (2 * eps);
				}
			}
		}
	}
	return blocks;
}

/** Runs `fn` with element j of input i moved by `delta`; returns every output's values. */
async function evaluateAt(
	fn: GradcheckFunction,
	inputs: Tensor[],
	i: number,
	base: Float64Array,
	j: number,
	delta: number
): Promise<Float64Array[]> {
	const moved = Float64Array.from(base);
	moved[j] += delta;
	const args = inputs.map((t, n) =>
		n === i ? tensor(moved, { dtype: float64, device: 'cpu' }).reshape(t.shape) : t.detach()
	);
	const outputs = no_grad(() => outputsOf(fn(...args)));
	return Promise.all(outputs.map(async (out) => Float64Array.from(await out.array())));
}

function matrix(rows: number, columns: number): number[][] {
	return Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
}

function firstMismatch(block: JacobianBlock, atol: number, rtol: number): [number, number] | null {
	for (let j = 0; j < block.numerical.length; j++) {
		for (let k = 0; k < block.numerical[j].length; k++) {
			const n = block.numerical[j][k];
			const a = block.analytical[j][k];
			if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) return [j, k];
		}
	}
	return null;
}

function unravel(flat: number, shape: readonly number[]): number[] {
	const index = new Array<number>(shape.length);
	for (let d = shape.length - 1; d >= 0; d--) {
		index[d] = flat % shape[d];
		flat = Math.floor(flat / shape[d]);
	}
	return index;
}
