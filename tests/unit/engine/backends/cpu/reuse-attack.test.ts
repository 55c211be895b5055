/**
 * Attacks on the CPU backend's array reuse, each a path where an array might go back to the
 * pool while something can still read it. Every release of this file's tensors first fills the
 * array with NaN, so a tensor read after backward or an optimizer gave its storage back shows
 * NaN. The collector's path is attacked by dropping tensors, collecting them, and allocating
 * arrays of the same length filled with SENTINEL, which take the recycled arrays.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { setReadCheck, torch, type Tensor } from '../../../../../src/lib/engine';
import { cpuBackend } from '../../../../../src/lib/engine/backends/cpu';
import { createNotebook } from '../../../notebook/notebook-harness';

const SENTINEL = 12345;
/** Lengths of a slab-carved float32 array (192 bytes) and of one with its own buffer (8000). */
const SMALL = 48;
const LARGE = 2000;

const read = async (t: Tensor | null) => Array.from(await t!.array());
const values = (n: number, scale: number) =>
	Array.from({ length: n }, (_, i) => Math.fround(i * scale));

/** Runs full collections and lets the collector's callbacks recycle what it found. */
async function collect(): Promise<void> {
	const gc = (globalThis as { gc?: () => void }).gc;
	expect(gc, 'vitest runs Node with --expose-gc').toBeDefined();
	for (let i = 0; i < 3; i++) {
		gc!();
		await new Promise((resolve) => setImmediate(resolve));
	}
}

/** Collects, then allocates SENTINEL-filled tensors that take recycled arrays of these lengths. */
async function churn(lengths: number[]): Promise<Tensor[]> {
	await collect();
	return lengths.flatMap((n) => Array.from({ length: 16 }, () => torch.full([n], SENTINEL)));
}

let restoreRelease: () => void;
beforeEach(() => {
	const release = cpuBackend.release!;
	cpuBackend.release = (data) => {
		(data as Float32Array).fill(Number.NaN);
		release.call(cpuBackend, data);
	};
	restoreRelease = () => (cpuBackend.release = release);
});
afterEach(() => restoreRelease());

