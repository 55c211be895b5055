import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Tensor } from '../../../../src/lib/engine/tensor';
import type { Optimizer } from '../../../../src/lib/engine/optim';
import {
	expectBitExact,
	expectRelClose,
	goldenValues,
	num,
	type GoldenTensor
} from '../../../suites/seed-experiments';

const { nn, optim } = torch;
const F = nn.functional;

interface GoldenStep {
	loss_before: number;
	grad: Record<'weight' | 'bias', GoldenTensor>;
	params_after: Record<'weight' | 'bias', GoldenTensor>;
}
interface GoldenOptimizer {
	name: string;
	defaults: Record<string, unknown>;
	steps: GoldenStep[];
	final_state: Record<'weight' | 'bias', Record<string, GoldenTensor | number | null>>;
}
const golden = JSON.parse(
	readFileSync(new URL('../../../fixtures/golden/optim.json', import.meta.url), 'utf8')
) as {
	problem: { initial: Record<'weight' | 'bias', GoldenTensor>; X: GoldenTensor; Y: GoldenTensor };
	optimizers: GoldenOptimizer[];
};

const RTOL = 1e-5;
const ATOL = 1e-6;

function expectClose(label: string, actual: ArrayLike<number>, expected: GoldenTensor) {
	const values = goldenValues(expected);
	expect(actual.length, label).toBe(values.length);
	for (let i = 0; i < values.length; i++) {
		expectRelClose(`${label}[${i}]`, actual[i], values[i], RTOL, ATOL);
	}
}

/** Builds the optimizer a golden entry names, from its recorded defaults. */
function makeOptimizer(
	name: string,
	params: Tensor[],
	defaults: Record<string, unknown>
): Optimizer {
	const { foreach: _f, differentiable: _d, capturable: _c, fused: _u, ...options } = defaults;
	if (name.startsWith('sgd')) return new optim.SGD(params, options);
	if (name.startsWith('adamw')) return new optim.AdamW(params, options);
	if (name.startsWith('adam')) return new optim.Adam(params, options);
	if (name.startsWith('rmsprop')) return new optim.RMSprop(params, options);
	if (name.startsWith('adagrad')) return new optim.Adagrad(params, options);
	throw new Error(`no optimizer for golden entry ${name}`);
}

function problem() {
	const model = new nn.Linear(4, 3);
	torch.no_grad(() => {
		model.weight.copy_(torch.tensor(goldenValues(golden.problem.initial.weight)).reshape([3, 4]));
		model.bias?.copy_(torch.tensor(goldenValues(golden.problem.initial.bias)));
	});
	const X = torch.tensor(goldenValues(golden.problem.X)).reshape([8, 4]);
	const Y = torch.tensor(goldenValues(golden.problem.Y)).reshape([8, 3]);
	return { model, X, Y };
}

describe('optim problem setup', () => {
	test('manual_seed(0) then Linear(4, 3), randn(8, 4), randn(8, 3) reproduce the problem', async () => {
		torch.manual_seed(0);
		const model = new nn.Linear(4, 3);
		const X = torch.randn(8, 4);
		const Y = torch.randn(8, 3);
		expectBitExact('weight', await model.weight.array(), golden.problem.initial.weight);
		expectBitExact('bias', await (model.bias as Tensor).array(), golden.problem.initial.bias);
		expectBitExact('X', await X.array(), golden.problem.X);
		expectBitExact('Y', await Y.array(), golden.problem.Y);
	});
});

