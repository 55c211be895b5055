// `npm test`: install what is missing, then run every check in order and report each one.
// A failing step does not stop the later ones, so one run shows every problem.
import { spawnSync } from 'node:child_process';
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
	['browser', ['playwright', 'test']]
];

const failed = [];
for (const [name, argv] of steps) {
	console.log(`\n=== ${name}: ${argv.join(' ')}`);
	const result = spawnSync('npx', argv, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) failed.push(name);
}

console.log(`\nFailed steps: ${failed.length ? failed.join(', ') : 'none'}`);
console.log(`checks: ${steps.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
