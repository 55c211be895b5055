import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { torch, type Tensor } from '../../../src/lib/engine';
import type { Module } from '../../../src/lib/engine/nn';
import {
	lossLandscape,
	type Landscape,
	type LandscapeHooks,
	type LandscapeOptions
} from '../../../src/lib/notebook/landscape';
import type { NotebookDocument } from '../../../src/lib/share/format';
import type { ChartSpec } from '../../../src/lib/worker/api';
import { createNotebook } from './notebook-harness';

const nn = torch.nn;
type LandscapeChart = Extract<ChartSpec, { kind: 'landscape' }>;
type LossFn = (model: Module) => Tensor;

function compute(
	model: Module,
	lossFn: LossFn,
	options: LandscapeOptions = {},
	hooks: Partial<LandscapeHooks> = {}
): Promise<Landscape> {
	return lossLandscape(torch, model, lossFn, options, { emit() {}, chartId: 'test', ...hooks });
}

function mlp(inputs: number, hidden: number, activation: Module = new nn.Tanh()): Module {
	return new nn.Sequential(new nn.Linear(inputs, hidden), activation, new nn.Linear(hidden, 1));
}

/** The same network as `mlp` with its own forward, which the batched rows do not recognise. */
class CustomMlp extends nn.Module {
	first: InstanceType<typeof nn.Linear>;
	second: InstanceType<typeof nn.Linear>;
	constructor(inputs: number, hidden: number) {
		super();
		this.first = new nn.Linear(inputs, hidden);
		this.second = new nn.Linear(hidden, 1);
	}
	forward(x: Tensor): Tensor {
		return this.second(this.first(x).tanh());
	}
}

function regressionData(n: number, seed = 0) {
	torch.manual_seed(seed);
	const x = torch.randn(n, 2);
	const y = x.index(':, 0:1').mul(x.index(':, 1:2')).tanh();
	return { x, y, mse: ((m: Module) => F.mse_loss(m(x), y)) as LossFn };
}
const F = torch.nn.functional;

async function values(params: Iterable<Tensor>): Promise<number[][]> {
	const result: number[][] = [];
	for (const p of params) result.push(Array.from(await p.array(), Number));
	return result;
}

/** Sets the parameters to origin + a·d1 + b·d2 and returns lossFn there, read back. */
async function lossAt(
	model: Module,
	lossFn: LossFn,
	origin: Tensor[],
	directions: Tensor[][],
	a: number,
	b: number
): Promise<number> {
	const loss = torch.no_grad(() => {
		model.parameters().forEach((p, k) => {
			let point = origin[k].add(directions[0][k].mul(a));
			if (directions[1]) point = point.add(directions[1][k].mul(b));
			p.copy_(point);
		});
		return lossFn(model);
	});
	return loss.item();
}

function expectClose(actual: number, expected: number, rtol: number, what: string) {
	const tolerance = rtol * Math.max(1, Math.abs(expected));
	expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
		tolerance
	);
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe('lossLandscape grid', () => {
	const models: [string, () => Module][] = [
		['nn.Sequential (batched rows)', () => mlp(2, 8)],
		['custom forward (plain rows)', () => new CustomMlp(2, 8)]
	];

	test.each(models)('lossLandscape 2-D values equal direct evaluations: %s', async (_, make) => {
		const { mse } = regressionData(32);
		torch.manual_seed(1);
		const model = make();
		const origin = model.parameters().map((p) => p.detach().clone());

		const landscape = await compute(model, mse, { resolution: 7, span: 0.8, seed: 3 });
		const chart = landscape.chart;
		const z = chart.z as number[][];
		expect(chart.x).toHaveLength(7);
		expect(chart.y).toHaveLength(7);
		expect(z).toHaveLength(7);
		expect(z.every((row) => row.length === 7)).toBe(true);

		for (const [i, j] of [
			[0, 0],
			[6, 6],
			[3, 3],
			[1, 5],
			[4, 2],
			[6, 0]
		]) {
			const direct = await lossAt(
				model,
				mse,
				origin,
				landscape.directions,
				chart.x[i],
				chart.y![j]
			);
			expectClose(z[j][i], direct, 1e-5, `z[${j}][${i}]`);
		}
	});

	test('lossLandscape centre point is the loss at the current parameters', async () => {
		const { mse } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const here = await torch.no_grad(() => mse(model)).item();
		const z = (await compute(model, mse, { resolution: 5 })).chart.z as number[][];
		expectClose(z[2][2], here, 1e-6, 'centre');
	});

	test('lossLandscape reads back once per row', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 4);
		const spy = vi.spyOn(torch.Tensor.prototype, 'array');
		await compute(model, mse, { resolution: 9 });
		// One readback per grid row; nothing else reads back, as there is no path.
		expect(spy).toHaveBeenCalledTimes(9);
	});

	test('lossLandscape reports progress after every row', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 4);
		const progress: [number, number][] = [];
		await compute(
			model,
			mse,
			{ resolution: 5 },
			{ progress: async (d, t) => void progress.push([d, t]) }
		);
		expect(progress).toEqual([
			[1, 5],
			[2, 5],
			[3, 5],
			[4, 5],
			[5, 5]
		]);
	});
});

