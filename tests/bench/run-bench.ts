/**
 * `npm run bench`: builds the app into .builds/bench (or .builds/$GP_BUILD_DIR when that is set,
 * so two people benchmarking at once do not share a build) when its sources are newer than it,
 * serves it on 127.0.0.1 on a free port, opens /bench?run=1 in Debian's Chromium (headless, with
 * WebGPU through `--enable-unsafe-webgpu`), waits for the page's JSON and prints a table and the
 * JSON. Arguments are passed on as the page's query, e.g. `npm run bench -- engines=ours,tfjs`.
 * This is a benchmark, not a test: it is not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config';
import type { Report } from '../../src/routes/bench/run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD_NAME = process.env.GP_BUILD_DIR ? path.basename(process.env.GP_BUILD_DIR) : 'bench';
const buildIndex = path.join(root, '.builds', BUILD_NAME, 'index.html');
const env = { ...process.env, GP_BUILD_DIR: BUILD_NAME };
/** The whole page must finish within this time; on SwiftShader with 2 cores it takes minutes. */
const PAGE_TIMEOUT_MS = 15 * 60_000;
/** What vite preview wrote to stderr, shown if it exits before serving. */
const previewErrors: string[] = [];

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const file = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : statSync(file).mtimeMs);
	}
	return newest;
}

function buildIfNeeded(): void {
	const sources = Math.max(
		newestMtime(path.join(root, 'src')),
		statSync(path.join(root, 'package.json')).mtimeMs
	);
	if (existsSync(buildIndex) && statSync(buildIndex).mtimeMs > sources) {
		console.log(`Using the build in .builds/${BUILD_NAME} (newer than src/).`);
		return;
	}
	console.log(`Building into .builds/${BUILD_NAME}…`);
	const result = spawnSync('npx', ['vite', 'build', '--bypass-lock'], {
		cwd: root,
		env,
		stdio: 'inherit'
	});
	if (result.status !== 0) throw new Error(`vite build failed with exit code ${result.status}.`);
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address
					? resolve(address.port)
					: reject(new Error('No port was assigned.'))
			);
		});
	});
}

async function waitForServer(url: string, server: ChildProcess): Promise<void> {
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (server.exitCode !== null)
			throw new Error(
				`vite preview exited with code ${server.exitCode}. Its error output:\n${previewErrors.join('')}`
			);
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`vite preview did not answer at ${url} within 60 s.`);
}

/** Bytes as MiB with one decimal; GPU memory of our WebGPU rows. */
function mib(bytes: number | undefined): string {
	return bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function printTable(report: Report): void {
	const ids = report.workloads.map((w) => w.id);
	const header = ['engine / backend', ...ids];
	const lines = report.rows.map((row) => {
		if (row.error) return [row.label, `failed to load: ${row.error}`];
		return [
			row.label,
			...ids.map((id) => {
				const cell = row.cells[id];
				if (!cell) return '-';
				if (cell.error) return `error: ${cell.error}`;
				if (cell.skipped) return cell.skipped;
				const ratio = cell.ratio === undefined ? '' : ` (${cell.ratio.toFixed(2)}x)`;
				const gflops = cell.gflops === undefined ? '' : ` ${cell.gflops} GFLOP/s`;
				const dispatches =
					cell.dispatches_per_step === undefined ? '' : ` ${cell.dispatches_per_step} disp.`;
				const memory =
					cell.peak_bytes === undefined
						? ''
						: ` ${mib(cell.peak_bytes)} peak ${mib(cell.live_bytes)} live`;
				const once = cell.warmup_only ? ' *' : '';
				return `${cell.median_ms} ms${once}${ratio}${gflops}${dispatches}${memory}`;
			})
		];
	});
	const widths = header.map((_, i) =>
		Math.max(...[header, ...lines].map((l) => (l[i] ?? '').length))
	);
	const format = (cells: string[]) =>
		'| ' + header.map((_, i) => (cells[i] ?? '').padEnd(widths[i])).join(' | ') + ' |';
	console.log(format(header));
	console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
	for (const line of lines) console.log(format(line));
	for (const workload of report.workloads) console.log(`  ${workload.id}: ${workload.title}`);
	console.log('  * one step, timed without a warm-up because it took longer than the time budget');
	console.log(
		'  peak/live: GPU buffer-pool bytes of the step (torch.cuda.max_memory_allocated) and after it'
	);
}

/** Turns `key=value` arguments into query pairs; rejects an argument without `=`. */
function queryPairs(args: string[]): [string, string][] {
	return args.map((arg) => {
		const split = arg.indexOf('=');
		if (split < 1) {
			throw new Error(`Invalid argument '${arg}': expected key=value, e.g. engines=ours,tfjs.`);
		}
		return [arg.slice(0, split), arg.slice(split + 1)];
	});
}

async function main(): Promise<void> {
	const pairs = queryPairs(process.argv.slice(2));
	buildIfNeeded();
	const port = await freePort();
	const vite = path.join(root, 'node_modules/vite/bin/vite.js');
	const server = spawn(
		process.execPath,
		[vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
		{
			cwd: root,
			env,
			stdio: ['ignore', 'ignore', 'pipe']
		}
	);
	server.stderr?.on('data', (chunk: Buffer) => previewErrors.push(chunk.toString()));
	const base = `http://127.0.0.1:${port}`;
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: chromiumArgs,
		headless: true
	});
	try {
		await waitForServer(base, server);
		const page = await browser.newPage();
		page.on('console', (msg) => {
			if (msg.type() === 'error') console.error(`[page] ${msg.text()}`);
		});
		const query = new URLSearchParams([['run', '1'], ...pairs]);
		console.log(`Opening ${base}/bench?${query} (takes a few minutes)…`);
		await page.goto(`${base}/bench?${query}`);
		const json = page.getByTestId('bench-json');
		await json.waitFor({ timeout: PAGE_TIMEOUT_MS });
		const report = JSON.parse(await json.innerText()) as Report;
		printTable(report);
		console.log(JSON.stringify(report, null, 2));
	} finally {
		await browser.close();
		// A server that already exited has no process left, and killing it would hide the error.
		if (server.pid !== undefined && server.exitCode === null) process.kill(server.pid);
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
