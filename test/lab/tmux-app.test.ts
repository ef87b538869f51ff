/**
 * The app in a real terminal: tmux (Debian's) runs an interactive shell at a fixed size,
 * the test types `crimon --node local` into it, drives the panes with real key presses
 * and reads the screen back with `tmux capture-pane`. Then it checks what a user would:
 * the exit code, and that the shell they return to echoes, reads lines and shows its
 * cursor again. A private tmux socket keeps it away from anyone's own tmux.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {tmuxDriver} from './tmux-driver.js';
import {CLI, labStatus, REPO_ROOT, tmuxSkipReason} from './lab-available.js';
import {makeHome, nodeKnownHostsLine, readSshNode, sshNodeStatus} from './ssh-lab.js';

const COLUMNS = 120;
const ROWS = 30;
const SOCKET = `crimon-test-${process.pid}`;
const SESSION = 'app';


const reason = tmuxSkipReason();
if (reason) console.warn(`skipped lab: tmux app: ${reason}`);

const {tmux, screen, keys, waitFor} = tmuxDriver(SOCKET, SESSION);
const screenLines = () => screen().replace(/\n$/, '').split('\n');
const typeText = (text: string) => tmux('send-keys', '-t', SESSION, '-l', text);
const paneFlag = (format: string) => tmux('display-message', '-p', '-t', SESSION, format).trim();


// ---- SECOND NODE (SSH) -----------------------------------------------------------------
// The test runs `crimon --node local --node ssh://<lab node>`: the SSH lab node
// (test/lab/ssh-node-up.sh) is added through a private HOME whose ~/.ssh/config names it,
// as an operator's would; the node-switching and compare steps below then check both tabs.
function secondNode(): {target: string; name: string; home: string} | null {
	// With the SSH lab node up (CI brings it up) the test runs both nodes, as the issue asks;
	// required under CI, skippable by hand with CRIMON_TMUX_SSH=0.
	if (process.env['CRIMON_TMUX_SSH'] === '0') return null;
	if (!sshNodeStatus().up) {
		if (process.env['CRIMON_TMUX_SSH'] === '1' || process.env['CRIMON_LAB_REQUIRED'] === '1') throw new Error(`the SSH lab node is required here but ${sshNodeStatus().reason}`);
		console.warn(`lab: tmux app runs with local only: ${sshNodeStatus().reason}`);
		return null;
	}
	const node = readSshNode();
	const home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
	return {target: `ssh://${node.alias}`, name: node.alias, home};
}
const SECOND_NODE = reason === null ? secondNode() : null;
// -----------------------------------------------------------------------------------------

const titleIs = (pane: string) => (text: string) => (text.split('\n')[1] ?? '').startsWith(`${pane} — `);

describe.skipIf(reason !== null)('lab: the app in tmux', () => {
	const lab = labStatus().up;

	beforeAll(() => {
		// An interactive shell with no rc files, so the prompt and the terminal modes are the defaults.
		tmux(
			'-f', '/dev/null', 'new-session', '-d', '-s', SESSION, '-x', String(COLUMNS), '-y', String(ROWS),
			'-e', 'PS1=$ ', '-e', 'HISTFILE=/dev/null', '-e', 'NO_COLOR=1', '-e', 'TERM=xterm-256color',
			...(SECOND_NODE ? ['-e', `HOME=${SECOND_NODE.home}`, '-e', 'SSH_AUTH_SOCK='] : []),
			// CI and friends stay set as CI sets them: the app must draw live frames regardless.
			'bash', '--norc', '--noprofile', '-i',
		);
		tmux('set-option', '-t', SESSION, 'status', 'off');
	});

	afterAll(() => {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
		if (SECOND_NODE) fs.rmSync(SECOND_NODE.home, {recursive: true, force: true});
		// tmux leaves its socket file behind after kill-server here; it is ours to remove.
		fs.rmSync(path.join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), {force: true});
	});

	it('runs, switches panes and nodes, filters, opens details and help, quits with 0, and leaves the terminal usable', async () => {
		const nodes = ['--node', 'local', ...(SECOND_NODE ? ['--node', SECOND_NODE.target] : [])];
		await waitFor('the shell prompt', (text) => text.includes('$'));
		typeText(`cd ${REPO_ROOT} && node ${CLI} ${nodes.join(' ')}`);
		keys('Enter');

		// First frame: the node's tab with its mark, the Processes pane, the footer.
		let text = await waitFor('the first poll', (t) => titleIs('Processes')(t) && /polled \d+s ago/.test(t));
		let lines = screenLines();
		expect(lines[0]).toMatch(new RegExp(`^\\[1 ${os.hostname().slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* [✓~✗] \\d+s\\]`));
		expect(lines[1]).toMatch(/^Processes — .+ \(\d+(, runtime only)?\)/);
		expect(text).toContain('? help');
		// Never as tall as the terminal: the last row stays empty, no line is wider than it.
		expect(lines).toHaveLength(ROWS);
		expect(lines[ROWS - 1]!.trim()).toBe('');
		if (lab) expect(text).toMatch(/containerd/);
		// NO_COLOR: attributes such as bold and inverse may stay, colours may not.
		const styled = tmux('capture-pane', '-p', '-e', '-t', SESSION);
		expect(styled).not.toMatch(/\u001b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/);

		// A resize: the frame follows, still one row short of the terminal.
		tmux('resize-window', '-t', SESSION, '-x', '90', '-y', '20');
		await waitFor('the resized frame', (t) => t.split('\n').length <= 21 && titleIs('Processes')(t) && /every 2s/.test(t));
		lines = screenLines();
		expect(lines.every((line) => line.length <= 90)).toBe(true);
		expect(lines.slice(0, 19).join('\n')).toContain('? help');
		expect((lines[19] ?? '').trim()).toBe('');
		tmux('resize-window', '-t', SESSION, '-x', String(COLUMNS), '-y', String(ROWS));
		await waitFor('the frame at full size again', (t) => /^every 2s/.test(t.split('\n')[ROWS - 2] ?? ''));

		// Panes: Tab to the sixth (Node), then Shift-Tab back.
		keys('Tab');
		text = await waitFor('Namespaces', titleIs('Namespaces'));
		if (lab) {
			// moby comes first and the cursor starts on it. On a machine with more Docker
			// containers than the screen holds, k8s.io is below the fold: fold moby (←), and
			// k8s.io is the next row whatever else the machine runs.
			expect(text).toMatch(/^›moby {2}Docker/m);
			keys('Left');
			text = await waitFor('moby folded, k8s.io below it', (t) => /^›\[\+\d+\] moby {2}Docker.*\n k8s\.io {2}CRI/m.test(t));
		}
		keys('Tab');
		text = await waitFor('Containers', titleIs('Containers'));
		expect(screenLines()[2]).toMatch(/NAME\s+POD\s+NS.\s+STATE\s+CPU\s+MEM\s+NET\/s\s+IO\/s\s+PID\s+SHIM\s+IMAGE\s+CRI CTD DKR/);
		keys('Tab');
		await waitFor('Pods', titleIs('Pods'));
		keys('Tab');
		await waitFor('Events', titleIs('Events'));
		keys('Tab');
		await waitFor('Node', titleIs('Node'));
		// Its first line: which runtime really runs this node, and how crimon knows.
		expect(screenLines()[2]).toMatch(/ — .+ \(.+\)/);
		keys('BTab', 'BTab', 'BTab');
		await waitFor('Containers again', titleIs('Containers'));

		// Nodes: ] and [ step, 1–9 jump.
		if (SECOND_NODE) {
			keys(']');
			text = await waitFor('the second node', (t) => /\[2 /.test(t.split('\n')[0] ?? '') && (t.split('\n')[1] ?? '').includes(`— ${SECOND_NODE.name} `));
			await waitFor('its first poll', (t) => new RegExp(`\\[2 ${SECOND_NODE.name} ✓`).test(t.split('\n')[0] ?? ''), 20_000);
			keys('[');
			await waitFor('the first node again', (t) => /^\[1 /.test(t));
			keys('2');
			await waitFor('node 2 by number', (t) => /\[2 /.test(t.split('\n')[0] ?? ''));
			keys('1');
			await waitFor('node 1 by number', (t) => /^\[1 /.test(t));
			keys('=');
			await waitFor('the compare view', (t) => (t.split('\n')[1] ?? '').startsWith(`Compare — `) && (t.split('\n')[1] ?? '').includes(` vs ${SECOND_NODE.name}`));
			keys('Escape');
			await waitFor('compare closed', titleIs('Containers'));
		} else {
			keys(']');
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(screenLines()[0]).toMatch(/^\[1 /);
			keys('=');
			await waitFor('why compare cannot open', (t) => t.includes('compare needs two nodes'));
		}

		// Filter in the whole process tree: crimon finds itself.
		keys('BTab', 'BTab');
		await waitFor('Processes', titleIs('Processes'));
		keys('a');
		await waitFor('the whole tree', (t) => /\(\d+, all\)/.test(t.split('\n')[1] ?? ''));
		keys('/');
		typeText('cli.js --node');
		keys('Enter');
		text = await waitFor('the filter', (t) => /\(\d+ of \d+, all\) {2}\/cli\.js --node/.test(t.split('\n')[1] ?? ''));
		// The match keeps its path to the root; put the cursor on it.
		keys('G');
		text = await waitFor('the cursor on crimon', (t) => /^›.*cli\.js --node local/m.test(t));

		// Details of that row: the full command line.
		keys('Enter');
		text = await waitFor('details', (t) => t.includes('Details — process '));
		expect(text).toMatch(new RegExp(`Command\\s+node ${CLI.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --node local`));
		keys('Escape');
		await waitFor('the list again', (t) => !t.includes('Details — '));

		// Help from the key table.
		keys('?');
		text = await waitFor('help', (t) => t.includes('Keys  (Esc or ? closes this'));
		expect(text).toContain('Tab / Shift-Tab');
		expect(text).toContain('q / Ctrl-C');
		keys('Escape');
		await waitFor('help closed', (t) => !t.includes('Keys  (Esc'));

		// Quit, then use the shell: what we type must echo, and $? must be crimon's 0.
		keys('q');
		// Back on the main screen, below the command line: the shell's next prompt.
		await waitFor('the shell after quitting', (t) => {
			const after = t.split('\n').slice(t.split('\n').findIndex((l) => l.includes(`node ${CLI}`)) + 1);
			return !t.includes('? help') && after.some((l) => l.trimEnd() === '$');
		});
		expect(paneFlag('#{alternate_on}')).toBe('0');
		expect(paneFlag('#{cursor_flag}')).toBe('1');
		typeText('echo "crimon-exit=$?"; stty -a | grep -ow -e -icanon -e icanon -e -echo -e echo | sort -u | tr "\\n" " "; echo');
		keys('Enter');
		text = await waitFor('the exit code and the terminal modes', (t) => /crimon-exit=\d+\n.*icanon/.test(t));
		expect(text).toContain('crimon-exit=0');
		// Canonical input and echo are back on (not -icanon, -echo): the shell is usable.
		expect(text).toMatch(/^echo icanon\s*$/m);
	}, 90_000);
});
