/**
 * Compiled compute pipelines, cached by `pipelineKey`. A key covers everything that changes
 * the WGSL text (op, dtypes, rank, workgroup size, variant flags). Sizes, strides and scalars
 * travel in uniforms, so one pipeline serves every shape of its rank.
 */
import type { GpuContext } from './device';

/** A kernel builder's result: a cache key and a way to produce its WGSL on a cache miss. */
export interface KernelSource {
	readonly pipelineKey: string;
	readonly wgsl: () => string;
}

/** Debug output of the WebGPU backend: 1 = pipelines compiled, 2 = their WGSL, 3 = dispatches. */
export let webgpuDebugLevel = 0;

export function setWebgpuDebugLevel(level: number): void {
	webgpuDebugLevel = level;
}

export class PipelineCache {
	private readonly pipelines = new Map<string, GPUComputePipeline>();

	constructor(private readonly context: GpuContext) {}

	get size(): number {
		return this.pipelines.size;
	}

	get(source: KernelSource): GPUComputePipeline {
		const cached = this.pipelines.get(source.pipelineKey);
		if (cached) return cached;

		const code = source.wgsl();
		if (webgpuDebugLevel >= 1) console.debug(`webgpu: compiling ${source.pipelineKey}`);
		if (webgpuDebugLevel >= 2) console.debug(code);
		const { device } = this.context;
		const pipeline = this.context.captureErrors(() => {
			const module = device.createShaderModule({ label: source.pipelineKey, code });
			return device.createComputePipeline({
				label: source.pipelineKey,
				layout: 'auto',
				compute: { module, entryPoint: 'main' }
			});
		});
		this.pipelines.set(source.pipelineKey, pipeline);
		return pipeline;
	}
}
