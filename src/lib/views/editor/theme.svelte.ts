/** The reader's light or dark preference, which the page and Monaco both follow. */

import { MediaQuery } from 'svelte/reactivity';

const darkScheme = new MediaQuery('(prefers-color-scheme: dark)', false);

/** A theme the page picked over the system preference (an embed's `theme=` option), or null. */
let forcedTheme = $state<'light' | 'dark' | null>(null);

/** Makes Monaco use `theme` whatever the system prefers; null follows the system again. */
export function forceTheme(theme: 'light' | 'dark' | null): void {
	forcedTheme = theme;
}

/** Returns the Monaco theme matching the reader's colour scheme (defined in monaco-setup.ts). */
export function monacoTheme(): 'playground-dark' | 'playground-light' {
	const dark = forcedTheme === null ? darkScheme.current : forcedTheme === 'dark';
	return dark ? 'playground-dark' : 'playground-light';
}
