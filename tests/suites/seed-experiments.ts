/**
 * The seed experiments of post 3.4 (deep sigmoid, BatchNorm, residual, exploding, LayerNorm
 * nets and a ResidualBlock), rebuilt with the engine's nn API and checked against PyTorch 1.13's
 * golden values. The suite takes the `torch` object and the parsed golden file, so Vitest runs
 * it on the CPU backend and a browser harness can run the same cases on WebGPU.
 *
 * Each case throws an Error that names the quantity, the worst element and both values.
 */
import type { torch as TorchNamespace } from '../../src/lib/engine';
import type { Tensor } from '../../src/lib/engine/tensor';
import type { Module } from '../../src/lib/engine/nn';

type Torch = typeof TorchNamespace;

/** A golden tensor: flat row-major data, non-finite values as strings. */
export interface GoldenTensor {
	shape: number[];
	dtype: string;
	data: (number | string)[];
}

type GoldenNumber = number | string;

interface Tolerance {
	loss_rtol: number;
	per_layer_norm_rtol: number | null;
	output_scaled_tol: number;
	grad_scaled_tol: number;
	near_zero_grad_atol: number | null;
}

export interface GoldenExperiment {
	id: string;
	config: { seed: number; depth: number; hidden: number; batch: number };
	per_layer_weight_grad_norm_of: string;
	per_layer_weight_grad_norm: GoldenNumber[];
	loss: GoldenNumber;
	x: GoldenTensor;
	target: GoldenTensor;
	output: GoldenTensor;
	parameters?: { name: string; shape: number[]; init: GoldenTensor; grad: GoldenTensor }[];
	parameter_summaries?: {
		name: string;
		shape: number[];
		init_sum: number;
		init_sum_sq: number;
		init_first4: number[];
		grad_norm: GoldenNumber;
	}[];
	buffers?: { name: string; before: GoldenTensor; after_forward: GoldenTensor }[];
	per_layer_activation_norms?: { pre: GoldenNumber[]; hidden: GoldenNumber[] };
	checks: { near_zero_grad_params?: string[] | null; suggested_tolerance: Tolerance };
}

export interface SeedExperimentsGolden {
	experiments: GoldenExperiment[];
	blog_sequence: GoldenExperiment[];
}

export interface SuiteCase {
	name: string;
	run(): Promise<void>;
}

/** Parses a golden number, whose non-finite values are written as strings. */
export function num(value: GoldenNumber): number {
	if (typeof value === 'number') return value;
	if (value === 'NaN') return NaN;
	return value === 'Infinity' ? Infinity : -Infinity;
}

/** Returns the golden tensor's values as float32 (for float32 data) or binary64. */
export function goldenValues(t: GoldenTensor): Float32Array | Float64Array {
	return t.dtype === 'float32' ? Float32Array.from(t.data, num) : Float64Array.from(t.data, num);
}

/** Throws unless every value equals the golden float32 bit for bit. */
export function expectBitExact(label: string, actual: ArrayLike<number>, golden: GoldenTensor) {
	const expected = goldenValues(golden);
	expectLength(label, actual, expected.length);
	for (let i = 0; i < expected.length; i++) {
		if (!Object.is(actual[i], expected[i])) {
			throw new Error(
				`${label}: element ${i} is ${actual[i]}, PyTorch has ${expected[i]} (bit-exact)`
			);
		}
	}
}

/** Throws unless max |a - b| <= tol * max |golden| over the tensor; non-finite values must match. */
export function expectScaledClose(
	label: string,
	actual: ArrayLike<number>,
	golden: GoldenTensor,
	tol: number
) {
	const expected = goldenValues(golden);
	expectLength(label, actual, expected.length);
	let scale = 0;
	for (const v of expected) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
	let worst = -1;
	let worstError = 0;
	for (let i = 0; i < expected.length; i++) {
		if (!Number.isFinite(expected[i])) {
			if (!Object.is(actual[i], expected[i])) {
				throw new Error(`${label}: element ${i} is ${actual[i]}, PyTorch has ${expected[i]}`);
			}
			continue;
		}
		const error = Math.abs(actual[i] - expected[i]);
		if (!(error <= worstError) || worst === -1) {
			worst = i;
			worstError = Number.isNaN(error) ? Infinity : error;
		}
	}
	if (worst >= 0 && !(worstError <= tol * scale)) {
		throw new Error(
			`${label}: element ${worst} is ${actual[worst]}, PyTorch has ${expected[worst]}; ` +
				`error ${worstError} exceeds ${tol} x max|golden| = ${tol * scale}`
		);
	}
}

