import { expect, type Page } from '@playwright/test';
import { openHarness, test } from './engine-harness';
import { readFileSync } from 'node:fs';
import { seedExperimentCases, type SeedExperimentsGolden } from '../suites/seed-experiments';
import { differentialCases } from './engine-differential';

// The WebGPU backend in Chromium (SwiftShader here), driven through the engine harness page
// at /dev/engine. One page serves every test of a worker; a test that breaks the device gets
// its own page.

const readGolden = (name: string) =>
	JSON.parse(readFileSync(`tests/fixtures/golden/${name}`, 'utf8'));
const seedGolden = readGolden('seed-experiments.json') as SeedExperimentsGolden;
// The op suite imports ops.json itself in the page; Node only needs the case names.
const opCaseNames = (readGolden('ops.json').cases as { name: string }[]).map((c) => c.name);

async function runSuiteCase(page: Page, suite: string, golden: unknown, name: string) {
	const [result] = await page.evaluate(
		([suite, golden, name]) => window.engineHarness.runSuite(suite, golden, [name]),
		[suite, golden, name] as const
	);
	expect(result, `case '${name}' not found in suite ${suite}`).toBeDefined();
	expect(result.error, result.error ?? '').toBeNull();
}

test('harness runs on a WebGPU adapter', async ({ harness }) => {
	const adapter = await harness.evaluate(() => window.engineHarness.adapter);
	expect(adapter, 'no WebGPU adapter in the harness').toBeTruthy();
	expect(await harness.evaluate(() => window.torch.get_backend())).toBe('webgpu');
});

test('smoke: create, add, matmul, backward, one SGD step', async ({ harness }) => {
	const result = await harness.evaluate(async () => {
		const { torch } = window;
		const w = torch.tensor(
			[
				[1, 2],
				[3, 4]
			],
			{ requires_grad: true }
		);
		const x = torch.tensor([[0.5, -1]]);
		const y = x.add(1).matmul(w);
		const loss = y.sum();
		loss.backward();
		const opt = new torch.optim.SGD([w], { lr: 0.1 });
		opt.step();
		return {
			backend: w.device,
			y: await y.tolist(),
			grad: await w.grad!.tolist(),
			w: await w.tolist()
		};
	});
	expect(result.backend).toBe('webgpu');
	// (x + 1) = [1.5, 0]; y = [1.5 * 1 + 0 * 3, 1.5 * 2 + 0 * 4].
	expect(result.y).toEqual([[1.5, 3]]);
	// d sum(y) / dw[i][j] = (x + 1)[i].
	expect(result.grad).toEqual([
		[1.5, 1.5],
		[0, 0]
	]);
	// SGD: w - lr * grad in float32, so 1 - 0.1 * 1.5 is 0.85 to float32 precision.
	const expected = [
		[0.85, 1.85],
		[3, 4]
	];
	(result.w as number[][]).flat().forEach((v, i) => {
		expect(Math.abs(v - expected.flat()[i]), `w[${i}] after one step is ${v}`).toBeLessThan(2e-7);
	});
});

test.describe('golden op cases on WebGPU', () => {
	for (const name of opCaseNames) {
		test(`${name} matches PyTorch`, async ({ harness }) => {
			await runSuiteCase(harness, 'ops-golden', null, name);
		});
	}
});

test.describe('seed experiments of post 3.4 on WebGPU', () => {
	for (const c of seedExperimentCases({} as never, seedGolden)) {
		test(c.name, async ({ harness }) => {
			test.setTimeout(300_000);
			await runSuiteCase(harness, 'seed-experiments', seedGolden, c.name);
		});
	}
});