describe('lossLandscape directions', () => {
	function rowNorms(t: Tensor): Promise<number[]> {
		return t
			.reshape([t.shape[0], -1])
			.norm(2, 1)
			.array()
			.then((a) => Array.from(a, Number));
	}

	test('filter-normalised directions match each filter norm', async () => {
		torch.manual_seed(2);
		const model = new nn.Sequential(new nn.Linear(2, 5), new nn.ReLU(), new nn.Linear(5, 3));
		const loss: LossFn = (m) => m(torch.ones(4, 2)).pow(2).mean();
		const { directions } = await compute(model, loss, { resolution: 3 });
		expect(directions).toHaveLength(2);

		for (const direction of directions) {
			for (const [k, p] of model.parameters().entries()) {
				if (p.ndim === 2) {
					const expected = await rowNorms(p);
					const actual = await rowNorms(direction[k]);
					actual.forEach((norm, row) => expectClose(norm, expected[row], 1e-5, `filter ${row}`));
				} else {
					expect(Array.from(await direction[k].array())).toEqual(new Array(p.numel()).fill(0));
				}
			}
		}
		const [first, second] = await Promise.all(directions.map((d) => d[0].array()));
		expect(Array.from(first)).not.toEqual(Array.from(second));
	});

	test('include_biases copies the 1-D parameters into the directions', async () => {
		torch.manual_seed(2);
		const model = new nn.Sequential(new nn.Linear(2, 5), new nn.LayerNorm(5), new nn.Linear(5, 1));
		const loss: LossFn = (m) => m(torch.ones(4, 2)).pow(2).mean();
		const without = await compute(model, loss, { resolution: 3 });
		const withBiases = await compute(model, loss, { resolution: 3, include_biases: true });

		for (const [k, p] of model.parameters().entries()) {
			const value = Array.from(await p.array());
			for (const direction of withBiases.directions) {
				const copied = Array.from(await direction[k].array());
				if (p.ndim === 1) expect(copied).toEqual(value);
			}
			if (p.ndim === 2) {
				// Including biases draws nothing extra, so the weights' directions stay the same.
				expect(Array.from(await withBiases.directions[0][k].array())).toEqual(
					Array.from(await without.directions[0][k].array())
				);
			}
		}
	});

	test('seed chooses the directions and leaves the global stream alone', async () => {
		torch.manual_seed(2);
		const model = mlp(2, 4);
		const loss: LossFn = (m) => m(torch.ones(3, 2)).pow(2).mean();
		const first = await compute(model, loss, { resolution: 3, seed: 7 });
		const again = await compute(model, loss, { resolution: 3, seed: 7 });
		const other = await compute(model, loss, { resolution: 3, seed: 8 });
		const weight = (l: Landscape) => l.directions[0][0].array().then((a) => Array.from(a));
		expect(await weight(again)).toEqual(await weight(first));
		expect(await weight(other)).not.toEqual(await weight(first));

		torch.manual_seed(5);
		const expected = Array.from(await torch.randn(4).array());
		torch.manual_seed(5);
		await compute(model, loss, { resolution: 3 });
		expect(Array.from(await torch.randn(4).array())).toEqual(expected);
	});

	test('pca directions recover the plane of a synthetic path', async () => {
		torch.manual_seed(4);
		const model = new nn.Linear(4, 3);
		const params = model.parameters();
		const final = params.map((p) => p.detach().clone());
		const u = params.map((p) => torch.randn(p.shape));
		const v = params.map((p) => torch.randn(p.shape));
		const checkpoints = Array.from({ length: 10 }, (_, t) => {
			const [a, b] = [2 * Math.cos(t / 3), Math.sin(t / 2) - 0.5 * t];
			return final.map((f, k) => f.add(u[k].mul(a)).add(v[k].mul(b)));
		});
		const loss: LossFn = (m) => m(torch.ones(2, 4)).pow(2).mean();

		const landscape = await compute(model, loss, {
			directions: 'pca',
			checkpoints,
			resolution: 5
		});
		const flat = (tensors: Tensor[]) => torch.cat(tensors.map((t) => t.reshape([-1])));
		const [d1, d2] = landscape.directions.map(flat);
		expectClose(await d1.norm().item(), 1, 1e-5, '|d1|');
		expectClose(await d2.norm().item(), 1, 1e-5, '|d2|');
		expect(Math.abs(await d1.dot(d2).item())).toBeLessThan(1e-5);

		for (const [name, vector] of [
			['u', flat(u)],
			['v', flat(v)]
		] as const) {
			const inPlane = d1.mul(vector.dot(d1)).add(d2.mul(vector.dot(d2)));
			const residual = (await vector.sub(inPlane).norm().item()) / (await vector.norm().item());
			expect(residual, `${name} outside the PCA plane`).toBeLessThan(1e-4);
		}

		const { path, x } = landscape.chart;
		expect(path).toHaveLength(checkpoints.length);
		for (const [t, [a, b]] of path.entries()) {
			const rebuilt = flat(final).add(d1.mul(a)).add(d2.mul(b));
			const error = await rebuilt.sub(flat(checkpoints[t])).norm().item();
			expect(error, `checkpoint ${t}`).toBeLessThan(
				1e-4 * (await flat(checkpoints[t]).norm().item())
			);
			// Without a span, the grid contains the whole path.
			expect(Math.abs(a)).toBeLessThanOrEqual(x[x.length - 1]);
			expect(Math.abs(b)).toBeLessThanOrEqual(x[x.length - 1]);
		}
	});

	test('pca rejects checkpoints that lie on one line', async () => {
		torch.manual_seed(4);
		const model = new nn.Linear(3, 2);
		const final = model.parameters().map((p) => p.detach().clone());
		const u = final.map((p) => torch.randn(p.shape));
		const checkpoints = [1, 2, 3].map((a) => final.map((f, k) => f.add(u[k].mul(a))));
		const loss: LossFn = (m) => m(torch.ones(2, 3)).pow(2).mean();
		await expect(compute(model, loss, { directions: 'pca', checkpoints })).rejects.toThrow(
			/span only 1 direction /
		);
	});
});

