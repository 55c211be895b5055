// Checks and installs what `npm start` and `npm test` need, so the quick start is two commands
// on a fresh Debian machine: the Node and npm versions, node_modules, and Debian's Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = '/usr/bin/chromium';

const STAMP = path.join(root, 'node_modules', '.gp-install-stamp');

/** @param {string} message */
function fail(message) {
	console.error(`\n${message}\n`);
	process.exit(1);
}

/** Exits with a clear message when Node or npm is older than package.json's `engines`. */
export function checkVersions() {
	const [major, minor] = process.versions.node.split('.').map(Number);
	const nodeOk = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
	if (!nodeOk) {
		fail(`Node ${process.versions.node} is too old: this project needs Node 20.19+ or 22.12+.`);
	}
	const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
	const npmMajor = Number((npm.stdout ?? '').trim().split('.')[0]);
	if (!(npmMajor >= 11)) {
		fail(
			`npm ${(npm.stdout ?? 'not found').trim()} is too old: this project needs npm 11 or newer.\n` +
				'Upgrade it with: npm install -g npm@11'
		);
	}
}

function lockHash() {
	return createHash('sha256')
		.update(readFileSync(path.join(root, 'package-lock.json')))
		.digest('hex');
}

/** Runs `npm ci` when node_modules is missing or was installed from another package-lock.json. */
export function installModules() {
	const hash = lockHash();
	if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return;

	console.log('Installing node modules (npm ci)...');
	const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
		cwd: root,
		stdio: 'inherit'
	});
	if (result.status !== 0) fail('npm ci failed; see the output above.');
	writeFileSync(STAMP, hash);
}

/** Installs Debian's chromium through apt-get when /usr/bin/chromium is absent. */
export function installChromium() {
	if (existsSync(CHROMIUM)) return;

	const isRoot = process.getuid?.() === 0;
	const command = 'apt-get update && apt-get install -y chromium';
	if (!isRoot) {
		const probe = spawnSync('sudo', ['-n', 'true']);
		if (probe.status !== 0) {
			fail(
				`Chromium is missing at ${CHROMIUM} and installing it needs root.\n` +
					`Run: sudo sh -c '${command}'\nthen run npm test again.`
			);
		}
	}
	console.log('Installing Debian chromium (apt-get)...');
	const argv = isRoot ? ['sh', '-c', command] : ['sudo', '-n', 'sh', '-c', command];
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
	if (result.status !== 0 || !existsSync(CHROMIUM)) fail(`Installing chromium failed: ${command}`);
}

/** Returns the Chromium version string, which the test log records. */
export function chromiumVersion() {
	return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
}
