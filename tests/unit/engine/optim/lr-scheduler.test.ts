import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { torch } from '../../../../src/lib/engine';
import type { Optimizer } from '../../../../src/lib/engine/optim';
import { expectRelClose } from '../../../suites/seed-experiments';

const { optim } = torch;
const { lr_scheduler } = optim;

interface GoldenScheduler {
	name: string;
	constructor: string;
	lrs: number[];
	lr_after_10_scheduler_steps: number;
	momentum?: number[];
}
const golden = JSON.parse(
	readFileSync(new URL('../../../fixtures/golden/optim.json', import.meta.url), 'utf8')
) as { schedulers: GoldenScheduler[] };

/** The keyword arguments of a golden constructor string such as "StepLR(opt, step_size=2, gamma=0.5)". */
function keywordArguments(call: string): Record<string, number> {
	const args = call.split('#')[0];
	const options: Record<string, number> = {};
	for (const [, key, value] of args.matchAll(/(\w+)=([-\d.e]+)/g)) options[key] = Number(value);
	return options;
}

function sgd() {
	const p = torch.zeros(1, { requires_grad: true });
	return new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
}

function makeScheduler(name: string, opt: Optimizer, options: Record<string, number>) {
	const kind = name.split('_')[0];
	switch (kind) {
		case 'StepLR':
			return new lr_scheduler.StepLR(opt, options);
		case 'ExponentialLR':
			return new lr_scheduler.ExponentialLR(opt, options);
		case 'CosineAnnealingLR':
			return new lr_scheduler.CosineAnnealingLR(opt, options);
		case 'OneCycleLR':
			return new lr_scheduler.OneCycleLR(opt, options);
		case 'LinearLR':
			return new lr_scheduler.LinearLR(opt, options);
	}
	throw new Error(`no scheduler for golden entry ${name}`);
}

describe('schedulers match ten PyTorch learning rates', () => {
	for (const entry of golden.schedulers) {
		test(`${entry.name} lrs`, () => {
			const opt = sgd();
			const scheduler = makeScheduler(entry.name, opt, keywordArguments(entry.constructor));
			for (let e = 0; e < 10; e++) {
				expectRelClose(`${entry.name} lr ${e}`, opt.param_groups[0].lr, entry.lrs[e], 1e-12);
				expectRelClose(
					`${entry.name} get_last_lr ${e}`,
					scheduler.get_last_lr()[0],
					entry.lrs[e],
					1e-12
				);
				if (entry.momentum) {
					expectRelClose(
						`${entry.name} momentum ${e}`,
						opt.param_groups[0].momentum as number,
						entry.momentum[e],
						1e-12
					);
				}
				opt.step();
				scheduler.step();
			}
			expectRelClose(
				`${entry.name} lr after 10 steps`,
				opt.param_groups[0].lr,
				entry.lr_after_10_scheduler_steps,
				1e-12,
				1e-300
			);
		});
	}

	test('OneCycleLR throws on the step after total_steps', () => {
		const scheduler = new lr_scheduler.OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 10 });
		for (let e = 0; e < 10; e++) scheduler.step();
		expect(() => scheduler.step()).toThrow(
			/Tried to step 11 times. The specified number of total steps is 10/
		);
	});
});

describe('schedulers without golden sequences', () => {
	test('MultiStepLR multiplies by gamma at each milestone', () => {
		const opt = sgd();
		const scheduler = new lr_scheduler.MultiStepLR(opt, [2, 4, 4], { gamma: 0.5 });
		const lrs: number[] = [];
		for (let e = 0; e < 6; e++) {
			lrs.push(opt.param_groups[0].lr);
			scheduler.step();
		}
		// Milestone 4 is listed twice, so PyTorch applies gamma squared there.
		expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.0125, 0.0125]);
	});

	test('LambdaLR sets base lr times lambda(epoch)', () => {
		const opt = sgd();
		const scheduler = new lr_scheduler.LambdaLR(opt, (epoch) => 1 / (epoch + 1));
		const lrs: number[] = [];
		for (let e = 0; e < 4; e++) {
			lrs.push(opt.param_groups[0].lr);
			scheduler.step();
		}
		expect(lrs).toEqual([1, 1 / 2, 1 / 3, 1 / 4].map((factor) => 0.1 * factor));
	});

	test('ReduceLROnPlateau reduces after patience bad epochs, then cools down', () => {
		const opt = sgd();
		const scheduler = new lr_scheduler.ReduceLROnPlateau(opt, {
			patience: 2,
			factor: 0.5,
			cooldown: 1
		});
		const metrics = [1, 1, 1, 1, 1, 1, 1, 0.5];
		const lrs = metrics.map((m) => {
			scheduler.step(m);
			return scheduler.get_last_lr()[0];
		});
		expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05]);
	});

	test('ReduceLROnPlateau stops at min_lr', () => {
		const opt = sgd();
		const scheduler = new lr_scheduler.ReduceLROnPlateau(opt, {
			patience: 0,
			factor: 0.1,
			min_lr: 0.005
		});
		for (let e = 0; e < 4; e++) scheduler.step(1);
		expect(opt.param_groups[0].lr).toBe(0.005);
	});

	test('ReduceLROnPlateau.step rejects a tensor with the fix', () => {
		const scheduler = new lr_scheduler.ReduceLROnPlateau(sgd());
		expect(() => scheduler.step(torch.tensor(1) as unknown as number)).toThrow(
			/await loss.item\(\)/
		);
	});

	test('StepLR keeps per-group base lrs', () => {
		const a = torch.zeros(1, { requires_grad: true });
		const b = torch.zeros(1, { requires_grad: true });
		const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
		const scheduler = new lr_scheduler.StepLR(opt, 1, { gamma: 0.5 });
		scheduler.step();
		expect(scheduler.get_last_lr()).toEqual([0.05, 0.5]);
		expect(scheduler.base_lrs).toEqual([0.1, 1]);
	});

	test('state_dict round trip resumes a schedule', () => {
		const opt = sgd();
		const scheduler = new lr_scheduler.StepLR(opt, { step_size: 2, gamma: 0.5 });
		for (let e = 0; e < 3; e++) scheduler.step();
		const saved = scheduler.state_dict();
		expect(saved.optimizer).toBeUndefined();
		const other = new lr_scheduler.StepLR(sgd(), { step_size: 2, gamma: 0.5 });
		other.load_state_dict(saved);
		expect(other.last_epoch).toBe(3);
		expect(other.get_last_lr()).toEqual(scheduler.get_last_lr());
	});

	test('LambdaLR state_dict leaves the lambdas out', () => {
		const scheduler = new lr_scheduler.LambdaLR(sgd(), (epoch) => 0.5 ** epoch);
		const saved = scheduler.state_dict();
		expect(saved.lr_lambdas).toBeUndefined();
		expect(saved.base_lrs).toEqual([0.1]);
	});
});