describe('lossLandscape two-parameter surface', () => {
	function lineData() {
		torch.manual_seed(0);
		const x = torch.randn(40, 1);
		const y = x.mul(2).add(1).add(torch.randn(40, 1).mul(0.3));
		return { x, y };
	}

	/** MSE of w x + b against y in float64, and the least-squares (w, b). */
	async function closedForm(x: Tensor, y: Tensor) {
		const xs = Array.from(await x.array(), Number);
		const ys = Array.from(await y.array(), Number);
		const n = xs.length;
		const mse = (w: number, b: number) =>
			xs.reduce((sum, xi, i) => sum + (w * xi + b - ys[i]) ** 2, 0) / n;
		const mx = xs.reduce((s, v) => s + v, 0) / n;
		const my = ys.reduce((s, v) => s + v, 0) / n;
		const sxy = xs.reduce((s, v, i) => s + (v - mx) * (ys[i] - my), 0);
		const sxx = xs.reduce((s, v) => s + (v - mx) ** 2, 0);
		const w = sxy / sxx;
		return { mse, w, b: my - w * mx };
	}

	test('linear regression surface equals the closed-form MSE', async () => {
		const { x, y } = lineData();
		const model = new nn.Linear(1, 1);
		torch.no_grad(() => {
			model.weight.fill_(-0.5);
			model.bias!.fill_(0.25);
		});
		const { mse } = await closedForm(x, y);

		const { chart } = await compute(model, (m) => F.mse_loss(m(x), y), {
			resolution: 21,
			span: 3
		});
		expect(chart.xlabel).toBe('weight');
		expect(chart.ylabel).toBe('bias');
		expectClose(chart.x[10], -0.5, 1e-7, 'x centre');
		expectClose(chart.y![10], 0.25, 1e-7, 'y centre');
		expectClose(chart.x[0], -3.5, 1e-6, 'x start');
		const z = chart.z as number[][];
		chart.y!.forEach((b, j) =>
			chart.x.forEach((w, i) => expectClose(z[j][i], mse(w, b), 1e-5, `(${w}, ${b})`))
		);
	});

	test('linear regression surface minimum is the least-squares solution', async () => {
		const { x, y } = lineData();
		const model = new nn.Linear(1, 1);
		const solution = await closedForm(x, y);
		const center = [solution.w + 0.37, solution.b - 0.21];

		const { chart } = await compute(model, (m) => F.mse_loss(m(x), y), {
			resolution: 41,
			span: 1.5,
			center
		});
		const z = chart.z as number[][];
		let best = { i: 0, j: 0 };
		z.forEach((row, j) =>
			row.forEach((v, i) => {
				if (v < z[best.j][best.i]) best = { i, j };
			})
		);
		const step = chart.x[1] - chart.x[0];
		expect(Math.abs(chart.x[best.i] - solution.w)).toBeLessThanOrEqual(step);
		expect(Math.abs(chart.y![best.j] - solution.b)).toBeLessThanOrEqual(step);
	});

	test('record(label) writes a named path and leaves path alone', async () => {
		const { x, y } = lineData();
		const model = new nn.Linear(1, 1);
		const emitted: LandscapeChart[] = [];
		const landscape = await compute(
			model,
			(m) => F.mse_loss(m(x), y),
			{ span: 3, resolution: 5 },
			{ emit: (chart) => void emitted.push(chart as LandscapeChart) }
		);
		expect(emitted[0].paths).toBeUndefined();

		const moveTo = (w: number, b: number) =>
			torch.no_grad(() => {
				model.weight.fill_(w);
				model.bias!.fill_(b);
			});
		moveTo(0.5, -0.25);
		await landscape.record('first');
		moveTo(1, 1);
		await landscape.record('second');
		moveTo(-1, 0.75);
		await landscape.record('first');
		await landscape.record();

		const paths = landscape.chart.paths!;
		expect(paths.map((p) => p.label)).toEqual(['first', 'second']);
		expect(paths[0].points).toHaveLength(2);
		expect(paths[1].points).toHaveLength(1);
		expectClose(paths[0].points[1][0], -1, 1e-6, 'first w');
		expectClose(paths[0].points[1][1], 0.75, 1e-6, 'first b');
		expectClose(paths[1].points[0][0], 1, 1e-6, 'second w');
		expect(landscape.chart.path).toHaveLength(1);

		// A sent chart is a copy: later points do not change what was already emitted.
		await new Promise((resolve) => setTimeout(resolve, 40));
		const last = emitted.at(-1)!;
		expect(last.paths!.map((p) => p.points.length)).toEqual([2, 1]);
		expect(last.paths).not.toBe(landscape.chart.paths);
	});

	test('record(label) rejects a label that is not a string', async () => {
		const { x, y } = lineData();
		const landscape = await compute(new nn.Linear(1, 1), (m) => F.mse_loss(m(x), y), {
			resolution: 3
		});
		const record = landscape.record as (label: unknown) => Promise<void>;
		expect(() => record(3)).toThrow(/label must be a string, got number/);
	});

	test('record(label, model) adds the given model', async () => {
		const { x, y } = lineData();
		const model = new nn.Linear(1, 1);
		const other = new nn.Linear(1, 1);
		torch.no_grad(() => {
			other.weight.fill_(1.5);
			other.bias!.fill_(-0.5);
		});
		const start = [await model.weight.item(), await model.bias!.item()];
		const landscape = await compute(model, (m) => F.mse_loss(m(x), y), { resolution: 3 });
		await landscape.record('other', other);
		await landscape.record('own');

		const [recorded, own] = landscape.chart.paths!;
		expectClose(recorded.points[0][0], 1.5, 1e-6, 'other w');
		expectClose(recorded.points[0][1], -0.5, 1e-6, 'other b');
		expectClose(own.points[0][0], start[0], 1e-6, 'own w');
		expectClose(own.points[0][1], start[1], 1e-6, 'own b');
	});

	test('record(label, model) takes the 1-D loss of the given model', async () => {
		const { x, y } = lineData();
		const loss: LossFn = (m) => F.mse_loss(m(x), y);
		const model = new nn.Linear(1, 1);
		const other = new nn.Linear(1, 1);
		torch.no_grad(() => other.weight.fill_(3));
		const expected = await torch.no_grad(() => loss(other)).item();
		const landscape = await compute(model, loss, { dims: 1, resolution: 3 });
		await landscape.record('other', other);
		expectClose(landscape.chart.paths![0].points[0][1], expected, 1e-6, 'loss');
	});

	test('record(label, model) rejects a model of other shapes', async () => {
		const { x, y } = lineData();
		const landscape = await compute(new nn.Linear(1, 1), (m) => F.mse_loss(m(x), y), {
			resolution: 3
		});
		const record = landscape.record as (label: string, model: unknown) => Promise<void>;
		expect(() => record('a', new nn.Linear(2, 1))).toThrow(
			/shapes \[1,2\], \[1\], but the landscape's model has \[1,1\], \[1\]/
		);
		expect(() => record('a', { parameters: () => [] })).toThrow(/model must be an nn.Module/);
	});

	test('record() puts the parameter values on the path', async () => {
		const { x, y } = lineData();
		const model = new nn.Linear(1, 1);
		torch.no_grad(() => {
			model.weight.fill_(0);
			model.bias!.fill_(0);
		});
		const emitted: LandscapeChart[] = [];
		const landscape = await compute(
			model,
			(m) => F.mse_loss(m(x), y),
			{ span: 3, resolution: 11 },
			{ emit: (chart) => void emitted.push(chart as LandscapeChart) }
		);

		const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
		const expected: [number, number][] = [];
		for (let step = 0; step < 5; step++) {
			opt.zero_grad();
			F.mse_loss(model(x), y).backward();
			opt.step();
			await landscape.record();
			expected.push([await model.weight.item(), await model.bias!.item()]);
		}

		expect(landscape.chart.path).toHaveLength(5);
		landscape.chart.path.forEach(([a, b], k) => {
			expectClose(a, expected[k][0], 1e-6, `w ${k}`);
			expectClose(b, expected[k][1], 1e-6, `b ${k}`);
		});

		// Sends are throttled, but the last point always goes out.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(emitted.at(-1)!.path).toHaveLength(5);
	});
});

