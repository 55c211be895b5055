/**
 * The registry of backends and the choice of the one new tensors use. The CPU backend is always present;
 * another backend (WebGPU) registers a loader that `torch.init()` awaits, so backend
 * selection stays synchronous once initialised.
 */
import { ValueError } from '../errors';
import type { Backend, BackendName } from './backend';
import { cpuBackend } from './cpu';

type BackendLoader = () => Promise<Backend | null>;

const available = new Map<BackendName, Backend>([['cpu', cpuBackend]]);
const loaders = new Map<BackendName, BackendLoader>();
let current: Backend = cpuBackend;

/** Backend names users write; PyTorch code writes 'cuda' for the GPU. */
const ALIASES: Record<string, BackendName> = {
	cpu: 'cpu',
	webgpu: 'webgpu',
	cuda: 'webgpu',
	gpu: 'webgpu'
};

export function currentBackend(): Backend {
	return current;
}

export function resolveBackendName(name: string): BackendName {
	const resolved = ALIASES[name.replace(/:\d+$/, '')];
	if (!resolved) {
		throw new ValueError(`backend: expected 'cpu' or 'webgpu' (or 'cuda'), got '${name}'`);
	}
	return resolved;
}

/** Looks up the backend called `name`; throws when it is not available in this environment. */
export function backendNamed(name: string): Backend {
	const resolved = resolveBackendName(name);
	const backend = available.get(resolved);
	if (backend) return backend;
	if (resolved === 'webgpu') {
		throw new ValueError(
			loaders.has('webgpu')
				? 'no WebGPU backend is set up yet. In the playground, choose WebGPU in the Backend ' +
						"menu; elsewhere, call await torch.init() first. Or stay on the CPU: use 'cpu' as " +
						'the device or backend'
				: `no WebGPU backend available in this environment. Use torch.set_backend('cpu')`
		);
	}
	throw new ValueError(`no ${resolved} backend available`);
}

export function setCurrentBackend(name: string): void {
	current = backendNamed(name);
}

export function isBackendAvailable(name: BackendName): boolean {
	return available.has(name);
}

/** Registers a backend that needs asynchronous setup (a GPU adapter); `torch.init()` runs it. */
export function registerBackendLoader(name: BackendName, loader: BackendLoader): void {
	loaders.set(name, loader);
}

/** Runs pending backend loaders once each; safe to call any number of times. */
export async function initBackends(): Promise<void> {
	for (const [name, loader] of [...loaders]) {
		loaders.delete(name);
		const backend = await loader();
		if (backend) available.set(name, backend);
	}
}