/** Throws unless every |a - b| <= atol. */
export function expectAbsClose(
	label: string,
	actual: ArrayLike<number>,
	golden: GoldenTensor,
	atol: number
) {
	const expected = goldenValues(golden);
	expectLength(label, actual, expected.length);
	for (let i = 0; i < expected.length; i++) {
		if (!(Math.abs(actual[i] - expected[i]) <= atol)) {
			throw new Error(
				`${label}: element ${i} is ${actual[i]}, PyTorch has ${expected[i]} (atol ${atol})`
			);
		}
	}
}

/** Throws unless |a - b| <= rtol * |b|; infinities and NaN must match exactly. */
export function expectRelClose(
	label: string,
	actual: number,
	expected: number,
	rtol: number,
	atol = 0
) {
	if (!Number.isFinite(expected)) {
		if (!Object.is(actual, expected))
			throw new Error(`${label}: got ${actual}, PyTorch has ${expected}`);
		return;
	}
	if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
		throw new Error(
			`${label}: got ${actual}, PyTorch has ${expected} (rtol ${rtol}, atol ${atol})`
		);
	}
}

function expectLength(label: string, actual: ArrayLike<number>, length: number) {
	if (actual.length !== length) {
		throw new Error(`${label}: ${actual.length} elements, PyTorch has ${length}`);
	}
}

/** One experiment's network, and how to find its layers. */
interface Built {
	net: Module;
	/** layers[i] of the experiment: whose output is the "pre" activation. */
	layers: Module[];
	/** The weight whose gradient norm is reported for layer i. */
	layerWeight(i: number): Tensor;
	/** Values passed to the next layer, recorded by forward. */
	hidden: Tensor[];
}

/** Builds the network an experiment describes; its constructors draw the default init. */
function buildNetwork(torch: Torch, experiment: GoldenExperiment): Built {
	const { nn } = torch;
	const { depth, hidden: H } = experiment.config;
	const kind = experiment.id;

	if (kind === 'residual_block') {
		class ResidualBlock extends nn.Module {
			core_layer: InstanceType<typeof nn.Linear>;
			constructor(core_layer: InstanceType<typeof nn.Linear>) {
				super();
				this.core_layer = core_layer;
			}
			forward(x: Tensor): Tensor {
				return this.core_layer(x).add(x);
			}
		}
		const net = new ResidualBlock(new nn.Linear(H, H));
		return { net, layers: [net.core_layer], layerWeight: () => net.core_layer.weight, hidden: [] };
	}

	const normed = kind === 'deep_batchnorm_sigmoid' || kind === 'deep_layernorm_sigmoid';
	const makeLayer = (): Module => {
		if (kind === 'deep_batchnorm_sigmoid')
			return new nn.Sequential(new nn.Linear(H, H), new nn.BatchNorm1d(H));
		if (kind === 'deep_layernorm_sigmoid')
			return new nn.Sequential(new nn.Linear(H, H), new nn.LayerNorm(H));
		return new nn.Linear(H, H);
	};

	class DeepNet extends nn.Module {
		layers: InstanceType<typeof nn.ModuleList>;
		hidden: Tensor[] = [];
		constructor() {
			super();
			this.layers = new nn.ModuleList(Array.from({ length: depth }, makeLayer));
		}
		forward(x: Tensor): Tensor {
			for (const layer of this.layers) {
				const z = layer(x) as Tensor;
				if (kind === 'deep_residual') x = z.relu().add(x);
				else if (kind === 'exploding') x = z.relu();
				else x = z.sigmoid();
				this.hidden.push(x);
			}
			return x;
		}
	}

	const net = new DeepNet();
	if (kind === 'exploding') {
		for (const layer of net.layers) {
			nn.init.normal_(layer.weight, { std: 2.0 });
			nn.init.zeros_(layer.bias);
		}
	}
	const layers = [...net.layers];
	const layerWeight = (i: number): Tensor => (normed ? layers[i].at(0).weight : layers[i].weight);
	return { net, layers, layerWeight, hidden: net.hidden };
}