describe('lossLandscape 1-D', () => {
	test('1-D landscape is a curve with losses on its path', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 4);
		const origin = model.parameters().map((p) => p.detach().clone());
		const landscape = await compute(model, mse, { dims: 1, resolution: 5, span: 1 });
		const { chart, directions } = landscape;
		expect(chart.y).toBeUndefined();
		expect(chart.ylabel).toBe('loss');
		expect(directions).toHaveLength(1);
		expect((chart.z as number[]).length).toBe(5);
		expect((chart.z as number[]).every(Number.isFinite)).toBe(true);

		const expectedLoss = await lossAt(model, mse, origin, directions, 0.5, 0);
		await landscape.record();
		const [[a, loss]] = chart.path;
		expectClose(a, 0.5, 1e-5, 'coordinate');
		expectClose(loss, expectedLoss, 1e-6, 'loss');
	});
});

describe('lossLandscape restores the model', () => {
	test('lossLandscape restores parameters exactly', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 6);
		const before = await values(model.parameters());
		await compute(model, mse, { resolution: 5 });
		expect(await values(model.parameters())).toEqual(before);
	});

	test('lossLandscape restores parameters when loss_fn throws', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 6);
		const before = await values(model.parameters());
		let calls = 0;
		const failing: LossFn = (m) => {
			if (++calls === 10) throw new RangeError('loss exploded at call 10');
			return mse(m);
		};
		await expect(compute(model, failing, { resolution: 5 })).rejects.toThrow(
			'loss exploded at call 10'
		);
		expect(await values(model.parameters())).toEqual(before);
	});

	test('lossLandscape restores BatchNorm running statistics', async () => {
		torch.manual_seed(1);
		const model = new nn.Sequential(
			new nn.Linear(2, 4),
			new nn.BatchNorm1d(4),
			new nn.Linear(4, 1)
		);
		const x = torch.randn(8, 2);
		const before = await values(model.buffers());
		const curve = await compute(model, (m) => m(x).pow(2).mean(), { resolution: 3, dims: 1 });
		expect(await values(model.buffers())).toEqual(before);

		// A 1-D record() evaluates the loss too, and must not move the statistics either.
		await curve.record();
		expect(await values(model.buffers())).toEqual(before);
	});
});

