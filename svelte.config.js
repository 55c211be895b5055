import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// GP_BUILD_DIR lets two builds run side by side (parallel test runs) without overwriting each other.
const buildDir = process.env.GP_BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// The playground renders client-side only; index.html is the fallback for every route.
		adapter: adapter({ pages: buildDir, assets: buildDir, fallback: 'index.html' }),
		outDir: process.env.GP_BUILD_DIR ? `${buildDir}-kit` : '.svelte-kit'
	}
};

export default config;
