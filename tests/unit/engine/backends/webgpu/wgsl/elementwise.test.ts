import { describe, expect, test } from 'vitest';
import { Params } from '../../../../../../src/lib/engine/backends/webgpu/wgsl/emit';
import {
	elementwiseKey,
	elementwiseSource,
	type ElementwiseSpec
} from '../../../../../../src/lib/engine/backends/webgpu/wgsl/elementwise';

const spec: ElementwiseSpec = {
	op: 'add',
	operands: [
		{ kind: 'tensor', type: 'f32', viaOutput: false },
		{ kind: 'tensor', type: 'f32', viaOutput: false }
	],
	computeType: 'f32',
	outType: 'f32',
	rank: 2,
	flat: false
};

function params(): Params {
	const p = new Params().u32('numel', 6).u32('shape_0', 2).u32('shape_1', 3);
	for (const name of ['out', 'a', 'b'])
		p.u32(`${name}_offset`, 0).u32(`${name}_stride_0`, 3).u32(`${name}_stride_1`, 1);
	return p.f32('p', 1);
}

describe('elementwise kernels', () => {
	test('elementwiseKey changes with everything that changes the WGSL', () => {
		const keys = new Set([
			elementwiseKey(spec),
			elementwiseKey({ ...spec, rank: 3 }),
			elementwiseKey({ ...spec, rank: 1, flat: true }),
			elementwiseKey({ ...spec, op: 'sub' }),
			elementwiseKey({ ...spec, outType: 'i32' }),
			elementwiseKey({ ...spec, operands: [spec.operands[0], { kind: 'scalar' }] }),
			elementwiseKey({
				...spec,
				operands: [{ kind: 'tensor', type: 'f32', viaOutput: true }, spec.operands[1]]
			})
		]);
		expect(keys.size).toBe(7);
	});

	test('elementwiseSource reads each operand at its own strides', () => {
		const wgsl = elementwiseSource(spec, params()).wgsl();
		expect(wgsl).toContain('@group(0) @binding(2) var<storage, read> a: array<f32>;');
		expect(wgsl).toContain(
			'let a_value = a[params.a_offset + i_0 * params.a_stride_0 + i_1 * params.a_stride_1];'
		);
		expect(wgsl).toContain('out[out_index] = a_value + params.p * b_value;');
	});

	test('flat kernel reads offset + i, four per thread', () => {
		const wgsl = elementwiseSource({ ...spec, rank: 1, flat: true }, params()).wgsl();
		expect(wgsl).toContain('let a_value = a[params.a_offset + i];');
		expect(wgsl).toContain('let out_index = params.out_offset + i;');
		expect(wgsl).not.toMatch(/\* params\.\w+_stride/);
		const calls = wgsl.match(/element\(first \+ \du\);/g) ?? [];
		expect(calls).toEqual([
			'element(first + 0u);',
			'element(first + 1u);',
			'element(first + 2u);',
			'element(first + 3u);'
		]);
		expect(wgsl).toContain('for (var j = first; j < params.numel; j++)');
	});

	test('elementwiseSource reads an in-place operand through the output binding', () => {
		const inPlace: ElementwiseSpec = {
			...spec,
			operands: [{ kind: 'tensor', type: 'f32', viaOutput: true }, spec.operands[1]]
		};
		const wgsl = elementwiseSource(inPlace, params()).wgsl();
		expect(wgsl).not.toContain('var<storage, read> a:');
		expect(wgsl).toContain('let a_value = out[out_index];');
	});
});
