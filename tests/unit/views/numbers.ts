/** SVG attribute fields of the view models, whose text must never contain NaN or Infinity. */
const GEOMETRY_KEYS = new Set(['d', 'path', 'curve', 'pathLine', 'fill', 'color']);

/** Lists every number inside `value` with its path. A geometry string with NaN counts as NaN. */
export function numbersIn(value: unknown, path = '$', key = ''): [string, number][] {
	if (typeof value === 'number') return [[path, value]];
	if (typeof value === 'string') {
		const bad = GEOMETRY_KEYS.has(key) && /NaN|Infinity|undefined/.test(value);
		return bad ? [[`${path} (string "${value}")`, NaN]] : [];
	}
	if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`, key));
	if (value && typeof value === 'object') {
		return Object.entries(value).flatMap(([k, v]) =>
			typeof v === 'function' ? [] : numbersIn(v, `${path}.${k}`, k)
		);
	}
	return [];
}

/** Paths of non-finite numbers, and of geometry strings that contain NaN or Infinity. */
export function nonFinitePaths(value: unknown): string[] {
	return numbersIn(value)
		.filter(([, v]) => !Number.isFinite(v))
		.map(([path]) => path);
}
