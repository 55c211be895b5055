/**
 * The `/bench` rows of jax-js on its Wasm and WebGPU devices, each eager and under `jit`.
 * jax-js counts references: every function consumes its array arguments, so an array used
 * again later is passed as `x.ref`, and `data()` consumes the array it reads.
 */
import type { Array as JaxArray } from '@jax-js/jax';
import {
	landscapeAxis,
	LANDSCAPE_HIDDEN,
	LANDSCAPE_POINTS,
	type Contender,
	type Prepared,
	type WorkloadId
} from './workloads';

type Jax = typeof import('@jax-js/jax');
type Device = 'wasm' | 'webgpu';

let jaxPromise: Promise<{ jax: Jax; devices: string[] }> | null = null;

function loadJax(): Promise<{ jax: Jax; devices: string[] }> {
	jaxPromise ??= (async () => {
		const jax = await import('@jax-js/jax');
		const devices = await jax.init();
		return { jax, devices };
	})();
	return jaxPromise;
}

/** Normal samples (Box-Muller) with standard deviation `std`, as a jax-js array. */
function randn(jax: Jax, shape: number[], std = 1): JaxArray {
	const size = shape.reduce((a, b) => a * b, 1);
	const values = new Float32Array(size);
	for (let i = 0; i < size; i++) {
		const u = 1 - Math.random();
		values[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
	}
	return jax.numpy.array(values, { shape });
}

function uniform(jax: Jax, shape: number[], low: number, high: number): JaxArray {
	const size = shape.reduce((a, b) => a * b, 1);
	const values = Float32Array.from({ length: size }, () => low + (high - low) * Math.random());
	return jax.numpy.array(values, { shape });
}

type Layers = { w: JaxArray[]; b: JaxArray[] };

function post34(jax: Jax, useJit: boolean): Prepared {
	const { numpy: np, nn, tree } = jax;
	const params: Layers = {
		w: Array.from({ length: 20 }, () => randn(jax, [32, 32], 0.17)),
		b: Array.from({ length: 20 }, () => np.zeros([32]))
	};
	const x = randn(jax, [16, 32]);
	const target = randn(jax, [16, 32]);
	const loss = (p: Layers, input: JaxArray, t: JaxArray): JaxArray => {
		let h = input;
		for (let i = 0; i < 20; i++) h = nn.sigmoid(np.matmul(h, p.w[i]).add(p.b[i]));
		return np.mean(np.square(h.sub(t)));
	};
	const norms = (p: Layers, input: JaxArray, t: JaxArray): JaxArray => {
		const g = jax.grad(loss)(p, input, t);
		tree.dispose(g.b);
		return np.stack(g.w.map((w) => np.sqrt(np.sum(np.square(w)))));
	};
	const compiled = useJit ? jax.jit(norms) : null;
	return {
		step: () => (compiled ?? norms)(tree.ref(params), x.ref, target.ref).data(),
		dispose() {
			tree.dispose(params);
			x.dispose();
			target.dispose();
			compiled?.dispose();
		}
	};
}

function mlp(jax: Jax, useJit: boolean): Prepared {
	const { numpy: np, nn, tree } = jax;
	const sizes = [784, 512, 512, 512, 10];
	let params: JaxArray[] = sizes
		.slice(1)
		.flatMap((n, i) => [randn(jax, [sizes[i], n], 1 / Math.sqrt(sizes[i])), np.zeros([n])]);
	const x = randn(jax, [256, 784]);
	const oneHot = new Float32Array(256 * 10);
	for (let row = 0; row < 256; row++) oneHot[row * 10 + Math.floor(Math.random() * 10)] = 1;
	const labels = np.array(oneHot, { shape: [256, 10] });
	const loss = (p: JaxArray[], input: JaxArray, y: JaxArray): JaxArray => {
		let h = input;
		for (let i = 0; i < 4; i++) {
			h = np.matmul(h, p[2 * i]).add(p[2 * i + 1]);
			if (i < 3) h = nn.relu(h);
		}
		return np.negative(np.mean(np.sum(nn.logSoftmax(h, -1).mul(y), -1)));
	};
	const sgd = (p: JaxArray[], input: JaxArray, y: JaxArray): JaxArray[] => {
		const g = jax.grad(loss)(tree.ref(p), input, y);
		return p.map((w, i) => w.sub(g[i].mul(0.01)));
	};
	const compiled = useJit ? jax.jit(sgd) : null;
	return {
		async step() {
			params = (compiled ?? sgd)(params, x.ref, labels.ref);
			return params[0].ref.data();
		},
		dispose() {
			tree.dispose(params);
			x.dispose();
			labels.dispose();
			compiled?.dispose();
		}
	};
}

function matmul(jax: Jax): Prepared {
	const a = randn(jax, [1024, 1024]);
	const b = randn(jax, [1024, 1024]);
	return {
		step: () => jax.numpy.matmul(a.ref, b.ref).data(),
		dispose() {
			a.dispose();
			b.dispose();
		}
	};
}

function landscape(jax: Jax, useJit: boolean): Prepared {
	const { numpy: np, tree } = jax;
	const shapes = [[2, LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN, 1], [1]];
	const center = shapes.map((s) => randn(jax, s));
	const d1 = shapes.map((s) => randn(jax, s));
	const d2 = shapes.map((s) => randn(jax, s));
	const x = uniform(jax, [LANDSCAPE_POINTS, 2], -1, 1);
	const y = uniform(jax, [LANDSCAPE_POINTS, 1], 0, 1);
	const loss = (
		c: JaxArray[],
		u: JaxArray[],
		v: JaxArray[],
		alpha: JaxArray,
		beta: JaxArray,
		input: JaxArray,
		target: JaxArray
	): JaxArray => {
		const [w1, b1, w2, b2] = c.map((ci, i) => ci.add(u[i].mul(alpha.ref)).add(v[i].mul(beta.ref)));
		alpha.dispose();
		beta.dispose();
		const out = np.matmul(np.tanh(np.matmul(input, w1).add(b1)), w2).add(b2);
		return np.mean(np.square(out.sub(target)));
	};
	const compiled = useJit ? jax.jit(loss) : null;
	const axis = landscapeAxis();
	return {
		async step() {
			let last: unknown = null;
			for (const beta of axis) {
				const losses = axis.map((alpha) =>
					(compiled ?? loss)(
						tree.ref(center),
						tree.ref(d1),
						tree.ref(d2),
						np.array([alpha], { shape: [] }),
						np.array([beta], { shape: [] }),
						x.ref,
						y.ref
					)
				);
				last = await np.stack(losses).data();
			}
			return last;
		},
		dispose() {
			tree.dispose([center, d1, d2]);
			x.dispose();
			y.dispose();
			compiled?.dispose();
		}
	};
}

function prepare(jax: Jax, id: WorkloadId, useJit: boolean): Prepared | null {
	if (id === 'post34') return post34(jax, useJit);
	if (id === 'mlp') return mlp(jax, useJit);
	// A single matmul is one kernel either way, so only the eager row times it.
	if (id === 'matmul') return useJit ? null : matmul(jax);
	return landscape(jax, useJit);
}

export function jaxContenders(): Contender[] {
	const rows: Contender[] = [];
	for (const device of ['wasm', 'webgpu'] as const satisfies Device[]) {
		for (const useJit of [false, true]) {
			let jax: Jax | null = null;
			rows.push({
				engine: 'jax-js',
				backend: device,
				kind: device === 'webgpu' ? 'gpu' : 'cpu',
				jit: useJit,
				async load() {
					const loaded = await loadJax();
					if (!loaded.devices.includes(device)) {
						throw new Error(
							`jax-js has no '${device}' device here; init() returned [${loaded.devices.join(', ')}].`
						);
					}
					jax = loaded.jax;
				},
				async prepare(id) {
					if (!jax) throw new Error(`jax-js/${device}: prepare() called before load().`);
					jax.defaultDevice(device);
					return prepare(jax, id, useJit);
				}
			});
		}
	}
	return rows;
}
