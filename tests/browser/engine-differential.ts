/**
 * Differential testing of a backend against the CPU backend. Random programs run on both
 * backends from the same seed: chains of elementwise, broadcasting, reducing, movement,
 * indexing and matmul ops on tensors with random shapes, ending in a backward pass. The
 * outputs and every leaf gradient must agree.
 *
 * Choices depend only on the seed and on shapes, never on values, so both runs build the same
 * program. Leaf values stay small, and ops that could overflow or that amplify rounding
 * (squares, trigonometry of large values) get clamped inputs. So the comparison tests kernels,
 * not float32 range limits: the CPU backend computes in float64 and rounds once.
 */
import type { torch as TorchNamespace } from '../../src/lib/engine';
import type { Tensor } from '../../src/lib/engine/tensor';

type Torch = typeof TorchNamespace;

export interface DifferentialOptions {
	seeds: number[];
	/** Ops per program. */
	steps: number;
	/** The backend checked against the CPU; 'webgpu' in the browser. */
	backend?: 'webgpu' | 'cpu';
}

interface SuiteCase {
	name: string;
	run(): Promise<void>;
}

/** mulberry32: a small seeded generator, enough to pick ops and shapes. */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Program {
	output: Tensor;
	leaves: Tensor[];
	log: string[];
}

const MAX_NUMEL = 2048;

