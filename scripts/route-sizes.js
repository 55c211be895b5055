// Prints the JavaScript each route of the last `vite build` loads: what the first visit loads
// before the page can run, what it may load later on demand (Monaco), and the worker bundles.
// Sizes are of the built files, raw and gzip-compressed (level 9), as a static host would
// serve them with compression.
//
//   npx vite build && node scripts/route-sizes.js
//   GP_BUILD_DIR=share npx vite build && GP_BUILD_DIR=share node scripts/route-sizes.js
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
// The same folders as svelte.config.js picks for GP_BUILD_DIR.
const separate = process.env.GP_BUILD_DIR ? path.basename(process.env.GP_BUILD_DIR) : undefined;
const kitDir = path.join(root, separate ? `.builds/${separate}-kit` : '.svelte-kit');
const clientDir = path.join(kitDir, 'output/client');

/** @typedef {{ file: string, imports?: string[], dynamicImports?: string[] }} ManifestEntry */
/** @type {Record<string, ManifestEntry>} */
const manifest = JSON.parse(readFileSync(path.join(clientDir, '.vite/manifest.json'), 'utf8'));
/** @param {number} id */
const nodeKey = (id) =>
	Object.keys(manifest).find((key) => key.endsWith(`/client-optimized/nodes/${id}.js`));
const startKey = Object.keys(manifest).find((key) => key.endsWith('runtime/client/entry.js'));
const appKey = Object.keys(manifest).find((key) => key.endsWith('/client-optimized/app.js'));

/**
 * Collects every manifest key that `keys` import statically, themselves included.
 * @param {(string | undefined)[]} keys
 * @returns {Set<string>}
 */
function staticClosure(keys) {
	/** @type {Set<string>} */
	const seen = new Set();
	/** @param {string | undefined} key */
	const visit = (key) => {
		if (!key || seen.has(key) || !manifest[key]) return;
		seen.add(key);
		for (const imported of manifest[key].imports ?? []) visit(imported);
	};
	keys.forEach(visit);
	return seen;
}

/**
 * Collects what `loaded` may import later (dynamic imports and their static imports).
 * @param {Set<string>} loaded
 * @returns {Set<string>}
 */
function dynamicClosure(loaded) {
	/** @type {Set<string>} */
	const later = new Set();
	const queue = [...loaded].flatMap((key) => manifest[key].dynamicImports ?? []);
	while (queue.length > 0) {
		const key = /** @type {string} */ (queue.pop());
		// Route nodes are other pages, and the app entry lists every one of them.
		if (!manifest[key] || loaded.has(key) || later.has(key) || key.includes('/nodes/')) continue;
		for (const inner of staticClosure([key])) {
			if (loaded.has(inner)) continue;
			later.add(inner);
			queue.push(...(manifest[inner].dynamicImports ?? []));
		}
	}
	return later;
}

/**
 * @param {string[]} files paths under the client output folder
 * @returns {{ raw: number, gzip: number }} bytes
 */
function size(files) {
	let raw = 0;
	let gzip = 0;
	for (const file of files) {
		const bytes = readFileSync(path.join(clientDir, file));
		raw += bytes.length;
		gzip += gzipSync(bytes, { level: 9 }).length;
	}
	return { raw, gzip };
}

/** @param {number} bytes */
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
/** @param {{ raw: number, gzip: number }} sizes */
const describe = ({ raw, gzip }) => `${kB(raw).padStart(10)} (${kB(gzip)} gzip)`;

/** Routes and their nodes from the generated client manifest: `"/embed": [5]` and layouts. */
function routes() {
	const app = readFileSync(path.join(kitDir, 'generated/client-optimized/app.js'), 'utf8');
	const dictionary = app.slice(app.indexOf('dictionary'));
	/** @type {{ route: string, nodes: number[] }[]} */
	const found = [];
	for (const match of dictionary.matchAll(/"([^"]+)":\s*\[([^\]]*)\]/g)) {
		// A leading ~ marks a node with a server load; the id is its bitwise complement.
		const ids = match[2]
			.split(',')
			.map((entry) => entry.trim())
			.filter(Boolean)
			.map((entry) => (entry.startsWith('~') ? ~Number(entry.slice(1)) : Number(entry)));
		found.push({ route: match[1], nodes: [0, ...ids.map(Math.abs)] });
	}
	return found;
}

console.log(`JavaScript per route, from ${path.relative(root, clientDir)}`);
console.log(`${'route'.padEnd(14)}${'first load'.padStart(28)}   later, on demand`);
for (const { route, nodes } of routes()) {
	const loaded = staticClosure([startKey, appKey, ...nodes.map(nodeKey)]);
	const later = dynamicClosure(loaded);
	const loadedFiles = [...loaded].map((key) => manifest[key].file);
	const laterFiles = [...later].map((key) => manifest[key].file).filter((f) => f.endsWith('.js'));
	const onDemand = laterFiles.length ? describe(size(laterFiles)) : '          none';
	console.log(`${route.padEnd(14)}${describe(size(loadedFiles)).padStart(28)}   ${onDemand}`);
}

console.log('\nWorker bundles (each loads when first needed):');
for (const entry of Object.values(manifest)) {
	if (!entry.file.includes('/workers/')) continue;
	const name = path.basename(entry.file).replace(/-[\w-]+\.js$/, '');
	const role =
		name === 'worker'
			? 'notebook runtime: engine and cells, when the notebook runs'
			: 'Monaco language service, with the editor';
	console.log(`  ${name.padEnd(14)}${describe(size([entry.file])).padStart(28)}   ${role}`);
}
