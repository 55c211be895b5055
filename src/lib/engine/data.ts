/**
 * torch.utils.data: datasets, random_split and DataLoader.
 *
 * A dataset is anything with `length` and `at(index)` (PyTorch's `__len__` and
 * `__getitem__`), so a plain array is one. DataLoader consumes random draws exactly as
 * PyTorch 1.13's single-process loader does. Every epoch draws a base seed from the default
 * generator (or `generator`) when iteration starts. A shuffled epoch then seeds a private
 * generator for its permutation. Seeded training loops therefore see PyTorch's batches.
 */
import { ShapeError, ValueError } from './errors';
import {
	defaultGenerator,
	Generator,
	randomInt63,
	randomSplitIndices,
	randpermValues
} from './random';
import { Tensor } from './tensor';
import { int64 } from './dtype';
import { stack } from './ops/indexing';
import { tensor } from './creation';
import { formatShape } from './shape';

/** Dataset protocol of DataLoader and random_split: `length` and `at(index)`, which arrays have. */
export interface DatasetLike<T> {
	readonly length: number;
	at(index: number): T | undefined;
}

/** Base class for map-style datasets, as `torch.utils.data.Dataset`: define `length` and `at`. */
export abstract class Dataset<T> implements DatasetLike<T> {
	abstract get length(): number;
	abstract at(index: number): T;
}

/** Rows of equally long tensors, as `torch.utils.data.TensorDataset`: `at(i)` is `[t0[i], t1[i], ...]`. */
export class TensorDataset extends Dataset<Tensor[]> {
	readonly tensors: Tensor[];

	constructor(...tensors: Tensor[]) {
		super();
		if (tensors.length === 0)
			throw new ValueError('TensorDataset: at least one tensor is required.');
		const size = tensors[0].shape[0];
		if (tensors.some((t) => t.dim() === 0 || t.shape[0] !== size)) {
			throw new ShapeError(
				`Size mismatch between tensors: TensorDataset needs the same size in dim 0, got shapes ${tensors.map((t) => formatShape(t.shape)).join(', ')}.`
			);
		}
		this.tensors = tensors;
	}

	get length(): number {
		return this.tensors[0].shape[0];
	}

	at(index: number): Tensor[] {
		return this.tensors.map((t) => t.select(0, index));
	}
}

/** The items of `dataset` at `indices`, as `torch.utils.data.Subset`. */
export class Subset<T> extends Dataset<T> {
	constructor(
		readonly dataset: DatasetLike<T>,
		readonly indices: number[]
	) {
		super();
	}

	get length(): number {
		return this.indices.length;
	}

	at(index: number): T {
		const i = index < 0 ? index + this.indices.length : index;
		if (!(i >= 0 && i < this.indices.length)) {
			throw new RangeError(
				`Subset index ${index} is out of range for length ${this.indices.length}.`
			);
		}
		return this.dataset.at(this.indices[i]) as T;
	}
}

/**
 * Splits a dataset into non-overlapping random subsets, as `torch.utils.data.random_split`:
 * `lengths` are counts, or fractions that sum to 1. One `randperm(n)` from `generator` (the
 * default generator if none). Example: `random_split(data, [0.8, 0.2])`.
 */
export function random_split<T>(
	dataset: DatasetLike<T>,
	lengths: number[],
	options: { generator?: Generator } = {}
): Subset<T>[] {
	const subsets = randomSplitIndices(
		options.generator ?? defaultGenerator,
		dataset.length,
		lengths
	);
	return subsets.map((indices) => new Subset(dataset, indices));
}

export interface DataLoaderOptions<T, B> {
	/** Samples per batch (default 1). */
	batch_size?: number;
	/** Reshuffle the samples at every epoch (default false). */
	shuffle?: boolean;
	/** Drop the last batch when it is smaller than batch_size (default false). */
	drop_last?: boolean;
	/** Generator for the shuffle and the per-epoch base seed; the default generator if none. */
	generator?: Generator;
	/** Merges a list of samples into a batch; the default stacks tensors along a new dim 0. */
	collate_fn?: (samples: T[]) => B;
}

/**
 * Iterates over a dataset in batches, as `torch.utils.data.DataLoader` with `num_workers=0`.
 * Each `for (const [x, y] of loader)` is one epoch; `loader.length` is the number of batches.
 */
