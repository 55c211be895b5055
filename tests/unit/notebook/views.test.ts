import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import { scaledNorm } from '../../../src/lib/notebook/views';
import type { ChartSpec, WorkerEvent } from '../../../src/lib/worker/api';
import { createNotebook } from './notebook-harness';

type Golden = {
	experiments: {
		id: string;
		per_layer_weight_grad_norm: (number | string)[];
		checks: {
			per_layer_weight_grad_norm_float64: number[];
			suggested_tolerance: { per_layer_norm_rtol: number | null; grad_scaled_tol: number };
		};
	}[];
};
const golden = JSON.parse(
	readFileSync('tests/fixtures/golden/seed-experiments.json', 'utf8')
) as Golden;
const experiment = (id: string) => golden.experiments.find((e) => e.id === id)!;
const num = (v: number | string) =>
	typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;

type GradNormsChart = Extract<ChartSpec, { kind: 'grad-norms' }>;

/** The post's 20-layer, 32-wide network as notebook cells, seeded as the golden run was. */
const SIGMOID_NET = `torch.manual_seed(0);
const layers: nn.Module[] = [];
for (let i = 0; i < 20; i++) layers.push(new nn.Linear(32, 32), new nn.Sigmoid());
const model = new nn.Sequential(...layers);
const x = torch.randn(16, 32);
const target = torch.randn(16, 32);`;

const EXPLODING_NET = `torch.manual_seed(0);
const linears = Array.from({ length: 20 }, () => new nn.Linear(32, 32));
for (const layer of linears) {
  nn.init.normal_(layer.weight, { std: 2.0 });
  nn.init.zeros_(layer.bias);
}
const model = new nn.Sequential(...linears.flatMap((layer) => [layer, new nn.ReLU()]));
const x = torch.randn(16, 32);
const target = torch.randn(16, 32);`;

const ONE_BACKWARD = `views.grad_norms(model);
const loss = model(x).sub(target).pow(2).mean();
loss.backward();`;

function charts(events: WorkerEvent[]): GradNormsChart[] {
	return events
		.filter((e): e is Extract<WorkerEvent, { type: 'chart' }> => e.type === 'chart')
		.map((e) => e.chart)
		.filter((chart): chart is GradNormsChart => chart.kind === 'grad-norms');
}

