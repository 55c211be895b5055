/** The `/bench` rows of this project's engine, `torch`, on its CPU and WebGPU backends. */
import type { Tensor } from '$lib/engine';
import type { Module } from '$lib/engine/nn';
import { createViews } from '$lib/notebook/views';
import {
	landscapeAxis,
	LANDSCAPE_HIDDEN,
	LANDSCAPE_POINTS,
	LANDSCAPE_RESOLUTION,
	LANDSCAPE_SPAN,
	type Contender,
	type Prepared,
	type WorkloadId
} from './workloads';

type Torch = (typeof import('$lib/engine'))['torch'];
type WebGpuBackendGetter = ReturnType<
	(typeof import('$lib/engine/backends/webgpu'))['registerWebGpuBackend']
>;

let webGpuBackend: WebGpuBackendGetter | null = null;

async function loadTorch(backend: 'cpu' | 'webgpu'): Promise<Torch> {
	const { torch } = await import('$lib/engine');
	if (backend === 'webgpu') {
		// Registering again replaces the loader with one whose backend this module can see.
		const { registerWebGpuBackend } = await import('$lib/engine/backends/webgpu');
		webGpuBackend = registerWebGpuBackend();
	}
	await torch.init();
	torch.set_backend(backend);
	return torch;
}

function post34(torch: Torch): Prepared {
	const { nn } = torch;
	const layers = Array.from({ length: 20 }, () => new nn.Linear(32, 32));
	const x = torch.randn(16, 32);
	const target = torch.randn(16, 32);
	return {
		async step() {
			for (const layer of layers) for (const p of layer.parameters()) p.grad = null;
			let h: Tensor = x;
			for (const layer of layers) h = torch.sigmoid(layer(h));
			nn.functional.mse_loss(h, target).backward();
			return torch.stack(layers.map((layer) => layer.weight.grad!.norm())).array();
		},
		dispose() {}
	};
}

function mlp(torch: Torch): Prepared {
	const { nn, optim } = torch;
	const model = new nn.Sequential(
		new nn.Linear(784, 512),
		new nn.ReLU(),
		new nn.Linear(512, 512),
		new nn.ReLU(),
		new nn.Linear(512, 512),
		new nn.ReLU(),
		new nn.Linear(512, 10)
	);
	const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
	const x = torch.randn(256, 784);
	const y = torch.randint(0, 10, [256]);
	const first = model.parameters()[0];
	return {
		async step() {
			opt.zero_grad();
			nn.functional.cross_entropy(model(x), y).backward();
			opt.step();
			// Reading one updated weight waits for the whole step, as a training loop's log line does.
			return first.array();
		},
		dispose() {}
	};
}

function matmul(torch: Torch): Prepared {
	const a = torch.randn(1024, 1024);
	const b = torch.randn(1024, 1024);
	return { step: () => a.matmul(b).array(), dispose() {} };
}

/** Plain evaluations: each grid point builds its weights and runs the forward pass. */
function landscape(torch: Torch): Prepared {
	const shapes = [[2, LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN, 1], [1]];
	const center = shapes.map((s) => torch.randn(s));
	const d1 = shapes.map((s) => torch.randn(s));
	const d2 = shapes.map((s) => torch.randn(s));
	const x = torch.rand(LANDSCAPE_POINTS, 2).mul(2).sub(1);
	const y = torch.rand(LANDSCAPE_POINTS, 1);
	const axis = landscapeAxis();
	return {
		async step() {
			let last: unknown = null;
			for (const beta of axis) {
				const row = torch.no_grad(() =>
					torch.stack(
						axis.map((alpha) => {
							const [w1, b1, w2, b2] = center.map((c, i) =>
								c.add(d1[i], { alpha }).add(d2[i], { alpha: beta })
							);
							const out = torch.tanh(x.matmul(w1).add(b1)).matmul(w2).add(b2);
							return out.sub(y).pow(2).mean();
						})
					)
				);
				last = await row.array();
			}
			return last;
		},
		dispose() {}
	};
}

/**
 * Computes the grid through the notebook's `views.loss_landscape`, for the same model and data
 * as `landscape`: random filter-normalised directions, and each row of points in one batched
 * forward pass (src/lib/notebook/landscape-batch.ts).
 */
function landscapeView(torch: Torch): Prepared {
	const { nn } = torch;
	const model = new nn.Sequential(
		new nn.Linear(2, LANDSCAPE_HIDDEN),
		new nn.Tanh(),
		new nn.Linear(LANDSCAPE_HIDDEN, 1)
	);
	const x = torch.rand(LANDSCAPE_POINTS, 2).mul(2).sub(1);
	const y = torch.rand(LANDSCAPE_POINTS, 1);
	const lossFn = (m: Module) => nn.functional.mse_loss(m(x), y);
	const views = createViews({
		torch,
		cell: 'bench',
		emit() {},
		// The worker's progress yields to its event loop between rows; the page has nothing to run.
		progress: async () => {},
		onDispose() {},
		reportError(error) {
			throw error;
		}
	});
	return {
		async step() {
			const options = { resolution: LANDSCAPE_RESOLUTION, span: LANDSCAPE_SPAN };
			return (await views.loss_landscape(model, lossFn, options)).chart.z;
		},
		dispose() {}
	};
}

function prepare(torch: Torch, id: WorkloadId): Prepared {
	torch.manual_seed(0);
	if (id === 'post34') return post34(torch);
	if (id === 'mlp') return mlp(torch);
	if (id === 'matmul') return matmul(torch);
	return landscape(torch);
}

/**
 * Two rows per backend: the plain workloads, then the 'landscape view' row, which times only
 * the landscape, computed as the notebook view computes it.
 */
export function oursContenders(): Contender[] {
	return (['cpu', 'webgpu'] as const).flatMap((backend) =>
		[false, true].map((view): Contender => {
			let torch: Torch | null = null;
			return {
				engine: 'ours',
				backend,
				kind: backend === 'cpu' ? 'cpu' : 'gpu',
				...(view ? { variant: 'landscape view', only: ['landscape'] } : {}),
				async load() {
					torch = await loadTorch(backend);
				},
				...(backend === 'webgpu'
					? {
							dispatches: () => webGpuBackend?.()?.stats().dispatches ?? Number.NaN,
							memory: {
								resetPeak: () => torch?.cuda.reset_peak_memory_stats(),
								read: () => ({
									peak_bytes: torch?.cuda.max_memory_allocated() ?? Number.NaN,
									live_bytes: torch?.cuda.memory_allocated() ?? Number.NaN
								})
							}
						}
					: {}),
				async prepare(id) {
					if (!torch) throw new Error(`ours/${backend}: prepare() called before load().`);
					// The backend is global, so select it again: another row may have changed it.
					torch.set_backend(backend);
					if (!view) return prepare(torch, id);
					if (id !== 'landscape') return null;
					torch.manual_seed(0);
					return landscapeView(torch);
				}
			};
		})
	);
}
