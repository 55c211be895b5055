import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
	AUTOSAVE_DELAY_MS,
	Autosave,
	autosaveKey,
	openStorage,
	parseSaved
} from '../../../src/lib/share/autosave';
import { NOTEBOOK_VERSION, type NotebookDocument } from '../../../src/lib/share/format';

/** An in-memory Storage, as localStorage behaves in a browser. */
class MemoryStorage implements Storage {
	items = new Map<string, string>();
	writes = 0;

	get length(): number {
		return this.items.size;
	}
	clear(): void {
		this.items.clear();
	}
	getItem(key: string): string | null {
		return this.items.get(key) ?? null;
	}
	key(index: number): string | null {
		return [...this.items.keys()][index] ?? null;
	}
	removeItem(key: string): void {
		this.items.delete(key);
	}
	setItem(key: string, value: string): void {
		this.writes++;
		this.items.set(key, String(value));
	}
}

/** A Storage whose every call throws, as a browser that blocks site data behaves. */
class BlockedStorage extends MemoryStorage {
	override getItem(): string | null {
		throw new DOMException('The operation is insecure.', 'SecurityError');
	}
	override setItem(): void {
		throw new DOMException('The operation is insecure.', 'SecurityError');
	}
	override removeItem(): void {
		throw new DOMException('The operation is insecure.', 'SecurityError');
	}
}

function notebook(code: string, title = 'post-3-4'): NotebookDocument {
	return {
		version: NOTEBOOK_VERSION,
		title,
		cells: [
			{ id: 'setup', code: 'const depth = slider({ label: "depth", min: 1, max: 50 })' },
			{ id: 'train', code }
		],
		inputs: { 'setup/depth': 30 },
		notes: { train: 'The loss should fall.' }
	};
}

beforeEach(() => {
	vi.useFakeTimers();
});

afterEach(() => {
	vi.useRealTimers();
	vi.unstubAllGlobals();
});

