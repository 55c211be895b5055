/**
 * Notebook <-> URL fragment: `#nb=v1.<deflate, base64url>`. The fragment never reaches a server,
 * so a share link needs no backend and cannot trip a server's header size limit.
 *
 * Raw deflate has no checksum, and one changed character in the middle of a link often still
 * inflates, to a notebook with a changed letter in its code. So the JSON ends with `check`, a
 * checksum of the rest, and a link whose check does not match is reported as damaged. Links
 * written before the check existed have none and open as they did.
 *
 * Encoding is canonical (fixed key order, fixed compression level), so decoding a link and
 * encoding the result gives the same link back.
 */

import { Inflate, deflateSync, strFromU8, strToU8 } from 'fflate';
import type { CellSource } from '../worker/api';
import { NOTEBOOK_VERSION, type NotebookDocument } from './format';

/** Larger fragments are rejected before inflating: no notebook a person writes comes close. */
export const MAX_FRAGMENT_LENGTH = 2_000_000;
/** Inflated size cap, so a small crafted link cannot expand into gigabytes (a zip bomb). */
export const MAX_NOTEBOOK_BYTES = 8_000_000;

/** Bytes of compressed input per inflate step; each step emits at most about 1 MB. */
const INFLATE_SLICE = 1024;

export type DecodeResult =
	| { ok: true; notebook: NotebookDocument }
	| { ok: false; message: string; recovered: CellSource[] };

/** Encodes a notebook as the payload after `nb=`: `v1.` followed by deflated base64url JSON. */
export function encodeNotebook(notebook: NotebookDocument): string {
	const json = JSON.stringify(canonicalNotebook(notebook));
	const checked = `${json.slice(0, -1)},"check":"${checksum(json)}"}`;
	return `v${NOTEBOOK_VERSION}.${toBase64Url(deflateSync(strToU8(checked), { level: 9 }))}`;
}

/** Decodes an `nb=` payload; a damaged one yields a message and whatever cells survived. */
export function decodeNotebook(payload: string): DecodeResult {
	if (payload.length > MAX_FRAGMENT_LENGTH) {
		return damaged(
			`the link is ${payload.length} characters, over the limit of ${MAX_FRAGMENT_LENGTH}`
		);
	}

	const match = /^v(\d+)\.([A-Za-z0-9_-]*)$/.exec(payload);
	if (!match) return damaged('the notebook part of the link is not in the v1.<data> form');
	const version = Number(match[1]);
	if (version !== NOTEBOOK_VERSION) {
		return damaged(
			`the link uses notebook format v${version}, but this playground reads v${NOTEBOOK_VERSION}; ` +
				'open it in a newer version of the playground'
		);
	}

	const bytes = fromBase64Url(match[2]);
	if (!bytes) return damaged('the link contains characters that are not base64url');

	const { text, complete, tooLarge } = inflateBounded(bytes);
	if (tooLarge) {
		return damaged(
			`the notebook inside the link inflates to more than ${MAX_NOTEBOOK_BYTES} bytes`
		);
	}
	if (complete) {
		let notebook: NotebookDocument;
		let check: unknown;
		try {
			const parsed = JSON.parse(text);
			check = parsed?.check;
			notebook = validateNotebook(parsed);
		} catch (error) {
			return damaged(`the notebook inside the link is invalid: ${invalidReason(error)}`, text);
		}
		if (check !== undefined && check !== checksum(JSON.stringify(notebook))) {
			return damaged(
				'the link was changed or corrupted, because its checksum does not match',
				text
			);
		}
		return { ok: true, notebook };
	}
	return damaged('the link is truncated or corrupted', text);
}

/** Describes why JSON.parse or the shape check failed, without character positions. */
function invalidReason(error: unknown): string {
	if (error instanceof SyntaxError) return 'its text is not complete JSON';
	return (error as Error).message;
}

/** Hashes the UTF-16 code units of `text` with 32-bit FNV-1a (8 hex digits; not cryptographic). */
function checksum(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return (hash >>> 0).toString(16).padStart(8, '0');
}

function damaged(reason: string, partialText = ''): DecodeResult {
	const recovered = recoverCells(partialText);
	const count = recovered.length;
	const tail = count
		? ` ${count} ${count === 1 ? 'cell' : 'cells'} could be recovered.`
		: ' No cells could be recovered.';
	return { ok: false, message: `This share link is damaged: ${reason}.${tail}`, recovered };
}

/**
 * Inflates at most MAX_NOTEBOOK_BYTES; `complete` is false for truncated or corrupt input, and
 * `tooLarge` is true when the output passed the cap.
 */
