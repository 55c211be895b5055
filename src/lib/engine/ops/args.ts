/** Parsing of PyTorch-style optional arguments: dims given positionally or as `{ dim }`. */
import { ValueError } from '../errors';

export type DimArg = number | readonly number[];

export interface DimOptions {
	dim?: DimArg | null;
	keepdim?: boolean;
}

export interface ResolvedDims {
	dims: readonly number[] | null;
	keepdim: boolean;
}

/**
 * Reads `(dim?, keepdim?)`, `({ dim, keepdim })` or `(dim, { keepdim })`. A missing dim means
 * every dim.
 */
export function dimArgs(
	dim?: DimArg | DimOptions | null,
	keepdim?: boolean | DimOptions
): ResolvedDims {
	const options: DimOptions = isOptions(dim)
		? dim
		: { dim, ...(isOptions(keepdim) ? keepdim : { keepdim }) };
	return { dims: dimList(options.dim), keepdim: options.keepdim ?? false };
}

/** Turns a dim argument into a list of dims, or null for "all dims". */
export function dimList(dim: DimArg | null | undefined): readonly number[] | null {
	if (dim === undefined || dim === null) return null;
	return typeof dim === 'number' ? [dim] : dim;
}

/** Reads one required dim given positionally or as `{ dim }`. */
export function singleDim(
	op: string,
	dim: number | DimOptions | undefined,
	fallback?: number
): number {
	const value = isOptions(dim) ? dim.dim : dim;
	if (value === undefined || value === null) {
		if (fallback !== undefined) return fallback;
		throw new ValueError(`${op}: missing required argument 'dim'`);
	}
	if (typeof value !== 'number')
		throw new ValueError(`${op}: dim must be a single integer, got [${value}]`);
	return value;
}

/** Tells whether an argument is a trailing options object (not an array, typed array or tensor). */
export function isOptions<T extends object = DimOptions>(value: unknown): value is T {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		!ArrayBuffer.isView(value) &&
		!('storage' in value)
	);
}
