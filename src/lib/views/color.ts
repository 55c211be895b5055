/**
 * Colours: matplotlib's default cycle for series, its single-letter and `C0`…`C9` names,
 * colormaps by matplotlib name, and the scale behind heat maps and contour fills.
 * Colour strings come from untrusted cells, so only colour syntax passes through.
 */

import {
	interpolateBlues,
	interpolateCividis,
	interpolateGreys,
	interpolateInferno,
	interpolateMagma,
	interpolatePlasma,
	interpolateRdBu,
	interpolateReds,
	interpolateViridis,
	schemeCategory10
} from 'd3';

/** matplotlib's `tab10`, the default property cycle; d3's category10 has the same hex values. */
export const CYCLE: readonly string[] = schemeCategory10;

const LETTERS: Record<string, string> = {
	b: '#0000ff',
	g: '#008000',
	r: '#ff0000',
	c: '#00bfbf',
	m: '#bf00bf',
	y: '#bfbf00',
	k: '#000000',
	w: '#ffffff'
};

const TAB_NAMES = [
	'blue',
	'orange',
	'green',
	'red',
	'purple',
	'brown',
	'pink',
	'gray',
	'olive',
	'cyan'
];

const CSS_COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\))$/i;

/** Returns the colour of series `index`: its own when valid, otherwise the cycle's next one. */
export function seriesColor(color: string | undefined, index: number): string {
	return parseColor(color) ?? CYCLE[index % CYCLE.length];
}

/** Converts a matplotlib colour name to CSS. Returns null when `color` is not a colour. */
export function parseColor(color: string | undefined): string | null {
	if (!color) return null;
	const text = color.trim();
	if (LETTERS[text]) return LETTERS[text];
	const cycle = /^C(\d)$/.exec(text);
	if (cycle) return CYCLE[Number(cycle[1])];
	const tab = /^tab:(\w+)$/.exec(text);
	if (tab && TAB_NAMES.includes(tab[1])) return CYCLE[TAB_NAMES.indexOf(tab[1])];
	return CSS_COLOR.test(text) ? text : null;
}

const COLORMAPS: Record<string, (t: number) => string> = {
	viridis: interpolateViridis,
	plasma: interpolatePlasma,
	inferno: interpolateInferno,
	magma: interpolateMagma,
	cividis: interpolateCividis,
	gray: (t) => interpolateGreys(1 - t),
	grey: (t) => interpolateGreys(1 - t),
	Greys: interpolateGreys,
	Blues: interpolateBlues,
	Reds: interpolateReds,
	RdBu: interpolateRdBu,
	coolwarm: (t) => interpolateRdBu(1 - t)
};

/** Looks up a matplotlib colormap by name. Unknown names get viridis, the default. */
export function colormap(name: string | undefined): {
	interpolate: (t: number) => string;
	name: string;
} {
	if (name && COLORMAPS[name]) return { interpolate: COLORMAPS[name], name };
	return { interpolate: interpolateViridis, name: 'viridis' };
}

/**
 * Maps values onto a colormap over `domain`, in log10 space when `log` is set. Values outside
 * the domain take the end colours; callers draw zero and non-finite values in their own colours.
 */
export function colorScale(
	domain: [number, number],
	log: boolean,
	interpolate: (t: number) => string
): (value: number) => string {
	const forward = log ? Math.log10 : (v: number) => v;
	const lo = forward(domain[0]);
	const span = forward(domain[1]) - lo;
	return (value) => {
		const t = span > 0 ? (forward(value) - lo) / span : 0.5;
		return interpolate(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)));
	};
}
