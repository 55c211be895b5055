import type { Backend, StorageData } from './backends/backend';
import type { DType } from './dtype';

/**
 * Memory shared by a tensor and its views, with PyTorch's version counter: every in-place
 * write bumps `version`, and backward compares it with the version a saved tensor had.
 */
export class Storage {
	version = 0;
	/** Set when the memory went back to the backend early; no tensor may read it after. */
	released = false;

	constructor(
		readonly backend: Backend,
		readonly data: StorageData,
		/** Number of elements. */
		readonly size: number,
		readonly dtype: DType
	) {
		// Only backends that can free memory early pay for the tracking.
		if (backend.release) scopes[scopes.length - 1]?.track(this);
		backend.own?.(this, data);
	}

	/** Hands the memory back to the backend now instead of when the storage is collected. */
	release(): void {
		if (this.released) return;
		this.released = true;
		this.backend.release?.(this.data);
	}
}

/**
 * The storages that one run of engine code allocates, such as a backward pass. When the code
 * returns, each of them that was not kept is released at once, because the engine code was
 * the only holder of the tensors on it. Views share their base's storage, so keeping a view
 * keeps the storage of every tensor it views.
 *
 * The proof obligation is on the code that opens the scope: every tensor it allocated and
 * leaves reachable afterwards (stored in `.grad`, passed to a hook, returned) must be kept
 * first. User code that it calls runs through `runOutsideReleaseScope`, so what that code
 * allocates is never tracked.
 */
export class ReleaseScope {
	private readonly allocated: Storage[] = [];
	private readonly kept = new Set<Storage>();

	track(storage: Storage): void {
		this.allocated.push(storage);
	}

	/** Marks a tensor's storage as still reachable after the scope ends. */
	keep(tensor: { storage: Storage } | null | undefined): void {
		if (tensor) this.kept.add(tensor.storage);
	}

	/** Releases what was not kept; kept storages become the enclosing scope's, if there is one. */
	close(): void {
		const outer = scopes[scopes.length - 1] ?? null;
		for (const storage of this.allocated) {
			if (!this.kept.has(storage)) storage.release();
			else outer?.track(storage);
		}
		this.allocated.length = 0;
	}
}

/** Innermost scope last; null while user code called from engine code runs. */
const scopes: (ReleaseScope | null)[] = [];

/**
 * Runs `fn` in a new release scope and releases what it allocated and did not keep. When `fn`
 * throws, nothing is released early: the collector reclaims that memory instead.
 */
export function runInReleaseScope<T>(fn: (scope: ReleaseScope) => T): T {
	const scope = new ReleaseScope();
	scopes.push(scope);
	let result: T;
	try {
		result = fn(scope);
	} finally {
		scopes.pop();
	}
	scope.close();
	return result;
}

/** Runs user code (a hook) so that the tensors it allocates are never released early. */
export function runOutsideReleaseScope<T>(fn: () => T): T {
	if (scopes.length === 0) return fn();
	scopes.push(null);
	try {
		return fn();
	} finally {
		scopes.pop();
	}
}