describe('lossLandscape errors', () => {
	const cases: [string, LandscapeOptions, RegExp][] = [
		['negative span', { span: -1 }, /span must be a positive finite number, got -1/],
		['infinite span', { span: Infinity }, /got Infinity/],
		['fractional resolution', { resolution: 1.5 }, /resolution must be an integer .* got 1.5/],
		['huge resolution', { resolution: 500 }, /from 2 to 201, got 500/],
		['dims 3', { dims: 3 as 2 }, /dims must be 1 or 2, got 3/],
		['unknown directions', { directions: 'hessian' as 'pca' }, /got 'hessian'/],
		['negative seed', { seed: -2 }, /seed must be a non-negative integer, got -2/],
		['string log', { log: 'yes' as unknown as boolean }, /log must be true or false, got 'yes'/],
		['misspelt option', { resolutoin: 41 } as LandscapeOptions, /unknown option 'resolutoin'/],
		['one-number center', { center: [1] }, /center must be two finite numbers .* got \[1\]/],
		['pca without checkpoints', { directions: 'pca' }, /needs at least 3 checkpoints .* got 0/],
		[
			'center on a large model',
			{ center: [0, 0] },
			/exactly two scalar parameters, but this model has 17/
		]
	];

	test.each(cases)('lossLandscape rejects %s', async (_, options, message) => {
		torch.manual_seed(0);
		const model = mlp(2, 4);
		const loss: LossFn = (m) => m(torch.ones(2, 2)).mean();
		await expect(compute(model, loss, options)).rejects.toThrow(message);
	});

	test('lossLandscape rejects checkpoints of the wrong shape', async () => {
		const model = mlp(2, 4);
		const loss: LossFn = (m) => m(torch.ones(2, 2)).mean();
		const wrong = model.parameters().map((p) => p.detach().T.clone());
		await expect(compute(model, loss, { checkpoints: [wrong] })).rejects.toThrow(
			/checkpoints\[0\]\[0\] has shape \[2,4\], but parameter 0.weight has shape \[4,2\]/
		);
	});

	test('lossLandscape rejects a loss that is not a scalar tensor', async () => {
		const model = mlp(2, 4);
		const x = torch.ones(3, 2);
		await expect(compute(model, (m) => m(x))).rejects.toThrow(/got shape \[3,1\]/);
		const numberLoss = (() => 3) as unknown as LossFn;
		await expect(compute(model, numberLoss)).rejects.toThrow(/got 3\. Return a tensor/);
		const asyncLoss = (async (m: Module) => m(x).mean()) as unknown as LossFn;
		await expect(compute(model, asyncLoss)).rejects.toThrow(
			/got Promise\. loss_fn must not be async/
		);
	});

	test('lossLandscape rejects a model that is not a module', async () => {
		const loss: LossFn = (m) => m(torch.ones(1)).mean();
		await expect(compute({} as Module, loss)).rejects.toThrow(
			/model must be an nn.Module, got Object/
		);
		const model = mlp(2, 4);
		await expect(compute(model, 'mse' as unknown as LossFn)).rejects.toThrow(
			/loss_fn must be a function .* got 'mse'/
		);
	});

	test('lossLandscape asks for include_biases when all parameters are 1-D', async () => {
		const model = new nn.LayerNorm(3);
		const loss: LossFn = (m) => m(torch.randn(2, 3)).pow(2).mean();
		await expect(compute(model, loss)).rejects.toThrow(/Pass \{ include_biases: true \}/);
	});
});