test.describe('WebGPU hard cases', () => {
	test('sum of a 64 MiB tensor runs without validation errors', async ({ harness }) => {
		const values = await harness.evaluate(async () => {
			const { torch } = window;
			const ones = torch.ones(16777216);
			return [await ones.sum().item(), await ones.mul(2).sum().item()];
		});
		expect(values).toEqual([16777216, 33554432]);
	});

	test('mean and sum past the 128 MiB binding size', async ({ harness }) => {
		test.setTimeout(240_000);
		const values = await harness.evaluate(async () => {
			const { torch } = window;
			const ones = torch.ones(33554433);
			return [await ones.mean().item(), await ones.sum().item()];
		});
		// float32 rounds 33,554,433 down to 33,554,432, and the mean to exactly 1.
		expect(values).toEqual([1, 33554432]);
	});

	test('sum(ones(n)) is n for every n from 1 to 130', async ({ harness }) => {
		const wrong = await harness.evaluate(async () => {
			const { torch } = window;
			const sums = await Promise.all(
				Array.from({ length: 130 }, (_, i) =>
					torch
						.ones(i + 1)
						.sum()
						.item()
				)
			);
			return sums.map((s, i) => [i + 1, s]).filter(([n, s]) => n !== s);
		});
		expect(wrong, 'sizes whose sum is wrong: [n, sum]').toEqual([]);
	});

	test('arange(42).mul(2) covers a partial workgroup', async ({ harness }) => {
		const values = await harness.evaluate(async () => {
			const doubled = window.torch.arange(42, { dtype: 'float32' }).mul(2);
			return { last: ((await doubled.tolist()) as number[])[41], sum: await doubled.sum().item() };
		});
		expect(values).toEqual({ last: 82, sum: 1722 });
	});

	test('max, min, mean and argmax at 65 elements ignore padding', async ({ harness }) => {
		const values = await harness.evaluate(async () => {
			const { torch } = window;
			return {
				max: await torch.full([65], -5).max().item(),
				min: await torch.full([65], 5).min().item(),
				mean: await torch.ones(65).mean().item(),
				argmax: await torch
					.cat([torch.full([64], -3), torch.tensor([-1])])
					.argmax()
					.item()
			};
		});
		expect(values).toEqual({ max: -5, min: 5, mean: 1, argmax: 64 });
	});

	test('a read returns values from when it was called', async ({ harness }) => {
		// The in-place op is recorded in the same batch as the read, after it.
		const values = await harness.evaluate(async () => {
			const { torch } = window;
			const a = torch.tensor([1, 2, 3]);
			const before = a.tolist();
			a.add_(5);
			// A transposed view is read through a contiguous copy first.
			const m = torch.tensor([
				[1, 2],
				[3, 4]
			]);
			const transposed = m.t().tolist();
			m.mul_(10);
			return {
				before: await before,
				after: await a.tolist(),
				transposed: await transposed,
				scaled: await m.tolist()
			};
		});
		expect(values).toEqual({
			before: [1, 2, 3],
			after: [6, 7, 8],
			transposed: [
				[1, 3],
				[2, 4]
			],
			scaled: [
				[10, 20],
				[30, 40]
			]
		});
	});

	test('flat kernels and copies at tails and offsets', async ({ harness }) => {
		// Contiguous operands take the kernel with four elements per thread, and same-dtype
		// copies become buffer copies. Sizes around multiples of 4 and 1024 reach the last
		// thread's loop, and views that start at an offset test the offsets of both.
		const results = await harness.evaluate(async () => {
			const { torch } = window;
			const run = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				torch.manual_seed(3);
				const out: number[][] = [];
				for (const size of [1, 3, 4, 5, 7, 1023, 1024, 1025, 4099]) {
					const x = torch.randn(size + 5).mul(3);
					const y = torch.randn(size + 2);
					const a = x.narrow(0, 5, size);
					const b = y.narrow(0, 1, size);
					const c = a.tanh().add(b.sigmoid());
					const stacked = torch.stack([a, b.exp()]).contiguous();
					const cloned = a.clone();
					const inPlace = cloned.clone();
					inPlace.mul_(b);
					const cast = a.to(torch.int64);
					for (const t of [c, stacked, cloned, inPlace, cast])
						out.push(Array.from(await t.array(), Number));
				}
				return out;
			};
			return { cpu: await run('cpu'), gpu: await run('webgpu') };
		});
		expect(results.gpu.length).toBe(results.cpu.length);
		results.cpu.forEach((cpu, k) => {
			const gpu = results.gpu[k];
			expect(gpu.length, `result ${k}`).toBe(cpu.length);
			// Per size: tanh + sigmoid, a stack with exp, then a clone, a product and a cast,
			// which are exact.
			if (k % 5 >= 2) {
				expect(gpu, `result ${k}`).toEqual(cpu);
				return;
			}
			const worst = cpu.reduce(
				(m, v, i) => Math.max(m, Math.abs(gpu[i] - v) / Math.max(Math.abs(v), 1)),
				0
			);
			expect(worst, `result ${k}: largest difference from the CPU`).toBeLessThanOrEqual(4e-7);
		});
	});

	test('mse_loss equals its composite bitwise', async ({ harness }) => {
		// 100000 elements take the partial-sums passes; the transposed input has strides. The
		// fused kernel reads both inputs, so a stride or offset it got wrong shows here.
		const pairs = await harness.evaluate(async () => {
			const { torch } = window;
			const F = torch.nn.functional;
			torch.manual_seed(5);
			const cases = [
				[torch.randn(7), torch.randn(7)],
				[torch.randn(300, 7).mul(1e3).t(), torch.randn(7, 300)],
				[torch.randn(100000), torch.randn(100000)],
				// A target broadcast by stride 0, and an input that starts at an offset.
				[torch.randn(10, 300).narrow(0, 3, 1).t(), torch.randn(1, 1).expand(300, 1)]
			];
			const out: number[][] = [];
			for (const [input, target] of cases) {
				const d = input.sub(target);
				out.push([await F.mse_loss(input, target).item(), await d.mul(d).mean().item()]);
				const sum = F.mse_loss(input, target, { reduction: 'sum' });
				out.push([await sum.item(), await d.mul(d).sum().item()]);
			}
			return out;
		});
		for (const [fused, composite] of pairs) expect(fused).toBe(composite);
	});

	test('transcendental functions match PyTorch', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const tanInput = torch.tensor([2, -2], { requires_grad: true });
			const tan = tanInput.tan();
			tan.sum().backward();
			const sinInput = torch.tensor([2], { requires_grad: true });
			sinInput.sin().sum().backward();
			return {
				tan: await tan.tolist(),
				tanGrad: await tanInput.grad!.tolist(),
				sinGrad: await sinInput.grad!.tolist(),
				sinLarge: await torch.tensor([100, 1000]).sin().tolist(),
				exp: await torch.tensor([-20, -1, 0.5, 10, 88, 89, -104]).exp().tolist(),
				log: await torch.tensor([1e-30, 0.5, 1.0001, 2, 1e30]).log().tolist(),
				sigmoid: await torch.tensor([-10, -1, 0, 1, 10]).sigmoid().tolist(),
				tanh: await torch.tensor([-10, -1, 0, 1, 10]).tanh().tolist()
			};
		});
		const close = (label: string, actual: number[], expected: number[], rtol: number) => {
			expected.forEach((e, i) => {
				if (!Number.isFinite(e) || e === 0) {
					expect(actual[i], `${label}[${i}] must be exactly ${e}`).toBe(e);
				} else {
					const error = Math.abs(actual[i] - e) / Math.abs(e);
					expect(error, `${label}[${i}] is ${actual[i]}, PyTorch has ${e}`).toBeLessThanOrEqual(
						rtol
					);
				}
			});
		};
		// Our kernels stay within a few ULP; 1e-6 relative is 8 ULP of float32.
		close('tan', result.tan as number[], [-2.1850398, 2.1850398], 1e-6);
		close('tan grad', result.tanGrad as number[], [5.7743988, 5.7743988], 1e-6);
		close('sin grad', result.sinGrad as number[], [-0.41614684], 1e-6);
		close('sin(100), sin(1000)', result.sinLarge as number[], [-0.50636566, 0.82687956], 1e-6);
		close(
			'exp',
			result.exp as number[],
			[2.0611537e-9, 0.36787945, 1.6487212, 22026.465, 1.6516363e38, Infinity, 0],
			1e-6
		);
		close(
			'log',
			result.log as number[],
			[-69.077553, -0.69314718, 1.000116e-4, 0.69314718, 69.077553],
			1e-6
		);
		close(
			'sigmoid',
			result.sigmoid as number[],
			[4.5397872e-5, 0.26894143, 0.5, 0.7310586, 0.99995458],
			1e-6
		);
		close('tanh', result.tanh as number[], [-1, -0.76159418, 0, 0.76159418, 1], 1e-6);
	});

	test('seeded randn and rand give the CPU stream', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			const draw = async (backend: 'cpu' | 'webgpu') => {
				torch.set_backend(backend);
				const read = (t: { array(): Promise<ArrayLike<number>> }) =>
					t.array().then((a) => Array.from(a));
				torch.manual_seed(10);
				const seed10 = await read(torch.randn(3));

				// randn switches to a vectorised transform at 16 elements.
				torch.manual_seed(0);
				const n15 = await read(torch.randn(15));
				torch.manual_seed(0);
				const n16 = await read(torch.randn(16));
				torch.manual_seed(0);
				const n17 = await read(torch.randn(17));

				// Consecutive draws continue one stream, except across that switch.
				torch.manual_seed(0);
				const split3 = [...(await read(torch.randn(3))), ...(await read(torch.randn(3)))];
				torch.manual_seed(0);
				const whole6 = await read(torch.randn(6));
				torch.manual_seed(0);
				const split16 = [...(await read(torch.randn(16))), ...(await read(torch.randn(4)))];
				torch.manual_seed(0);
				const whole20 = await read(torch.randn(20));

				torch.manual_seed(0);
				const rand3 = await read(torch.rand(3));
				const rand13 = await read(torch.rand(13));
				torch.manual_seed(0);
				const rand16 = await read(torch.rand(16));

				const device = torch.randn(2).device;
				return {
					seed10,
					n15,
					n16,
					n17,
					split3,
					whole6,
					split16,
					whole20,
					rand3,
					rand13,
					rand16,
					device
				};
			};
			const gpu = await draw('webgpu');
			const cpu = await draw('cpu');
			torch.set_backend('webgpu');
			return { gpu, cpu };
		});
		const { gpu, cpu } = result;
		expect(gpu.device).toBe('webgpu');
		expect(cpu.device).toBe('cpu');
		// PyTorch's values, printed to 7 digits.
		const printed = (label: string, actual: number[], expected: number[]) =>
			expected.forEach((e, i) =>
				expect(
					Math.abs(actual[i] - e),
					`${label}[${i}] is ${actual[i]}, PyTorch prints ${e}`
				).toBeLessThan(5e-7 * Math.max(1, Math.abs(e)))
			);
		printed('seed 10 randn(3)', gpu.seed10, [-0.6013928, -1.01221, -0.3022693]);
		printed('randn(15)', gpu.n15, [1.540996, -0.2934289, -2.178789, 0.5684313]);
		printed('randn(16)', gpu.n16, [-1.12584, -1.15236, -0.2505786, -0.4338788]);
		printed('randn(17)', gpu.n17, [-1.12584, -1.695931, 0.5666506, 0.7935084]);
		expect(gpu.split3, '3 + 3 draws equal 6').toEqual(gpu.whole6);
		expect(gpu.split16, '16 + 4 draws differ from 20').not.toEqual(gpu.whole20);
		expect([...gpu.rand3, ...gpu.rand13], 'rand 3 + 13 equals 16').toEqual(gpu.rand16);
		printed('rand(3)', gpu.rand3, [0.4962566, 0.7682218, 0.08847743]);
		const { device: _gpuDevice, ...gpuValues } = gpu;
		const { device: _cpuDevice, ...cpuValues } = cpu;
		expect(gpuValues, 'every draw identical on both backends').toEqual(cpuValues);
	});

	test('deep_sigmoid gradient norms keep tiny gradients', async ({ harness }) => {
		const experiment = seedGolden.experiments.find((e) => e.id === 'deep_sigmoid')!;
		const norms = await harness.evaluate(async (experiment) => {
			const { torch } = window;
			const { nn } = torch;
			torch.manual_seed(experiment.config.seed);
			const layers = Array.from({ length: experiment.config.depth }, () => new nn.Linear(32, 32));
			const x = torch.randn(experiment.config.batch, 32);
			const target = torch.randn(experiment.config.batch, 32);
			let h = x;
			for (const layer of layers) h = layer(h).sigmoid();
			h.sub(target).pow(2).mean().backward();
			return Promise.all(layers.map((layer) => layer.weight.grad!.norm().item()));
		}, experiment);
		const rtol = experiment.checks.suggested_tolerance.per_layer_norm_rtol!;
		const expected = experiment.per_layer_weight_grad_norm as number[];
		expect(expected[0]).toBe(5.792895e-18);
		norms.forEach((norm, layer) => {
			const error = Math.abs(norm - expected[layer]) / expected[layer];
			expect(error, `layer ${layer}: ${norm}, PyTorch has ${expected[layer]}`).toBeLessThanOrEqual(
				rtol
			);
		});
	});

	test('norm overflows to Infinity where PyTorch float32 does', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			return {
				overflow: await torch.tensor([3e19, 4e19]).norm().item(),
				justBelow: await torch.tensor([1e19, 1e19]).norm().item(),
				tiny: await torch.tensor([3e-23, 4e-23]).norm().item(),
				zero: await torch.zeros(5).norm().item()
			};
		});
		expect(result.overflow).toBe(Infinity);
		// 1e38 + 1e38 = 2e38 is still finite in float32.
		expect(Math.abs(result.justBelow - 1.4142135e19) / 1.4142135e19).toBeLessThan(1e-6);
		// PyTorch's squares are subnormal here and round coarsely: it returns 5.293956e-23.
		expect(Math.abs(result.tiny - 5.293956e-23) / 5.293956e-23).toBeLessThan(1e-6);
		expect(result.zero).toBe(0);
	});

	test('device loss mid-loop rejects pending reads, then a re-run gives 12', async ({ page }) => {
		test.setTimeout(180_000);
		await openHarness(page);
		const outcome = await page.evaluate(async () => {
			const { torch, engineHarness } = window;
			const w = torch.randn(8, 8, { requires_grad: true });
			const x = torch.randn(4, 8);
			let step = 0;
			let failure = '';
			try {
				for (; step < 1000; step++) {
					if (step === 500) engineHarness.destroyDevice();
					const loss = x.matmul(w).sigmoid().sum();
					const value = loss.item();
					await value;
				}
			} catch (error) {
				failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
			}
			await torch.init();
			const rerun = await torch.tensor([1, 2, 3]).mul(2).sum().item();
			return { step, failure, rerun, backend: torch.get_backend(), adapter: engineHarness.adapter };
		});
		expect(outcome.step, 'the loop stopped at the loss').toBe(500);
		expect(outcome.failure).toMatch(/device was lost/);
		expect(outcome.rerun).toBe(12);
		expect(outcome.backend).toBe('webgpu');
		expect(outcome.adapter).toBeTruthy();
	});

	test('a tensor beyond maxBufferSize names the limit and the CPU backend', async ({ harness }) => {
		const message = await harness.evaluate(() => {
			try {
				window.torch.zeros(400_000_000);
				return 'no error';
			} catch (error) {
				return error instanceof Error ? error.message : String(error);
			}
		});
		expect(message).toContain('1,600,000,000 bytes');
		expect(message).toContain('maxBufferSize');
		expect(message).toContain("torch.set_backend('cpu')");
	});

	test('an index out of range surfaces at the next read', async ({ harness }) => {
		const message = await harness.evaluate(async () => {
			const { torch } = window;
			const index = torch.tensor([0, 7], { dtype: torch.int64 });
			const picked = torch.arange(4, { dtype: 'float32' }).index_select(0, index);
			try {
				await picked.tolist();
				return 'no error';
			} catch (error) {
				return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
			}
		});
		expect(message).toMatch(
			/IndexError: index_select: index 7 is out of bounds for dimension with size 4/
		);
	});

	test('a GPU validation error surfaces at the next read', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch, engineHarness } = window;
			const pending = torch.ones(3).mul(2);
			engineHarness.causeValidationError();
			let failure = 'no error';
			try {
				await pending.sum().item();
			} catch (error) {
				failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
			}
			return { failure, next: await torch.ones(3).sum().item() };
		});
		expect(result.failure).toMatch(/^GpuError: webgpu: validation error in earlier GPU work/);
		// The error is reported once; later reads work.
		expect(result.next).toBe(3);
	});

	test('reads requested together share one submission', async ({ harness }) => {
		const submits = await harness.evaluate(async () => {
			const { torch, engineHarness } = window;
			const a = torch.ones(10).mul(3);
			const b = torch.ones(20).add(1);
			const c = torch.ones(30).sum();
			const before = engineHarness.stats()!.submits;
			const values = await Promise.all([a.sum().item(), b.sum().item(), c.item()]);
			return { values, submits: engineHarness.stats()!.submits - before };
		});
		expect(submits.values).toEqual([30, 40, 30]);
		expect(submits.submits).toBe(1);
	});

	test('release returns a buffer to the pool at once', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch, engineHarness } = window;
			const t = torch.ones(1000).mul(2);
			await t.sum().item();
			const before = engineHarness.stats()!;
			engineHarness.release(t);
			const after = engineHarness.stats()!;
			return {
				live: before.liveBytes - after.liveBytes,
				pooled: after.pooledBytes - before.pooledBytes
			};
		});
		// 4000 bytes round up to the 4096-byte size class.
		expect(result).toEqual({ live: 4096, pooled: 4096 });
	});

	test('buffers of unreachable tensors return to the pool', async ({ harness }) => {
		test.setTimeout(240_000);
		const result = await harness.evaluate(async () => {
			const { torch, engineHarness } = window;
			const w = torch.randn(64, 64);
			const step = () => w.matmul(w).relu().sum().item();
			await step();
			// Each step leaves 3 tensors of 16 KiB unreachable. Garbage collection runs when V8
			// decides, so this steps until the live bytes fall, which only reclaiming can do.
			let highest = engineHarness.stats()!.liveBytes;
			for (let steps = 1; steps <= 5000; steps++) {
				await step();
				const live = engineHarness.stats()!.liveBytes;
				if (live < highest) return { steps, fellFrom: highest, to: live };
				highest = live;
			}
			return { steps: Infinity, fellFrom: highest, to: highest };
		});
		expect(result.steps, `live bytes never fell: ${JSON.stringify(result)}`).toBeLessThan(5000);
		expect(result.to).toBeLessThan(result.fellFrom);
	});
});