async function values(t: Tensor): Promise<ArrayLike<number>> {
	return t.array();
}

async function norm(t: Tensor): Promise<number> {
	return Number(await t.norm().item());
}

/**
 * Builds, runs and checks one experiment on the current random stream: initial parameters
 * (bit-exact), x and target (bit-exact), output, loss, buffers, gradients, per-layer
 * gradient norms and activation norms.
 */
async function runExperiment(torch: Torch, experiment: GoldenExperiment): Promise<void> {
	const tol = experiment.checks.suggested_tolerance;
	const id = experiment.id;
	const built = buildNetwork(torch, experiment);
	const { net } = built;
	const { batch: B, hidden: H } = experiment.config;
	const x = torch.randn(B, H);
	const target = torch.randn(B, H);

	await checkInit(experiment, net);
	expectBitExact(`${id} x`, await values(x), experiment.x);
	expectBitExact(`${id} target`, await values(target), experiment.target);
	const buffersBefore = await readBuffers(net);

	const pre: Tensor[] = [];
	const handles = built.layers.map((layer) =>
		layer.register_forward_hook((_m, _input, output) => void pre.push(output as Tensor))
	);
	const output = net(x) as Tensor;
	handles.forEach((h) => h.remove());
	const loss = output.sub(target).pow(2).mean();
	loss.backward();

	expectScaledClose(`${id} output`, await values(output), experiment.output, tol.output_scaled_tol);
	expectRelClose(`${id} loss`, Number(await loss.item()), num(experiment.loss), tol.loss_rtol);
	await checkBuffers(experiment, net, buffersBefore, tol.output_scaled_tol);
	await checkGradients(experiment, net, tol);
	await checkLayerNorms(experiment, built, tol);
	await checkActivationNorms(experiment, pre, built.hidden, tol);
}

async function checkInit(experiment: GoldenExperiment, net: Module): Promise<void> {
	const params = new Map(net.named_parameters());
	const expectedNames = (experiment.parameters ?? experiment.parameter_summaries ?? []).map(
		(p) => p.name
	);
	const names = [...params.keys()];
	if (names.join() !== expectedNames.join()) {
		throw new Error(
			`${experiment.id}: parameter names [${names}] differ from PyTorch's [${expectedNames}]`
		);
	}
	for (const p of experiment.parameters ?? []) {
		expectBitExact(
			`${experiment.id} ${p.name} init`,
			await values(getParam(params, p.name)),
			p.init
		);
	}
	for (const s of experiment.parameter_summaries ?? []) {
		const data = await values(getParam(params, s.name));
		let sum = 0;
		let sumSq = 0;
		for (let i = 0; i < data.length; i++) {
			sum += data[i];
			sumSq += data[i] * data[i];
		}
		expectRelClose(`${experiment.id} ${s.name} init_sum`, sum, s.init_sum, 1e-9, 1e-12);
		expectRelClose(`${experiment.id} ${s.name} init_sum_sq`, sumSq, s.init_sum_sq, 1e-9, 1e-12);
		s.init_first4.forEach((v, i) => {
			if (!Object.is(data[i], Math.fround(v))) {
				throw new Error(`${experiment.id} ${s.name} init[${i}] is ${data[i]}, PyTorch has ${v}`);
			}
		});
	}
}

function getParam(params: Map<string, Tensor>, name: string): Tensor {
	const p = params.get(name);
	if (!p) throw new Error(`parameter ${name} is missing; the network has [${[...params.keys()]}]`);
	return p;
}

async function readBuffers(net: Module): Promise<Map<string, ArrayLike<number>>> {
	const out = new Map<string, ArrayLike<number>>();
	for (const [name, b] of net.named_buffers()) out.set(name, Float64Array.from(await values(b)));
	return out;
}