describe('Autosave', () => {
	test('schedule() writes after the debounce delay, not before', () => {
		const storage = new MemoryStorage();
		const autosave = new Autosave('post-3-4', { storage });

		autosave.schedule(notebook('x.sum()'));
		vi.advanceTimersByTime(AUTOSAVE_DELAY_MS - 1);
		expect(storage.writes).toBe(0);

		vi.advanceTimersByTime(1);
		expect(storage.writes).toBe(1);
		expect(autosave.load()?.document.cells[1].code).toBe('x.sum()');
	});

	test('schedule() keeps only the last document typed within the delay', () => {
		const storage = new MemoryStorage();
		const autosave = new Autosave('post-3-4', { storage });

		for (const code of ['x', 'x.', 'x.s', 'x.sum()']) {
			autosave.schedule(notebook(code));
			vi.advanceTimersByTime(AUTOSAVE_DELAY_MS / 2);
		}
		vi.advanceTimersByTime(AUTOSAVE_DELAY_MS);

		expect(storage.writes).toBe(1);
		expect(autosave.load()?.document.cells[1].code).toBe('x.sum()');
	});

	test('load() restores the whole document with inputs, notes and the save time', () => {
		const storage = new MemoryStorage();
		const saved = notebook('loss.backward()');
		new Autosave('post-3-4', { storage, now: () => 1234 }).schedule(saved);
		vi.runAllTimers();

		const restored = new Autosave('post-3-4', { storage }).load();

		expect(restored).toEqual({ savedAt: 1234, document: saved });
	});

	test('flush() writes the pending edit at once, as on page hide', () => {
		const storage = new MemoryStorage();
		const autosave = new Autosave('post-3-4', { storage });

		autosave.schedule(notebook('opt.step()'));
		autosave.flush();

		expect(autosave.load()?.document.cells[1].code).toBe('opt.step()');
		vi.runAllTimers();
		expect(storage.writes).toBe(1);
	});

	test('entries are keyed per notebook', () => {
		const storage = new MemoryStorage();
		const a = new Autosave('post-3-4', { storage });
		const b = new Autosave('post-2-1', { storage });

		a.schedule(notebook('a', 'A'));
		b.schedule(notebook('b', 'B'));
		vi.runAllTimers();

		expect(storage.getItem(autosaveKey('post-3-4'))).not.toBeNull();
		expect(autosaveKey('post-3-4')).not.toBe(autosaveKey('post-2-1'));
		expect(a.load()?.document.title).toBe('A');
		expect(b.load()?.document.title).toBe('B');
		expect(new Autosave('post-1-1', { storage }).load()).toBeNull();
	});

	test('clear() removes the entry and cancels a pending write', () => {
		const storage = new MemoryStorage();
		const autosave = new Autosave('post-3-4', { storage });
		autosave.schedule(notebook('first'));
		autosave.flush();

		autosave.schedule(notebook('second'));
		autosave.clear();
		vi.runAllTimers();

		expect(autosave.load()).toBeNull();
		expect(storage.length).toBe(0);
	});

	test('blocked storage: nothing throws and the reason is reported once', () => {
		const reasons: string[] = [];
		const autosave = new Autosave('post-3-4', {
			storage: new BlockedStorage(),
			onUnavailable: (reason) => reasons.push(reason)
		});

		expect(() => autosave.load()).not.toThrow();
		expect(() => {
			autosave.schedule(notebook('x'));
			vi.runAllTimers();
			autosave.flush();
			autosave.clear();
		}).not.toThrow();

		expect(autosave.available).toBe(false);
		expect(reasons).toHaveLength(1);
		expect(reasons[0]).toContain('SecurityError');
		expect(autosave.unavailableReason).toBe(reasons[0]);
	});

	test('a full quota marks autosave unavailable', () => {
		const storage = new MemoryStorage();
		storage.setItem = () => {
			throw new DOMException('quota exceeded', 'QuotaExceededError');
		};
		const autosave = new Autosave('post-3-4', { storage });
		expect(autosave.available).toBe(true);

		autosave.schedule(notebook('x'));
		vi.runAllTimers();

		expect(autosave.available).toBe(false);
		expect(autosave.unavailableReason).toContain('QuotaExceededError');
	});

	test('a localStorage getter that throws leaves autosave unavailable', () => {
		vi.stubGlobal('localStorage', undefined);
		Object.defineProperty(globalThis, 'localStorage', {
			configurable: true,
			get() {
				throw new DOMException('Access is denied for this document.', 'SecurityError');
			}
		});
		const reasons: string[] = [];

		const autosave = new Autosave('post-3-4', { onUnavailable: (reason) => reasons.push(reason) });

		expect(autosave.available).toBe(false);
		expect(reasons[0]).toContain('Access is denied');
		expect(autosave.load()).toBeNull();
		expect(() => autosave.schedule(notebook('x'))).not.toThrow();
	});
});

describe('openStorage', () => {
	test('openStorage() returns localStorage when it works', () => {
		const storage = new MemoryStorage();
		vi.stubGlobal('localStorage', storage);

		expect(openStorage()).toEqual({ storage });
		expect(storage.length).toBe(0);
	});

	test('openStorage() reports a storage that rejects writes', () => {
		vi.stubGlobal('localStorage', new BlockedStorage());

		const opened = openStorage();

		expect(opened.storage).toBeNull();
		expect(opened).toHaveProperty('reason');
		expect((opened as { reason: string }).reason).toContain('SecurityError');
	});
});

describe('parseSaved', () => {
	test('parseSaved() rejects text that is not a saved notebook', () => {
		const valid = { savedAt: 1, document: notebook('x') };

		expect(parseSaved(JSON.stringify(valid))).toEqual(valid);
		expect(parseSaved(null)).toBeNull();
		expect(parseSaved('{not json')).toBeNull();
		expect(parseSaved(JSON.stringify({ ...valid, savedAt: 'yesterday' }))).toBeNull();
		expect(
			parseSaved(JSON.stringify({ ...valid, document: { ...valid.document, version: 99 } }))
		).toBeNull();
		expect(
			parseSaved(JSON.stringify({ ...valid, document: { ...valid.document, cells: [{ id: 1 }] } }))
		).toBeNull();
	});
});
