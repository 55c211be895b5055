/** The notebook worker's entry: the engine and `plt` wired into the worker API, exposed through comlink. */

import * as Comlink from 'comlink';
import { setReadCheck, torch } from '../engine';
import { createPlt } from '../notebook/plt';
import { createWorkerApi } from './worker-api';

const api = createWorkerApi({ torch, createPlt, setReadCheck });

// Errors thrown in a cell's timers and callbacks belong to the cell, not to a crash: report
// them under the last cell that ran and keep them from reaching the page's 'error' listener.
self.addEventListener('error', (event) => {
	event.preventDefault();
	api.reportUncaught(event.error ?? event.message);
});
self.addEventListener('unhandledrejection', (event) => {
	event.preventDefault();
	api.reportUncaught(event.reason);
});

Comlink.expose(api);
