/** Finding what the pointer is over, for tooltips: a box it is inside, else the nearest point. */

export interface HitTarget {
	x: number;
	y: number;
	/** With a size the target is a box from (x, y); without, a point. */
	width?: number;
	height?: number;
	text: string;
}

/** Finds the box containing (px, py), else the nearest point within `radius` pixels, else null. */
export function hitTest(
	targets: HitTarget[],
	px: number,
	py: number,
	radius = 24
): HitTarget | null {
	let best: HitTarget | null = null;
	let bestDistance = radius * radius;
	for (const t of targets) {
		if (t.width !== undefined && t.height !== undefined) {
			if (px >= t.x && px <= t.x + t.width && py >= t.y && py <= t.y + t.height) return t;
			continue;
		}
		const d = (t.x - px) ** 2 + (t.y - py) ** 2;
		if (d <= bestDistance) {
			best = t;
			bestDistance = d;
		}
	}
	return best;
}
