/**
 * The HTML a blog author pastes to embed a notebook: an iframe on `/embed` and the script that
 * resizes it to its content.
 */

/**
 * Sandbox tokens every snippet carries. `allow-scripts` runs the app. `allow-same-origin` keeps
 * the frame's own origin, without which its module scripts do not load and its notebook worker
 * gets no WebGPU; it does not give the frame access to the blog page, which is another site.
 * `allow-popups` and `allow-popups-to-escape-sandbox` let "Open in playground" open a normal,
 * unsandboxed tab.
 */
export const EMBED_SANDBOX = [
	'allow-scripts',
	'allow-same-origin',
	'allow-popups',
	'allow-popups-to-escape-sandbox'
] as const;

/** Height before the frame reports its own, in CSS pixels. */
export const INITIAL_EMBED_HEIGHT = 480;

export interface EmbedSnippetOptions {
	/** The `/embed#…` link, from `embedLink` in link.ts. */
	src: string;
	/** The notebook's title; the frame's `title` names it for screen readers. */
	title: string;
	/** Absolute URL of static/embed-resize.js on the playground's host. */
	resizeScript: string;
}

/** Returns the `<iframe>` and `<script>` elements to paste into a page. */
export function embedSnippet({ src, title, resizeScript }: EmbedSnippetOptions): string {
	const frameTitle = `${title || 'Notebook'} (Gradient Playground)`;
	const iframe = [
		'<iframe',
		`  src="${escapeUrl(src)}"`,
		`  title="${escapeAttribute(frameTitle)}"`,
		`  sandbox="${EMBED_SANDBOX.join(' ')}"`,
		'  loading="lazy"',
		`  style="width: 100%; height: ${INITIAL_EMBED_HEIGHT}px; border: 0"`,
		'></iframe>'
	].join('\n');
	return `${iframe}\n<script src="${escapeUrl(resizeScript)}" defer></script>`;
}

/**
 * Keeps `&` unescaped so the options stay readable: in an attribute, `&` followed by a name and
 * `=` is literal text in HTML. Only a quote, which would end the attribute, is percent-encoded.
 */
function escapeUrl(url: string): string {
	return url.replace(/"/g, '%22');
}

function escapeAttribute(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/"/g, '&quot;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;');
}
