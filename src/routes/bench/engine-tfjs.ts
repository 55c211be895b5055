/** The `/bench` rows of TensorFlow.js 4.22 on its CPU (plain JS), Wasm and WebGPU backends. */
import {
	landscapeAxis,
	LANDSCAPE_HIDDEN,
	LANDSCAPE_POINTS,
	type Contender,
	type Prepared,
	type WorkloadId
} from './workloads';

type Tf = typeof import('@tensorflow/tfjs-core');
type Backend = 'cpu' | 'wasm' | 'webgpu';

let tfPromise: Promise<Tf> | null = null;

/** Imports tfjs-core with its gradients and registers the three backends once. */
function loadTf(): Promise<Tf> {
	tfPromise ??= (async () => {
		const tf = await import('@tensorflow/tfjs-core');
		await import('@tensorflow/tfjs-core/dist/register_all_gradients');
		await import('@tensorflow/tfjs-backend-cpu');
		await import('@tensorflow/tfjs-backend-webgpu');
		const wasm = await import('@tensorflow/tfjs-backend-wasm');
		const [plain, simd, threaded] = await Promise.all([
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url')
		]);
		wasm.setWasmPaths({
			'tfjs-backend-wasm.wasm': plain.default,
			'tfjs-backend-wasm-simd.wasm': simd.default,
			'tfjs-backend-wasm-threaded-simd.wasm': threaded.default
		});
		return tf;
	})();
	return tfPromise;
}

function post34(tf: Tf): Prepared {
	const weights = Array.from({ length: 20 }, () => tf.variable(tf.randomNormal([32, 32], 0, 0.17)));
	const biases = Array.from({ length: 20 }, () => tf.variable(tf.zeros([32])));
	const x = tf.randomNormal([16, 32]);
	const target = tf.randomNormal([16, 32]);
	return {
		async step() {
			const norms = tf.tidy(() => {
				const { grads } = tf.variableGrads(() => {
					let h = x;
					for (let i = 0; i < 20; i++) h = tf.sigmoid(tf.add(tf.matMul(h, weights[i]), biases[i]));
					return tf.mean(tf.squaredDifference(h, target)) as import('@tensorflow/tfjs-core').Scalar;
				}, [...weights, ...biases]);
				return tf.stack(weights.map((w) => tf.norm(grads[w.name])));
			});
			const values = await norms.data();
			norms.dispose();
			return values;
		},
		dispose() {
			tf.dispose([...weights, ...biases, x, target]);
		}
	};
}

function mlp(tf: Tf): Prepared {
	const sizes = [784, 512, 512, 512, 10];
	const weights = sizes
		.slice(1)
		.map((n, i) => tf.variable(tf.randomNormal([sizes[i], n], 0, 1 / Math.sqrt(sizes[i]))));
	const biases = sizes.slice(1).map((n) => tf.variable(tf.zeros([n])));
	const x = tf.randomNormal([256, 784]);
	const labels = tf.oneHot(tf.randomUniform([256], 0, 10, 'int32') as never, 10);
	const optimizer = tf.train.sgd(0.01);
	return {
		async step() {
			optimizer.minimize(
				() => {
					let h: import('@tensorflow/tfjs-core').Tensor = x;
					for (let i = 0; i < weights.length; i++) {
						h = tf.add(tf.matMul(h, weights[i]), biases[i]);
						if (i < weights.length - 1) h = tf.relu(h);
					}
					return tf.losses.softmaxCrossEntropy(labels, h) as import('@tensorflow/tfjs-core').Scalar;
				},
				false,
				[...weights, ...biases]
			);
			return weights[0].data();
		},
		dispose() {
			optimizer.dispose();
			tf.dispose([...weights, ...biases, x, labels]);
		}
	};
}

function matmul(tf: Tf): Prepared {
	const a = tf.randomNormal([1024, 1024]);
	const b = tf.randomNormal([1024, 1024]);
	return {
		async step() {
			const c = tf.matMul(a, b);
			const values = await c.data();
			c.dispose();
			return values;
		},
		dispose: () => tf.dispose([a, b])
	};
}

function landscape(tf: Tf): Prepared {
	const shapes = [[2, LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN], [LANDSCAPE_HIDDEN, 1], [1]];
	const center = shapes.map((s) => tf.randomNormal(s));
	const d1 = shapes.map((s) => tf.randomNormal(s));
	const d2 = shapes.map((s) => tf.randomNormal(s));
	const x = tf.randomUniform([LANDSCAPE_POINTS, 2], -1, 1);
	const y = tf.randomUniform([LANDSCAPE_POINTS, 1]);
	const axis = landscapeAxis();
	return {
		async step() {
			let last: unknown = null;
			for (const beta of axis) {
				const row = tf.tidy(() =>
					tf.stack(
						axis.map((alpha) => {
							const [w1, b1, w2, b2] = center.map((c, i) =>
								tf.add(tf.add(c, tf.mul(d1[i], alpha)), tf.mul(d2[i], beta))
							);
							const hidden = tf.tanh(tf.add(tf.matMul(x, w1), b1));
							const out = tf.add(tf.matMul(hidden, w2), b2);
							return tf.mean(tf.squaredDifference(out, y));
						})
					)
				);
				last = await row.data();
				row.dispose();
			}
			return last;
		},
		dispose: () => tf.dispose([...center, ...d1, ...d2, x, y])
	};
}

function prepare(tf: Tf, id: WorkloadId): Prepared {
	if (id === 'post34') return post34(tf);
	if (id === 'mlp') return mlp(tf);
	if (id === 'matmul') return matmul(tf);
	return landscape(tf);
}

export function tfjsContenders(): Contender[] {
	return (['cpu', 'wasm', 'webgpu'] as const satisfies Backend[]).map((backend) => {
		let tf: Tf | null = null;
		return {
			engine: 'tfjs',
			backend,
			kind: backend === 'webgpu' ? 'gpu' : 'cpu',
			async load() {
				const loaded = await loadTf();
				if (!(await loaded.setBackend(backend))) {
					throw new Error(`TF.js could not initialise its '${backend}' backend.`);
				}
				await loaded.ready();
				tf = loaded;
			},
			async prepare(id) {
				if (!tf) throw new Error(`tfjs/${backend}: prepare() called before load().`);
				await tf.setBackend(backend);
				await tf.ready();
				return prepare(tf, id);
			}
		};
	});
}
