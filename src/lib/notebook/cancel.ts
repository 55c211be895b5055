/**
 * Cooperative cancellation and yielding. A worker runs one cell at a time on one thread, so
 * a cell can only be stopped where it awaits: the compiler puts a pause into each top-level
 * loop, and `progress`, `display` and readbacks are awaits too. At each pause the run checks
 * its token and throws `CancelledError` once a newer run has replaced it.
 */

import { nextMacrotask } from '../engine/next-task';

/** Thrown at a pause point of a run that was cancelled; the scheduler discards it. */
export class CancelledError extends Error {
	override name = 'CancelledError';
	constructor() {
		super('the run was cancelled because a newer run replaced it');
	}
}

export class CancelToken {
	cancelled = false;
	/** Rejects with `CancelledError` when the token is cancelled; never resolves. */
	readonly whenCancelled: Promise<never>;
	private rejectCancelled!: (error: CancelledError) => void;
	private readonly callbacks: (() => void)[] = [];

	constructor() {
		this.whenCancelled = new Promise<never>((_, reject) => (this.rejectCancelled = reject));
		this.whenCancelled.catch(() => {});
	}

	cancel(): void {
		if (this.cancelled) return;
		this.cancelled = true;
		this.rejectCancelled(new CancelledError());
		for (const callback of this.callbacks.splice(0)) callback();
	}

	/** Calls `callback` once the token is cancelled (at once if it already is). */
	onCancel(callback: () => void): void {
		if (this.cancelled) callback();
		else this.callbacks.push(callback);
	}

	throwIfCancelled(): void {
		if (this.cancelled) throw new CancelledError();
	}
}

/** How often a busy cell gives the worker's event loop a turn, in milliseconds. */
export const YIELD_INTERVAL_MS = 16;

/** Milliseconds between clock reads that a loop aims for; reading the clock costs ~50 ns. */
const CLOCK_CHECK_MS = 1;
const MAX_STRIDE = 1024;

let lastYieldAt = performance.now();

/** Returns whether a run has held the thread for longer than `YIELD_INTERVAL_MS`. */
export function yieldDue(): boolean {
	return performance.now() - lastYieldAt >= YIELD_INTERVAL_MS;
}

/**
 * Waits for a new macrotask, so queued messages (comlink calls, timers, GPU callbacks) run,
 * then throws if `token` was cancelled meanwhile.
 */
export async function yieldToEventLoop(token?: CancelToken): Promise<void> {
	await nextMacrotask();
	lastYieldAt = performance.now();
	token?.throwIfCancelled();
}

/**
 * The pause points injected into a cell's top-level loops. Each loop counts down a local
 * stride and calls `tick` when it reaches zero; the stride adapts so that the clock is read
 * about once a millisecond, however cheap one iteration is. `tick` returns 0 when a yield is
 * due, and the loop then awaits `pause`.
 */
export class LoopPacer {
	private readonly loops: { checkedAt: number; stride: number }[] = [];

	constructor(private readonly token: CancelToken) {}

	tick(loop: number): number {
		const now = performance.now();
		if (now - lastYieldAt >= YIELD_INTERVAL_MS) return 0;

		const state = (this.loops[loop] ??= { checkedAt: now, stride: 1 });
		const elapsed = now - state.checkedAt;
		const target = elapsed > 0 ? (state.stride * CLOCK_CHECK_MS) / elapsed : Infinity;
		state.stride = Math.max(1, Math.min(Math.floor(target), state.stride * 2, MAX_STRIDE));
		state.checkedAt = now;
		return state.stride;
	}

	async pause(loop: number): Promise<number> {
		await yieldToEventLoop(this.token);
		this.loops[loop] = { checkedAt: performance.now(), stride: 1 };
		return 1;
	}
}
