/**
 * Tensor dtypes and type promotion. Storage per dtype on the CPU backend:
 * float32 in a Float32Array, float64 in a Float64Array, bool in a Uint8Array (0 or 1), and
 * int64 in a Float64Array. Storing int64 as float64 keeps every integer up to 2^53 exact and
 * lets kernels share loops with the float dtypes. Values beyond 2^53 lose their low bits, and
 * reads return JS numbers, never bigints.
 */
import { DTypeError } from './errors';

export type DTypeName = 'float32' | 'float64' | 'int64' | 'bool';

/** A tensor element type, as `torch.float32`; compare dtypes with `===`. */
export class DType {
	constructor(
		readonly name: DTypeName,
		readonly is_floating_point: boolean,
		readonly itemsize: number
	) {}

	toString(): string {
		return `torch.${this.name}`;
	}
}

export const float32 = new DType('float32', true, 4);
export const float64 = new DType('float64', true, 8);
export const int64 = new DType('int64', false, 8);
export const bool = new DType('bool', false, 1);

/** A dtype argument: `torch.float32`, `'float32'`, or one of PyTorch's aliases. */
export type DTypeLike = DType | DTypeName | 'float' | 'double' | 'long';

export type TypedArray = Float32Array | Float64Array | Uint8Array;

const BY_NAME: Record<string, DType> = {
	float32,
	float: float32,
	float64,
	double: float64,
	int64,
	long: int64,
	bool
};

/** Resolves a dtype argument; throws DTypeError naming the accepted spellings. */
export function toDType(value: DTypeLike): DType {
	if (value instanceof DType) return value;
	const dtype = BY_NAME[value];
	if (dtype) return dtype;
	throw new DTypeError(
		`dtype: expected one of torch.float32, torch.float64, torch.int64, torch.bool (or their names as strings), got ${String(value)}`
	);
}

/** Allocates zeroed host memory for `size` elements of `dtype`. */
export function typedArrayFor(dtype: DType, size: number): TypedArray {
	if (dtype === float32) return new Float32Array(size);
	if (dtype === bool) return new Uint8Array(size);
	return new Float64Array(size);
}

const RANK: Record<DTypeName, number> = { bool: 0, int64: 1, float32: 2, float64: 3 };

/** Returns the dtype both operands convert to, as `torch.promote_types`. */
export function promoteTypes(a: DType, b: DType): DType {
	return RANK[a.name] >= RANK[b.name] ? a : b;
}

/**
 * Returns the result dtype of a tensor op with a JS number, following PyTorch's rule that a Python
 * scalar only changes the category: int64 + 2.5 gives float32, float32 + 2.5 stays float32.
 */
export function promoteWithScalar(dtype: DType, scalar: number | boolean): DType {
	if (typeof scalar === 'boolean') return dtype;
	if (dtype.is_floating_point) return dtype;
	if (!Number.isInteger(scalar)) return float32;
	return dtype === bool ? int64 : dtype;
}

/** Rounds a JS number to what a tensor of `dtype` stores. */
export function castScalar(value: number, dtype: DType): number {
	if (dtype === float32) return Math.fround(value);
	if (dtype === int64) return Math.trunc(value);
	if (dtype === bool) return value ? 1 : 0;
	return value;
}
