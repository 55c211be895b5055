/**
 * The engine harness page's interface for browser tests: `window.torch` and `window.engineHarness`.
 * Suites written once for Vitest (tests/suites) load here on demand and run on the backend
 * that is current when they start, so the same cases check the CPU and the WebGPU backends.
 */
import { torch } from '$lib/engine';
import type { WebGpuBackend, WebGpuStats } from '$lib/engine/backends/webgpu';
import type { Tensor } from '$lib/engine/tensor';
import { yieldDue, yieldToEventLoop } from '$lib/notebook/cancel';

export interface CaseResult {
	name: string;
	/** The failure message, or null when the case passed. */
	error: string | null;
	milliseconds: number;
}

interface SuiteCase {
	name: string;
	run(): Promise<void>;
}

type SuiteLoader = (golden: unknown) => Promise<SuiteCase[]>;

const SUITES: Record<string, SuiteLoader> = {
	'ops-golden': async () => {
		const suite = await import('../../../../tests/suites/ops-golden');
		return suite.goldenCases.map((c) => ({
			name: c.name,
			run: async () => {
				const failures = await suite.runGoldenCase(torch, c);
				if (failures.length > 0) throw new Error(failures.join('\n'));
			}
		}));
	},
	'seed-experiments': async (golden) => {
		const suite = await import('../../../../tests/suites/seed-experiments');
		return suite.seedExperimentCases(
			torch,
			golden as Parameters<typeof suite.seedExperimentCases>[1]
		);
	},
	differential: async (golden) => {
		const suite = await import('../../../../tests/browser/engine-differential');
		return suite.differentialCases(torch, golden as { seeds: number[]; steps: number });
	}
};

export interface EngineHarness {
	/** The WebGPU adapter in words, or null without WebGPU. */
	adapter: string | null;
	/** Destroys the WebGPU device, as a driver reset would. */
	destroyDevice(): void;
	/** Buffer-pool and batching counters of the WebGPU backend. */
	stats(): WebGpuStats | null;
	/** Makes the WebGPU device report a validation error, as a faulty command would. */
	causeValidationError(): void;
	/** Restarts the peak-bytes counter of the WebGPU buffer pool. */
	resetPeakBytes(): void;
	/** Hands a tensor's memory back to its backend now, as the frontend may for tensors it owns. */
	release(tensor: Tensor): void;
	/** Runs a suite's cases (all, or those named) on the current backend. */
	runSuite(suite: string, golden: unknown, names?: string[]): Promise<CaseResult[]>;
	/** Trains a small MLP with SGD as a notebook cell would, sampling GPU memory on the way. */
	trainAndSampleMemory(options: MemoryLoopOptions): Promise<MemoryLoopResult>;
}

export interface MemoryLoopOptions {
	steps: number;
	/** Steps after which memory is sampled (1-based). */
	sampleAt: number[];
	/** Layer widths, input first: [4, 8, 1] is Linear(4, 8), ReLU, Linear(8, 1). */
	widths?: number[];
	batch?: number;
	/** Steps between reads of the loss, as a loss curve reads it. */
	readEvery?: number;
}

export interface MemorySample {
	step: number;
	loss: number;
	/** torch.cuda.memory_allocated() right after the step. */
	allocated: number;
	/** torch.cuda.max_memory_allocated(), since the loop began. */
	maxAllocated: number;
	reserved: number;
}

export interface MemoryLoopResult {
	samples: MemorySample[];
	/** Bytes allocated after the setup, before the first step (parameters, data). */
	allocatedAtStart: number;
	milliseconds: number;
	/** Macrotasks the loop yielded to. */
	yields: number;
}

declare global {
	interface Window {
		torch: typeof torch;
		engineHarness: EngineHarness;
	}
}

export function createHarness(backend: () => WebGpuBackend | null): EngineHarness {
	return {
		get adapter() {
			return backend()?.adapterDescription ?? null;
		},
		destroyDevice() {
			const gpu = backend();
			if (!gpu) throw new Error('engine harness: no WebGPU backend to destroy');
			gpu.destroyDeviceForTesting();
		},
		stats: () => backend()?.stats() ?? null,
		causeValidationError() {
			const gpu = backend();
			if (!gpu) throw new Error('engine harness: no WebGPU backend');
			// MAP_READ may only be combined with COPY_DST, so this buffer is invalid.
			gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
		},
		resetPeakBytes: () => backend()?.resetPeakBytes(),
		release(tensor) {
			tensor.storage.release();
		},
		async runSuite(suite, golden, names) {
			const load = SUITES[suite];
			if (!load)
				throw new Error(
					`engine harness: unknown suite '${suite}', expected one of ${Object.keys(SUITES)}`
				);
			const cases = (await load(golden)).filter((c) => !names || names.includes(c.name));
			const results: CaseResult[] = [];
			for (const c of cases) results.push(await runCase(c));
			return results;
		},
		trainAndSampleMemory
	};
}

// Written as a reader would write the loop in a cell, without dispose calls: the memory of
// each step's tensors must come back by itself. The yields match the cell compiler's (16 ms).
async function trainAndSampleMemory(options: MemoryLoopOptions): Promise<MemoryLoopResult> {
	const { steps, sampleAt, widths = [4, 8, 1], batch = 16, readEvery = 100 } = options;
	const { nn, optim } = torch;
	torch.manual_seed(0);
	const layers = [];
	for (let i = 1; i < widths.length; i++) {
		layers.push(new nn.Linear(widths[i - 1], widths[i]));
		if (i < widths.length - 1) layers.push(new nn.ReLU());
	}
	const model = new nn.Sequential(...layers);
	const x = torch.randn(batch, widths[0]);
	const y = x.sum(1, true).sin();
	const lossFn = new nn.MSELoss();
	const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
	await y.sum().item();
	torch.cuda.reset_peak_memory_stats();
	const allocatedAtStart = torch.cuda.memory_allocated();

	const samples: MemorySample[] = [];
	const sampleSteps = new Set(sampleAt);
	let yields = 0;
	const start = performance.now();
	for (let step = 1; step <= steps; step++) {
		opt.zero_grad();
		const loss = lossFn(model(x), y);
		loss.backward();
		opt.step();
		if (sampleSteps.has(step)) {
			samples.push({
				step,
				loss: await loss.item(),
				allocated: torch.cuda.memory_allocated(),
				maxAllocated: torch.cuda.max_memory_allocated(),
				reserved: torch.cuda.memory_reserved()
			});
		} else if (step % readEvery === 0) {
			await loss.item();
		}
		if (yieldDue()) {
			await yieldToEventLoop();
			yields++;
		}
	}
	return { samples, allocatedAtStart, milliseconds: performance.now() - start, yields };
}

async function runCase(c: SuiteCase): Promise<CaseResult> {
	const start = performance.now();
	try {
		await c.run();
		return { name: c.name, error: null, milliseconds: performance.now() - start };
	} catch (error) {
		const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
		return { name: c.name, error: message, milliseconds: performance.now() - start };
	}
}
