/**
 * `npm run bench:engine`: times the engine's CPU backend in Node beside PyTorch on the same
 * workloads, in one run, and prints the ratio. PyTorch runs through Debian's python3-torch when
 * `/usr/bin/python3 -c "import torch"` works (install it with `apt-get install python3-torch`).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { torch } from '../../src/lib/engine';
import type { Tensor } from '../../src/lib/engine';

// Chromium compiles relaxed SIMD, and the matmul kernel uses it where it can; Node 20 needs the
// flag. The kernel is compiled at the first matmul, after this line.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const { nn, optim } = torch;
const F = nn.functional;

// V8 keeps optimising the engine's functions for the first ~75 runs of a small workload, so
// small workloads warm up for 100 runs before timing; PyTorch gets the same warm-up.
type Workload = { name: string; runs: number; warmup: number; setup: () => () => unknown };

async function medianMs(fn: () => unknown, runs: number, warmup = 3): Promise<number> {
	for (let i = 0; i < warmup; i++) await fn();
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const start = performance.now();
		await fn();
		times.push(performance.now() - start);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)];
}

/** Post 3.4: 20 x (Linear(32, 32) + sigmoid), batch 16, forward, backward, 20 norms read back. */
async function post34() {
	torch.manual_seed(0);
	const layers = Array.from({ length: 20 }, () => new nn.Linear(32, 32));
	const x = torch.randn(16, 32);
	const target = torch.randn(16, 32);
	let h: Tensor = x;
	for (const layer of layers) h = torch.sigmoid(layer(h));
	h.sub(target).pow(2).mean().backward();
	return torch.stack(layers.map((layer) => layer.weight.grad!.norm())).array();
}

function mlpStep() {
	torch.manual_seed(0);
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
	return async () => {
		opt.zero_grad();
		F.cross_entropy(model(x), y).backward();
		opt.step();
		await model.at(0).weight.array();
	};
}

function matmul() {
	const a = torch.randn(1024, 1024);
	const b = torch.randn(1024, 1024);
	return () => a.matmul(b).array();
}

const workloads: Workload[] = [
	{ name: 'post-3.4 experiment', runs: 50, warmup: 100, setup: () => post34 },
	{ name: 'MLP 784-512-512-512-10 SGD step, batch 256', runs: 10, warmup: 3, setup: mlpStep },
	{ name: 'matmul 1024x1024', runs: 10, warmup: 3, setup: matmul }
];

function pytorchTimes(): Record<string, number> | null {
	const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine_torch.py');
	try {
		const output = execFileSync('/usr/bin/python3', [script, '1'], { encoding: 'utf8' });
		return JSON.parse(output.trim().split('\n').at(-1)!);
	} catch {
		return null;
	}
}

const ours: Record<string, number> = {};
for (const workload of workloads) {
	ours[workload.name] = await medianMs(workload.setup(), workload.runs, workload.warmup);
}
const theirs = pytorchTimes();

console.log('\nEngine (CPU backend, Node) vs PyTorch 1.13 (CPU, 1 thread), median ms');
const rows = workloads.map(({ name }) => {
	const torchMs = theirs?.[name];
	const ratio = torchMs ? (ours[name] / torchMs).toFixed(2) : 'n/a';
	const extra = name.startsWith('matmul')
		? ` (${((2 * 1024 ** 3) / ours[name] / 1e6).toFixed(1)} GFLOP/s)`
		: '';
	return {
		workload: name,
		engine_ms: +ours[name].toFixed(3),
		pytorch_ms: torchMs ? +torchMs.toFixed(3) : null,
		ratio,
		note: extra.trim()
	};
});
console.table(rows);
if (!theirs) console.log('PyTorch not found: run `apt-get install python3-torch` to compare.');
console.log(JSON.stringify({ engine: ours, pytorch: theirs }));