describe('lossLandscape batched rows', () => {
	async function bothPaths(model: Module, lossFn: LossFn, options: LandscapeOptions = {}) {
		const batched = await compute(model, lossFn, { resolution: 9, ...options });
		const plain = await compute(model, lossFn, { resolution: 9, ...options }, { batchRows: false });
		return { batched: batched.chart.z as number[][], plain: plain.chart.z as number[][] };
	}

	function expectSameGrid(batched: number[][], plain: number[][]) {
		expect(batched.length).toBe(plain.length);
		plain.forEach((row, j) =>
			row.forEach((v, i) => expectClose(batched[j][i], v, 1e-5, `z[${j}][${i}]`))
		);
	}

	test.each([
		['tanh', () => new nn.Tanh()],
		['relu', () => new nn.ReLU()],
		['gelu', () => new nn.GELU()]
	])('batched rows match the plain path: %s MLP', async (_, activation) => {
		const { mse } = regressionData(64);
		torch.manual_seed(1);
		const model = mlp(2, 16, activation());
		const forward = vi.spyOn(nn.Linear.prototype, 'forward');
		const batched = (await compute(model, mse, { resolution: 9 })).chart.z as number[][];
		// The batched rows never run a Linear's own forward.
		expect(forward).not.toHaveBeenCalled();
		const plain = (await compute(model, mse, { resolution: 9 }, { batchRows: false })).chart
			.z as number[][];
		expect(forward).toHaveBeenCalledTimes(2 * 81);
		expectSameGrid(batched, plain);
	});

	test('batched rows match the plain path for a deeper net and 3-D input', async () => {
		torch.manual_seed(2);
		const model = new nn.Sequential(
			new nn.Linear(3, 8),
			new nn.Sigmoid(),
			new nn.Linear(8, 8, { bias: false }),
			new nn.LeakyReLU(0.1),
			new nn.Sequential(new nn.Linear(8, 2), new nn.Identity())
		);
		const x = torch.randn(4, 5, 3);
		const target = torch.randn(4, 5, 2);
		const { batched, plain } = await bothPaths(model, (m) => F.mse_loss(m(x), target), {
			seed: 4
		});
		expectSameGrid(batched, plain);
	});

	test('batched rows keep cached input', async () => {
		// The forward pass frees its activations at once, so the next row reuses their memory.
		// Here the input with ones ([20, 3]) has the size of a row's stacked first-layer biases
		// ([5, 12]), which would overwrite it if the cache were freed too.
		const { mse } = regressionData(20);
		torch.manual_seed(3);
		const model = mlp(2, 12);
		const { batched, plain } = await bothPaths(model, mse, { resolution: 5 });
		expectSameGrid(batched, plain);
	});

	test('batched rows keep output for loss', async () => {
		// The loss of each point allocates an array of the batched output's size ([5, 20, 1]),
		// which would take the output's memory if the forward pass had freed it.
		const { x, y } = regressionData(20);
		torch.manual_seed(4);
		const model = mlp(2, 6);
		const allocating: LossFn = (m) =>
			F.mse_loss(m(x), y).add(
				torch
					.ones(5 * 20)
					.sum()
					.mul(0)
			);
		const { batched, plain } = await bothPaths(model, allocating, { resolution: 5 });
		expectSameGrid(batched, plain);
	});

	test('batched rows fall back when every call brings a new input', async () => {
		const { x, y } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const fresh: LossFn = (m) => F.mse_loss(m(x.clone()), y);
		const { batched, plain } = await bothPaths(model, fresh);
		expectSameGrid(batched, plain);
	});

	/** Sums the squared parameters, as a weight-decay term adds them to the loss. */
	function l2(params: Iterable<Tensor>): Tensor {
		return torch.stack([...params].map((p) => p.pow(2).sum())).sum();
	}

	// Each loss function reads the parameters in a way other than calling its argument, so
	// the batched rows must copy every point into them before that read.
	const parameterReads: [string, (model: Module, x: Tensor, y: Tensor) => LossFn][] = [
		['L2 term over the argument', (_, x, y) => (m) => F.mse_loss(m(x), y).add(l2(m.parameters()))],
		[
			'L2 term over the captured model',
			(model, x, y) => (m) => F.mse_loss(m(x), y).add(l2(model.parameters()))
		],
		['captured model called instead', (model, x, y) => () => F.mse_loss(model(x), y)],
		[
			'view made before the landscape',
			(model, x, y) => {
				const transposed = (model as InstanceType<typeof nn.Sequential>).at(0).weight.T;
				return (m) => F.mse_loss(m(x), y).add(transposed.sum());
			}
		],
		[
			'.data of a parameter',
			(model, x, y) => (m) => F.mse_loss(m(x), y).add(model.parameters()[2].data.abs().sum())
		]
	];

	test.each(parameterReads)('batched rows match the plain path: %s', async (_, makeLoss) => {
		const { x, y } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const { batched, plain } = await bothPaths(model, makeLoss(model, x, y));
		expectSameGrid(batched, plain);
	});

	test('batched rows copy no point the loss does not read', async () => {
		const { mse } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const copies = vi.spyOn(torch.Tensor.prototype, 'copy_');
		await compute(model, mse, { resolution: 9 });
		// Only the final restore of the four parameters writes them.
		expect(copies).toHaveBeenCalledTimes(4);
		copies.mockClear();
		await compute(model, (m) => mse(m).add(l2(m.parameters()).mul(1e-3)), { resolution: 9 });
		expect(copies).toHaveBeenCalledTimes(81 * 4 + 4);
	});

	test('batched rows match the plain path when loss_fn writes its input', async () => {
		const { x, y } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const run = async (batchRows: boolean) => {
			const input = x.clone();
			const drifting: LossFn = (m) => {
				input.add_(0.01);
				return F.mse_loss(m(input), y);
			};
			const landscape = await compute(model, drifting, { resolution: 9 }, { batchRows });
			return landscape.chart.z as number[][];
		};
		expectSameGrid(await run(true), await run(false));
	});

	test('batched rows match direct evaluations with include_biases', async () => {
		const { mse } = regressionData(32);
		torch.manual_seed(1);
		const model = mlp(2, 8);
		const origin = model.parameters().map((p) => p.detach().clone());
		const landscape = await compute(model, mse, { resolution: 5, include_biases: true });
		const { chart, directions } = landscape;
		for (const [i, j] of [
			[0, 0],
			[4, 1],
			[2, 3]
		]) {
			const direct = await lossAt(model, mse, origin, directions, chart.x[i], chart.y![j]);
			expectClose((chart.z as number[][])[j][i], direct, 1e-5, `z[${j}][${i}]`);
		}
	});

	test('batched rows leave models with forward hooks to the plain path', async () => {
		const { mse } = regressionData(16);
		torch.manual_seed(1);
		const model = mlp(2, 4);
		let calls = 0;
		model.register_forward_hook(() => void calls++);
		await compute(model, mse, { resolution: 3 });
		expect(calls).toBe(9);
	});
});

