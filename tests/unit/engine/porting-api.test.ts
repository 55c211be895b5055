import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';

const F = torch.nn.functional;
const nn = torch.nn;
const ids = (...values: number[]) => torch.tensor(values, { dtype: torch.int64 });
const list = async (t: Tensor) => Array.from(await t.array());

describe('dim given positionally or as { dim }', () => {
	const x = torch.arange(6).reshape(2, 3).float();

	const pairs: [string, (o: number | { dim: number }) => Tensor | Tensor[]][] = [
		['cat', (d) => torch.cat([x, x], d)],
		['stack', (d) => torch.stack([x, x], d)],
		['softmax', (d) => F.softmax(x, d)],
		['log_softmax', (d) => x.log_softmax(d)],
		['torch.softmax', (d) => torch.softmax(x, d)],
		['sum', (d) => x.sum(d)],
		['mean', (d) => torch.mean(x, d)],
		['max', (d) => x.max(d).values],
		['min', (d) => torch.min(x, d).indices],
		['argmax', (d) => x.argmax(d)],
		['norm', (d) => x.norm(2, d)],
		['var', (d) => x.var(d)],
		['std', (d) => torch.std(x, d)],
		['squeeze', (d) => x.unsqueeze(1).squeeze(typeof d === 'number' ? d : { dim: d.dim })],
		['unsqueeze', (d) => x.unsqueeze(d)],
		['split', (d) => x.split(1, d)],
		['chunk', (d) => torch.chunk(x, 3, d)],
		['cumsum', (d) => x.cumsum(d)],
		['gather', (d) => x.gather(d, ids(0, 0).reshape(2, 1))],
		['index_select', (d) => torch.index_select(x, d, ids(0))]
	];
	for (const [name, call] of pairs) {
		test(`${name}(1) equals ${name}({ dim: 1 })`, async () => {
			const positional = [call(1)].flat();
			const keyword = [call({ dim: 1 })].flat();
			expect(keyword.length).toBe(positional.length);
			for (let i = 0; i < positional.length; i++) {
				expect(keyword[i].shape).toEqual(positional[i].shape);
				expect(await list(keyword[i])).toEqual(await list(positional[i]));
			}
		});
	}

	test('flatten accepts { start_dim, end_dim }', () => {
		const y = torch.zeros(2, 3, 4);
		expect(y.flatten({ start_dim: 1 }).shape).toEqual([2, 12]);
		expect(torch.flatten(y, { start_dim: 0, end_dim: 1 }).shape).toEqual([6, 4]);
	});

	test('gather and index_select accept (index, { dim })', async () => {
		const index = ids(2, 0).reshape(2, 1);
		expect(await list(x.gather(index, { dim: 1 }))).toEqual(await list(x.gather(1, index)));
		expect(await list(x.index_select(ids(1), { dim: 0 }))).toEqual([3, 4, 5]);
	});
});

describe('error hints', () => {
	test('matmul suggests other.T only when it would fit', () => {
		const fits = () => torch.randn(2, 3).matmul(torch.randn(2, 3));
		const never = () => torch.randn(2, 3).matmul(torch.randn(4, 5));
		expect(fits).toThrow('Did you mean other.T?');
		expect(never).toThrow('got shapes [2, 3] and [4, 5]');
		expect(never).not.toThrow('other.T');
	});

	test('matmul of 1-D tensors names the shapes passed', () => {
		const call = () => torch.randn(3).matmul(torch.randn(4));
		expect(call).toThrow('got shapes [3] and [4]');
		expect(call).not.toThrow('[1, 3]');
	});

	test('Linear names in_features and the input shape', () => {
		const layer = new nn.Linear(4, 2);
		expect(() => layer(torch.randn(16, 3))).toThrow(
			'Linear(in_features=4, out_features=2, bias=True) expects input.shape[-1] == 4, got shape [16, 3]'
		);
		expect(() => F.linear(torch.randn(16, 3), layer.weight)).toThrow('in_features = 4');
	});

	test('index with a tensor says tensor indexing is unsupported', () => {
		const x = torch.randn(3);
		const call = () => x.index(x.gt(0) as unknown as string);
		expect(call).toThrow('Boolean and tensor indexing');
		expect(call).toThrow('torch.where');
		expect(call).toThrow('index_select');
	});

	test('zeros(1e10) names the element count and the limit', () => {
		expect(() => torch.zeros(1e10)).toThrow('at most 2147483647 elements, got 10000000000');
	});

	test('randn rejects non-integer sizes and names the bad one', () => {
		expect(() => torch.randn(3, 'a' as unknown as number)).toThrow(
			"size arguments must be non-negative integers, got 'a' at position 1"
		);
		expect(() => torch.randn(3, 1.5)).toThrow('got 1.5 at position 1');
		expect(() => torch.randn(-2)).toThrow('got -2 at position 0');
		expect(() => torch.ones([2, NaN])).toThrow('got NaN at position 1');
	});
});

