/**
 * The numbers a chart plots, as the `data-values` attribute and the data table show them.
 * JSON has no NaN or Infinity, so non-finite numbers are written as the strings "NaN",
 * "Infinity" and "-Infinity", the same spelling as the golden PyTorch files.
 */

/** JSON text of `value`, with every non-finite number written as a string. */
export function encodeDataValues(value: unknown): string {
	return JSON.stringify(value, (_key, v) =>
		typeof v === 'number' && !Number.isFinite(v) ? String(v) : v
	);
}

/** Inverse of `encodeDataValues`, for tests and for anyone reading the attribute. */
export function decodeDataValues(text: string): unknown {
	return JSON.parse(text, (_key, v) => (NON_FINITE.has(v) ? Number(v) : v));
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/**
 * Formats a number exactly as stored, in JavaScript's shortest round-trip form. A tooltip or
 * table cell then reads back as the same double ("0.1", "5.792895e-18", "Infinity").
 */
export function formatExact(value: number): string {
	return Object.is(value, -0) ? '0' : String(value);
}
