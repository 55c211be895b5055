import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { cellTypes } from './scripts/vite-plugin-cell-types';

export default defineConfig({
	plugins: [sveltekit(), cellTypes()],
	server: { host: '127.0.0.1' },
	preview: { host: '127.0.0.1' },
	// Workers are classic scripts: the notebook worker is loaded with importScripts from a data: URL
	// worker (see createIsolatedWorker in src/lib/worker/client.ts), and classic workers cannot
	// split code, so each worker bundle is self-contained.
	worker: { format: 'iife' },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000,
		setupFiles: ['tests/unit/setup.ts'],
		// --expose-gc lets the allocator tests collect a storage's owner on demand.
		execArgv: ['--expose-gc']
	}
});
