import { expect } from '@playwright/test';
import { test } from './engine-harness';

// Edge cases of four WebGPU fast paths, each compared with the CPU backend on the same inputs:
// flat elementwise kernels (four elements per thread), same-dtype contiguous copies recorded as
// buffer copies, straight-line tanh and exp, and the one-column-per-thread matmul kernel.

type Results = Record<string, number[]>;

/** Both backends' results of one program, keyed by label. */
interface Comparison {
	cpu: Results;
	gpu: Results;
}

const float32Bits = new Float32Array(1);
const int32Bits = new Int32Array(float32Bits.buffer);

/** Returns the float32 bit pattern of `x` as an integer that orders like the floats (-0 below +0). */
function orderedBits(x: number): number {
	float32Bits[0] = x;
	const bits = int32Bits[0];
	return bits < 0 ? -0x80000000 - bits - 1 : bits;
}

/** Float32 values from `a` to `b`, counted in units in the last place. */
function ulpDistance(a: number, b: number): number {
	return Math.abs(orderedBits(a) - orderedBits(b));
}

/** Returns the float32 value `steps` representable values after `x` (before it if negative). */
function float32Step(x: number, steps: number): number {
	float32Bits[0] = x;
	const bits = orderedBits(float32Bits[0]) + steps;
	int32Bits[0] = bits < 0 ? -0x80000000 - bits - 1 : bits;
	return float32Bits[0];
}

const SMALLEST_NORMAL = 2 ** -126;

