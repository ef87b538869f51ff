/**
 * The lab's lab-hostile container carries a terminal-title change, a clear-screen and a
 * bidi override in its command line and a label. crimon's text shows them escaped, its
 * bytes hold no controls, and its JSON keeps the original strings.
 */
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {CLI, skipWithoutLab} from './lab-available.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const TITLE = '\u001b]0;OWNED\u0007';
const CLEAR = '\u001b[2J';
const BIDI = '\u202eevil';

describe.skipIf(skipWithoutLab('lab: hostile text'))('lab: hostile text from a real container', () => {
	it('JSON keeps the original command line and label, escaped as JSON', () => {
		const result = spawnSync('node', [CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 30_000});
		expect(result.status).toBe(0);
		// The raw bytes hold no ESC, BEL or bidi override...
		expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		// ...yet parsing gives back exactly what the node holds.
		const node = parseSavedSnapshot(result.stdout).nodes[0]!;
		const container = node.containers.find((c) => c.name === 'lab-hostile')!;
		const init = node.processes.find((p) => p.pid === container.pid)!;
		expect(init.command).toBe(`sh -c sleep 2147483647; : "$@" sh ${TITLE} ${CLEAR} ${BIDI}`);
		expect(container.labels['io.crimon.lab.hostile']).toBe(`${TITLE}${CLEAR}${BIDI}`);
	});

	it('text shows every control as a visible escape and holds no control bytes', () => {
		const result = spawnSync('node', [CLI, 'snapshot'], {encoding: 'utf8', timeout: 30_000});
		expect(result.status).toBe(0);
		expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		expect(result.stdout).toContain('sh \\x1b]0;OWNED\\x07 \\x1b[2J \\u202eevil');
		expect(result.stdout).toContain('lab-hostile');
	});
});
