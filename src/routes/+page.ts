import { base } from '$app/paths';
import { validateNotebook } from '$lib/share/codec';
import type { NotebookDocument } from '$lib/share/format';
import type { BackendName } from '$lib/worker/api';
import type { PageLoad } from './$types';

/** The notebook `/` opens without an `example` parameter. */
const DEFAULT_EXAMPLE = 'post-3-4';

export type ExampleLoad =
	| { ok: true; example: string; notebook: NotebookDocument }
	| { ok: false; example: string; message: string };

/** Reads `?example=<name>` (a file in static/notebooks/) and `?backend=cpu|webgpu`. */
export const load: PageLoad = async ({ url, fetch }) => {
	const example = url.searchParams.get('example') || DEFAULT_EXAMPLE;
	const requested = url.searchParams.get('backend');
	const backend: BackendName | 'auto' =
		requested === 'cpu' || requested === 'webgpu' ? requested : 'auto';
	const backendWarning =
		requested && backend === 'auto'
			? `Unknown backend "${requested}" in the link; use backend=cpu or backend=webgpu. Choosing automatically.`
			: null;

	return { backend, backendWarning, loaded: await loadExample(example, fetch) };
};

async function loadExample(example: string, fetch: typeof globalThis.fetch): Promise<ExampleLoad> {
	// Example names are file names; anything else could point outside static/notebooks/.
	if (!/^[\w-]+$/.test(example)) {
		return {
			ok: false,
			example,
			message: 'invalid example name; use only letters, digits, - and _'
		};
	}

	const path = `${base}/notebooks/${example}.json`;
	let response: Response;
	try {
		response = await fetch(path);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { ok: false, example, message: `${path} could not be fetched: ${reason}` };
	}
	if (!response.ok) {
		return { ok: false, example, message: `${path} returned HTTP ${response.status}` };
	}

	// A static host that serves the app's index.html for unknown paths returns 200 and HTML.
	let json: unknown;
	try {
		json = JSON.parse(await response.text());
	} catch {
		const type = response.headers.get('content-type') ?? 'no content type';
		return { ok: false, example, message: `${path} is not a notebook file (got ${type})` };
	}
	try {
		return { ok: true, example, notebook: validateNotebook(json) };
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { ok: false, example, message: `${path} is not a valid notebook: ${reason}` };
	}
}
