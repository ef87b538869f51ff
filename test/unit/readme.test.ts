/**
 * The README stays a five-minute read and cannot drift from the code: at most 250 lines, its
 * flag table lists exactly the flags of source/cli/flag-table.ts, each for the commands its
 * row names, and every docs/ page it links exists. Its commands are run for real by scripts/readme-commands.sh (.ci/run).
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {FLAGS} from '../../source/cli/flag-table.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README.md', () => {
	it('is at most 250 lines', () => {
		expect(README.split('\n').length).toBeLessThanOrEqual(250);
	});

	it('its flag table has a row for every flag, and no other', () => {
		const table = README.slice(README.indexOf('| flag | for | meaning |'));
		const rows = table.split('\n').slice(2).filter((line) => line.startsWith('|'));
		const named = new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(-{1,2}[a-z-]+)/gi)].map((m) => m[1]!)));
		const flags = new Set(FLAGS.flatMap((f) => (f.short ? [f.name, f.short] : [f.name])));
		expect([...named].sort()).toEqual([...flags].sort());
	});

	it('links only docs pages that exist', () => {
		const links = [...README.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1]!);
		expect(links.length).toBeGreaterThan(5);
		for (const link of links) expect(fs.existsSync(path.join(ROOT, link)), link).toBe(true);
	});

	it('its commands are what scripts/readme-commands.mjs extracts: every sh block, the quick start\'s and the lab\'s left out with a reason', () => {
		const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'readme-commands.mjs'), path.join(ROOT, 'README.md')], {encoding: 'utf8'});
		expect(run.status, run.stderr).toBe(0);
		const entries = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as {command?: string; long?: boolean; skip?: boolean; reason?: string});
		const commands = entries.filter((e) => !e.skip).map((e) => e.command!);
		expect(commands).toContain('npm install --global --prefix ~/.local .');
		expect(commands.filter((c) => c.startsWith('crimon')).length).toBeGreaterThan(12);
		expect(entries.find((e) => e.command === 'crimon')?.long).toBe(true);
		expect(entries.find((e) => e.command === 'crimon --version')?.long).toBe(false);
		// The two-command quick start is run by .ci/run itself (npm ci, npm test); the lab's block starts daemons.
		expect(entries.filter((e) => e.skip).map((e) => e.reason)).toEqual([expect.stringMatching(/\.ci\/run/), expect.stringMatching(/lab/)]);
		// Never the npm banner in a file: the README does not send npm start's output anywhere.
		expect(commands.filter((c) => /^npm (start|run)\b.*>/.test(c))).toEqual([]);
	});
});
