import type { Backend, StorageData } from './backends/backend';
import type { DType } from './dtype';

/**
 * Memory shared by a tensor and its views, with PyTorch's version counter: every in-place
 * write bumps `version`, and backward compares it with the version a saved tensor had.
 */
export class Storage {
	version = 0;

	constructor(
		readonly backend: Backend,
		readonly data: StorageData,
		/** Number of elements. */
		readonly size: number,
		readonly dtype: DType
	) {}
}
