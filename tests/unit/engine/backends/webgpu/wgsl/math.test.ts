import { describe, expect, test } from 'vitest';
import { mathLibrary } from '../../../../../../src/lib/engine/backends/webgpu/wgsl/math';

const defined = (source: string) => [...source.matchAll(/^fn (\w+)\(/gm)].map((m) => m[1]);

describe('mathLibrary', () => {
	test('mathLibrary defines each function once, callees before callers', () => {
		const source = mathLibrary(['tan_f32', 'erf_f32', 'log1p_f32', 'pow_scalar_f32', 'tanh_f32']);
		const names = defined(source);
		expect(new Set(names).size).toBe(names.length);
		names.forEach((name, i) => {
			const body = source.slice(source.indexOf(`fn ${name}(`));
			for (const callee of names.slice(i + 1)) {
				const ownBody = body.slice(0, body.indexOf('\n}') + 2);
				expect(ownBody.includes(`${callee}(`), `${name} calls ${callee}, defined later`).toBe(
					false
				);
			}
		});
	});

	test('mathLibrary rejects an unknown function', () => {
		expect(() => mathLibrary(['gamma_f32'])).toThrow(/no WGSL math function gamma_f32/);
	});

	test('mathLibrary keeps infinity out of constant expressions', () => {
		const source = mathLibrary(['exp_f32']);
		expect(source).not.toMatch(/const \w+: f32 = bitcast/);
		expect(source).toContain('var<private> INF_BITS: u32 = 0x7f800000u;');
	});
});