describe('sort and topk', () => {
	const x = torch.tensor([
		[3, 1, 2, 1],
		[0, 5, 5, -1]
	]);

	test('sort keeps ties in order, ascending and descending', async () => {
		const up = torch.sort(x, { dim: 1, stable: true });
		expect(await up.values.tolist()).toEqual([
			[1, 1, 2, 3],
			[-1, 0, 5, 5]
		]);
		expect(await up.indices.tolist()).toEqual([
			[1, 3, 2, 0],
			[3, 0, 1, 2]
		]);
		const [values, indices] = x.sort(1, true);
		expect(await values.tolist()).toEqual([
			[3, 2, 1, 1],
			[5, 5, 0, -1]
		]);
		expect(await indices.tolist()).toEqual([
			[0, 2, 1, 3],
			[1, 2, 0, 3]
		]);
	});

	test('sort along dim 0 and argsort', async () => {
		expect(await torch.sort(x, 0).indices.tolist()).toEqual([
			[1, 0, 0, 1],
			[0, 1, 1, 0]
		]);
		expect(await x.argsort().tolist()).toEqual([
			[1, 3, 2, 0],
			[3, 0, 1, 2]
		]);
	});

	test('topk returns the k largest or smallest', async () => {
		const { values, indices } = torch.topk(x, 2);
		expect(await values.tolist()).toEqual([
			[3, 2],
			[5, 5]
		]);
		expect(await indices.tolist()).toEqual([
			[0, 2],
			[1, 2]
		]);
		const low = x.topk(1, { dim: 0, largest: false });
		expect(await low.values.tolist()).toEqual([[0, 1, 2, -1]]);
		expect(() => x.topk(5)).toThrow('k must be an integer in [0, 4]');
	});

	test('sort values carry the gradient back through gather', async () => {
		const w = torch.tensor([2, 1, 3], { requires_grad: true });
		torch
			.sort(w)
			.values.mul(torch.tensor([1, 10, 100]))
			.sum()
			.backward();
		expect(await list(w.grad!)).toEqual([10, 1, 100]);
	});
});

describe('isclose and allclose', () => {
	test('isclose uses atol + rtol * |b|', async () => {
		const a = torch.tensor([1, 1, Infinity, NaN]);
		const b = torch.tensor([1 + 1e-6, 1.1, Infinity, NaN]);
		expect(await list(torch.isclose(a, b))).toEqual([1, 0, 1, 0]);
		expect(await list(torch.isclose(a, b, { equal_nan: true, rtol: 0.2 }))).toEqual([1, 1, 1, 1]);
	});

	test('allclose resolves to a boolean', async () => {
		const a = torch.tensor([1, 2]);
		expect(await torch.allclose(a, a.add(1e-7))).toBe(true);
		expect(await torch.allclose(a, a.add(1))).toBe(false);
	});
});

describe('devices', () => {
	test('torch.device works with to, cpu and options', () => {
		const cpu = torch.device('cpu');
		expect(String(cpu)).toBe('cpu');
		expect(torch.device('cuda').type).toBe('cuda');
		const x = torch.randn(2, { device: cpu });
		expect(x.to(cpu).device).toBe('cpu');
		expect(x.cpu().device).toBe('cpu');
		expect(new nn.Linear(2, 2).to(cpu).weight.device).toBe('cpu');
		expect(() => torch.device('tpu')).toThrow("expected 'cpu', 'cuda' or 'webgpu', got 'tpu'");
	});

	test('cuda() moves to webgpu, which Node lacks', () => {
		expect(() => torch.randn(2).cuda()).toThrow('WebGPU');
	});
});

describe('module names in toString', () => {
	test('a subclass prints its own class name', () => {
		class TinyNet extends nn.Module {
			fc = new nn.Linear(2, 1);
			forward(x: Tensor): Tensor {
				return this.fc(x);
			}
		}
		expect(String(new TinyNet())).toBe(
			'TinyNet(\n  (fc): Linear(in_features=2, out_features=1, bias=True)\n)'
		);
	});

	test('a mangled constructor.name still prints the PyTorch name', () => {
		const original = Object.getOwnPropertyDescriptor(nn.Sequential, 'name')!;
		Object.defineProperty(nn.Sequential, 'name', { value: 'e' });
		Object.defineProperty(nn.Linear, 'name', { value: 'kf' });
		try {
			expect(String(new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid()))).toBe(
				'Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): Sigmoid()\n)'
			);
		} finally {
			Object.defineProperty(nn.Sequential, 'name', original);
			Object.defineProperty(nn.Linear, 'name', { value: 'Linear' });
		}
	});
});

describe('max and min overloads', () => {
	// These lines also check the types: `npx tsc` fails if torch.max(x, 1) types as a union.
	test('torch.max(x, 1) destructures into values and indices', async () => {
		const x = torch.tensor([
			[1, 5, 2],
			[7, 0, 3]
		]);
		const { values, indices } = torch.max(x, 1);
		expect(await list(values)).toEqual([5, 7]);
		expect(await list(indices)).toEqual([1, 0]);
		expect(await list(torch.min(x, { dim: 0 }).values)).toEqual([1, 0, 2]);
		expect(await list(x.max(1).indices)).toEqual([1, 0]);
		expect(await torch.max(x).item()).toBe(7);
	});
});
