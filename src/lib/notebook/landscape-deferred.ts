/**
 * Deferred parameter writes for batched grid rows. While the batched forward pass serves the
 * model's output, `loss_fn` usually never reads the parameters. Copying every grid point into
 * them then costs one copy per parameter and point for nothing, which was half of the GPU
 * dispatches per point of a 2-64-1 MLP. `DeferredWrites` makes the copy when something first
 * accesses the parameters' memory, and otherwise not at all.
 *
 * Why this catches every read: both backends read and write a tensor's elements only through
 * `storage.data` of the Storage object that the tensor and all of its views share (the CPU
 * kernels' `dataOf`, the WebGPU runtime's `storageOf`). So an accessor on that property of each
 * parameter's Storage fires for every read and write. That covers a forward pass of the real
 * model, an L2 term over `model.parameters()` of a model the loss function captured, a view
 * made before the landscape, `.data` and `.detach()`. Each of them sees the point's values.
 */

import type { Tensor } from '../engine';

type Storage = Tensor['storage'];

interface Armed {
	storage: Storage;
	descriptor: PropertyDescriptor;
}

export class DeferredWrites {
	private armed: Armed[] = [];

	constructor(private readonly params: readonly Tensor[]) {}

	/**
	 * Calls `body(i)` for each point i below `count`, and returns the results. `write(i)` copies
	 * point i into the parameters, and runs only when `body(i)` first touches their memory. The
	 * accessors are installed once and again only after they fired, and are removed before
	 * `evaluate` returns or throws, so no code outside `body` (which must be synchronous) can
	 * observe them.
	 */
	evaluate<T>(count: number, write: (index: number) => void, body: (index: number) => T): T[] {
		const results: T[] = [];
		let index = 0;
		const fire = () => {
			this.disarm();
			write(index);
		};
		try {
			for (; index < count; index++) {
				if (this.armed.length === 0) this.arm(fire);
				results.push(body(index));
			}
		} finally {
			this.disarm();
		}
		return results;
	}

	/** Installs the accessors, or writes at once where `data` is not a plain property. */
	private arm(fire: () => void): void {
		// Read at every arming, because assigning `.data` to a parameter replaces its storage.
		const storages = [...new Set(this.params.map((p) => p.storage))];
		const descriptors = storages.map((storage) => Object.getOwnPropertyDescriptor(storage, 'data'));
		if (!descriptors.every((d) => d !== undefined && d.configurable && 'value' in d)) {
			fire();
			return;
		}
		this.armed = storages.map((storage, k) => {
			const descriptor = descriptors[k]!;
			Object.defineProperty(storage, 'data', {
				configurable: true,
				enumerable: descriptor.enumerable,
				get() {
					fire();
					return storage.data;
				},
				set(value: unknown) {
					fire();
					(storage as { data: unknown }).data = value;
				}
			});
			return { storage, descriptor };
		});
	}

	private disarm(): void {
		for (const { storage, descriptor } of this.armed) {
			Object.defineProperty(storage, 'data', descriptor);
		}
		this.armed = [];
	}
}
