import * as Comlink from 'comlink';
import type { WorkerLike } from '../../../src/lib/worker/client';
import { createWorkerApi, type WorkerApi } from '../../../src/lib/worker/worker-api';
import { torch } from '../../../src/lib/engine';

export interface FakeWorker extends WorkerLike {
	api: WorkerApi;
	terminated: boolean;
	/** Fires the worker's 'error' event, as a crash or an out-of-memory kill does. */
	crash(message: string): void;
}

/**
 * Creates the real worker API on one side of a MessageChannel, in this thread. Terminating
 * disposes the runtime, which cancels the running cell at its next pause, where a real worker
 * dies at once. `dropHeartbeats` imitates a worker stuck in a loop that never lets timers run.
 */
export function createFakeWorker(options: { dropHeartbeats?: boolean } = {}): FakeWorker {
	const { port1, port2 } = new MessageChannel();
	const api = createWorkerApi({
		torch,
		heartbeatMs: 20,
		isGlobal: (n) => n in globalThis
	});
	const exposed: WorkerApi = {
		...api,
		init: (backend, onEvent) =>
			api.init(backend, (event) => {
				if (options.dropHeartbeats && event.type === 'heartbeat') return;
				onEvent(event);
			})
	};
	Comlink.expose(exposed, port2 as unknown as Comlink.Endpoint);

	const errorListeners = new Set<(event: unknown) => void>();
	const worker: FakeWorker = {
		api,
		terminated: false,
		postMessage: (message: unknown, transfer?: Transferable[]) =>
			port1.postMessage(message, transfer ?? []),
		addEventListener: ((type: string, listener: (event: unknown) => void) => {
			if (type === 'error') errorListeners.add(listener);
			else port1.addEventListener(type as 'message', listener as never);
		}) as WorkerLike['addEventListener'],
		removeEventListener: ((type: string, listener: (event: unknown) => void) => {
			if (type === 'error') errorListeners.delete(listener);
			else port1.removeEventListener(type as 'message', listener as never);
		}) as WorkerLike['removeEventListener'],
		start: () => port1.start(),
		terminate() {
			worker.terminated = true;
			api.dispose();
			port1.close();
			port2.close();
		},
		crash(message) {
			for (const listener of errorListeners) listener({ message });
		}
	};
	return worker;
}
