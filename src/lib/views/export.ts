/**
 * Saving a chart as a standalone SVG or PNG file. The page styles charts with CSS classes and
 * variables, which a file opened elsewhere does not have, so the export copies each element's
 * computed style inline and paints the theme's background behind the chart.
 */

const STYLE_PROPERTIES = [
	'fill',
	'fill-opacity',
	'stroke',
	'stroke-width',
	'stroke-opacity',
	'stroke-dasharray',
	'stroke-linejoin',
	'stroke-linecap',
	'opacity',
	'font-family',
	'font-size',
	'font-weight',
	'text-anchor',
	'dominant-baseline',
	'paint-order',
	'stop-color',
	'stop-opacity',
	'shape-rendering',
	'visibility'
];

// Computed values that equal SVG's initial values add nothing to the file, so they are skipped.
const INITIAL_VALUES = new Set([
	'opacity:1',
	'fill-opacity:1',
	'stroke-opacity:1',
	'stop-opacity:1',
	'stroke-dasharray:none',
	'paint-order:normal',
	'shape-rendering:auto',
	'visibility:visible',
	'dominant-baseline:auto',
	'stroke-linejoin:miter',
	'stroke-linecap:butt'
]);

/** SVG text for `svg` that renders the same without the page's style sheets. */
export function standaloneSvg(svg: SVGSVGElement): string {
	const clone = svg.cloneNode(true) as SVGSVGElement;
	const sources = [svg, ...svg.querySelectorAll('*')];
	const targets = [clone, ...clone.querySelectorAll('*')];
	sources.forEach((source, i) => {
		const computed = getComputedStyle(source);
		const style = STYLE_PROPERTIES.map((p) => `${p}:${computed.getPropertyValue(p)}`)
			.filter((declaration) => !INITIAL_VALUES.has(declaration))
			.join(';');
		targets[i].setAttribute('style', style);
	});

	const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
	background.setAttribute('width', '100%');
	background.setAttribute('height', '100%');
	background.setAttribute(
		'fill',
		getComputedStyle(svg).getPropertyValue('--gp-bg').trim() || '#ffffff'
	);
	clone.insertBefore(background, clone.firstChild);
	clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
	return new XMLSerializer().serializeToString(clone);
}

export function downloadSvg(svg: SVGSVGElement, name: string): void {
	download(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }), `${name}.svg`);
}

/** Renders the standalone SVG onto a canvas at `scale` times its size and saves it as PNG. */
export async function downloadPng(svg: SVGSVGElement, name: string, scale = 2): Promise<void> {
	const image = new Image();
	image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(standaloneSvg(svg))}`;
	await image.decode();

	const canvas = document.createElement('canvas');
	canvas.width = Math.round(svg.width.baseVal.value * scale);
	canvas.height = Math.round(svg.height.baseVal.value * scale);
	const context = canvas.getContext('2d');
	if (!context) throw new Error('export: the browser gave no 2-D canvas context, so no PNG.');
	context.drawImage(image, 0, 0, canvas.width, canvas.height);

	const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
	if (!blob) throw new Error('export: the canvas could not be encoded as PNG.');
	download(blob, `${name}.png`);
}

function download(blob: Blob, filename: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = filename;
	link.click();
	// The click starts the download synchronously; the URL only has to live until then.
	setTimeout(() => URL.revokeObjectURL(url), 0);
}
