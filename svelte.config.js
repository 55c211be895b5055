import path from 'node:path';
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// GP_BUILD_DIR=<name> makes a separate build, so parallel test runs do not overwrite each other.
// It lives under .builds/ in the project (only the name is used) because the server build must
// resolve packages from node_modules.
const separate = process.env.GP_BUILD_DIR ? path.basename(process.env.GP_BUILD_DIR) : undefined;
const buildDir = separate ? `.builds/${separate}` : 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// The playground renders client-side only; index.html is the fallback for every route.
		adapter: adapter({ pages: buildDir, assets: buildDir, fallback: 'index.html' }),
		outDir: separate ? `.builds/${separate}-kit` : '.svelte-kit'
	}
};

export default config;