async function untilSteps(events: WorkerEvent[], steps: number): Promise<GradNormsChart> {
	for (let waited = 0; waited < 5000; waited += 10) {
		const chart = charts(events).at(-1);
		if (chart && chart.steps.length >= steps) return chart;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	throw new Error(`no grad-norms chart with ${steps} steps arrived`);
}

function expectClose(actual: number, expected: number, rtol: number) {
	expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe('scaledNorm', () => {
	test('scaledNorm multiplies the scale back in float64', () => {
		expect(scaledNorm(1e30, 5)).toBe(5e30);
	});

	test('scaledNorm of a zero gradient is zero', () => {
		expect(scaledNorm(0, NaN)).toBe(0);
	});

	test('scaledNorm keeps Infinity and NaN', () => {
		expect(scaledNorm(Infinity, NaN)).toBe(Infinity);
		expect(scaledNorm(NaN, NaN)).toBeNaN();
	});
});

describe('views.grad_norms', () => {
	test('grad_norms of the deep sigmoid net match PyTorch per layer', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ net: SIGMOID_NET, train: ONE_BACKWARD });
		const chart = await untilSteps(nb.events, 1);

		const expected = experiment('deep_sigmoid');
		const rtol = expected.checks.suggested_tolerance.per_layer_norm_rtol!;
		expect(chart.layers).toHaveLength(20);
		expect(chart.layers[0]).toBe('0.weight');
		expect(chart.steps).toEqual([0]);
		expected.per_layer_weight_grad_norm.forEach((norm, layer) => {
			expectClose(chart.values[0][layer], num(norm), rtol);
			expectClose(chart.float32Values[0][layer], num(norm), rtol);
		});
	});

	test('grad_norms of the exploding net stay finite where float32 norm overflows', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ net: EXPLODING_NET, train: ONE_BACKWARD });
		const chart = await untilSteps(nb.events, 1);

		const expected = experiment('exploding');
		const rtol = expected.checks.suggested_tolerance.grad_scaled_tol;
		expected.checks.per_layer_weight_grad_norm_float64.forEach((norm, layer) => {
			expectClose(chart.values[0][layer], norm, rtol);
		});
		expect(chart.float32Values[0]).toEqual(expected.per_layer_weight_grad_norm.map(num));
		expect(chart.float32Values[0].every((v) => v === Infinity)).toBe(true);
	});

	test('grad_norms appends one step per backward in a training loop', async () => {
		const nb = createNotebook({ torch });
		await nb.load({
			net: SIGMOID_NET,
			train: `views.grad_norms(model);
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
for (let step = 0; step < 4; step++) {
  opt.zero_grad();
  model(x).sub(target).pow(2).mean().backward();
  opt.step();
}`
		});
		const chart = await untilSteps(nb.events, 4);
		expect(chart.steps).toEqual([0, 1, 2, 3]);
		expect(chart.values).toHaveLength(4);
		expect(chart.values.flat().every(Number.isFinite)).toBe(true);
		// Training changes the weights, so the last layer's norm changes between steps.
		expect(chart.values[3][19]).not.toBe(chart.values[0][19]);
	});

	test('grad_norms starts a fresh chart when its cell runs again', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ net: SIGMOID_NET, train: ONE_BACKWARD });
		await untilSteps(nb.events, 1);

		nb.runtime.runCell('train');
		await nb.runtime.idle();
		await new Promise((resolve) => setTimeout(resolve, 50));
		const last = charts(nb.events).at(-1)!;
		expect(last.id).toBe('train-grad-norms-0');
		expect(last.steps).toEqual([0]);
	});

	test('grad_norms carries its title to the chart', async () => {
		const nb = createNotebook({ torch });
		const titled = ONE_BACKWARD.replace(
			'views.grad_norms(model);',
			"views.grad_norms(model, { title: 'With BatchNorm' });"
		);
		expect(titled).not.toBe(ONE_BACKWARD);
		await nb.load({ net: SIGMOID_NET, train: titled });
		await untilSteps(nb.events, 1);
		expect(charts(nb.events).at(-1)!.title).toBe('With BatchNorm');
	});

	test('grad_norms rejects a title that is not text', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ net: SIGMOID_NET, a: 'views.grad_norms(model, { title: 3 as any });' });
		expect(nb.errors('a')[0].message).toContain(
			'views.grad_norms: title must be a string, got number'
		);
	});

	test('grad_norms rejects a value that is not a module', async () => {
		const nb = createNotebook({ torch });
		await nb.load({ a: 'views.grad_norms(42 as any);' });
		expect(nb.errors('a')[0].message).toBe(
			'TypeError: views.grad_norms: expected an nn.Module, got number. Pass the model, e.g. views.grad_norms(model).'
		);
	});
});

describe('views.loss_landscape', () => {
	test('loss_landscape emits a landscape chart for its cell', async () => {
		const nb = createNotebook({ torch });
		await nb.load({
			land: `torch.manual_seed(0);
const model = new nn.Linear(2, 1);
const x = torch.randn(8, 2);
const y = torch.randn(8, 1);
const view = await views.loss_landscape(model, (m) => m(x).sub(y).pow(2).mean(), { resolution: 5, dims: 1 });
view.chart.x.length`
		});
		expect(nb.errors('land')).toEqual([]);
		const chart = nb.ofCell('land', 'chart').at(-1)?.chart;
		expect(chart?.kind).toBe('landscape');
		expect(chart?.id).toBe('land-landscape-0');
		const z = (chart as Extract<ChartSpec, { kind: 'landscape' }>).z as number[];
		expect(z).toHaveLength(5);
		expect(z.every(Number.isFinite)).toBe(true);
	});
});
