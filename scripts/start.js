// `npm start`: install what is missing, build the static site and serve it on 127.0.0.1.
import { spawnSync, spawn } from 'node:child_process';
import path from 'node:path';
import { checkVersions, installModules, root } from './preflight.js';

checkVersions();
installModules();

const port = process.env.PORT ?? '4173';
const build = spawnSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// Vite's own entry point rather than npx, whose wrapper process does not pass a kill on to
// the server, so stopping `npm start` by its process id left the server running.
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const args = [vite, 'preview', '--host', '127.0.0.1', '--port', port, '--strictPort'];
const server = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
server.stdout.on('data', (chunk) => process.stdout.write(chunk));
console.log(`\nGradient Playground: http://127.0.0.1:${port}/\n`);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
	process.on(signal, () => server.kill(signal));
}
// npm runs this script through `sh -c`, which exits on SIGTERM without passing it on, so a kill
// of `npm start` by its process id leaves this process orphaned. It stops the server then.
const parent = process.ppid;
setInterval(() => {
	if (process.ppid !== parent) server.kill('SIGTERM');
}, 1000).unref();
server.on('exit', (code) => process.exit(code ?? 0));
