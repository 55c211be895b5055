import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { torch } from '../../../src/lib/engine';
import {
	DataLoader,
	Dataset,
	TensorDataset,
	default_collate,
	random_split
} from '../../../src/lib/engine/data';
import { Generator, defaultGenerator } from '../../../src/lib/engine/random';
import type { Tensor } from '../../../src/lib/engine/tensor';

interface GoldenLoader {
	call: string;
	n: number;
	batch_size: number;
	epochs: { batches: number[][] }[];
	default_generator_u32_draws_after: number;
}
interface GoldenSplit {
	call: string;
	lengths: number[];
	subsets: number[][];
}
const golden = JSON.parse(
	readFileSync(new URL('../../fixtures/golden/rng.json', import.meta.url), 'utf8')
).integers as { dataloader: GoldenLoader[]; random_split: GoldenSplit[] };

async function batchValues(loader: Iterable<Tensor[]>): Promise<number[][]> {
	const out: number[][] = [];
	for (const [x] of loader) out.push(Array.from(await x.array()));
	return out;
}

/** How many 32-bit draws the default generator has advanced since `manual_seed(0)`. */
function drawsSinceSeed0(): number {
	const probe = new Generator(0);
	const current = defaultGenerator.get_state();
	for (let draws = 0; draws < 1000; draws++) {
		if (sameState(probe.get_state(), current)) return draws;
		probe.nextUint32();
	}
	throw new Error('the default generator is more than 1000 draws past seed 0');
}

function sameState(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('DataLoader', () => {
	for (const entry of golden.dataloader) {
		test(`DataLoader order matches ${entry.call}`, async () => {
			torch.manual_seed(0);
			const shuffle = entry.call.includes('shuffle=True');
			const generator = entry.call.includes('generator=') ? new Generator(0) : undefined;
			const dataset = new TensorDataset(torch.arange(entry.n));
			const loader = new DataLoader(dataset, { batch_size: entry.batch_size, shuffle, generator });
			for (const epoch of entry.epochs) expect(await batchValues(loader)).toEqual(epoch.batches);
			expect(drawsSinceSeed0()).toBe(entry.default_generator_u32_draws_after);
		});
	}

	test('DataLoader yields [x, y] batches and drop_last drops the short one', async () => {
		const x = torch.arange(10).reshape(5, 2);
		const y = torch.arange(5);
		const loader = new DataLoader(new TensorDataset(x, y), { batch_size: 2, drop_last: true });
		expect(loader.length).toBe(2);
		const shapes: number[][][] = [];
		for (const [xb, yb] of loader) shapes.push([xb.shape.slice(), yb.shape.slice()]);
		expect(shapes).toEqual([
			[[2, 2], [2]],
			[[2, 2], [2]]
		]);
		expect(new DataLoader(new TensorDataset(x, y), { batch_size: 2 }).length).toBe(3);
	});

	test('DataLoader collates a custom Dataset by stacking tensors', async () => {
		class Squares extends Dataset<[Tensor, number]> {
			get length() {
				return 3;
			}
			at(i: number): [Tensor, number] {
				return [torch.tensor([i, i * i]), i];
			}
		}
		const [features, labels] = [...new DataLoader(new Squares(), { batch_size: 3 })][0];
		expect(await features.tolist()).toEqual([
			[0, 0],
			[1, 1],
			[2, 4]
		]);
		expect(await labels.tolist()).toEqual([0, 1, 2]);
	});

	test('DataLoader rejects a batch_size of 0', () => {
		expect(() => new DataLoader([1, 2], { batch_size: 0 })).toThrow(
			/batch_size should be a positive integer value, but got batch_size=0/
		);
	});

	test('default_collate stacks, converts numbers and keeps object keys', async () => {
		const batch = default_collate([
			{ x: torch.tensor([1, 2]), y: 3 },
			{ x: torch.tensor([4, 5]), y: 6 }
		]);
		expect(await batch.x.tolist()).toEqual([
			[1, 2],
			[4, 5]
		]);
		expect(await batch.y.tolist()).toEqual([3, 6]);
	});
});

describe('TensorDataset', () => {
	test('TensorDataset rows index every tensor', async () => {
		const ds = new TensorDataset(torch.arange(6).reshape(3, 2), torch.tensor([7, 8, 9]));
		expect(ds.length).toBe(3);
		const [x, y] = ds.at(1);
		expect(await x.tolist()).toEqual([2, 3]);
		expect(Number(await y.item())).toBe(8);
	});

	test('TensorDataset rejects tensors of different lengths', () => {
		expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow(
			/Size mismatch between tensors/
		);
	});
});

describe('random_split', () => {
	for (const entry of golden.random_split) {
		test(`random_split matches ${entry.call}`, () => {
			const n = Number(/range\((\d+)\)/.exec(entry.call)?.[1]);
			const lengths = JSON.parse(/range\(\d+\), (\[[^\]]*\])/.exec(entry.call)?.[1] ?? '[]');
			const data = Array.from({ length: n }, (_, i) => i);
			const seeded = /generator=torch.Generator\(\).manual_seed\((\d+)\)/.exec(entry.call);
			let subsets;
			if (seeded) {
				subsets = random_split(data, lengths, { generator: new Generator(Number(seeded[1])) });
			} else {
				torch.manual_seed(0);
				subsets = random_split(data, lengths);
			}
			expect(subsets.map((s) => s.indices)).toEqual(entry.subsets);
			expect(subsets.map((s) => s.length)).toEqual(entry.lengths);
			expect(subsets[0].at(0)).toBe(entry.subsets[0][0]);
		});
	}

	test('random_split rejects lengths that do not sum to the dataset size', () => {
		expect(() => random_split([1, 2, 3], [1, 1])).toThrow(
			/Sum of input lengths does not equal the length of the input dataset/
		);
	});
});