/** `x` as text, with the sign of a negative zero. */
function show(x: number): string {
	return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * Checks one labelled result element by element: NaN where the CPU has NaN, the same infinity,
 * a zero of either sign where the CPU has a zero, and at most `maxUlp` float32 steps elsewhere.
 * A CPU result below the smallest normal float32 may come back as a zero, because GPUs flush
 * subnormals. The signs of zeros are checked against PyTorch by 'signed zeros as in PyTorch'.
 * The checks are soft, so that one function's failure still reports the others.
 */
function expectUlpClose(
	label: string,
	inputs: number[],
	cpu: number[],
	gpu: number[],
	maxUlp: number
): void {
	expect.soft(gpu.length, `${label}: length`).toBe(cpu.length);
	let worst = -1;
	let worstDistance = 0;
	const mismatches: string[] = [];
	cpu.forEach((expected, i) => {
		const actual = gpu[i];
		const where = `${label}(${show(inputs[i])}) is ${show(actual)}, the CPU has ${show(expected)}`;
		if (Number.isNaN(expected) || Number.isNaN(actual)) {
			if (Number.isNaN(expected) !== Number.isNaN(actual)) mismatches.push(where);
			return;
		}
		// Subnormal inputs and results may read as zero on the GPU, which flushes them.
		const subnormalInput = inputs[i] !== 0 && Math.abs(inputs[i]) < SMALLEST_NORMAL;
		const subnormalResult = Math.abs(expected) < SMALLEST_NORMAL;
		if (expected !== 0 && (subnormalInput || subnormalResult) && actual === 0) return;
		if (expected === 0) {
			if (actual !== 0) mismatches.push(where);
			return;
		}
		if (!Number.isFinite(expected)) {
			if (actual !== expected) mismatches.push(where);
			return;
		}
		const distance = ulpDistance(actual, expected);
		if (distance > worstDistance) {
			worstDistance = distance;
			worst = i;
		}
	});
	expect.soft(mismatches.slice(0, 10), `${label}: special values`).toEqual([]);
	const detail =
		worst < 0 ? '' : `${label}(${inputs[worst]}) is ${gpu[worst]}, the CPU has ${cpu[worst]}`;
	expect
		.soft(worstDistance, `${label}: largest ULP distance; ${detail}`)
		.toBeLessThanOrEqual(maxUlp);
}

/** Exact equality per element, with NaN equal to NaN and -0 apart from +0. */
function expectSameValues(label: string, cpu: number[], gpu: number[]): void {
	expect(gpu.length, `${label}: length`).toBe(cpu.length);
	const index = cpu.findIndex((v, i) => !Object.is(v, gpu[i]));
	const detail =
		index < 0 ? '' : `element ${index} is ${show(gpu[index])}, the CPU has ${show(cpu[index])}`;
	expect(index, `${label}: first differing element; ${detail}`).toBe(-1);
}

function expectSameResults(result: Comparison): void {
	expect(Object.keys(result.gpu)).toEqual(Object.keys(result.cpu));
	for (const label of Object.keys(result.cpu)) {
		expectSameValues(label, result.cpu[label], result.gpu[label]);
	}
}

// Boundaries of the WGSL code paths: the tiny-|x| cutoff 2^-12 of tanh, the range-reduction
// steps k ln 2 / 2, tanh's clamp at 9.02 and its float32 saturation near 9.0109, exp's finite
// range [-87.33654, 88.72283], and the subnormal range.
const BOUNDARIES = [
	2 ** -12,
	Math.LN2 / 4,
	Math.LN2 / 2,
	0.35,
	(3 * Math.LN2) / 4,
	8.49,
	9.01,
	9.0109133,
	9.02,
	87.33654,
	88.72283172607422,
	88.7228391
];

function specialInputs(): number[] {
	const values = [
		NaN,
		Infinity,
		0,
		1e-45,
		1e-40,
		1.1754942e-38,
		SMALLEST_NORMAL,
		1e-30,
		1e-10,
		1e-5,
		0.1,
		0.5,
		1,
		2,
		4.5,
		9,
		10,
		15,
		20,
		50,
		87,
		88,
		89,
		100,
		104,
		1e10,
		3.4e38
	];
	for (const b of BOUNDARIES) {
		for (let step = -3; step <= 3; step++) values.push(float32Step(Math.fround(b), step));
	}
	return [...values, ...values.map((v) => -v)];
}

/**
 * ULP bounds against the CPU backend, which computes in float64 and rounds once. sigmoid's
 * float32 division may itself be 2.5 ULP off in WGSL.
 */
const MAX_ULP: Record<string, number> = { exp: 2, tanh: 2, expm1: 2, erf: 2, sigmoid: 4 };

test.describe('straight-line tanh and exp', () => {
	test('special values match the CPU', async ({ harness }) => {
		const inputs = specialInputs();
		const result = await harness.evaluate(async (inputs) => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const x = torch.tensor(inputs);
				const outputs = {
					exp: x.exp(),
					tanh: x.tanh(),
					sigmoid: x.sigmoid(),
					expm1: x.expm1(),
					erf: x.erf()
				};
				const values: Record<string, number[]> = {};
				for (const [name, t] of Object.entries(outputs)) {
					values[name] = Array.from(await t.array(), Number);
				}
				return values;
			};
			try {
				const cpu = await run('cpu');
				const gpu = await run('webgpu');
				const stored = Array.from(await torch.tensor(inputs).array(), Number);
				return { cpu, gpu, stored };
			} finally {
				torch.set_backend('webgpu');
			}
		}, inputs);
		for (const name of Object.keys(result.cpu)) {
			expectUlpClose(name, result.stored, result.cpu[name], result.gpu[name], MAX_ULP[name]);
		}
	});

	test('signed zeros as in PyTorch', async ({ harness }) => {
		// C99 Annex F has tanh, expm1 and erf return a zero of the input's sign, and exp and
		// sigmoid of either zero are 1 and 0.5. NOTE: no golden PyTorch case records signed
		// zeros yet, so these values come from the C standard that PyTorch's kernels follow.
		const expected: Record<string, [number, number]> = {
			exp: [1, 1],
			tanh: [0, -0],
			sigmoid: [0.5, 0.5],
			expm1: [0, -0],
			erf: [0, -0]
		};
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const x = torch.tensor([0, -0]);
				const outputs = {
					exp: x.exp(),
					tanh: x.tanh(),
					sigmoid: x.sigmoid(),
					expm1: x.expm1(),
					erf: x.erf()
				};
				const values: Record<string, string[]> = {};
				for (const [name, t] of Object.entries(outputs)) {
					values[name] = Array.from(await t.array(), (v) => (Object.is(v, -0) ? '-0' : String(v)));
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		for (const backend of ['cpu', 'gpu'] as const) {
			for (const [name, values] of Object.entries(expected)) {
				expect
					.soft(result[backend][name], `${name}(0), ${name}(-0) on ${backend}`)
					.toEqual(values.map(show));
			}
		}
	});

	test('random inputs match the CPU', async ({ harness }) => {
		test.setTimeout(240_000);
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(17);
				const parts = [0.001, 0.1, 1, 3, 10, 30].map((scale) => torch.randn(20_000).mul(scale));
				// Uniform over the whole finite range of exp and the unsaturated range of tanh.
				parts.push(torch.rand(20_000).mul(176).sub(88), torch.rand(20_000).mul(20).sub(10));
				const x = torch.cat(parts);
				const values: Record<string, number[]> = { x: Array.from(await x.array(), Number) };
				const outputs = { exp: x.exp(), tanh: x.tanh(), sigmoid: x.sigmoid(), expm1: x.expm1() };
				for (const [name, t] of Object.entries(outputs)) {
					values[name] = Array.from(await t.array(), Number);
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expectSameValues('inputs', result.cpu.x, result.gpu.x);
		for (const name of ['exp', 'tanh', 'sigmoid', 'expm1']) {
			expectUlpClose(name, result.cpu.x, result.cpu[name], result.gpu[name], MAX_ULP[name]);
		}
	});
});

test.describe('straight-line tanh and exp in composite ops', () => {
	test('gelu and gradients match the CPU', async ({ harness }) => {
		// TODO: gelu_tanh's gradient at |x| = 3.4e38 is NaN on the GPU, as in PyTorch's float32
		// kernel (x^3 overflows), but finite on the CPU backend, which computes in float64.
		const inputs = specialInputs().filter((x) => !(Math.abs(x) > 1e38 && Number.isFinite(x)));
		const result = await harness.evaluate(async (inputs) => {
			const { torch } = window;
			const F = torch.nn.functional;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(5);
				const x = torch.cat([torch.tensor(inputs), torch.randn(4000).mul(4)]);
				const values: Record<string, number[]> = { x: Array.from(await x.array(), Number) };
				const unary = {
					gelu: (t: typeof x) => F.gelu(t),
					gelu_tanh: (t: typeof x) => F.gelu(t, { approximate: 'tanh' }),
					tanh: (t: typeof x) => t.tanh(),
					sigmoid: (t: typeof x) => t.sigmoid()
				};
				for (const [name, fn] of Object.entries(unary)) {
					const leaf = x.detach().requires_grad_();
					const y = fn(leaf);
					y.sum().backward();
					values[name] = Array.from(await y.array(), Number);
					values[`${name} grad`] = Array.from(await leaf.grad!.array(), Number);
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		}, inputs);
		expectSameValues('inputs', result.cpu.x, result.gpu.x);
		// Gradients such as 1 - tanh(x)^2 cancel, so this compares absolute differences, scaled
		// by |x| where gelu grows with x.
		for (const name of Object.keys(result.cpu).filter((k) => k !== 'x')) {
			const cpu = result.cpu[name];
			const gpu = result.gpu[name];
			expect(gpu.length, `${name}: length`).toBe(cpu.length);
			const mismatches: string[] = [];
			cpu.forEach((expected, i) => {
				const actual = gpu[i];
				const x = result.cpu.x[i];
				const where = `${name}(${x}) is ${actual}, the CPU has ${expected}`;
				if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
					if (!Object.is(actual, expected)) mismatches.push(where);
					return;
				}
				const tolerance = 1e-6 * Math.max(1, Math.abs(Number.isFinite(x) ? x : 0));
				if (Math.abs(actual - expected) > tolerance) mismatches.push(where);
			});
			expect(
				mismatches.slice(0, 10),
				`${name}: elements off by more than 1e-6 max(1, |x|)`
			).toEqual([]);
		}
	});
});

test.describe('buffer copies', () => {
	test('views of one storage', async ({ harness }) => {
		// A copy between views of one storage goes through a scratch copy, because a buffer copy
		// within one GPUBuffer is a validation error. A copy onto the same view reads through the
		// output binding.
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			// -0 only exists in float dtypes: the CPU backend's int64 storage is float64, where 0 * -1
			// is -0, but PyTorch's int64 has no -0.
			const numbersOf = (t: { dtype: { is_floating_point: boolean } }, values: ArrayLike<number>) =>
				Array.from(values, (v) => (t.dtype.is_floating_point ? Number(v) : Number(v) + 0));
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const values: Record<string, number[]> = {};
				const keep = async (label: string, t: ReturnType<typeof torch.zeros>) => {
					values[label] = numbersOf(t, await t.array());
				};
				for (const dtype of [torch.float32, torch.int64, torch.bool]) {
					const pattern = Array.from({ length: 40 }, (_, i) => (i % 7) - 2);
					const fresh = () => torch.tensor(pattern).to(dtype);
					const name = dtype.name;

					let b = fresh();
					b.narrow(0, 20, 19).copy_(b.narrow(0, 1, 19));
					b.narrow(0, 0, 3).copy_(b.narrow(0, 37, 3));
					await keep(`${name}: disjoint slices`, b);

					b = fresh();
					b.copy_(b);
					b.narrow(0, 5, 10).copy_(b.narrow(0, 5, 10));
					b.view(5, 8)
						.narrow(1, 2, 3)
						.copy_(b.view(5, 8).narrow(1, 2, 3));
					await keep(`${name}: onto itself`, b);

					b = fresh();
					b.narrow(0, 8, 8).copy_(b.view(5, 8).select(1, 3).repeat(2).narrow(0, 0, 8));
					b.view(5, 8)
						.narrow(0, 3, 2)
						.copy_(b.view(5, 8).narrow(0, 0, 2));
					await keep(`${name}: rows onto other rows`, b);

					const source = fresh();
					const target = torch.zeros(40, { dtype });
					target.narrow(0, 3, 20).copy_(source.narrow(0, 7, 20));
					await keep(`${name}: offset to offset`, target);
					target
						.view(5, 8)
						.narrow(0, 2, 1)
						.copy_(source.narrow(0, 3, 8).view(1, 8));
					await keep(`${name}: size-1 dims`, target);
					target.select(0, 4).copy_(source.select(0, 9));
					await keep(`${name}: one element`, target);
					target
						.view(5, 8)
						.select(1, 7)
						.copy_(source.narrow(0, 30, 5));
					await keep(`${name}: into a strided view`, target);
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expectSameResults(result);
	});

	test('copy ops at offsets', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			// -0 only exists in float dtypes: the CPU backend's int64 storage is float64, where 0 * -1
			// is -0, but PyTorch's int64 has no -0.
			const numbersOf = (t: { dtype: { is_floating_point: boolean } }, values: ArrayLike<number>) =>
				Array.from(values, (v) => (t.dtype.is_floating_point ? Number(v) : Number(v) + 0));
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(23);
				const values: Record<string, number[]> = {};
				const keep = async (label: string, t: ReturnType<typeof torch.zeros>) => {
					values[label] = numbersOf(t, await t.array());
					values[`${label} shape`] = t.shape.slice();
				};
				const float = torch.randn(7, 9);
				const tensors = {
					float32: float,
					int64: torch.randint(-1000, 1000, [7, 9]),
					bool: float.gt(0)
				};
				for (const [name, t] of Object.entries(tensors)) {
					const rows = t.narrow(0, 2, 3);
					const tail = t.view(63).narrow(0, 61, 2);
					await keep(`${name}: clone of rows`, rows.clone());
					await keep(`${name}: clone of one element`, t.view(63).narrow(0, 62, 1).clone());
					await keep(`${name}: contiguous of transposed`, t.t().contiguous());
					await keep(`${name}: contiguous of rows`, rows.contiguous());
					await keep(`${name}: to own dtype`, rows.to(t.dtype).clone());
					await keep(`${name}: cat at offsets`, torch.cat([tail, rows.view(-1), tail]));
					await keep(`${name}: cat along dim 1`, torch.cat([rows, t.narrow(0, 4, 3)], 1));
					await keep(`${name}: cat with empty`, torch.cat([t.narrow(0, 0, 0), rows]));
					await keep(`${name}: stack`, torch.stack([rows, t.narrow(0, 3, 3)]));
					await keep(`${name}: stack dim 2`, torch.stack([rows, t.narrow(0, 3, 3)], 2));
					await keep(`${name}: empty clone`, t.narrow(1, 4, 0).clone());
					await keep(`${name}: scalar clone`, t.view(63).select(0, 5).clone());
					const scalars = [t.view(63).select(0, 1), t.view(63).select(0, 60)];
					await keep(`${name}: stack of scalars`, torch.stack(scalars));
					await keep(`${name}: to float32`, rows.to(torch.float32));
					await keep(`${name}: to int64`, tail.to(torch.int64));
					await keep(`${name}: to bool`, rows.to(torch.bool));
					await keep(
						`${name}: cat mixed dtypes`,
						torch.cat([rows, tensors.float32.narrow(0, 0, 1)])
					);
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expectSameResults(result);
	});

	test('reads see values at record time', async ({ harness }) => {
		// Every read below is requested before the writes after it and awaited at the end, so
		// all of them run in one batch in recorded order.
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			// -0 only exists in float dtypes: the CPU backend's int64 storage is float64, where 0 * -1
			// is -0, but PyTorch's int64 has no -0.
			const numbersOf = (t: { dtype: { is_floating_point: boolean } }, values: ArrayLike<number>) =>
				Array.from(values, (v) => (t.dtype.is_floating_point ? Number(v) : Number(v) + 0));
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const pending: [string, ReturnType<typeof torch.zeros>, Promise<ArrayLike<number>>][] = [];
				const read = (label: string, t: ReturnType<typeof torch.zeros>) =>
					pending.push([label, t, t.array()]);
				for (const dtype of [torch.float32, torch.int64]) {
					const name = dtype.name;
					const a = torch.arange(1, 13).to(dtype);
					const b = a.clone();
					read(`${name}: clone`, b);
					b.add_(100);
					read(`${name}: clone plus 100`, b);
					const c = b.clone();
					b.copy_(a.mul(-1));
					read(`${name}: clone before copy_`, c);
					read(`${name}: after copy_`, b);
					a.narrow(0, 2, 5).copy_(b.narrow(0, 6, 5));
					read(`${name}: slice copied`, a);
					const d = a.narrow(0, 2, 5).clone();
					a.mul_(0);
					read(`${name}: clone before mul_`, d);
					read(`${name}: zeroed`, a);
				}
				const values: Record<string, number[]> = {};
				for (const [label, t, promise] of pending) values[label] = numbersOf(t, await promise);
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expectSameResults(result);
	});

	test('recycled buffers zero-filled around copies', async ({ harness }) => {
		// torch.zeros on a recycled GPU buffer defers its clearing. A copy into part of it must
		// clear the rest first, and a copy out of it must read zeros.
		const result = await harness.evaluate(async () => {
			const { torch, engineHarness } = window;
			// -0 only exists in float dtypes: the CPU backend's int64 storage is float64, where 0 * -1
			// is -0, but PyTorch's int64 has no -0.
			const numbersOf = (t: { dtype: { is_floating_point: boolean } }, values: ArrayLike<number>) =>
				Array.from(values, (v) => (t.dtype.is_floating_point ? Number(v) : Number(v) + 0));
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const values: Record<string, number[]> = {};
				const keep = async (label: string, t: ReturnType<typeof torch.zeros>) => {
					values[label] = numbersOf(t, await t.array());
				};
				// Leaves a buffer of 1000 nonzero elements in the pool for the next tensor.
				const dirty = async (dtype: ReturnType<typeof torch.zeros>['dtype']) => {
					const garbage = torch.full([1000], 7, { dtype });
					await garbage.sum().item();
					engineHarness.release(garbage);
				};
				for (const dtype of [torch.float32, torch.int64, torch.bool]) {
					const name = dtype.name;
					const part = torch.ones(5, { dtype });
					await part.sum().item();

					await dirty(dtype);
					const z = torch.zeros(1000, { dtype });
					z.narrow(0, 10, 5).copy_(part);
					await keep(`${name}: copy into part`, z);

					await dirty(dtype);
					const source = torch.zeros(1000, { dtype });
					await keep(`${name}: clone of zeros`, source.clone());

					await dirty(dtype);
					const whole = torch.zeros(1000, { dtype });
					whole.copy_(torch.ones(1000, { dtype }));
					await keep(`${name}: copy over all`, whole);

					await dirty(dtype);
					const zeros = torch.zeros(1000, { dtype });
					await keep(`${name}: cat of zeros`, torch.cat([zeros.narrow(0, 3, 7), part]));
				}

				await dirty(torch.float32);
				const x = torch.ones(1000, { requires_grad: true });
				x.narrow(0, 100, 10).mul(3).sum().backward();
				await keep('slice backward', x.grad!);
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expectSameResults(result);
	});
});

test.describe('partially overlapping views', () => {
	test('copy_ and add_ raise', async ({ harness }) => {
		// PyTorch rejects a write whose contiguous input partly overlaps it, with "some elements
		// of the input tensor and the written-to tensor refer to a single memory location".
		// Otherwise the result would depend on the order in which elements are visited.
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const attempt = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const outcomes: Record<string, string> = {};
				const programs = {
					copy_: (b: ReturnType<typeof torch.arange>) => b.narrow(0, 1, 9).copy_(b.narrow(0, 0, 9)),
					add_: (b: ReturnType<typeof torch.arange>) => b.narrow(0, 0, 9).add_(b.narrow(0, 1, 9))
				};
				for (const [name, program] of Object.entries(programs)) {
					const b = torch.arange(10).float();
					try {
						program(b);
						outcomes[name] = `no error, gave ${JSON.stringify(await b.tolist())}`;
					} catch (error) {
						outcomes[name] = `raised ${(error as Error).name}`;
					}
				}
				return outcomes;
			};
			try {
				return { cpu: await attempt('cpu'), gpu: await attempt('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		const unrejected = (['cpu', 'gpu'] as const).flatMap((backend) =>
			Object.entries(result[backend])
				.filter(([, outcome]) => !outcome.startsWith('raised'))
				.map(([name, outcome]) => `${name} on ${backend}: ${outcome}`)
		);
		expect(unrejected, 'writes that did not raise').toEqual([]);
	});
});

test.describe('flat elementwise kernels', () => {
	test('in-place ops on offset views', async ({ harness }) => {
		// Each view starts 5 elements into its storage and ends 4 before its end, so a thread
		// that computes past numel, or ignores the offset, changes elements read back here.
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(31);
				const values: Record<string, number[]> = {};
				for (const size of [1, 2, 3, 4, 5, 7, 8, 255, 1023, 1024, 1025, 1027, 4099, 100_003]) {
					const x = torch.randn(size + 9);
					const y = torch.randn(size + 3);
					const v = x.narrow(0, 5, size);
					const w = y.narrow(0, 2, size);
					v.mul_(v);
					v.add_(w, { alpha: 0.5 });
					v.tanh_();
					v.sub_(w.exp());
					v.clamp_(-2, 0.25);
					x.narrow(0, 1, Math.min(size, 3)).fill_(-size);
					values[`float32 ${size}`] = Array.from(await x.array(), Number);

					const i = torch.randint(-50, 50, [size + 9]);
					const j = torch.randint(-50, 50, [size + 6]);
					const iv = i.narrow(0, 3, size);
					iv.mul_(j.narrow(0, 6 - 1, size));
					iv.add_(7);
					iv.copy_(iv.neg());
					i.narrow(0, size + 2, 2).fill_(size);
					values[`int64 ${size}`] = Array.from(await i.array(), (n) => Number(n) + 0);

					// Fresh inputs: x and y above went through transcendental functions, which may
					// differ from the CPU in the last bit.
					const p = torch.randn(size + 4);
					const q = torch.randn(size + 1);
					const mask = p.narrow(0, 1, size).gt(q.narrow(0, 0, size));
					const picked = torch.where(mask, q.narrow(0, 1, size), p.narrow(0, 4, size));
					const both = mask.logical_and(q.narrow(0, 1, size).lt(0));
					values[`where ${size}`] = Array.from(await picked.array(), Number);
					values[`bool ${size}`] = Array.from(await both.array(), Number);
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expect(Object.keys(result.gpu)).toEqual(Object.keys(result.cpu));
		for (const label of Object.keys(result.cpu)) {
			const cpu = result.cpu[label];
			const gpu = result.gpu[label];
			if (!label.startsWith('float32')) {
				expectSameValues(label, cpu, gpu);
				continue;
			}
			expect(gpu.length, `${label}: length`).toBe(cpu.length);
			// Outside the view every element must be untouched, bit for bit.
			const outside = [
				0,
				1,
				2,
				3,
				4,
				cpu.length - 4,
				cpu.length - 3,
				cpu.length - 2,
				cpu.length - 1
			];
			for (const i of outside)
				expect(gpu[i], `${label}: element ${i} outside the view`).toBe(cpu[i]);
			const worst = cpu.reduce((m, v, i) => Math.max(m, Math.abs(gpu[i] - v)), 0);
			expect(worst, `${label}: largest difference from the CPU`).toBeLessThanOrEqual(1e-6);
		}
	});
});

test.describe('matmul with fewer than 4 output columns', () => {
	test('vector products and expanded operands', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(43);
				const m = torch.randn(9, 6);
				const v = torch.randn(6);
				const w = torch.randn(9, 2);
				const products = {
					'matrix times vector': m.matmul(v),
					'vector times matrix': torch.randn(9).matmul(w),
					dot: v.matmul(v),
					'expanded column': m.matmul(torch.randn(6, 1).expand(6, 3)),
					'expanded rows': torch.randn(1, 6).expand(5, 6).matmul(torch.randn(6, 2)),
					'batched vector': torch.randn(4, 9, 6).matmul(v)
				};
				const values: Record<string, number[]> = {};
				for (const [label, t] of Object.entries(products)) {
					values[label] = Array.from(await t.array(), Number);
					values[`${label} shape`] = t.shape.slice();
				}
				return values;
			};
			try {
				return { cpu: await run('cpu'), gpu: await run('webgpu') };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expect(Object.keys(result.gpu)).toEqual(Object.keys(result.cpu));
		for (const label of Object.keys(result.cpu)) {
			const cpu = result.cpu[label];
			const gpu = result.gpu[label];
			expect(gpu.length, `${label}: length`).toBe(cpu.length);
			const worst = cpu.reduce((m, v, i) => Math.max(m, Math.abs(gpu[i] - v)), 0);
			expect(worst, `${label}: largest difference from the CPU`).toBeLessThanOrEqual(1e-5);
		}
	});

	test('Linear with 1 to 3 outputs', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			torch.set_backend('cpu');
			try {
				torch.manual_seed(47);
				const shapes: [number, number, number[]][] = [
					[64, 1, [41, 64]],
					[1, 1, [13, 1]],
					[3, 2, [7, 3]],
					[64, 1, [5, 33, 64]],
					[16, 3, [2, 3, 5, 16]]
				];
				const cases = shapes.map(([inputs, outputs, xShape]) => ({
					layer: new torch.nn.Linear(inputs, outputs),
					x: torch.randn(xShape)
				}));
				const run = (device: 'cpu' | 'webgpu') =>
					cases.map(({ layer, x }) => {
						const w = layer.weight.detach().to(device).requires_grad_();
						const bias = layer.bias!.detach().to(device).requires_grad_();
						const input = x.to(device).requires_grad_();
						const out = torch.nn.functional.linear(input, w, bias);
						out.tanh().square().sum().backward();
						return [out, input.grad!, w.grad!, bias.grad!];
					});
				const read = (tensors: ReturnType<typeof run>) =>
					Promise.all(
						tensors.map((group) =>
							Promise.all(group.map(async (t) => Array.from(await t.array(), Number)))
						)
					);
				const gpu = run('webgpu');
				const cpu = run('cpu');
				return { gpu: await read(gpu), cpu: await read(cpu) };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		result.cpu.forEach((group, c) => {
			['output', 'input grad', 'weight grad', 'bias grad'].forEach((label, k) => {
				const cpu = group[k];
				const gpu = result.gpu[c][k];
				expect(gpu.length, `case ${c} ${label} length`).toBe(cpu.length);
				const tolerance = 1e-5 * (1 + Math.max(...cpu.map(Math.abs)));
				const worst = cpu.reduce((m, v, i) => Math.max(m, Math.abs(gpu[i] - v)), 0);
				expect(worst, `case ${c} ${label}: largest difference from the CPU`).toBeLessThanOrEqual(
					tolerance
				);
			});
		});
	});
});
