import { defineConfig } from '@playwright/test';

// Tests serve an existing build (`npm test` builds first). PW_PORT lets two runs share a machine.
const port = Number(process.env.PW_PORT ?? 4174);

/** Flags for Debian's Chromium on a closed network. The last one enables WebGPU via SwiftShader. */
export const chromiumArgs = [
	'--no-sandbox',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-quic',
	'--enable-unsafe-webgpu'
];

export default defineConfig({
	testDir: 'tests/browser',
	timeout: 120_000,
	expect: { timeout: 30_000 },
	workers: 1,
	retries: 0,
	reporter: [['list']],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		browserName: 'chromium',
		headless: true,
		launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs }
	},
	webServer: {
		// Vite 8 allows one preview per project; a separate GP_BUILD_DIR build may run beside it.
		command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort${
			process.env.GP_BUILD_DIR ? ' --bypass-lock' : ''
		}`,
		url: `http://127.0.0.1:${port}/`,
		reuseExistingServer: false,
		timeout: 60_000
	}
});
