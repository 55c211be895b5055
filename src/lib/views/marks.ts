/** matplotlib marker and line style names, as SVG path data and stroke dash arrays. */

import {
	symbol,
	symbolCircle,
	symbolDiamond,
	symbolPlus,
	symbolSquare,
	symbolStar,
	symbolTimes,
	symbolTriangle,
	type SymbolType
} from 'd3';

export interface MarkerShape {
	/** Path data centred on the origin. */
	d: string;
	/** Plus and times are strokes only; the rest are filled. */
	filled: boolean;
	/** Degrees: 'v' is '^' turned over. */
	rotate: number;
}

// Areas in square pixels: matplotlib's default marker is 6 points across, about 8 px at 96 dpi.
const MARKERS: Record<string, [SymbolType, number, boolean, number]> = {
	o: [symbolCircle, 50, true, 0],
	'.': [symbolCircle, 14, true, 0],
	s: [symbolSquare, 45, true, 0],
	D: [symbolDiamond, 45, true, 0],
	d: [symbolDiamond, 30, true, 0],
	'^': [symbolTriangle, 45, true, 0],
	v: [symbolTriangle, 45, true, 180],
	'*': [symbolStar, 60, true, 0],
	'+': [symbolPlus, 60, false, 0],
	x: [symbolTimes, 50, false, 0]
};

/** Returns the shape of a matplotlib marker. An unknown marker draws as a circle. */
export function markerShape(marker: string): MarkerShape {
	const [type, size, filled, rotate] = MARKERS[marker] ?? MARKERS.o;
	return { d: symbol(type, size)() ?? '', filled, rotate };
}

/** True for the names matplotlib uses for "no line". */
export function isNoLine(linestyle: string | undefined): boolean {
	return linestyle === 'none' || linestyle === 'None' || linestyle === '' || linestyle === ' ';
}

// matplotlib's dash patterns for a 1.5 pt line, in pixels.
const DASHES: Record<string, string> = {
	'--': '5.5 2.4',
	dashed: '5.5 2.4',
	':': '1.5 2.5',
	dotted: '1.5 2.5',
	'-.': '6.4 1.6 1 1.6',
	dashdot: '6.4 1.6 1 1.6'
};

/** Returns the `stroke-dasharray` for a line style, or null for a solid line. */
export function dashArray(linestyle: string | undefined): string | null {
	return (linestyle && DASHES[linestyle]) || null;
}
