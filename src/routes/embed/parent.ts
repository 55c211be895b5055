/**
 * The embed's side of talking to the page that embeds it. The height goes to the parent with
 * postMessage; embed-resize.js on that page sizes the iframe. A theme comes back the same way.
 */

/**
 * Posts `{ height }`, the content height in CSS pixels rounded up, to the parent whenever it
 * changes. Returns a function that stops observing. Does nothing outside a frame.
 */
export function postHeightToParent(): () => void {
	if (window.parent === window) return () => {};

	const root = document.documentElement;
	let last = -1;
	const post = () => {
		const height = Math.ceil(root.getBoundingClientRect().height);
		if (height === last) return;
		last = height;
		// The height is not secret and the parent's origin is unknown, so any origin may read it.
		window.parent.postMessage({ height }, '*');
	};

	// The root's height is its content's: it is not stretched to the frame, so it can shrink.
	const observer = new ResizeObserver(post);
	observer.observe(root);
	post();
	return () => observer.disconnect();
}

/**
 * Calls `onTheme` when the parent posts `{ theme: 'light' | 'dark' }`, which `theme=auto`
 * follows. Only messages from the parent window are read. Returns a function that stops.
 */
export function themeFromParent(onTheme: (theme: 'light' | 'dark') => void): () => void {
	if (window.parent === window) return () => {};

	const listener = (event: MessageEvent) => {
		if (event.source !== window.parent) return;
		const theme = (event.data as { theme?: unknown } | null)?.theme;
		if (theme === 'light' || theme === 'dark') onTheme(theme);
	};
	addEventListener('message', listener);
	return () => removeEventListener('message', listener);
}
