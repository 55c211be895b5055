/** The `/bench` rows of this project's engine, `torch`, on its CPU and WebGPU backends. */
import type { Tensor } from '$lib/engine';
import {
	landscapeAxis,
	LANDSCAPE_HIDDEN,
	LANDSCAPE_POINTS,
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

function prepare(torch: Torch, id: WorkloadId): Prepared {
	torch.manual_seed(0);
	if (id === 'post34') return post34(torch);
	if (id === 'mlp') return mlp(torch);
	if (id === 'matmul') return matmul(torch);
	return landscape(torch);
}

export function oursContenders(): Contender[] {
	return (['cpu', 'webgpu'] as const).map((backend) => {
		let torch: Torch | null = null;
		return {
			engine: 'ours',
			backend,
			kind: backend === 'cpu' ? 'cpu' : 'gpu',
			async load() {
				torch = await loadTorch(backend);
			},
			...(backend === 'webgpu'
				? { dispatches: () => webGpuBackend?.()?.stats().dispatches ?? Number.NaN }
				: {}),
			async prepare(id) {
				if (!torch) throw new Error(`ours/${backend}: prepare() called before load().`);
				// The backend is global, so select it again: another row may have changed it.
				torch.set_backend(backend);
				return prepare(torch, id);
			}
		};
	});
}
