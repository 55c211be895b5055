import type { BackendName } from '$lib/worker/api';
import type { PageLoad } from './$types';

/**
 * Reads `?backend=cpu|webgpu`, as `/` does; anything else chooses automatically. The notebook
 * and the embed options are in the fragment, which load functions cannot see.
 */
export const load: PageLoad = ({ url }) => {
	const requested = url.searchParams.get('backend');
	const backend: BackendName | 'auto' =
		requested === 'cpu' || requested === 'webgpu' ? requested : 'auto';
	return { backend };
};