async function checkBuffers(
	experiment: GoldenExperiment,
	net: Module,
	before: Map<string, ArrayLike<number>>,
	tol: number
): Promise<void> {
	const buffers = new Map(net.named_buffers());
	for (const b of experiment.buffers ?? []) {
		const buffer = buffers.get(b.name);
		if (!buffer) throw new Error(`${experiment.id}: buffer ${b.name} is missing`);
		expectAbsClose(`${experiment.id} ${b.name} before`, before.get(b.name) ?? [], b.before, 0);
		const label = `${experiment.id} ${b.name} after forward`;
		if (b.after_forward.dtype === 'int64')
			expectAbsClose(label, await values(buffer), b.after_forward, 0);
		else expectScaledClose(label, await values(buffer), b.after_forward, tol);
	}
}

async function checkGradients(
	experiment: GoldenExperiment,
	net: Module,
	tol: Tolerance
): Promise<void> {
	const params = new Map(net.named_parameters());
	const nearZero = new Set(experiment.checks.near_zero_grad_params ?? []);
	for (const p of experiment.parameters ?? []) {
		const grad = getParam(params, p.name).grad;
		if (!grad) throw new Error(`${experiment.id} ${p.name}: grad is null after backward`);
		const label = `${experiment.id} ${p.name} grad`;
		if (nearZero.has(p.name))
			expectAbsClose(label, await values(grad), p.grad, tol.near_zero_grad_atol ?? 0);
		else expectScaledClose(label, await values(grad), p.grad, tol.grad_scaled_tol);
	}
	for (const s of experiment.parameter_summaries ?? []) {
		const grad = getParam(params, s.name).grad;
		if (!grad) throw new Error(`${experiment.id} ${s.name}: grad is null after backward`);
		const label = `${experiment.id} ${s.name} grad_norm`;
		if (nearZero.has(s.name)) {
			const atol = (tol.near_zero_grad_atol ?? 0) * Math.sqrt(grad.numel());
			expectRelClose(label, await norm(grad), num(s.grad_norm), 0, atol);
		} else {
			expectRelClose(label, await norm(grad), num(s.grad_norm), tol.grad_scaled_tol);
		}
	}
}

async function checkLayerNorms(
	experiment: GoldenExperiment,
	built: Built,
	tol: Tolerance
): Promise<void> {
	const expected = experiment.per_layer_weight_grad_norm.map(num);
	for (let i = 0; i < expected.length; i++) {
		const grad = built.layerWeight(i).grad;
		if (!grad) throw new Error(`${experiment.id} layer ${i}: weight grad is null`);
		// A null rtol marks norms that PyTorch's float32 sum of squares overflows to Infinity.
		const rtol = tol.per_layer_norm_rtol ?? 0;
		expectRelClose(
			`${experiment.id} layer ${i} weight grad norm`,
			await norm(grad),
			expected[i],
			rtol
		);
	}
}

async function checkActivationNorms(
	experiment: GoldenExperiment,
	pre: Tensor[],
	hidden: Tensor[],
	tol: Tolerance
): Promise<void> {
	const golden = experiment.per_layer_activation_norms;
	if (!golden) return;
	const rtol = Math.max(tol.output_scaled_tol, tol.per_layer_norm_rtol ?? 0);
	for (let i = 0; i < golden.pre.length; i++) {
		expectRelClose(
			`${experiment.id} layer ${i} pre-activation norm`,
			await norm(pre[i]),
			num(golden.pre[i]),
			rtol
		);
		expectRelClose(
			`${experiment.id} layer ${i} hidden norm`,
			await norm(hidden[i]),
			num(golden.hidden[i]),
			rtol
		);
	}
}

/**
 * Returns the cases: one per experiment (each seeded with manual_seed(0) right before building its
 * network), and the blog sequence, whose three demos share one stream seeded once.
 */
export function seedExperimentCases(torch: Torch, golden: SeedExperimentsGolden): SuiteCase[] {
	const cases: SuiteCase[] = golden.experiments.map((experiment) => ({
		name: `${experiment.id} matches PyTorch`,
		run: async () => {
			torch.manual_seed(experiment.config.seed);
			await runExperiment(torch, experiment);
		}
	}));
	cases.push({
		name: 'blog_sequence demos 1-3 on one stream match PyTorch',
		run: async () => {
			torch.manual_seed(0);
			for (const demo of golden.blog_sequence) await runExperiment(torch, demo);
		}
	});
	return cases;
}