describe('views.loss_landscape in a notebook', () => {
	test('loss_landscape stops when a newer run supersedes it', async () => {
		const probe = { calls: 0 };
		(globalThis as { landscapeProbe?: typeof probe }).landscapeProbe = probe;
		try {
			const nb = createNotebook({ torch });
			const cells = {
				land: `const resolution = slider({ label: 'resolution', min: 3, max: 101, step: 1, value: 101 });
torch.manual_seed(0);
const x = torch.randn(64, 2);
const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
const view = await views.loss_landscape(model, (m) => {
	landscapeProbe.calls++;
	return m(x).pow(2).mean();
}, { resolution });`
			};
			nb.runtime.setNotebook(
				Object.entries(cells).map(([id, code]) => ({ id, code })),
				{}
			);
			// Waits for the first row's progress: a read now stops a superseded run, so an edit
			// made during the first row's read would stop the run before it showed any progress.
			const started = () => nb.ofCell('land', 'progress').some((e) => e.total === 101);
			while (!started()) await new Promise((resolve) => setTimeout(resolve, 5));
			nb.runtime.setInput('land', 'resolution', 5);
			await nb.runtime.idle();

			// The first run stopped after a few of its 101 rows; the second ran 5 x 5 points.
			expect(probe.calls).toBeLessThan(101 * 101);
			expect(nb.state('land')).toBe('done');
			const charts = nb.ofCell('land', 'chart').map((e) => e.chart as LandscapeChart);
			expect(charts).toHaveLength(1);
			expect(charts[0].x).toHaveLength(5);
			const progress = nb.ofCell('land', 'progress');
			expect(progress.some((e) => e.total === 101 && e.done < 101)).toBe(true);
		} finally {
			delete (globalThis as { landscapeProbe?: unknown }).landscapeProbe;
		}
	});
});

