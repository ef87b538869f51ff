/**
 * The lab's lab-hostile container runs with `ESC ] 0 ; OWNED BEL` (a terminal-title change),
 * `ESC [ 2 J` (clear screen) and a bidi override in its argv. In a real terminal (tmux),
 * crimon must leave the pane title alone and still draw its tree, the words shown escaped.
 * A control run first prints the same bytes raw, to prove this tmux would have obeyed them.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, skipWithoutLab} from './lab-available.js';

const SOCKET = `crimon-hostile-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'});
const title = (target: string) => tmux('display-message', '-p', '-t', target, '#{pane_title}').trim();
const screen = (target: string) => tmux('capture-pane', '-p', '-t', target);

async function waitFor(what: string, test: () => boolean, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (test()) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

const noTmux = spawnSync('tmux', ['-V']).status !== 0;
if (noTmux) console.warn('skipped lab: hostile text in tmux: tmux is not installed');

describe.skipIf(noTmux || skipWithoutLab('lab: hostile text in tmux'))('lab: hostile text in a real terminal', () => {
	beforeAll(() => {
		tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'control', '-x', '140', '-y', '30', 'sh');
		tmux('set-option', '-g', 'status', 'off');
	});
	afterAll(() => {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
		fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), {force: true});
	});

	it('control: the raw bytes do retitle this tmux pane', async () => {
		tmux('select-pane', '-t', 'control', '-T', 'untouched');
		expect(title('control')).toBe('untouched');
		tmux('send-keys', '-t', 'control', '-l', "printf '\\033]0;OWNED\\007'\n");
		await waitFor('the raw title change', () => title('control') === 'OWNED');
	});

	it('crimon shows them escaped, draws its tree, and leaves the title alone', async () => {
		tmux('new-window', '-t', 'control', '-n', 'app', 'env', 'NO_COLOR=1', 'TERM=xterm-256color', 'node', CLI, '--node', 'local');
		tmux('select-pane', '-t', 'control:app', '-T', 'untouched');
		await waitFor('the first poll', () => /polled \d+s ago/.test(screen('control:app')));
		// Narrow the tree to the hostile container; its init's argv is then on screen.
		tmux('send-keys', '-t', 'control:app', '/');
		tmux('send-keys', '-t', 'control:app', '-l', 'hostile');
		tmux('send-keys', '-t', 'control:app', 'Enter');
		await waitFor('the hostile row', () => screen('control:app').includes('OWNED'));
		const text = screen('control:app');
		expect(text).toContain('\\x1b]0;OWNED\\x07');
		expect(text).toContain('\\x1b[2J');
		expect(text).toContain('\\u202eevil');
		expect(text).toMatch(/containerd/);
		expect(title('control:app')).toBe('untouched');
		tmux('send-keys', '-t', 'control:app', 'q');
	});
});