function buildProgram(torch: Torch, seed: number, steps: number): Program {
	const random = generator(seed);
	const int = (n: number) => Math.floor(random() * n);
	const pick = <T>(items: readonly T[]): T => items[int(items.length)];
	const leaves: Tensor[] = [];
	const log: string[] = [];

	const leaf = (shape: number[]): Tensor => {
		const size = shape.reduce((a, b) => a * b, 1);
		const values = Array.from({ length: size }, () => Math.round((random() * 4 - 2) * 1e4) / 1e4);
		const t = torch.tensor(values).reshape(shape).requires_grad_();
		leaves.push(t);
		return t;
	};
	// A shape that broadcasts against `shape`: some dims set to 1, some leading dims dropped.
	const broadcastable = (shape: readonly number[]) => {
		const dropped = int(shape.length + 1) === 0 ? 1 : 0;
		return shape.slice(Math.min(dropped, shape.length - 1)).map((s) => (random() < 0.3 ? 1 : s));
	};
	const dim = (t: Tensor) => int(t.ndim);

	const rank = 1 + int(3);
	let x = leaf(Array.from({ length: rank }, () => 1 + int(7)));
	log.push(`leaf [${x.shape}]`);

	const ops: [string, (t: Tensor) => Tensor | null][] = [
		['tanh', (t) => t.tanh()],
		['sigmoid', (t) => t.sigmoid()],
		['sin of clamp', (t) => t.clamp(-10, 10).sin()],
		['cos of clamp', (t) => t.clamp(-10, 10).cos()],
		['abs', (t) => t.abs()],
		['relu', (t) => t.relu()],
		['square of clamp', (t) => t.clamp(-3, 3).square()],
		['exp of clamp', (t) => t.clamp(-4, 4).exp()],
		['log of abs + 1', (t) => t.abs().add(1).log()],
		['sqrt of abs + 0.1', (t) => t.abs().add(0.1).sqrt()],
		['mul scalar', (t) => t.mul(1.5)],
		['sub scalar', (t) => t.sub(0.25)],
		['div scalar', (t) => t.div(3)],
		['pow 2 of clamp', (t) => t.clamp(-3, 3).pow(2)],
		['add leaf', (t) => t.add(leaf(broadcastable(t.shape)))],
		['mul leaf', (t) => t.mul(leaf(broadcastable(t.shape)))],
		['sub leaf', (t) => leaf(broadcastable(t.shape)).sub(t)],
		['div by leaf', (t) => t.div(leaf(broadcastable(t.shape)).abs().add(0.5))],
		['sum dim', (t) => (t.ndim > 1 ? t.sum(dim(t), random() < 0.5) : null)],
		['mean dim', (t) => (t.ndim > 1 ? t.mean(dim(t), true) : null)],
		['amax dim', (t) => (t.ndim > 1 ? t.amax(dim(t)) : null)],
		['max dim values', (t) => (t.ndim > 1 ? t.max(dim(t)).values : null)],
		['softmax', (t) => torch.nn.functional.softmax(t, dim(t))],
		['log_softmax', (t) => torch.nn.functional.log_softmax(t, dim(t))],
		['norm dim', (t) => (t.ndim > 1 ? t.norm(2, dim(t)) : null)],
		['cumsum', (t) => t.cumsum(dim(t))],
		['transpose', (t) => (t.ndim > 1 ? t.transpose(0, t.ndim - 1) : null)],
		['permute', (t) => (t.ndim === 3 ? t.permute(2, 0, 1) : null)],
		[
			'narrow',
			(t) => {
				const d = dim(t);
				return t.shape[d] > 1 ? t.narrow(d, 1, t.shape[d] - 1) : null;
			}
		],
		[
			'unsqueeze expand',
			(t) =>
				t.ndim < 4 && t.numel() * 3 <= MAX_NUMEL ? t.unsqueeze(0).expand(3, ...t.shape) : null
		],
		['reshape flat', (t) => t.reshape(-1)],
		['contiguous', (t) => t.contiguous()],
		[
			'matmul leaf',
			(t) => (t.ndim >= 2 ? t.matmul(leaf([t.shape[t.ndim - 1], 1 + int(6)])) : null)
		],
		['where leaf positive', (t) => t.where(leaf([...t.shape]).gt(0), leaf(broadcastable(t.shape)))],
		[
			'cat with itself',
			(t) => (t.numel() * 2 <= MAX_NUMEL ? torch.cat([t, t.mul(2)], dim(t)) : null)
		],
		[
			'index_select',
			(t) => {
				const d = dim(t);
				const index = torch.tensor([t.shape[d] - 1, 0, t.shape[d] - 1], { dtype: torch.int64 });
				return t.index_select(d, index);
			}
		],
		['tan of clamp', (t) => t.clamp(-1.2, 1.2).tan()],
		['erf', (t) => t.erf()],
		['expm1 of clamp', (t) => t.clamp(-3, 3).expm1()],
		['log1p of abs', (t) => t.abs().log1p()],
		['rsqrt of abs + 0.5', (t) => t.abs().add(0.5).rsqrt()],
		['reciprocal of abs + 1', (t) => t.abs().add(1).reciprocal()],
		['gelu', (t) => torch.nn.functional.gelu(t)],
		['gelu tanh', (t) => torch.nn.functional.gelu(t, { approximate: 'tanh' })],
		['leaky_relu', (t) => torch.nn.functional.leaky_relu(t, { negative_slope: 0.2 })],
		['clamp', (t) => t.clamp(-0.5, 0.7)],
		['pow 2.5 of abs clamp', (t) => t.clamp(-3, 3).abs().pow(2.5)],
		['maximum leaf', (t) => t.maximum(leaf(broadcastable(t.shape)))],
		['minimum leaf', (t) => t.minimum(leaf(broadcastable(t.shape)))],
		['prod dim', (t) => (t.ndim > 1 && t.shape[1] <= 6 ? t.prod(1) : null)],
		['var dim', (t) => (t.ndim > 1 && t.shape[t.ndim - 1] > 1 ? t.var(t.ndim - 1) : null)],
		['logsumexp', (t) => t.logsumexp(dim(t))],
		// Discontinuous ops (rounding, comparisons, argmax, casts to integers) would turn a
		// rounding difference upstream into a jump. So they read a fresh leaf, whose values are
		// exact on both backends, and their result is added to the chain.
		['argmax of leaf', (t) => (t.ndim > 1 ? t.add(leaf([...t.shape]).argmax(dim(t), true)) : null)],
		['argmin of leaf', (t) => (t.ndim > 1 ? t.add(leaf([...t.shape]).argmin(dim(t), true)) : null)],
		[
			'sign floor round of leaf',
			(t) => {
				const u = leaf([...t.shape]).mul(3);
				return t.add(u.sign()).add(u.floor()).add(u.round());
			}
		],
		[
			'any and all of leaf',
			(t) => {
				if (t.ndim < 2) return null;
				const d = dim(t);
				const u = leaf([...t.shape]);
				return t.add(u.gt(0.5).any(d, true)).add(u.lt(-0.5).all(d, true));
			}
		],
		[
			'int64 round trip of leaf',
			(t) =>
				t.add(
					leaf([...t.shape])
						.mul(10)
						.long()
						.add(3)
						.mul(2)
				)
		],
		[
			'logical ops of leaf',
			(t) => {
				const u = leaf([...t.shape]);
				const a = u.gt(0.2);
				const b = u.lt(0.6);
				return t.add(a.logical_and(b).logical_or(a.logical_xor(b)));
			}
		],
		[
			'gather',
			(t) => {
				const d = dim(t);
				const positions = Array.from({ length: t.numel() }, () => int(t.shape[d]));
				const index = torch.tensor(positions, { dtype: torch.int64 }).reshape(t.shape);
				return t.gather(d, index);
			}
		]
	];

	for (let step = 0; step < steps; step++) {
		const [name, op] = pick(ops);
		const next = op(x);
		if (!next || next.ndim === 0 || next.numel() === 0 || next.numel() > MAX_NUMEL) continue;
		x = next;
		log.push(`${name} -> [${x.shape}]`);
	}
	const output = x;
	output.sum().backward();
	return { output, leaves, log };
}

