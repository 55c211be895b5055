/**
 * Shared pieces of every kernel builder: a line emitter that indents, the uniform struct that
 * carries sizes, strides and scalars, the mapping from dtypes to WGSL types, and the index
 * arithmetic that turns a row-major element number into a strided offset.
 */
import { bool, float32, int64, type DType } from '../../../dtype';
import { UnsupportedOpError } from '../../../errors';

/** WGSL storage types: float32 is f32, int64 is i32 (values must fit), bool is u32 (0 or 1). */
export type WgslType = 'f32' | 'i32' | 'u32';

export function wgslTypeOf(dtype: DType): WgslType {
	if (dtype === float32) return 'f32';
	if (dtype === int64) return 'i32';
	if (dtype === bool) return 'u32';
	throw new UnsupportedOpError(
		'tensors',
		dtype.name,
		'webgpu',
		'WGSL has no 64-bit floats; use float32 on WebGPU'
	);
}

/** Builds WGSL text line by line, indenting with tabs. */
export class WgslWriter {
	private readonly lines: string[] = [];
	private depth = 0;

	line(text = ''): this {
		this.lines.push(text ? '\t'.repeat(this.depth) + text : '');
		return this;
	}

	/** Writes `head {` and indents until the matching `close`. */
	open(head: string): this {
		this.line(`${head} {`);
		this.depth++;
		return this;
	}

	close(tail = ''): this {
		this.depth--;
		return this.line(`}${tail}`);
	}

	/** Appends pre-formatted WGSL (a library function), keeping its own indentation. */
	raw(text: string): this {
		for (const line of text.trim().split('\n')) this.lines.push(line);
		return this;
	}

	toString(): string {
		return this.lines.join('\n') + '\n';
	}
}

type ParamType = 'u32' | 'i32' | 'f32';

/**
 * The uniform struct of one dispatch. Fields are added in a fixed order by the builder, so
 * the same calls give the WGSL struct (on a pipeline cache miss) and the bytes (every call).
 */
export class Params {
	private readonly names: string[] = [];
	private readonly types: ParamType[] = [];
	private readonly values: number[] = [];

	u32(name: string, value: number): this {
		return this.add(name, 'u32', value);
	}

	i32(name: string, value: number): this {
		return this.add(name, 'i32', value);
	}

	f32(name: string, value: number): this {
		return this.add(name, 'f32', value);
	}

	/** A scalar in the kernel's compute type. */
	scalar(name: string, type: WgslType, value: number): this {
		if (type === 'f32') return this.f32(name, value);
		return this.add(name, type, type === 'u32' ? (value ? 1 : 0) : Math.trunc(value));
	}

	get isEmpty(): boolean {
		return this.names.length === 0;
	}

	struct(): string {
		const fields = this.names.map((name, i) => `\t${name}: ${this.types[i]},`);
		return ['struct Params {', ...fields, '}'].join('\n');
	}

	bytes(): ArrayBuffer {
		const buffer = new ArrayBuffer(Math.max(16, Math.ceil((this.values.length * 4) / 16) * 16));
		const view = new DataView(buffer);
		for (let i = 0; i < this.values.length; i++) {
			const type = this.types[i];
			if (type === 'f32') view.setFloat32(i * 4, this.values[i], true);
			else if (type === 'i32') view.setInt32(i * 4, this.values[i], true);
			else view.setUint32(i * 4, this.values[i], true);
		}
		return buffer;
	}

	private add(name: string, type: ParamType, value: number): this {
		this.names.push(name);
		this.types.push(type);
		this.values.push(value);
		return this;
	}
}

/** The binding line of the uniform struct, always binding 0. */
export const PARAMS_BINDING = '@group(0) @binding(0) var<uniform> params: Params;';

export function storageBinding(
	binding: number,
	name: string,
	type: WgslType | string,
	access: 'read' | 'read_write'
): string {
	return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type}>;`;
}

/**
 * Emits `let <prefix>_d = ...` for each dim d, splitting the row-major element number
 * `linear` over the sizes `params.<shape>_d`.
 */
export function emitSplitIndex(
	w: WgslWriter,
	linear: string,
	rank: number,
	shape: string,
	prefix: string
): void {
	if (rank === 0) return;
	if (rank === 1) {
		w.line(`let ${prefix}_0 = ${linear};`);
		return;
	}
	w.line(`var ${prefix}_rest = ${linear};`);
	for (let d = rank - 1; d > 0; d--) {
		w.line(`let ${prefix}_${d} = ${prefix}_rest % params.${shape}_${d};`);
		w.line(`${prefix}_rest = ${prefix}_rest / params.${shape}_${d};`);
	}
	w.line(`let ${prefix}_0 = ${prefix}_rest;`);
}

/** `params.<name>_offset + i_0 * params.<name>_stride_0 + ...` for an operand's view. */
export function offsetExpression(name: string, rank: number, index: string): string {
	const terms = [`params.${name}_offset`];
	for (let d = 0; d < rank; d++) terms.push(`${index}_${d} * params.${name}_stride_${d}`);
	return terms.join(' + ');
}

/** Adds `<name>_offset` and `<name>_stride_d` fields for a view's geometry. */
export function addViewParams(
	params: Params,
	name: string,
	strides: readonly number[],
	offset: number
): void {
	params.u32(`${name}_offset`, offset);
	for (let d = 0; d < strides.length; d++) params.u32(`${name}_stride_${d}`, strides[d]);
}

export function addShapeParams(params: Params, name: string, shape: readonly number[]): void {
	for (let d = 0; d < shape.length; d++) params.u32(`${name}_${d}`, shape[d]);
}

/** The entry point header of a 1-D kernel folded into a 2-D dispatch, with `i` its element. */
export function emitFlatEntry(w: WgslWriter, workgroupSize: number): void {
	w.line(`@compute @workgroup_size(${workgroupSize})`);
	w.open(
		'fn main(@builtin(global_invocation_id) gid: vec3<u32>, ' +
			'@builtin(num_workgroups) groups: vec3<u32>)'
	);
	w.line(`let i = gid.y * groups.x * ${workgroupSize}u + gid.x;`);
}

/**
 * Workgroup counts for `groups` workgroups. Adapters cap each dimension
 * (maxComputeWorkgroupsPerDimension, 65535 by default), so larger counts fold into x and y;
 * kernels recover the flat number as y * groups.x + x and skip the surplus.
 */
export function foldWorkgroups(groups: number, maxPerDimension: number): [number, number, number] {
	if (groups <= maxPerDimension) return [Math.max(groups, 1), 1, 1];
	const y = Math.ceil(groups / maxPerDimension);
	if (y > maxPerDimension) {
		throw new RangeError(`webgpu: ${groups} workgroups do not fit one dispatch`);
	}
	return [Math.ceil(groups / y), y, 1];
}

/** The conversion of a value of WGSL type `from` to `to`, following PyTorch's casts. */
export function convert(expression: string, from: WgslType | 'bool', to: WgslType): string {
	if (from === to) return expression;
	if (from === 'bool') {
		return to === 'f32'
			? `select(0.0, 1.0, ${expression})`
			: `select(0${to[0]}, 1${to[0]}, ${expression})`;
	}
	// Any nonzero value converts to true, NaN included, as in PyTorch.
	if (to === 'u32') return `select(0u, 1u, !(${expression} == ${zeroOf(from)}))`;
	return `${to}(${expression})`;
}

export function zeroOf(type: WgslType): string {
	return type === 'f32' ? '0.0' : type === 'i32' ? '0i' : '0u';
}
