import type { CellId, CellSource, WorkerEvent } from '../../../src/lib/worker/api';
import { NotebookRuntime, type NotebookRuntimeOptions } from '../../../src/lib/notebook/notebook';

/** Creates a notebook runtime that records its events, with helpers to read them back. */
export function createNotebook(options: Partial<NotebookRuntimeOptions> = {}) {
	const events: WorkerEvent[] = [];
	const runtime = new NotebookRuntime({ emit: (event) => events.push(event), ...options });

	const ofCell = <T extends WorkerEvent['type']>(cell: CellId, type: T) =>
		events.filter(
			(event): event is Extract<WorkerEvent, { type: T }> =>
				event.type === type && 'cell' in event && event.cell === cell
		);

	return {
		runtime,
		events,
		async load(cells: Record<CellId, string>, inputs: Record<string, unknown> = {}) {
			const sources: CellSource[] = Object.entries(cells).map(([id, code]) => ({ id, code }));
			runtime.setNotebook(sources, inputs);
			await runtime.idle();
		},
		/** Returns the latest state of a cell. */
		state(cell: CellId) {
			return ofCell(cell, 'state').at(-1)?.state;
		},
		runCount(cell: CellId) {
			return ofCell(cell, 'state').at(-1)?.runCount ?? 0;
		},
		states(cell: CellId) {
			return ofCell(cell, 'state').map((event) => event.state);
		},
		errors(cell: CellId) {
			return ofCell(cell, 'error').map((event) => event.error);
		},
		value(cell: CellId) {
			return ofCell(cell, 'value').at(-1)?.value;
		},
		logs(cell: CellId) {
			return ofCell(cell, 'log').map((event) => event.line);
		},
		ofCell,
		/** Order in which cells started running. */
		runOrder() {
			return events
				.filter((event) => event.type === 'state' && event.state === 'running')
				.map((event) => (event as { cell: CellId }).cell);
		},
		clear() {
			events.length = 0;
		}
	};
}

/** Returns the text of an inspected primitive value, as a cell's last expression shows it. */
export function shownText(value: unknown): string | undefined {
	const v = value as { kind?: string; value?: { kind?: string; text?: string } } | undefined;
	return v?.kind === 'inspect' && v.value?.kind === 'primitive' ? v.value.text : undefined;
}
