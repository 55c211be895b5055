/**
 * Full backward hooks for modules, as `register_full_backward_hook`. As in PyTorch's
 * BackwardHook, the module's tensor inputs and outputs pass through identity views. A tensor
 * hook on each output view records grad_output, and a hook on each input view records
 * grad_input. When the last expected input gradient arrives, the module's hooks run.
 */
import { gradMode } from '../autograd';
import { Tensor } from '../tensor';
import type { Module } from './module';

/** A full backward hook: may return replacement gradients for the module's tensor inputs. */
export type BackwardHook = (
	module: Module,
	grad_input: (Tensor | null)[],
	grad_output: (Tensor | null)[]
) => (Tensor | null)[] | void;

interface BackwardSetup {
	input: unknown[];
	wrapOutput(output: unknown): unknown;
}

/** Wraps one call's inputs; returns null when grad mode is off (no backward will run). */
export function setUpBackwardHooks(module: Module, args: unknown[]): BackwardSetup | null {
	if (!gradMode.enabled) return null;
	const tensorArgs = args.filter((a): a is Tensor => a instanceof Tensor);
	const gradInput: (Tensor | null)[] = tensorArgs.map(() => null);
	let gradOutput: (Tensor | null)[] = [];
	let pendingInputs = tensorArgs.filter((t) => t.requires_grad).length;
	let pendingOutputs = 0;

	const runHooks = (): (Tensor | null)[] => {
		let result = gradInput;
		for (const hook of module._backward_hooks.values()) {
			const replaced = hook(module, result, gradOutput);
			if (replaced) result = checkReplacement(module, replaced, result);
		}
		return result;
	};

	// TODO: with several tensor inputs, a replacement returned by the hook reaches only the
	// input whose gradient arrives last; the others have already flowed on.
	let position = 0;
	const input = args.map((arg) => {
		if (!(arg instanceof Tensor)) return arg;
		const k = position++;
		if (!arg.requires_grad) return arg;
		const view = arg.view_as(arg);
		view.register_hook((grad: Tensor) => {
			gradInput[k] = grad;
			pendingInputs -= 1;
			if (pendingInputs === 0) return runHooks()[k] ?? undefined;
		});
		return view;
	});

	const wrapOutput = (output: unknown): unknown => {
		const outputs = Array.isArray(output) ? output : [output];
		gradOutput = outputs.map(() => null);
		const wrapped = outputs.map((out, k) => {
			if (!(out instanceof Tensor) || !out.requires_grad) return out;
			pendingOutputs += 1;
			const view = out.view_as(out);
			view.register_hook((grad: Tensor) => {
				(gradOutput as (Tensor | null)[])[k] = grad;
				pendingOutputs -= 1;
				// Without inputs that need gradients no input hook fires, so run the hooks here.
				if (pendingOutputs === 0 && pendingInputs === 0) runHooks();
			});
			return view;
		});
		return Array.isArray(output) ? wrapped : wrapped[0];
	};

	return { input, wrapOutput };
}

function checkReplacement(
	module: Module,
	replaced: (Tensor | null)[],
	previous: (Tensor | null)[]
): (Tensor | null)[] {
	if (!Array.isArray(replaced) || replaced.length !== previous.length) {
		throw new Error(
			`backward hook of ${module._get_name()} returned ${Array.isArray(replaced) ? replaced.length : 'a non-array'} gradients, but the module has ${previous.length} tensor inputs. Return one gradient (or null) per input.`
		);
	}
	return replaced;
}
