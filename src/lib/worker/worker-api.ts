/**
 * The worker's side of `NotebookWorkerApi`, built from its dependencies so that Node tests can
 * run it over a MessageChannel. It sends a heartbeat while a cell runs, from a timer, so the
 * page can tell a busy but responsive worker (a training loop that pauses every 16 ms) from a
 * stuck one, and terminate the latter.
 */

import { NotebookRuntime, type NotebookRuntimeOptions } from '../notebook/notebook';
import type { RunTorch } from '../notebook/run';
import type { BackendName, CellId, NotebookWorkerApi, WorkerEvent } from './api';
import { selectBackend, type BackendTorch } from './backend';

export const HEARTBEAT_INTERVAL_MS = 250;

export interface WorkerApiOptions extends Omit<
	NotebookRuntimeOptions,
	'emit' | 'torch' | 'onDeviceLost'
> {
	torch: BackendTorch & RunTorch;
	heartbeatMs?: number;
}

export interface WorkerApi extends NotebookWorkerApi {
	/** Reports an error thrown outside any cell's code (a timer callback) under the last cell that ran. */
	reportUncaught(error: unknown): void;
	dispose(): void;
}

export function createWorkerApi(options: WorkerApiOptions): WorkerApi {
	const { torch, heartbeatMs = HEARTBEAT_INTERVAL_MS, ...runtimeOptions } = options;
	let runtime: NotebookRuntime | null = null;
	let send: (event: WorkerEvent) => void = () => {};
	let requestedBackend: BackendName | 'auto' = 'auto';
	const running = new Set<CellId>();
	let lastStarted: CellId | null = null;
	let heartbeat: ReturnType<typeof setInterval> | null = null;

	function emit(event: WorkerEvent): void {
		if (event.type === 'state') trackRunning(event.cell, event.state === 'running');
		send(event);
	}

	function trackRunning(cell: CellId, isRunning: boolean): void {
		if (isRunning) {
			running.add(cell);
			lastStarted = cell;
		} else {
			running.delete(cell);
		}
		if (running.size > 0 && heartbeat === null) {
			heartbeat = setInterval(() => send({ type: 'heartbeat' }), heartbeatMs);
		} else if (running.size === 0 && heartbeat !== null) {
			clearInterval(heartbeat);
			heartbeat = null;
		}
	}

	function requireRuntime(): NotebookRuntime {
		if (!runtime) throw new Error('notebook worker: call init() before any other method.');
		return runtime;
	}

	/**
	 * After a device loss the tensors on the GPU are gone. Ask the engine for a new device (or
	 * fall back to the CPU) and tell the page which backend runs now.
	 */
	async function recoverFromDeviceLoss(): Promise<void> {
		const choice = await selectBackend(torch, requestedBackend);
		const now = choice.backend === 'webgpu' ? 'a new GPU device' : 'the CPU backend';
		const note =
			`The GPU device was lost, so the notebook now runs on ${now}. Run the cells again ` +
			'to recreate tensors that lived on the lost device.';
		send({ type: 'backend', ...choice, note: choice.note ? `${note} ${choice.note}` : note });
	}

	return {
		async init(backend, onEvent) {
			requestedBackend = backend;
			send = (event) => void Promise.resolve(onEvent(event)).catch(() => {});
			const choice = await selectBackend(torch, backend);
			send({ type: 'backend', ...choice });
			runtime = new NotebookRuntime({
				...runtimeOptions,
				torch,
				emit,
				onDeviceLost: () => void recoverFromDeviceLoss()
			});
		},
		async setNotebook(cells, inputs, restart) {
			requireRuntime().setNotebook(cells, inputs, restart);
		},
		async updateCell(cell) {
			requireRuntime().updateCell(cell);
		},
		async insertCell(cell, index) {
			requireRuntime().insertCell(cell, index);
		},
		async deleteCell(id) {
			requireRuntime().deleteCell(id);
		},
		async runCell(id, options) {
			requireRuntime().runCell(id, options);
		},
		async setInput(cell, label, value) {
			requireRuntime().setInput(cell, label, value);
		},
		async setBackend(backend) {
			requestedBackend = backend;
			const choice = await selectBackend(torch, backend);
			send({ type: 'backend', ...choice });
			requireRuntime().runAll();
		},
		reportUncaught(error) {
			if (lastStarted === null) return;
			const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
			const line = { level: 'error' as const, text: `Uncaught in a callback: ${text}` };
			send({ type: 'log', cell: lastStarted, line });
		},
		dispose() {
			if (heartbeat !== null) clearInterval(heartbeat);
			heartbeat = null;
			runtime?.dispose();
		}
	};
}
