/**
 * The monitor in a real 80×24 terminal (tmux), on this machine's real runtimes with three
 * sources made to fail for real: a stale Docker socket (a socket file nobody listens on,
 * made here and removed after), a CRI socket that does not exist, and a containerd socket
 * path that is a plain file. Every pane's picture must show every pane's name, the footer
 * must count and name the failed sources with the key that lists them, and that key must
 * show each one in full. The pictures are written to test/lab/pictures/ for a reader.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {keyFor} from '../../source/ui/keymap.js';
import {tmuxDriver} from './tmux-driver.js';
import {CLI, labStatus, tmuxSkipReason} from './lab-available.js';

const SOCKET = `crimon-door-80x24-${process.pid}`;
const reason = tmuxSkipReason() ?? (labStatus().up ? null : labStatus().reason);
if (reason) {
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`lab: tmux 80x24: required here but ${reason}`);
	console.warn(`skipped lab: tmux 80x24: ${reason}`);
}
const {tmux, screen, waitFor} = tmuxDriver(SOCKET, 'app', 15_000);
const PANES = ['Processes', 'Namespaces', 'Containers', 'Pods', 'Events', 'Node'];


describe.skipIf(reason !== null)('lab: the monitor at 80×24 with failed sources', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-door-80x24-'));
	const stale = path.join(dir, 'docker.sock');
	const plain = path.join(dir, 'containerd.sock');
	const missing = path.join(dir, 'crio.sock');

	beforeAll(async () => {
		// A socket whose server is gone: a process binds it and exits without unlinking it.
		execFileSync(process.execPath, ['-e', 'require("node:net").createServer().listen(process.argv[1], () => process.exit(0))', stale]);
		expect(fs.statSync(stale).isSocket()).toBe(true);
		fs.writeFileSync(plain, '');
		tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'app', '-x', '80', '-y', '24', '-e', 'NO_COLOR=1', '-e', 'TERM=xterm-256color',
			process.execPath, CLI, '--docker-socket', stale, '--cri-socket', missing, '--containerd-socket', plain);
		tmux('set-option', '-t', 'app', 'status', 'off');
	});
	afterAll(() => {
		try {
			tmux('kill-server');
		} catch {
			// already gone
		}
		fs.rmSync(dir, {recursive: true, force: true});
	});

	it('shows every pane\'s name on every pane, and the failed sources counted in the footer', async () => {
		await waitFor('the first poll', (text) => /sources failed/.test(text));
		const pictures = path.join(import.meta.dirname, 'pictures');
		fs.mkdirSync(pictures, {recursive: true});
		for (const pane of PANES) {
			const text = await waitFor(`the ${pane} pane`, (t) => (t.split('\n')[1] ?? '').includes(`${pane} — `) || (t.split('\n')[1] ?? '').startsWith(pane));
			fs.writeFileSync(path.join(pictures, `80x24-${pane.toLowerCase()}.txt`), text);
			const lines = text.split('\n');
			for (const name of PANES) expect(lines[1], `${pane}: ${lines[1]}`).toContain(name);
			const footer = lines.filter((l) => l.trim() !== '').at(-1)!;
			expect(footer, pane).toMatch(new RegExp(`3 sources failed \\(${keyFor('sources')}\\): (containerd|cri|docker)`));
			for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
			tmux('send-keys', '-t', 'app', 'Tab');
		}
	});

	it(`${keyFor('sources')} lists every failed source in full, with what to check`, async () => {
		tmux('send-keys', '-t', 'app', keyFor('sources'));
		const text = await waitFor('the failed sources', (t) => t.includes('failed sources (3)'));
		const joined = text.replace(/\n\s+/g, ' ');
		expect(joined).toContain(`docker: nothing is listening on ${stale} (a stale socket: the service that made it stopped or crashed; is it running, and is this its path?)`);
		expect(joined).toMatch(new RegExp(`cri: .*${missing.replace(/[.]/g, '\\.')}`));
		expect(joined).toMatch(new RegExp(`containerd: .*${plain.replace(/[.]/g, '\\.')}`));
		tmux('send-keys', '-t', 'app', 'q');
	});
});
