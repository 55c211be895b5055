/** Module.state_dict and load_state_dict: parameters and buffers by dotted name. */
import { no_grad } from '../autograd';
import { sameShape, formatShape } from '../shape';
import type { Tensor } from '../tensor';
import type { AnyModule } from './module';

/** Parameters, then persistent buffers, of each module in `named_modules` order. */
export function collectStateDict(
	root: AnyModule,
	prefix: string,
	keepVars: boolean
): Record<string, Tensor> {
	const out: Record<string, Tensor> = {};
	for (const [path, module] of root.named_modules({ prefix })) {
		const at = path ? `${path}.` : '';
		for (const [name, p] of module._parameters) {
			if (p !== null) out[at + name] = keepVars ? p : p.detach();
		}
		for (const [name, b] of module._buffers) {
			if (b === null || module._non_persistent_buffers_set.has(name)) continue;
			out[at + name] = keepVars ? b : b.detach();
		}
	}
	return out;
}

/** Checks every key and shape first, then copies, so a failed load changes nothing. */
export function loadStateDict(
	root: AnyModule,
	stateDict: Record<string, Tensor> | Map<string, Tensor>,
	strict: boolean
): { missing_keys: string[]; unexpected_keys: string[] } {
	const entries = new Map(stateDict instanceof Map ? stateDict : Object.entries(stateDict));
	const own = collectStateDict(root, '', true);
	const missing_keys = Object.keys(own).filter((key) => !entries.has(key));
	const unexpected_keys = [...entries.keys()].filter((key) => !(key in own));

	const errors: string[] = [];
	if (strict && missing_keys.length > 0) {
		errors.push(`Missing key(s) in state_dict: ${missing_keys.map(quote).join(', ')}.`);
	}
	if (strict && unexpected_keys.length > 0) {
		errors.push(`Unexpected key(s) in state_dict: ${unexpected_keys.map(quote).join(', ')}.`);
	}
	for (const [key, target] of Object.entries(own)) {
		const source = entries.get(key);
		if (source !== undefined && !sameShape(source.shape, target.shape)) {
			errors.push(
				`size mismatch for ${key}: copying a param with shape ${formatShape(source.shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`
			);
		}
	}
	if (errors.length > 0) {
		throw new Error(
			`Error(s) in loading state_dict for ${root._get_name()}:\n\t${errors.join('\n\t')}`
		);
	}

	no_grad(() => {
		for (const [key, target] of Object.entries(own)) {
			const source = entries.get(key);
			if (source !== undefined) target.copy_(source);
		}
	});
	return { missing_keys, unexpected_keys };
}

function quote(key: string): string {
	return `"${key}"`;
}