export class DataLoader<T = Tensor[], B = Collated<T>> implements Iterable<B> {
	readonly dataset: DatasetLike<T>;
	readonly batch_size: number;
	readonly shuffle: boolean;
	readonly drop_last: boolean;
	readonly generator: Generator | undefined;
	readonly collate_fn: ((samples: T[]) => B) | undefined;

	constructor(dataset: DatasetLike<T>, options: DataLoaderOptions<T, B> = {}) {
		const batchSize = options.batch_size ?? 1;
		if (!Number.isInteger(batchSize) || batchSize <= 0) {
			throw new ValueError(
				`batch_size should be a positive integer value, but got batch_size=${batchSize}`
			);
		}
		if (options.shuffle && dataset.length <= 0) {
			throw new ValueError(
				`num_samples should be a positive integer value, but got num_samples=${dataset.length}`
			);
		}
		this.dataset = dataset;
		this.batch_size = batchSize;
		this.shuffle = options.shuffle ?? false;
		this.drop_last = options.drop_last ?? false;
		this.generator = options.generator;
		this.collate_fn = options.collate_fn;
	}

	/** Number of batches per epoch, as `len(loader)`. */
	get length(): number {
		const n = this.dataset.length;
		return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
	}

	/** Starts an epoch. Like PyTorch's iterator, it draws the epoch's base seed right away. */
	[Symbol.iterator](): Iterator<B> {
		// Unused with a single process, but drawn so the default stream advances as in PyTorch.
		randomInt63(this.generator ?? defaultGenerator);
		return this.batches();
	}

	private *batches(): IterableIterator<B> {
		let batch: number[] = [];
		for (const index of this.sampleOrder()) {
			batch.push(index);
			if (batch.length === this.batch_size) {
				yield this.fetch(batch);
				batch = [];
			}
		}
		if (batch.length > 0 && !this.drop_last) yield this.fetch(batch);
	}

	/**
	 * Sample indices of one epoch. Shuffled, this is RandomSampler's stream: its seed is drawn
	 * when the first index is requested, and once the permutation runs out the sampler computes
	 * one more permutation for zero remaining samples and discards it.
	 */
	private *sampleOrder(): IterableIterator<number> {
		const n = this.dataset.length;
		if (!this.shuffle) {
			for (let i = 0; i < n; i++) yield i;
			return;
		}
		const sampler = this.generator ?? new Generator(randomInt63(defaultGenerator));
		yield* randpermValues(sampler, n);
		randpermValues(sampler, n);
	}

	private fetch(indices: number[]): B {
		if (this.collate_fn) return this.collate_fn(indices.map((i) => this.dataset.at(i) as T));
		if (this.dataset instanceof TensorDataset) {
			const rows = tensor(indices, { dtype: int64 });
			return this.dataset.tensors.map((t) => t.index_select(0, rows)) as B;
		}
		return default_collate(indices.map((i) => this.dataset.at(i) as T)) as B;
	}
}

/** The batch type `default_collate` makes from samples of type T. */
export type Collated<T> = T extends Tensor
	? Tensor
	: T extends number
		? Tensor
		: T extends readonly unknown[]
			? { [K in keyof T]: Collated<T[K]> }
			: T extends object
				? { [K in keyof T]: Collated<T[K]> }
				: T[];

/**
 * Merges samples into a batch, as `torch.utils.data.default_collate`. Tensors are stacked along
 * a new dim 0, and numbers become a float32 tensor (PyTorch would make float64 or int64).
 * Arrays and objects are collated field by field, and anything else is returned as a list.
 */
export function default_collate<T>(samples: T[]): Collated<T> {
	const first = samples[0];
	if (first instanceof Tensor) return stack(samples as Tensor[], 0) as Collated<T>;
	if (typeof first === 'number') return tensor(samples as number[]) as Collated<T>;
	if (Array.isArray(first)) {
		const size = first.length;
		if (samples.some((s) => (s as unknown[]).length !== size)) {
			throw new ValueError('each element in list of batch should be of equal size');
		}
		return first.map((_, i) =>
			default_collate(samples.map((s) => (s as unknown[])[i]))
		) as Collated<T>;
	}
	if (first !== null && typeof first === 'object') {
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(first)) {
			out[key] = default_collate(samples.map((s) => (s as Record<string, unknown>)[key]));
		}
		return out as Collated<T>;
	}
	return samples as Collated<T>;
}
