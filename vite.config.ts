import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { cellTypes } from './scripts/vite-plugin-cell-types';
import { gemmModuleBytes } from './src/lib/engine/backends/cpu/wasm/gemm-kernel';

// Chromium compiles relaxed SIMD, which the CPU backend's fused matmul kernel uses; Node 20
// needs a flag for it, so the unit tests run the kernel the browser runs.
const relaxedSimd = WebAssembly.validate(
	gemmModuleBytes({ tileRows: 4, tileCols: 8, fused: true })
);

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
		// --expose-gc lets the allocator tests collect a storage's owner on demand.
		execArgv: ['--expose-gc', ...(relaxedSimd ? [] : ['--experimental-wasm-relaxed-simd'])]
	}
});