/** A matmul case: operand shapes as used, and which operands are transposed or offset views. */
interface MatmulCase {
	name: string;
	a: number[];
	b: number[];
	transposeA?: boolean;
	transposeB?: boolean;
	/** Take each operand as a slice that starts 3 rows and 2 columns into a larger tensor. */
	offset?: boolean;
	integer?: boolean;
}

// Outputs of at least 512 blocks of 8 x 8 (8 workgroups) take the 8 x 8 kernel, smaller ones
// the 4 x 4 kernel.
// Sizes that are not multiples of 8 check the edge blocks.
const matmulCases: MatmulCase[] = [
	{ name: 'odd sizes, 8 x 8 blocks', a: [203, 77], b: [77, 301] },
	{ name: 'odd sizes, 4 x 4 blocks', a: [5, 9], b: [9, 7] },
	{ name: 'transposed a', a: [203, 77], b: [77, 301], transposeA: true },
	{ name: 'transposed b', a: [203, 77], b: [77, 301], transposeB: true },
	{ name: 'both transposed', a: [203, 45], b: [45, 301], transposeA: true, transposeB: true },
	{ name: 'offset views', a: [190, 37], b: [37, 185], offset: true },
	{ name: 'batched', a: [3, 130, 45], b: [3, 45, 141] },
	{ name: 'batched, transposed b', a: [3, 130, 45], b: [3, 45, 141], transposeB: true },
	{ name: 'broadcast batch', a: [2, 1, 100, 33], b: [3, 33, 150] },
	{ name: 'int64', a: [200, 20], b: [20, 170], integer: true },
	{ name: 'one output column', a: [203, 64], b: [64, 1] },
	{ name: 'three output columns, 4-row blocks', a: [13, 9], b: [9, 3] },
	{ name: 'one column, batched, transposed b', a: [41, 77, 64], b: [41, 64, 1], transposeB: true },
	{ name: 'two columns, offset views', a: [190, 37], b: [37, 2], offset: true },
	{ name: 'one column, int64', a: [200, 20], b: [20, 1], integer: true },
	// Fewer than 4 output columns take the one-column kernel, with 8-row blocks from 512 threads
	// (batches * ceil(n / 8) * m).
	{ name: 'narrow, 1 x 1 times 1 x 1', a: [1, 1], b: [1, 1] },
	{ name: 'narrow, one row, one column', a: [1, 5], b: [5, 1] },
	{ name: 'narrow, k = 1, three columns', a: [7, 1], b: [1, 3] },
	{ name: 'narrow, k = 0, two columns', a: [9, 0], b: [0, 2] },
	{ name: 'narrow, rows 4097, 8-row blocks', a: [4097, 5], b: [5, 1] },
	{ name: 'narrow, three columns, 8-row blocks', a: [2001, 17], b: [17, 3] },
	{ name: 'narrow, batched, two columns', a: [4, 7, 6], b: [4, 6, 2] },
	{ name: 'narrow, broadcast batch dims', a: [3, 1, 5, 4], b: [2, 4, 3] },
	{ name: 'narrow, a broadcast over a batch', a: [5, 4], b: [6, 4, 1] },
	{ name: 'narrow, b broadcast over a batch', a: [6, 5, 4], b: [4, 2] },
	{
		name: 'narrow, both transposed, offsets',
		a: [33, 19],
		b: [19, 3],
		transposeA: true,
		transposeB: true,
		offset: true
	},
	{
		name: 'narrow, batched, transposed a, offsets',
		a: [3, 10, 9],
		b: [3, 9, 1],
		transposeA: true,
		offset: true
	},
	{
		name: 'narrow, int64, three columns, offsets',
		a: [50, 12],
		b: [12, 3],
		integer: true,
		offset: true
	},
	{ name: 'narrow, int64, batched, one column', a: [5, 9, 12], b: [5, 12, 1], integer: true }
];

