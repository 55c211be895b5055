import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { cellTypes } from './scripts/vite-plugin-cell-types';

export default defineConfig({
	plugins: [sveltekit(), cellTypes()],
	server: { host: '127.0.0.1' },
	preview: { host: '127.0.0.1' },
	worker: { format: 'es' },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000
	}
});
