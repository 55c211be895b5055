/** The reader's light or dark preference, which the page and Monaco both follow. */

import { MediaQuery } from 'svelte/reactivity';

const darkScheme = new MediaQuery('(prefers-color-scheme: dark)', false);

/** Returns the Monaco theme matching the reader's colour scheme (defined in monaco-setup.ts). */
export function monacoTheme(): 'playground-dark' | 'playground-light' {
	return darkScheme.current ? 'playground-dark' : 'playground-light';
}
