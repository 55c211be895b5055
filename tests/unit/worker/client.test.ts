import * as Comlink from 'comlink';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
	NotebookClient,
	STOP_MESSAGE,
	WorkerStoppedError,
	type WorkerLike
} from '../../../src/lib/worker/client';
import type { CellId, WorkerEvent } from '../../../src/lib/worker/api';
import { createFakeWorker, type FakeWorker } from './fake-worker';

const clients: NotebookClient[] = [];
afterEach(() => {
	for (const client of clients.splice(0)) client.dispose();
});

function setup(options: { budgetMs?: number; dropHeartbeats?: boolean } = {}) {
	const events: WorkerEvent[] = [];
	const workers: FakeWorker[] = [];
	const client = new NotebookClient({
		backend: 'auto',
		onEvent: (event) => events.push(event),
		budgetMs: options.budgetMs,
		createWorker: () => {
			const worker = createFakeWorker({ dropHeartbeats: options.dropHeartbeats });
			workers.push(worker);
			return worker;
		}
	});
	clients.push(client);

	const latest = (cell: CellId) =>
		events.filter((e) => e.type === 'state' && e.cell === cell).at(-1) as
			Extract<WorkerEvent, { type: 'state' }> | undefined;
	const waitFor = async (check: () => boolean, ms = 3000) => {
		const start = Date.now();
		while (!check()) {
			if (Date.now() - start > ms) throw new Error('waitFor: condition not met in time');
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	};
	return { client, events, workers, latest, waitFor };
}

const SPIN = 'let spins = 0;\nwhile (true) { spins++; }';

describe('NotebookClient', () => {
	test('NotebookClient reports the backend and runs the notebook', async () => {
		const { client, events, latest, waitFor } = setup();
		await client.setNotebook([
			{ id: 'a', code: 'const x = 2;' },
			{ id: 'b', code: 'x * 21' }
		]);
		await waitFor(() => latest('b')?.state === 'done');
		const backend = events.find((e) => e.type === 'backend');
		expect(backend).toMatchObject({ type: 'backend', backend: 'cpu' });
		expect(events.find((e) => e.type === 'value' && e.cell === 'b')).toMatchObject({
			value: { kind: 'inspect', value: { text: '42' } }
		});
	});

	test('stop() restarts without the running cell', async () => {
		const { client, events, workers, latest, waitFor } = setup();
		await client.setNotebook([
			{ id: 'a', code: 'const x = 1;' },
			{ id: 'spin', code: `const y = x;\n${SPIN}` },
			{ id: 'after', code: 'y' },
			{ id: 'free', code: 'x + 1' }
		]);
		await waitFor(() => latest('spin')?.state === 'running');
		const pending = client.runCell('free');

		client.stop();
		expect(workers[0].terminated).toBe(true);
		expect(latest('spin')).toMatchObject({ state: 'stopped', runCount: 1 });
		expect(events).toContainEqual({
			type: 'error',
			cell: 'spin',
			error: { cell: 'spin', kind: 'stopped', message: STOP_MESSAGE }
		});
		await expect(pending).rejects.toBeInstanceOf(WorkerStoppedError);
		await expect(pending).rejects.toMatchObject({ reason: 'restart' });

		await waitFor(() => latest('free')?.state === 'done' && latest('after')?.state === 'stopped');
		expect(workers).toHaveLength(2);
		expect(latest('a')?.runCount).toBe(2);
		expect(latest('spin')).toMatchObject({ state: 'stopped', runCount: 1 });
		expect(client.notebook.cells.map((cell) => cell.code)).toContain(`const y = x;\n${SPIN}`);
	});

	test('a stopped cell runs again in the new worker when it is edited', async () => {
		const { client, latest, waitFor } = setup();
		await client.setNotebook([{ id: 'spin', code: SPIN }]);
		await waitFor(() => latest('spin')?.state === 'running');
		client.stop();
		await client.updateCell({ id: 'spin', code: '"fixed"' });
		await waitFor(() => latest('spin')?.state === 'done');
		expect(latest('spin')?.runCount).toBe(2);
	});

	test('the watchdog restarts a worker that sends no heartbeat within the budget', async () => {
		const { client, events, workers, latest, waitFor } = setup({
			budgetMs: 200,
			dropHeartbeats: true
		});
		await client.setNotebook([
			{ id: 'spin', code: SPIN },
			{ id: 'ok', code: '1 + 1' }
		]);
		await waitFor(() => latest('spin')?.state === 'stopped');
		expect(workers[0].terminated).toBe(true);
		const error = events.find((e) => e.type === 'error' && e.cell === 'spin');
		expect(error).toMatchObject({ error: { kind: 'stopped' } });
		const message = (error as Extract<WorkerEvent, { type: 'error' }>).error.message;
		expect(message).toMatch(/ran for more than 0\.2 s without letting the worker respond/);
		expect(message).toMatch(/await progress\(i, n\)/);
		// 'ok' was queued behind the stuck cell, so it first runs in the new worker.
		await waitFor(() => latest('ok')?.state === 'done');
		expect(latest('ok')?.runCount).toBe(1);
	});

	test('the watchdog leaves a worker alone while heartbeats arrive', async () => {
		// Heartbeats come every 20 ms; the run lasts longer than the budget without a restart.
		const { client, workers, latest, waitFor } = setup({ budgetMs: 600 });
		await client.setNotebook([{ id: 'spin', code: SPIN }]);
		await waitFor(() => latest('spin')?.state === 'running');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(workers).toHaveLength(1);
		expect(latest('spin')?.state).toBe('running');
	});

	test('a worker crash is handled like a stop, with its own message', async () => {
		const { client, events, workers, latest, waitFor } = setup();
		await client.setNotebook([{ id: 'spin', code: SPIN }]);
		await waitFor(() => latest('spin')?.state === 'running');
		workers[0].crash('Out of memory');
		expect(latest('spin')?.state).toBe('stopped');
		const error = events.find((e) => e.type === 'error' && e.cell === 'spin');
		expect((error as Extract<WorkerEvent, { type: 'error' }>).error.message).toMatch(
			/crashed while this cell ran \(Out of memory\)/
		);
		expect(workers).toHaveLength(2);
	});

	test('a worker that keeps crashing stops restarting', async () => {
		const { client, workers } = setup();
		for (let i = 0; i < 4; i++) workers[i].crash('script failed to load');
		expect(workers).toHaveLength(4);
		const call = client.runCell('a');
		await expect(call).rejects.toMatchObject({ name: 'WorkerStoppedError', reason: 'failure' });
		await expect(call).rejects.toThrow(/failed 4 times in a row \(script failed to load\)/);
	});

	test('calls after dispose() reject', async () => {
		const { client } = setup();
		client.dispose();
		await expect(client.runCell('a')).rejects.toBeInstanceOf(WorkerStoppedError);
	});

	test('setInput and deleteCell keep the client copy of the notebook current', async () => {
		const { client } = setup();
		await client.setNotebook([
			{ id: 'a', code: "const d = slider({ label: 'depth', min: 1, max: 9, value: 2 });" },
			{ id: 'b', code: 'd' }
		]);
		await client.setInput('a', 'depth', 5);
		expect(client.notebook.inputs).toEqual({ 'a/depth': 5 });
		await client.deleteCell('a');
		expect(client.notebook).toEqual({ cells: [{ id: 'b', code: 'd' }], inputs: {} });
	});
});

describe('NotebookClient event validation', () => {
	/** Creates a worker whose init() posts `events` as they are, whatever their shape. */
	function scriptedWorker(events: unknown[]) {
		const { port1, port2 } = new MessageChannel();
		const api = {
			async init(_backend: unknown, onEvent: (event: unknown) => void) {
				for (const event of events) await onEvent(event);
			},
			async setNotebook() {}
		};
		Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
		return {
			postMessage: (message: unknown, transfer?: Transferable[]) =>
				port1.postMessage(message, transfer ?? []),
			addEventListener: port1.addEventListener.bind(port1),
			removeEventListener: port1.removeEventListener.bind(port1),
			start: () => port1.start(),
			terminate: () => port1.close()
		} as unknown as WorkerLike;
	}

	test('invalid events are dropped and reported on their cell', async () => {
		const received: WorkerEvent[] = [];
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const badChart = { type: 'chart', cell: 'a', chart: { kind: 'plot', id: 'p', rows: '1' } };
		const client = new NotebookClient({
			backend: 'cpu',
			onEvent: (event) => received.push(event),
			createWorker: () =>
				scriptedWorker([
					{ type: 'backend', backend: 'cpu', adapter: 'CPU' },
					badChart,
					{ type: 'log', cell: 'unknown-cell', line: { level: 'log', text: 5 } },
					{ type: 'state', cell: 'a', state: 'done', runCount: 1 }
				])
		});
		clients.push(client);

		await client.setNotebook([{ id: 'a', code: '' }]);

		expect(received.map((event) => event.type)).toEqual(['backend', 'error', 'state']);
		expect(received[1]).toMatchObject({
			type: 'error',
			cell: 'a',
			error: { kind: 'runtime', message: expect.stringContaining('event.chart.rows') }
		});
		expect(warn).toHaveBeenCalledTimes(2);
		expect(warn.mock.calls[1][0]).toContain('event.line.text: expected a string, got number');
		warn.mockRestore();
	});
});