describe('optimizers match five PyTorch steps', () => {
	for (const entry of golden.optimizers) {
		test(`${entry.name} steps, grads and final state`, async () => {
			const { model, X, Y } = problem();
			const params = { weight: model.weight, bias: model.bias as Tensor };
			const opt = makeOptimizer(entry.name, [params.weight, params.bias], entry.defaults);

			for (const [s, step] of entry.steps.entries()) {
				opt.zero_grad();
				const loss = F.mse_loss(model(X), Y);
				expectRelClose(
					`step ${s} loss`,
					Number(await loss.item()),
					num(step.loss_before),
					RTOL,
					ATOL
				);
				loss.backward();
				for (const key of ['weight', 'bias'] as const) {
					expectClose(
						`step ${s} ${key} grad`,
						await (params[key].grad as Tensor).array(),
						step.grad[key]
					);
				}
				opt.step();
				for (const key of ['weight', 'bias'] as const) {
					expectClose(`step ${s} ${key}`, await params[key].array(), step.params_after[key]);
				}
			}

			for (const key of ['weight', 'bias'] as const) {
				const state = opt.state.get(params[key]) ?? {};
				for (const [field, expected] of Object.entries(entry.final_state[key])) {
					const actual = state[field];
					if (expected === null || typeof expected === 'number') {
						expect(actual, `${key} state ${field}`).toBe(expected);
					} else {
						expectClose(`${key} state ${field}`, await (actual as Tensor).array(), expected);
					}
				}
			}
		});
	}
});

/** Three zero_grad / backward / step rounds on w = [1]; returns w after each step. */
async function threeSteps(make: (w: Tensor) => Optimizer, loss: (w: Tensor) => Tensor) {
	const w = torch.tensor([1], { requires_grad: true });
	const opt = make(w);
	const seen: number[] = [];
	for (let i = 0; i < 3; i++) {
		opt.zero_grad();
		loss(w).backward();
		opt.step();
		seen.push(Number(await w.item()));
	}
	return seen;
}

const zeroGradLoss = (w: Tensor) => w.mul(0).sum();
const halfSquareLoss = (w: Tensor) => w.pow(2).mul(0.5).sum();

describe('Adam weight_decay versus AdamW', () => {
	const cases: [string, (w: Tensor) => Optimizer, (w: Tensor) => Tensor, number[]][] = [
		[
			'Adam wd 0.1, zero gradient',
			(w) => new optim.Adam([w], { lr: 0.1, weight_decay: 0.1 }),
			zeroGradLoss,
			[0.9, 0.80041218, 0.70158625]
		],
		[
			'Adam wd 0.1, half-square loss',
			(w) => new optim.Adam([w], { lr: 0.1, weight_decay: 0.1 }),
			halfSquareLoss,
			[0.9, 0.80041218, 0.70158625]
		],
		[
			'AdamW wd 0.1, zero gradient',
			(w) => new optim.AdamW([w], { lr: 0.1, weight_decay: 0.1 }),
			zeroGradLoss,
			[0.99, 0.9801, 0.97029907]
		],
		[
			'AdamW wd 0.1, half-square loss',
			(w) => new optim.AdamW([w], { lr: 0.1, weight_decay: 0.1 }),
			halfSquareLoss,
			[0.89000005, 0.78157192, 0.67510128]
		],
		[
			'AdamW default wd 0.01, zero gradient',
			(w) => new optim.AdamW([w], { lr: 0.1 }),
			zeroGradLoss,
			[0.999, 0.998001, 0.99700308]
		],
		[
			'SGD wd 0.1, zero gradient',
			(w) => new optim.SGD([w], { lr: 0.1, weight_decay: 0.1 }),
			zeroGradLoss,
			[0.99, 0.9801, 0.970299]
		]
	];
	for (const [name, make, loss, expected] of cases) {
		test(name, async () => {
			const seen = await threeSteps(make, loss);
			expected.forEach((v, i) => expectRelClose(`${name} step ${i + 1}`, seen[i], v, 1e-6));
		});
	}

	test('Adam defaults to weight_decay 0 and AdamW to 0.01', () => {
		const w = torch.tensor([1], { requires_grad: true });
		expect(new optim.Adam([w]).defaults.weight_decay).toBe(0);
		expect(new optim.AdamW([w]).defaults.weight_decay).toBe(0.01);
	});
});
