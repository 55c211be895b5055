/**
 * Share and embed links built from a notebook, and the autosave key of a notebook opened from a
 * link. The notebook travels only in the fragment, so no server ever receives it and a long
 * notebook cannot hit a server's limit on the request line (HTTP 414 or 431).
 */

import { decodeNotebook, type DecodeResult } from './codec';
import { formatFragment, parseFragment, type EmbedOptions, type ParsedFragment } from './fragment';

/** Links longer than this are cut by some chat and blog tools, so the page offers a file instead. */
export const LONG_LINK_CHARACTERS = 8000;

/**
 * Returns the playground link of a notebook encoded by `encodeNotebook`: `<appRoot>#nb=v1.…`.
 * `appRoot` is the absolute URL of the app's root, such as `https://example.org/playground/`.
 */
export function shareLink(payload: string, appRoot: string): string {
	return `${withSlash(appRoot)}#${formatFragment(payload)}`;
}

/** Returns the `/embed` link of an encoded notebook, with the options that differ from defaults. */
export function embedLink(
	payload: string,
	appRoot: string,
	options: Partial<EmbedOptions> = {}
): string {
	return `${withSlash(appRoot)}embed#${formatFragment(payload, options)}`;
}

/** A notebook read from a location's fragment. */
export type LinkedNotebook = {
	/** The `nb=` payload exactly as it appears in the link. */
	payload: string;
	decoded: DecodeResult;
	fragment: ParsedFragment;
};

/** Decodes the notebook in `hash` (`location.hash`); returns null when it carries none. */
export function readLinkedNotebook(hash: string): LinkedNotebook | null {
	const fragment = parseFragment(hash);
	if (fragment.payload === undefined) return null;
	return { payload: fragment.payload, decoded: decodeNotebook(fragment.payload), fragment };
}

/**
 * Returns the autosave name of a notebook opened from a link, such as `link-3f9a…`, so each
 * linked notebook keeps its own local edits and opening link B never overwrites those of A.
 * `prefix` keeps the playground's and the embed's copies apart.
 */
export function linkAutosaveName(prefix: 'link' | 'embed' | 'damaged', payload: string): string {
	return `${prefix}-${fnv1a64(payload)}`;
}

/** FNV-1a, 64 bits, of the UTF-16 code units of `text`, as 16 hex digits. Not cryptographic. */
export function fnv1a64(text: string): string {
	const prime = 0x100000001b3n;
	const mask = 0xffffffffffffffffn;
	let hash = 0xcbf29ce484222325n;
	for (let i = 0; i < text.length; i++) {
		hash ^= BigInt(text.charCodeAt(i));
		hash = (hash * prime) & mask;
	}
	return hash.toString(16).padStart(16, '0');
}

function withSlash(url: string): string {
	return url.endsWith('/') ? url : `${url}/`;
}
