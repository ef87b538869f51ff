/**
 * `npm run bench`: every benchmark, or those named (`npm run bench -- snapshot`).
 * Benchmarks measure and print figures; they do not pass or fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).sort();
let failed = 0;
for (const file of benches) {
	const name = file.replace(/\.ts$/, '');
	if (wanted.length > 0 && !wanted.some((w) => name.includes(w))) continue;
	console.log(`\n== ${name}`);
	const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {stdio: 'inherit'});
	if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
