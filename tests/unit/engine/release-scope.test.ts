import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';
import type { Backend, StorageData } from '../../../src/lib/engine/backends/backend';
import { cpuBackend } from '../../../src/lib/engine/backends/cpu';
import { float32 } from '../../../src/lib/engine/dtype';
import { uploadOn } from '../../../src/lib/engine/ops/kernel';

// A released array is reused only at a later allocation of its size. So these tests run on a
// copy of the CPU backend whose `release` overwrites the memory with NaN at once, as a reused
// array or GPU buffer would contain another tensor's values. A tensor read after its storage
// was released then shows NaN instead of its values.
function poisoningBackend() {
	const released = new Set<StorageData>();
	const backend: Backend = {
		...cpuBackend,
		release(data: StorageData) {
			released.add(data);
			(data as Float32Array).fill(Number.NaN);
		}
	};
	const tensor = (values: number[][], requiresGrad = false) => {
		const t = uploadOn(backend, values.flat(), [values.length, values[0].length], float32);
		return requiresGrad ? t.requires_grad_() : t;
	};
	return { backend, released, tensor };
}

const X = [
	[0.5, -1, 2],
	[1.5, 0.25, -0.75]
];
const W1 = [
	[0.1, -0.2, 0.3],
	[0.4, 0.5, -0.6],
	[-0.7, 0.8, 0.9],
	[0.2, -0.1, 0.05]
];
const W2 = [[0.3, -0.4, 0.5, 0.6]];

/** Builds a 3-4-1 MLP with ReLU and a mean-squared loss, built from `tensor` on one backend. */
function mlp(tensor: (values: number[][], requiresGrad?: boolean) => Tensor) {
	const w1 = tensor(W1, true);
	const w2 = tensor(W2, true);
	const x = tensor(X);
	const hidden = x.matmul(w1.t()).relu();
	const out = hidden.matmul(w2.t());
	const loss = out.sub(1).pow(2).mean();
	return { w1, w2, x, hidden, out, loss };
}

const read = async (t: Tensor | null) => {
	if (t === null) throw new Error('expected a tensor, got null');
	return Array.from(await t.array());
};

/** Computes the same MLP's gradients on the plain CPU backend, where nothing is released early. */
async function referenceGrads() {
	const model = mlp((values, requiresGrad) =>
		torch.tensor(values, { requires_grad: requiresGrad ?? false })
	);
	model.loss.backward();
	return { w1: await read(model.w1.grad), w2: await read(model.w2.grad) };
}

