/**
 * `crimon --from` in a real terminal (tmux, Debian's): a saved snapshot piped in on stdin
 * (`--from -`), the keys then read from the terminal itself. The title names where the
 * snapshot came from and when it was taken; panes switch, q quits with 0, and the shell
 * is usable again. No lab needed: the snapshot is the metrics fixture, saved to a file.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {metricsSnapshot} from '../support/metrics-fixtures.js';
import {tmuxDriver} from './tmux-driver.js';
import {CLI, tmuxSkipReason} from './lab-available.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const SOCKET = `crimon-saved-${process.pid}`;
const SESSION = 'saved';

const reason = tmuxSkipReason();
if (reason) {
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`lab: tmux --from: ${reason}`);
	console.warn(`skipped lab: tmux --from: ${reason}`);
}

const {tmux, screen, keys, waitFor} = tmuxDriver(SOCKET, SESSION);


describe.skipIf(reason !== null)('lab: crimon --from - in tmux', () => {
	let dir: string;
	let file: string;

	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-tmux-saved-'));
		file = path.join(dir, 'node01-before.json');
		fs.writeFileSync(file, renderSnapshotJson(metricsSnapshot()));
		parseSavedSnapshot(fs.readFileSync(file, 'utf8'));
		tmux('-f', '/dev/null', 'new-session', '-d', '-s', SESSION, '-x', '150', '-y', '30', '-e', 'PS1=$ ', '-e', 'HISTFILE=/dev/null', '-e', 'NO_COLOR=1', '-e', 'TERM=xterm-256color', 'bash', '--norc', '--noprofile', '-i');
		tmux('set-option', '-t', SESSION, 'status', 'off');
	});
	afterAll(() => {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
		fs.rmSync(path.join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), {force: true});
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('reads the snapshot from stdin and the keys from the terminal; q quits with 0', async () => {
		await waitFor('the shell prompt', (t) => t.includes('$'));
		tmux('send-keys', '-t', SESSION, '-l', `cat ${file} | node ${CLI} --from -; echo "rc=$?"`);
		keys('Enter');
		let text = await waitFor('the saved node', (t) => (t.split('\n')[1] ?? '').startsWith('Processes — node01 @ stdin 2026-11-25 17:18Z'));
		expect(text.split('\n')[0]).toMatch(/^\[1 node01 @ stdin 2026-11-25 17:18Z ✓ \d+[smhd]\]/);
		expect(text).toContain('/usr/bin/containerd');
		keys('Tab', 'Tab');
		text = await waitFor('Containers', (t) => (t.split('\n')[1] ?? '').startsWith('Containers — node01 @ stdin'));
		expect(text).toContain('log-shipper');
		keys(']');
		text = await waitFor('the second saved node', (t) => (t.split('\n')[1] ?? '').startsWith('Containers — evil\\"name\\nline2\\x1b]0;OWNED\\x07\\u202e @ stdin'));
		keys('q');
		text = await waitFor('the exit code', (t) => /rc=\d+/.test(t));
		expect(text).toMatch(/rc=0/);
		// The shell reads and echoes lines again.
		tmux('send-keys', '-t', SESSION, '-l', 'echo back-$((6*7))');
		keys('Enter');
		await waitFor('the shell again', (t) => t.includes('back-42'));
	});
});
