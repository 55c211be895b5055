import { describe, expect, test } from 'vitest';
import {
	foldWorkgroups,
	Params,
	WgslWriter
} from '../../../../../../src/lib/engine/backends/webgpu/wgsl/emit';

describe('foldWorkgroups', () => {
	test('foldWorkgroups keeps counts under the limit in x', () => {
		expect(foldWorkgroups(65535, 65535)).toEqual([65535, 1, 1]);
		expect(foldWorkgroups(0, 65535)).toEqual([1, 1, 1]);
	});

	test('foldWorkgroups folds larger counts into x and y covering every group', () => {
		const [x, y] = foldWorkgroups(131073, 65535);
		expect(x).toBeLessThanOrEqual(65535);
		expect(y).toBeLessThanOrEqual(65535);
		expect(x * y).toBeGreaterThanOrEqual(131073);
		expect(x * (y - 1)).toBeLessThan(131073);
	});
});

describe('Params', () => {
	test('Params gives the struct and its bytes in one order', () => {
		const params = new Params().u32('numel', 7).f32('p', 0.5).i32('q', -2);
		expect(params.struct()).toBe('struct Params {\n\tnumel: u32,\n\tp: f32,\n\tq: i32,\n}');
		const view = new DataView(params.bytes());
		expect(view.byteLength).toBe(16);
		expect(view.getUint32(0, true)).toBe(7);
		expect(view.getFloat32(4, true)).toBe(0.5);
		expect(view.getInt32(8, true)).toBe(-2);
	});
});

describe('WgslWriter', () => {
	test('WgslWriter indents blocks with tabs', () => {
		const w = new WgslWriter().open('fn main()').line('let x = 1;').close();
		expect(w.toString()).toBe('fn main() {\n\tlet x = 1;\n}\n');
	});
});