test.describe('matmul kernels on WebGPU match the CPU', () => {
	for (const c of matmulCases) {
		test(c.name, async ({ harness }) => {
			const result = await harness.evaluate(async (c) => {
				const { torch } = window;
				// Values are drawn on the CPU; each view is then built on both backends, so the
				// GPU kernel reads the transposed or offset layout itself.
				torch.set_backend('cpu');
				try {
					torch.manual_seed(7);
					const operand = (shape: number[], transposed: boolean) => {
						const r = shape.length;
						const size = transposed
							? [...shape.slice(0, -2), shape[r - 1], shape[r - 2]]
							: shape.slice();
						if (c.offset) {
							size[r - 2] += 3;
							size[r - 1] += 2;
						}
						const stored = c.integer
							? torch.randint(-5, 6, size, { dtype: torch.int64 })
							: torch.randn(size);
						const view = (t: typeof stored) => {
							const part = c.offset
								? t.narrow(r - 2, 3, size[r - 2] - 3).narrow(r - 1, 2, size[r - 1] - 2)
								: t;
							return transposed ? part.mT : part;
						};
						return { cpu: view(stored), gpu: view(stored.to('webgpu')) };
					};
					const a = operand(c.a, c.transposeA ?? false);
					const b = operand(c.b, c.transposeB ?? false);
					const gpu = a.gpu.matmul(b.gpu);
					const cpu = a.cpu.matmul(b.cpu);
					return {
						device: gpu.device,
						shape: gpu.shape,
						cpuShape: cpu.shape,
						gpu: Array.from(await gpu.array()),
						cpu: Array.from(await cpu.array())
					};
				} finally {
					torch.set_backend('webgpu');
				}
			}, c);
			expect(result.device).toBe('webgpu');
			expect(result.shape).toEqual(result.cpuShape);
			const scale = Math.max(...result.cpu.map(Math.abs));
			const tolerance = c.integer ? 0 : 1e-5 * (1 + scale);
			// One assertion on the worst element: an expect() per element takes minutes.
			let worst = 0;
			result.cpu.forEach((expected, i) => {
				const error = Math.abs(result.gpu[i] - expected);
				if (error > Math.abs(result.gpu[worst] - result.cpu[worst])) worst = i;
			});
			const error = Math.abs(result.gpu[worst] - result.cpu[worst]);
			expect(
				error,
				`element ${worst}: ${result.gpu[worst]}, the CPU has ${result.cpu[worst]}`
			).toBeLessThanOrEqual(tolerance);
		});
	}

	test('Linear forward and backward, 8 x 8 blocks', async ({ harness }) => {
		const result = await harness.evaluate(async () => {
			const { torch } = window;
			torch.set_backend('cpu');
			try {
				torch.manual_seed(11);
				const layer = new torch.nn.Linear(300, 203);
				const x = torch.randn(200, 300);
				const run = (device: 'cpu' | 'webgpu') => {
					const w = layer.weight.detach().to(device).requires_grad_();
					const bias = layer.bias!.detach().to(device).requires_grad_();
					const input = x.to(device).requires_grad_();
					const out = torch.nn.functional.linear(input, w, bias);
					out.sin().sum().backward();
					return [out, input.grad!, w.grad!, bias.grad!];
				};
				const read = (tensors: ReturnType<typeof run>) =>
					Promise.all(tensors.map(async (t) => Array.from(await t.array())));
				const gpu = run('webgpu');
				const cpu = run('cpu');
				return { device: gpu[0].device, gpu: await read(gpu), cpu: await read(cpu) };
			} finally {
				torch.set_backend('webgpu');
			}
		});
		expect(result.device).toBe('webgpu');
		['output', 'input grad', 'weight grad', 'bias grad'].forEach((label, k) => {
			const cpu = result.cpu[k];
			const gpu = result.gpu[k];
			expect(gpu.length, `${label} length`).toBe(cpu.length);
			const tolerance = 1e-5 * (1 + Math.max(...cpu.map(Math.abs)));
			const worst = cpu.reduce((m, v, i) => Math.max(m, Math.abs(gpu[i] - v)), 0);
			expect(worst, `${label}: largest difference from the CPU`).toBeLessThanOrEqual(tolerance);
		});
	});
});

test.describe('random programs on WebGPU match the CPU', () => {
	const options = { seeds: Array.from({ length: 60 }, (_, i) => 1000 + i), steps: 12 };
	for (const c of differentialCases({} as never, options)) {
		test(c.name, async ({ harness }) => {
			await runSuiteCase(harness, 'differential', options, c.name);
		});
	}
});