describe('early release of backward temporaries', () => {
	test('backward releases gradients it does not hand out', async () => {
		const { released, tensor } = poisoningBackend();
		const model = mlp(tensor);
		model.loss.backward();
		expect(released.size).toBeGreaterThan(0);
		const reference = await referenceGrads();
		expect(await read(model.w1.grad)).toEqual(reference.w1);
		expect(await read(model.w2.grad)).toEqual(reference.w2);
		expect(model.w1.grad!.storage.released).toBe(false);
	});

	test('intermediates and their views read the same after backward', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		const transposed = model.hidden.t();
		const row = model.hidden.index('1, :');
		const flat = model.out.view(-1);
		const before = [model.hidden, transposed, row, flat, model.loss].map((t) => read(t));
		const expected = await Promise.all(before);
		model.loss.backward();
		for (const [i, t] of [model.hidden, transposed, row, flat, model.loss].entries()) {
			expect(t.storage.released, `tensor ${i} was released`).toBe(false);
			expect(await read(t)).toEqual(expected[i]);
		}
		expect(expected[0].some(Number.isNaN)).toBe(false);
	});

	test('gradients passed to hooks, and what hooks build, stay readable', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		const seen: Tensor[] = [];
		model.hidden.register_hook((grad) => {
			seen.push(grad, grad.t(), grad.mul(2));
		});
		model.loss.backward();
		const reference = mlp((values, requiresGrad) =>
			torch.tensor(values, { requires_grad: requiresGrad ?? false })
		);
		reference.hidden.retain_grad();
		reference.loss.backward();
		const expected = await read(reference.hidden.grad);
		expect(seen).toHaveLength(3);
		expect(await read(seen[0])).toEqual(expected);
		expect(await read(seen[1].t())).toEqual(expected);
		expect(await read(seen[2])).toEqual(expected.map((v) => v * 2));
	});

	test('a replacement returned by a hook reaches the leaf intact', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		model.out.register_hook((grad) => grad.mul(3));
		model.loss.backward();
		const reference = await referenceGrads();
		expect(await read(model.w2.grad)).toEqual(reference.w2.map((v) => Math.fround(v * 3)));
	});

	test('retained gradients of intermediates stay readable', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		model.hidden.retain_grad();
		model.out.retain_grad();
		model.loss.backward();
		const reference = mlp((values, requiresGrad) =>
			torch.tensor(values, { requires_grad: requiresGrad ?? false })
		);
		reference.hidden.retain_grad();
		reference.out.retain_grad();
		reference.loss.backward();
		expect(await read(model.hidden.grad)).toEqual(await read(reference.hidden.grad));
		expect(await read(model.out.grad)).toEqual(await read(reference.out.grad));
	});

	test('autograd.grad returns readable gradients', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		const [gradW1, gradHidden] = torch.autograd.grad(model.loss, [model.w1, model.hidden]);
		const reference = await referenceGrads();
		expect(await read(gradW1)).toEqual(reference.w1);
		expect((await read(gradHidden)).some(Number.isNaN)).toBe(false);
		expect(model.w1.grad).toBeNull();
	});

	test('a second backward accumulates into readable grads', async () => {
		const { tensor } = poisoningBackend();
		const model = mlp(tensor);
		model.loss.backward({ retain_graph: true });
		model.loss.backward();
		const reference = await referenceGrads();
		expect(await read(model.w1.grad)).toEqual(reference.w1.map((v) => Math.fround(v * 2)));
		expect(await read(model.hidden)).not.toContain(Number.NaN);
	});

	test('a leaf gradient adopted from a view stays readable', async () => {
		const { tensor } = poisoningBackend();
		const w = tensor([[1, 2, 3, 4]], true);
		// ViewBackward0 hands the leaf a reshaped view of the incoming gradient.
		const loss = w
			.view(2, 2)
			.mul(
				tensor([
					[5, 6],
					[7, 8]
				])
			)
			.sum();
		loss.backward();
		expect(await read(w.grad)).toEqual([5, 6, 7, 8]);
	});

	test('CPU pool keeps training values', async () => {
		// Hidden activations of 64 x 512 floats (128 KiB) and weight gradients are large enough
		// for the pool, so step 2 and 3 run on arrays that step 1's backward gave back.
		const released = new Set<StorageData>();
		let reused = 0;
		const pooling: Backend = {
			...cpuBackend,
			allocate(size, dtype) {
				const data = cpuBackend.allocate(size, dtype);
				if (released.delete(data)) reused++;
				return data;
			},
			release(data) {
				released.add(data);
				cpuBackend.release!(data);
			}
		};
		const keeping: Backend = { ...cpuBackend, release: undefined };
		const train = async (backend: Backend) => {
			torch.manual_seed(3);
			const upload = async (t: Tensor) =>
				uploadOn(backend, await read(t.flatten()), t.shape, float32);
			const x = await upload(torch.randn(64, 300));
			const w1 = (await upload(torch.randn(512, 300).mul(0.05))).requires_grad_();
			const w2 = (await upload(torch.randn(10, 512).mul(0.05))).requires_grad_();
			const losses: number[] = [];
			for (let step = 0; step < 3; step++) {
				const loss = x.matmul(w1.t()).relu().matmul(w2.t()).pow(2).mean();
				loss.backward();
				losses.push(await loss.item());
				torch.no_grad(() => {
					w1.sub_(w1.grad!.mul(0.1));
					w2.sub_(w2.grad!.mul(0.1));
				});
				w1.grad!.zero_();
				w2.grad!.zero_();
			}
			return { losses, w1: await read(w1.flatten()), w2: await read(w2.flatten()) };
		};
		const pooled = await train(pooling);
		expect(reused).toBeGreaterThan(0);
		const plain = await train(keeping);
		expect(pooled.losses).toEqual(plain.losses);
		expect(pooled.w1).toEqual(plain.w1);
		expect(pooled.w2).toEqual(plain.w2);
	});

	test('engine optimizers keep their state', async () => {
		const make: [string, (params: Tensor[]) => InstanceType<typeof torch.optim.Optimizer>][] = [
			['SGD', (ps) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })],
			['Adam', (ps) => new torch.optim.Adam(ps, { lr: 0.1, amsgrad: true, weight_decay: 0.01 })],
			['AdamW', (ps) => new torch.optim.AdamW(ps, { lr: 0.1 })],
			['RMSprop', (ps) => new torch.optim.RMSprop(ps, { lr: 0.1, momentum: 0.5, centered: true })],
			['Adagrad', (ps) => new torch.optim.Adagrad(ps, { lr: 0.1 })]
		];
		const train = async (
			tensor: (values: number[][], requiresGrad?: boolean) => Tensor,
			build: (typeof make)[number][1]
		) => {
			const model = mlp(tensor);
			const opt = build([model.w1, model.w2]);
			for (let step = 0; step < 3; step++) {
				opt.zero_grad();
				rerun(model, tensor).backward();
				opt.step();
			}
			return [...(await read(model.w1.flatten())), ...(await read(model.w2.flatten()))];
		};
		for (const [name, build] of make) {
			const { released, tensor } = poisoningBackend();
			const poisoned = await train(tensor, build);
			const plain = await train(
				(values, requiresGrad) => torch.tensor(values, { requires_grad: requiresGrad ?? false }),
				build
			);
			expect(released.size, name).toBeGreaterThan(0);
			expect(poisoned, name).toEqual(plain);
			expect(poisoned.some(Number.isNaN), name).toBe(false);
		}
	});

	test('user update rules keep temporaries', async () => {
		const { tensor } = poisoningBackend();
		const stored: Tensor[] = [];
		class Recording extends torch.optim.SGD {
			protected update(p: Tensor, grad: Tensor, group: { lr: number }, state: object): void {
				stored.push(grad.mul(2));
				super.update(p, grad, group as never, state as never);
			}
		}
		const model = mlp(tensor);
		model.loss.backward();
		new Recording([model.w1, model.w2], { lr: 0.1 }).step();
		const reference = await referenceGrads();
		expect(await read(stored[0].flatten())).toEqual(reference.w1.map((v) => Math.fround(v * 2)));
	});
});

/** Returns the MLP's loss on its current weights. */
function rerun(model: ReturnType<typeof mlp>, tensor: (values: number[][]) => Tensor): Tensor {
	const hidden = tensor(X).matmul(model.w1.t()).relu();
	return hidden.matmul(model.w2.t()).sub(1).pow(2).mean();
}