describe('CPU array reuse under attack', () => {
	test('pending reads survive collection', async () => {
		const recycled = new WeakSet<object>();
		// The tensors exist only inside this function, so only the promises outlive it.
		const start = () =>
			[SMALL, LARGE].flatMap((n) => {
				const t = torch.arange(n, { dtype: torch.float32 }).mul(0.5);
				recycled.add(t.storage.data);
				return [
					t.array(),
					t.tolist(),
					t
						.view(2, n / 2)
						.t()
						.array(),
					t.sum().item()
				];
			});
		const pending = start();
		const fresh = await churn([SMALL, LARGE]);
		expect(fresh.some((t) => recycled.has(t.storage.data))).toBe(true);

		const [small, smallList, smallT, smallSum, large] = await Promise.all(pending);
		expect(Array.from(small as Float32Array)).toEqual(values(SMALL, 0.5));
		expect(smallList).toEqual(values(SMALL, 0.5));
		expect((smallT as Float32Array)[1]).toBe((SMALL / 2) * 0.5);
		expect(smallSum).toBe(0.25 * SMALL * (SMALL - 1));
		expect(Array.from(large as Float32Array)).toEqual(values(LARGE, 0.5));
	});

	test('aliases keep arrays out of the pool', async () => {
		// A length no other test uses, so the pool holds only this test's arrays of it.
		const n = SMALL + 4;
		const source = new Float32Array(values(n, 2));
		// `control` is dropped inside, so the churn below can prove that arrays were recycled.
		const makeAliases = () => {
			const t = torch.tensor(source).mul(1);
			const control = torch.tensor(source).mul(1);
			const aliases = { data: t.data, detached: t.detach(), slice: t.narrow(0, 8, 16) };
			return { aliases, controlArray: control.storage.data };
		};
		const { aliases, controlArray } = makeAliases();
		const aliasedArray = aliases.data.storage.data;
		// Neither the array a tensor was made from nor an array a read returned is its memory.
		source.fill(-1);
		(await aliases.detached.array()).fill(-1);
		const fresh = await churn([n]);
		expect(fresh.some((t) => t.storage.data === controlArray)).toBe(true);
		expect(fresh.some((t) => t.storage.data === aliasedArray)).toBe(false);

		expect(await read(aliases.data)).toEqual(values(n, 2));
		expect(await read(aliases.detached)).toEqual(values(n, 2));
		aliases.slice.mul_(10);
		expect(await read(aliases.slice)).toEqual(
			values(n, 2)
				.slice(8, 24)
				.map((v) => v * 10)
		);
		expect((await read(aliases.data))[7]).toBe(14);
	});

	test('saved tensors survive retain_graph passes', async () => {
		const build = () => {
			const x = torch.arange(LARGE, { dtype: torch.float32 }).div(LARGE).requires_grad_();
			const w = torch.arange(SMALL, { dtype: torch.float32 }).div(SMALL).requires_grad_();
			// Only the graph references the sin, the product and the outer matrix.
			const outer = x.sin().mul(x).view(LARGE, 1).mul(w.view(1, SMALL));
			return { x, w, loss: outer.tanh().sum() };
		};
		const reference = build();
		reference.loss.backward();
		const expected = { x: await read(reference.x.grad), w: await read(reference.w.grad) };

		const { x, w, loss } = build();
		await churn([LARGE, SMALL, LARGE * SMALL]);
		loss.backward({ retain_graph: true });
		await churn([LARGE, SMALL, LARGE * SMALL]);
		loss.backward();
		expect(expected.x.concat(expected.w).some(Number.isNaN)).toBe(false);
		expect(await read(x.grad)).toEqual(expected.x.map((v) => Math.fround(v * 2)));
		expect(await read(w.grad)).toEqual(expected.w.map((v) => Math.fround(v * 2)));
	});

	test('autograd.grad result feeds a second graph', async () => {
		const x = torch.arange(SMALL, { dtype: torch.float32 }).div(7).requires_grad_();
		const h = x.sin().mul(x);
		const loss = h.pow(2).sum();
		const [g] = torch.autograd.grad(loss, [h], { retain_graph: true });
		// d(sum h^2)/dh is 2h, and doubling a float32 is exact.
		const expected = (await read(h)).map((v) => 2 * v);
		const v = torch.ones(SMALL, { requires_grad: true });
		const second = g!.mul(v).sum();
		// This pass gives back every temporary it made. g came from an earlier pass, so it stays.
		loss.backward();
		await churn([SMALL]);
		second.backward();
		expect(await read(v.grad)).toEqual(expected);
		expect(await read(g)).toEqual(expected);
	});

	test('optimizer steps inside hooks keep state', async () => {
		const train = async (inHooks: boolean) => {
			torch.manual_seed(0);
			const x = torch.randn(8, 24);
			const w1 = torch.randn(16, 24).requires_grad_();
			const w2 = torch.randn(4, 16).requires_grad_();
			const adam = new torch.optim.Adam([w1], { lr: 0.01 });
			const sgd = new torch.optim.SGD([w2], { lr: 0.1, momentum: 0.9 });

			const steps: [Tensor, { step(): unknown }][] = [
				[w1, adam],
				[w2, sgd]
			];

			// In the per-parameter pattern each step runs while backward is still open.
			if (inHooks) {
				for (const [p, opt] of steps) {
					p.register_hook((g) => {
						p.grad = g;
						opt.step();
						p.grad = null;
					});
				}
			}
			for (let step = 0; step < 3; step++) {
				x.matmul(w1.t()).tanh().matmul(w2.t()).pow(2).mean().backward();
				for (const [p, opt] of steps) {
					if (!inHooks) opt.step();
					p.grad = null;
				}
				await churn([16 * 24, 4 * 16]);
			}

			const adamState = adam.state.get(w1)!;
			const sgdState = sgd.state.get(w2)!;
			return [w1, w2, adamState.exp_avg, adamState.exp_avg_sq, sgdState.momentum_buffer];
		};
		const plain = await Promise.all((await train(false)).map((t) => read(t as Tensor)));
		const hooked = await Promise.all((await train(true)).map((t) => read(t as Tensor)));
		expect(hooked).toEqual(plain);
		expect(plain.flat().some(Number.isNaN)).toBe(false);
	});

	test('read loop recycles arrays, same results', async () => {
		const gc = (globalThis as { gc?: () => void }).gc!;
		const run = async (keepAll: boolean) => {
			torch.manual_seed(1);
			const x = torch.randn(32, 20);
			const w = torch.randn(20, 20).mul(0.3).requires_grad_();
			const kept: Tensor[] = [];
			const seen = new WeakSet<object>();
			let reused = 0;
			const losses: number[] = [];
			for (let step = 0; step < 40; step++) {
				const h = x.matmul(w).tanh();
				if (seen.has(h.storage.data)) reused++;
				seen.add(h.storage.data);
				const loss = h.pow(2).mean();
				if (keepAll) kept.push(h, loss);
				loss.backward();
				torch.no_grad(() => w.sub_(w.grad!.mul(0.05)));
				w.grad = null;
				if (step % 4 === 3) gc();
				// The read yields a task now and then, where the collector's callbacks run.
				losses.push(await loss.item());
			}
			return { losses, w: await read(w), reused };
		};
		const pooled = await run(false);
		const keeping = await run(true);
		expect(pooled.reused).toBeGreaterThan(0);
		expect(keeping.reused).toBe(0);
		expect(keeping.losses.some(Number.isNaN)).toBe(false);
		expect(pooled.losses).toEqual(keeping.losses);
		expect(pooled.w).toEqual(keeping.w);
	});

	// zero_grad and the next backward write into `.grad` in place, so `.grad` must not be the
	// tensor a hook kept. PyTorch clones a gradient referenced elsewhere.
	test('hook gradients survive zero_grad', async () => {
		const a = torch.arange(SMALL, { dtype: torch.float32 }).requires_grad_();
		const b = torch.arange(SMALL, { dtype: torch.float32 }).requires_grad_();
		const received: Tensor[] = [];
		const returned: Tensor[] = [];
		a.register_hook((g) => {
			received.push(g);
		});
		const opt = new torch.optim.SGD([a, b], { lr: 0 });
		for (const scale of [3, 5]) {
			opt.zero_grad();
			// AddBackward0 hands the hook's replacement on to b unchanged.
			const h = b.add(0);
			h.register_hook((g) => {
				returned.push(g.mul(2));
				return returned.at(-1);
			});
			a.mul(scale).add(h.mul(scale)).sum().backward();
		}
		expect(await read(received[0]), 'the gradient passed to a hook').toEqual(Array(SMALL).fill(3));
		expect(await read(returned[0]), 'the gradient a hook returned').toEqual(Array(SMALL).fill(6));
		expect(await read(a.grad)).toEqual(Array(SMALL).fill(5));
		expect(await read(b.grad)).toEqual(Array(SMALL).fill(10));
	});

	// A read that yields a task lets an edit reach the worker while a loop inside a function
	// awaits reads. The scheduler cancels the run, waits `cancelGraceMs` and starts the next
	// run, so the old run must stop at its next read, or both draw from the global generator.
	test('superseded cell run stops drawing', async () => {
		const runs: { tag: number; draws: number[] }[] = [];
		(globalThis as { __reuseRuns?: unknown }).__reuseRuns = runs;
		const cell = `async function draws() {
			torch.manual_seed(0);
			const out = [];
			for (let i = 0; i < 40; i++) {
				out.push(await torch.randn(4).sum().item());
				const start = performance.now();
				while (performance.now() - start < 5) {}
			}
			return out;
		}
		globalThis.__reuseRuns.push({ tag, draws: await draws() });`;
		torch.manual_seed(0);
		const expected: number[] = [];
		for (let i = 0; i < 40; i++) expected.push(await torch.randn(4).sum().item());

		const nb = createNotebook({ torch, cancelGraceMs: 20, setReadCheck });
		nb.runtime.setNotebook([
			{ id: 'a', code: 'const tag = 1;' },
			{ id: 'b', code: cell }
		]);
		await new Promise((resolve) => setTimeout(resolve, 50));
		nb.runtime.updateCell({ id: 'a', code: 'const tag = 2;' });
		await nb.runtime.idle();
		await new Promise((resolve) => setTimeout(resolve, 300));
		nb.runtime.dispose();
		delete (globalThis as { __reuseRuns?: unknown }).__reuseRuns;
		expect(runs.find((run) => run.tag === 2)?.draws).toEqual(expected);
	});
});
