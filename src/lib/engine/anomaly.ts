/**
 * Anomaly detection, as `torch.autograd.set_detect_anomaly`. While it is on, every node
 * records the stack of the call that created it. The first op that turns inputs without NaN
 * into NaN, or the first backward rule that returns NaN, raises an error naming the op and
 * that stack. Like PyTorch it looks for NaN only: infinities are legitimate results (log(0),
 * masks of -inf, exp overflow) and are not reported. The checks read values synchronously,
 * so they need a backend with `readSync` (the CPU backend); on WebGPU they raise instead.
 */
import { anomaly, type Node } from './autograd';
import { AutogradError } from './errors';
import type { Tensor } from './tensor';

export function setDetectAnomaly(enabled: boolean): void {
	anomaly.enabled = enabled;
}

export function isAnomalyEnabled(): boolean {
	return anomaly.enabled;
}

/** Runs `fn` with anomaly detection on, as `with torch.autograd.detect_anomaly():`. */
export function detectAnomaly<T>(fn: () => T): T {
	const previous = anomaly.enabled;
	anomaly.enabled = true;
	try {
		return fn();
	} finally {
		anomaly.enabled = previous;
	}
}

export function checkForward(node: Node, inputs: readonly Tensor[], output: Tensor): void {
	if (!hasNaN(output) || inputs.some(hasNaN)) return;
	// Forward results have no Function of their own in PyTorch, so the op is named by its grad_fn.
	throw new AutogradError(
		`anomaly: the forward op of '${node.name()}' returned nan values from inputs without nan.${origin(node)}`
	);
}

export function checkBackward(node: Node, grads: readonly (Tensor | null)[]): void {
	grads.forEach((grad, i) => {
		if (grad && hasNaN(grad)) {
			throw new AutogradError(
				`anomaly: Function '${node.name()}' returned nan values in its ${i}th output.${origin(node)}`
			);
		}
	});
}

function hasNaN(t: Tensor): boolean {
	if (!t.dtype.is_floating_point) return false;
	const read = t.storage.backend.readSync;
	if (!read) {
		throw new AutogradError(
			`anomaly detection reads every result as it is computed, which the ` +
				`${t.storage.backend.name} backend cannot do. Run this code on the CPU backend ` +
				`(torch.set_backend('cpu'), or backend=cpu in the playground's address) to find the op.`
		);
	}
	const values = read.call(t.storage.backend, t);
	for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return true;
	return false;
}

// The creation stack, without the engine's own frames, so the user's line comes first.
function origin(node: Node): string {
	if (!node.stack) return '';
	const lines = node.stack.split('\n').slice(1);
	const user = lines.filter((line) => !/lib[\\/]engine[\\/]/.test(line));
	// A bundled build hides the engine's paths, so nothing is filtered out; keep more frames
	// there so the caller's own frame (a notebook cell, further down) is still among them.
	const shown = (user.length > 0 ? user : lines)
		.slice(0, user.length < lines.length ? 4 : 16)
		.map((line) => line.trim())
		.join('\n  ');
	return ` The op was created at:\n  ${shown}`;
}