describe('example notebooks', () => {
	function loadExample(name: string): NotebookDocument {
		return JSON.parse(readFileSync(`static/notebooks/${name}.json`, 'utf8')) as NotebookDocument;
	}

	test.each(['linear-regression', 'batch-vs-sgd', 'loss-landscape'])(
		'%s runs and draws a landscape',
		async (name) => {
			const doc = loadExample(name);
			const nb = createNotebook({ torch });
			await nb.load(Object.fromEntries(doc.cells.map((c) => [c.id, c.code])), doc.inputs);
			for (const cell of doc.cells) {
				expect(nb.errors(cell.id), `errors of cell ${cell.id}`).toEqual([]);
				expect(nb.state(cell.id), `state of cell ${cell.id}`).toBe('done');
			}
			const charts = nb.events.flatMap((e) => (e.type === 'chart' ? [e.chart] : []));
			const landscapes = charts.filter((c): c is LandscapeChart => c.kind === 'landscape');
			expect(landscapes.length).toBeGreaterThan(0);
			for (const chart of landscapes) {
				const z = chart.z as number[][];
				expect(z.flat().every(Number.isFinite)).toBe(true);
			}
		}
	);

	test('batch-vs-sgd grows both labelled paths while training', async () => {
		const doc = loadExample('batch-vs-sgd');
		const data = doc.cells.find((c) => c.id === 'data')!.code;
		const steps = Number(/const steps = (\d+);/.exec(data)![1]);
		const nb = createNotebook({ torch });
		await nb.load(Object.fromEntries(doc.cells.map((c) => [c.id, c.code])), doc.inputs);
		await new Promise((resolve) => setTimeout(resolve, 50));

		const charts = nb.ofCell('descent', 'chart').map((e) => e.chart as LandscapeChart);
		const chart = charts.at(-1)!;
		expect(chart.path).toHaveLength(0);
		const [batch, sgd] = chart.paths!;
		expect(chart.paths!.map((p) => p.label)).toEqual(['batch', 'stochastic']);
		expect(batch.points).toHaveLength(steps + 1);
		expect(sgd.points).toHaveLength(steps + 1);
		expectClose(batch.points[0][0], -1, 1e-6, 'start w');
		expectClose(batch.points[0][1], -2, 1e-6, 'start b');
		expect(sgd.points[0]).toEqual(batch.points[0]);
		expect(sgd.points.at(-1)).not.toEqual(batch.points.at(-1));

		// The runs step in turn, so a chart sent mid-run has both paths part-drawn, never one
		// finished before the other started.
		const lengths = charts.map((c) => (c.paths ?? []).map((p) => p.points.length));
		const midRun = lengths.filter(([b = 0, s = 0]) => s > 1 && b < steps + 1);
		expect(midRun.length, `path lengths sent: ${JSON.stringify(lengths)}`).toBeGreaterThan(0);
		for (const [b = 0, s = 0] of lengths)
			expect(b - s, `lengths ${b}, ${s}`).toBeLessThanOrEqual(1);
	});

	test('linear-regression path has one point per step plus the start', async () => {
		const doc = loadExample('linear-regression');
		const controls = doc.cells.find((c) => c.id === 'controls')!.code;
		const steps = Number(/label: 'steps'.*value: (\d+)/.exec(controls)![1]);
		const nb = createNotebook({ torch });
		await nb.load(Object.fromEntries(doc.cells.map((c) => [c.id, c.code])), doc.inputs);
		// Sends are throttled while the loop runs, but the last one contains the whole path.
		await new Promise((resolve) => setTimeout(resolve, 50));
		const charts = nb.ofCell('descent', 'chart').map((e) => e.chart as LandscapeChart);
		expect(charts.length).toBeGreaterThan(1);
		expect(charts[0].path).toHaveLength(0);
		expect(charts.at(-1)!.path).toHaveLength(steps + 1);
	});
});