function inflateBounded(bytes: Uint8Array): {
	text: string;
	complete: boolean;
	tooLarge: boolean;
} {
	const chunks: Uint8Array[] = [];
	let size = 0;
	let complete = false;
	const inflater = new Inflate((chunk, final) => {
		size += chunk.length;
		if (size <= MAX_NOTEBOOK_BYTES) chunks.push(chunk);
		if (final) complete = true;
	});

	// Pushing the data as non-final first makes fflate emit everything it can decode, so a
	// truncated link still yields its leading cells before the final push fails. The input goes
	// in small slices and stops at the cap: deflate expands up to about 1000 times, so one push
	// of a whole crafted link could allocate gigabytes before the cap is checked.
	try {
		for (let at = 0; at < bytes.length && size <= MAX_NOTEBOOK_BYTES; at += INFLATE_SLICE) {
			inflater.push(bytes.subarray(at, at + INFLATE_SLICE), false);
		}
		if (size <= MAX_NOTEBOOK_BYTES) inflater.push(new Uint8Array(0), true);
	} catch {
		complete = false;
	}
	const tooLarge = size > MAX_NOTEBOOK_BYTES;
	if (tooLarge) complete = false;

	const joined = new Uint8Array(Math.min(size, MAX_NOTEBOOK_BYTES));
	let offset = 0;
	for (const chunk of chunks) {
		joined.set(chunk.subarray(0, joined.length - offset), offset);
		offset += chunk.length;
	}
	return { text: strFromU8(joined), complete, tooLarge };
}

/** Finds every complete `{"id": ..., "code": ...}` cell in a possibly cut-off JSON text. */
function recoverCells(text: string): CellSource[] {
	const cells: CellSource[] = [];
	const pattern = /\{"id":("(?:[^"\\]|\\.)*"),"code":("(?:[^"\\]|\\.)*")\}/g;
	for (const match of text.matchAll(pattern)) {
		// Corrupted bytes can leave an invalid escape such as \q inside a string: skip that cell.
		try {
			cells.push({ id: JSON.parse(match[1]), code: JSON.parse(match[2]) });
		} catch {
			continue;
		}
	}
	return cells;
}

/** Checks the shape of decoded JSON; throws an Error naming the first invalid field. */
export function validateNotebook(value: unknown): NotebookDocument {
	const doc = value as Partial<NotebookDocument> | null;
	if (!doc || typeof doc !== 'object') throw new Error('expected an object');
	if (doc.version !== NOTEBOOK_VERSION) throw new Error(`unknown version ${String(doc.version)}`);
	if (!Array.isArray(doc.cells)) throw new Error('"cells" must be an array');

	const ids = new Set<string>();
	for (const [index, cell] of doc.cells.entries()) {
		if (typeof cell?.id !== 'string' || typeof cell?.code !== 'string') {
			throw new Error(`cell ${index} needs a string "id" and a string "code"`);
		}
		if (ids.has(cell.id)) throw new Error(`cell id "${cell.id}" appears twice`);
		ids.add(cell.id);
	}

	const inputs = doc.inputs ?? {};
	for (const [key, input] of Object.entries(inputs)) {
		if (!['number', 'string', 'boolean'].includes(typeof input)) {
			throw new Error(`input "${key}" must be a number, string or boolean`);
		}
	}
	return canonicalNotebook({
		version: NOTEBOOK_VERSION,
		title: typeof doc.title === 'string' ? doc.title : 'Untitled',
		cells: doc.cells,
		inputs,
		notes: doc.notes
	});
}

/** Rebuilds the document with a fixed key order, dropping unknown fields. */
function canonicalNotebook(doc: NotebookDocument): NotebookDocument {
	const canonical: NotebookDocument = {
		version: NOTEBOOK_VERSION,
		title: doc.title,
		cells: doc.cells.map((cell) => ({ id: cell.id, code: cell.code })),
		inputs: Object.fromEntries(Object.entries(doc.inputs ?? {}).sort(([a], [b]) => compare(a, b)))
	};
	const notes = Object.entries(doc.notes ?? {}).filter(([, note]) => typeof note === 'string');
	if (notes.length) canonical.notes = Object.fromEntries(notes.sort(([a], [b]) => compare(a, b)));
	return canonical;
}

/** Orders by UTF-16 code units, as Array.prototype.sort does, independent of locale. */
function compare(a: string, b: string): number {
	if (a === b) return 0;
	return a < b ? -1 : 1;
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) {
		binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
	// A cut-off link can end in a lone sixth of a byte; drop it and let inflation report the cut.
	const whole = text.length % 4 === 1 ? text.slice(0, -1) : text;
	const binary = atob(whole.replace(/-/g, '+').replace(/_/g, '/'));
	return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
