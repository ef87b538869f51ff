/**
 * Ships the CLI as one file. Node resolves and reads every module of an unbundled tree on
 * each start (the headless snapshot loaded 66 of its own), which was a large share of a
 * snapshot's time. esbuild (already in the tree through tsx) bundles crimon's own code into
 * dist/crimon.js; whatever is imported on demand (the Ink app, the metrics server, …) goes
 * to its own chunk in dist/chunks/, so `crimon snapshot` never loads React or Ink. npm
 * packages stay external (ssh2 finds its optional native binding next to itself) except two
 * small ones every run needs. dist/cli.js, the `bin`, turns on V8's compile cache where Node
 * has it (22.1+) and then loads the bundle.
 *
 *   node scripts/bundle.mjs        (npm run build runs it after tsc)
 */
import fs from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const inlined = new Set(['zustand', 'get-east-asian-width']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !inlined.has(name));

fs.rmSync(path.join(root, 'dist', 'chunks'), {recursive: true, force: true});
await build({
	absWorkingDir: root,
	entryPoints: {crimon: 'cli.tsx'},
	outdir: 'dist',
	chunkNames: 'chunks/[name]-[hash]',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	jsx: 'automatic',
	external: [...external, ...external.map((name) => `${name}/*`)],
	logLevel: 'warning',
	legalComments: 'none',
});

// The bundle reads ../package.json for --version: it sits in dist/, as cli.js did.
const entry = path.join(root, 'dist', 'cli.js');
fs.writeFileSync(entry, `#!/usr/bin/env node
// crimon's bin: V8's compile cache first (Node 22.1+; Node 20 has none and skips it), then
// the bundle, imported only afterwards so that it is compiled through the cache.
import module from 'node:module';
try {
	module.enableCompileCache?.();
} catch {
	// No writable cache directory: start without one.
}
await import('./crimon.js');
`);
fs.chmodSync(entry, 0o755);