/** |a - b| <= 1e-4 (1 + max |b|) elementwise, with non-finite values matching exactly. */
function compare(
	label: string,
	actual: ArrayLike<number>,
	expected: ArrayLike<number>,
	log: string[]
): void {
	if (actual.length !== expected.length) {
		throw new Error(
			`${label}: ${actual.length} elements, the CPU has ${expected.length}\n${log.join('\n')}`
		);
	}
	let scale = 0;
	for (let i = 0; i < expected.length; i++)
		if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
	const tolerance = 1e-4 * (1 + scale);
	for (let i = 0; i < expected.length; i++) {
		const a = actual[i];
		const b = expected[i];
		const same = Number.isFinite(b) ? Math.abs(a - b) <= tolerance : Object.is(a, b);
		if (!same) {
			throw new Error(
				`${label}: element ${i} is ${a}, the CPU has ${b} (tolerance ${tolerance})\n` +
					`program:\n${log.join('\n')}`
			);
		}
	}
}

export function differentialCases(torch: Torch, options: DifferentialOptions): SuiteCase[] {
	const backend = options.backend ?? 'webgpu';
	return options.seeds.map((seed) => ({
		name: `random program ${seed} matches the CPU`,
		run: async () => {
			const previous = torch.get_backend() as 'cpu' | 'webgpu';
			try {
				torch.set_backend('cpu');
				const reference = buildProgram(torch, seed, options.steps);
				torch.set_backend(backend);
				const checked = buildProgram(torch, seed, options.steps);
				compare(
					'output',
					await checked.output.array(),
					await reference.output.array(),
					reference.log
				);
				for (let i = 0; i < reference.leaves.length; i++) {
					const grad = checked.leaves[i].grad;
					const expected = reference.leaves[i].grad;
					// A leaf behind an op without a gradient (argmax, a comparison) gets none.
					if (!grad && !expected) continue;
					if (!grad || !expected) {
						const which = grad ? 'the CPU' : 'this backend';
						throw new Error(`leaf ${i}: no grad on ${which}\n${reference.log.join('\n')}`);
					}
					compare(`leaf ${i} grad`, await grad.array(), await expected.array(), reference.log);
				}
			} finally {
				torch.set_backend(previous);
			}
		}
	}));
}
