// `npm test`: install what is missing, then run every check in order and report each one.
// A failing step does not stop the later ones, so one run shows every problem.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
	checkVersions,
	chromiumVersion,
	installChromium,
	installModules,
	root
} from './preflight.js';

checkVersions();
installModules();
installChromium();
console.log(`Browser: ${chromiumVersion()}`);

/** @type {[string, string[]][]} */
const steps = [
	['format', ['prettier', '--check', '.']],
	['lint', ['eslint', '.']],
	['types', ['sh', '-c', 'svelte-kit sync && svelte-check --tsconfig ./tsconfig.json']],
	['unit', ['vitest', 'run']],
	['build', ['vite', 'build']],
	['sizes', ['node', 'scripts/route-sizes.js']],
	['browser', ['playwright', 'test']]
];

const failed = [];
for (const [name, argv] of steps) {
	console.log(`\n=== ${name}: ${argv.join(' ')}`);
	const result = spawnSync('npx', argv, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) failed.push(name);
}

printEngineSize();

console.log(`\nFailed steps: ${failed.length ? failed.join(', ') : 'none'}`);
console.log(`checks: ${steps.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);

/** Prints the engine's line count per folder, so its growth is seen in every CI log. */
function printEngineSize() {
	const engine = path.join(root, 'src/lib/engine');
	/** @type {Map<string, number>} */
	const lines = new Map();
	/** @param {string} dir */
	const walk = (dir) => {
		for (const name of readdirSync(dir)) {
			const file = path.join(dir, name);
			if (statSync(file).isDirectory()) walk(file);
			else if (name.endsWith('.ts')) {
				const folder = path.relative(root, dir);
				const count = readFileSync(file, 'utf8').split('\n').length;
				lines.set(folder, (lines.get(folder) ?? 0) + count);
			}
		}
	};
	walk(engine);
	console.log('\nEngine lines per folder:');
	for (const [folder, count] of [...lines].sort())
		console.log(`  ${String(count).padStart(6)}  ${folder}`);
}
