import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {createCrimonStore} from '../../source/store/store.js';
import {KEYMAP} from '../../source/ui/keymap.js';
import {EVIL_ESCAPED, IDS, mainNode, NOW, syntheticNode} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

afterEach(() => cleanup());

const cursorLine = (lines: readonly string[]) => lines.find((line) => line.startsWith('›')) ?? '';
const title = (lines: readonly string[]) => lines[1] ?? '';

/** One node with many plain processes, for paging. */
function bigStore() {
	const store = createCrimonStore([{name: 'big', target: 'local'}], 2000);
	store.getState().pollFinished(0, syntheticNode({processes: 400, containers: 20}), NOW - 1000, 30);
	return store;
}

describe('pane keys', () => {
	it('Tab and Shift-Tab step through the panes, wrapping', async () => {
		const app = await renderApp();
		const seen = [title(app.lines())];
		for (let i = 0; i < 6; i++) {
			await app.press(KEYS.tab);
			seen.push(title(app.lines()));
		}
		expect(seen.map((t) => t.split(' — ')[0])).toEqual(['Processes', 'Namespaces', 'Containers', 'Pods', 'Events', 'Node', 'Processes']);
		await app.press(KEYS.shiftTab);
		expect(title(app.lines())).toMatch(/^Node — /);
		await app.press(KEYS.shiftTab);
		expect(title(app.lines())).toMatch(/^Events — /);
		await app.press(KEYS.shiftTab);
		expect(title(app.lines())).toMatch(/^Pods — /);
		await app.press(KEYS.shiftTab);
		expect(title(app.lines())).toMatch(/^Containers — /);
	});
});

describe('node keys', () => {
	it('] and [ step through the nodes, wrapping; the tab and title follow', async () => {
		const app = await renderApp();
		await app.press(']');
		expect(title(app.lines())).toMatch(/— node02 /);
		expect(app.lines()[0]).toContain('[2 node02 ~ 4s]');
		await app.press(']', ']');
		expect(title(app.lines())).toMatch(/— node01 /);
		await app.press('[');
		expect(title(app.lines())).toMatch(/— node03 /);
	});

	it('1–9 jump to node N and ignore nodes that do not exist', async () => {
		const app = await renderApp();
		await app.press('3');
		expect(title(app.lines())).toMatch(/— node03 /);
		await app.press('1');
		expect(title(app.lines())).toMatch(/— node01 /);
		await app.press('9');
		expect(title(app.lines())).toMatch(/— node01 /);
	});
});

describe('cursor keys', () => {
	it('↓ ↑ j k move one row', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		expect(cursorLine(app.lines())).toContain('   100 root');
		await app.press(KEYS.down);
		expect(cursorLine(app.lines())).toContain('   200 root');
		await app.press('j', 'j');
		expect(cursorLine(app.lines())).toContain('   211 www-data');
		await app.press('k');
		expect(cursorLine(app.lines())).toContain('   210 root');
		await app.press(KEYS.up, KEYS.up, KEYS.up);
		expect(cursorLine(app.lines())).toContain('   100 root');
	});

	it('PgDn PgUp move a page and scroll the window; g G (Home End) go to the ends', async () => {
		const app = await renderApp({store: bigStore(), columns: 80, rows: 24});
		await app.press('a');
		const firstRow = () => app.lines()[3] ?? '';
		const top = firstRow();
		await app.press(KEYS.pageDown);
		// 24 rows: 1 tabs, 1 title, 1 header, the node line, 2 footer, one spare: 17 list rows.
		expect(app.lines().indexOf(cursorLine(app.lines()))).toBe(3 + 16);
		await app.press(KEYS.pageDown);
		expect(firstRow()).not.toBe(top);
		await app.press(KEYS.pageUp, KEYS.pageUp);
		expect(firstRow()).toBe(top);
		expect(cursorLine(app.lines())).toBe(top.replace(/^ /, '›'));
		await app.press('G');
		expect(title(app.lines())).toMatch(/\(400, all\)/);
		expect(app.lines()[19]!.startsWith('›')).toBe(true);
		await app.press('g');
		expect(firstRow()).toBe(top);
		await app.press(KEYS.end);
		expect(app.lines()[19]!.startsWith('›')).toBe(true);
		await app.press(KEYS.home);
		expect(cursorLine(app.lines())).toBe(top.replace(/^ /, '›'));
	});

	it('the cursor stays on its row when a poll adds rows above it', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press(KEYS.tab, KEYS.tab);
		await app.press('j', 'j');
		const before = cursorLine(app.lines());
		expect(before).toContain('log-shipper');
		const snapshot = mainNode();
		const extra = {...snapshot.containers[0]!, id: 'aaa-new', name: 'aaa-new', namespace: 'buildkit', pid: null, shimPid: null};
		app.store.getState().pollFinished(0, {...snapshot, containers: [extra, ...snapshot.containers]}, NOW, 10);
		await app.press();
		expect(cursorLine(app.lines())).toBe(before);
	});
});

describe('details', () => {
	it('Enter shows the full command line of a process; Esc closes', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		const lines = app.lines();
		const evilRow = lines.findIndex((l) => l.includes('   322 www-data'));
		for (let i = 3; i < evilRow; i++) await app.press('j');
		await app.press(KEYS.enter);
		const frame = app.frame();
		expect(frame).toContain('Details — process 322');
		expect(frame).toContain(`Command    ${EVIL_ESCAPED}`);
		expect(frame).toMatch(/Container\s+web [0-9a-f]{64}/);
		expect(frame).toMatch(/Pod\s+default\/web/);
		expect(frame).not.toContain('\u001b]0;');
		await app.press(KEYS.escape);
		expect(app.frame()).not.toContain('Details —');
		expect(cursorLine(app.lines())).toContain('322');
	});

	it('shows a container\'s labels, ids and mounts, scrolls, and Enter closes', async () => {
		const app = await renderApp({columns: 80, rows: 16});
		await app.press(KEYS.tab, KEYS.tab, 'j', 'j', 'j', 'j', KEYS.enter);
		let frame = app.frame();
		expect(frame).toContain('Details — container web');
		expect(frame).toContain(`ID         ${IDS.web}`);
		expect(frame).toMatch(/Pod\s+default\/web uid/);
		await app.press('G');
		frame = app.frame();
		expect(frame).toContain('note=evil\\x1b[31mred');
		expect(frame).toMatch(/Mounts\s+\/var\/lib\/kubelet\/pods\/6f1c2a9e\/volumes/);
		expect(frame).toContain('/etc/nginx/conf.d');
		expect(app.lines()).toHaveLength(15);
		await app.press('g');
		expect(app.frame()).toContain(`ID         ${IDS.web}`);
		await app.press(KEYS.enter);
		expect(app.frame()).not.toContain('Details —');
	});

	it('opens pods, shims and namespaces too', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press(KEYS.shiftTab, KEYS.shiftTab, KEYS.shiftTab, KEYS.enter);
		expect(app.frame()).toMatch(/Source\s+CRI/);
		await app.press(KEYS.escape, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.enter);
		expect(app.frame()).toContain('Details — namespace moby');
		await app.press(KEYS.escape, 'j', KEYS.enter);
		expect(app.frame()).toContain('Details — shim 200');
		expect(app.frame()).toMatch(/Shim\s+v1 \(containerd-shim\)/);
	});
});

describe('folding', () => {
	it('Space folds and unfolds the subtree under the cursor', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press('j', 'j', 'j', 'j');
		expect(cursorLine(app.lines())).toContain('   300 root');
		await app.press(' ');
		expect(cursorLine(app.lines())).toMatch(/├─ \[\+5\] shim v2 k8s\.io pod default\/web/);
		expect(app.frame()).not.toContain('   320 root');
		await app.press(' ');
		expect(app.frame()).toContain('   320 root');
	});

	it('← folds, ← again goes to the parent, → unfolds', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press(KEYS.tab, 'j');
		expect(cursorLine(app.lines())).toContain('shim v1 200');
		await app.press(KEYS.left);
		expect(cursorLine(app.lines())).toContain('[+3] shim v1 200');
		await app.press(KEYS.left);
		expect(cursorLine(app.lines())).toMatch(/^›moby/);
		await app.press('j', KEYS.right);
		expect(cursorLine(app.lines())).toMatch(/shim v1 200/);
		expect(cursorLine(app.lines())).not.toContain('[+');
		expect(app.frame()).toContain('legacy-web running pid 210');
	});
});

describe('filter', () => {
	it('/ filters live and case-insensitively; Enter keeps it, Esc clears it', async () => {
		const app = await renderApp({columns: 100, rows: 30});
		await app.press(KEYS.tab, KEYS.tab, '/');
		expect(app.lines().at(-2)).toMatch(/^\/█/);
		await app.type('FLUENT');
		expect(title(app.lines())).toMatch(/\(1 of 9\)  \/FLUENT/);
		expect(cursorLine(app.lines())).toContain('log-shipper');
		await app.press(KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace);
		expect(title(app.lines())).toMatch(/\(9\)/);
		await app.type('nginx');
		expect(title(app.lines())).toMatch(/\(2 of 9\)/);
		await app.press(KEYS.enter);
		expect(app.lines().at(-2)).toContain('? help');
		// The kept filter still applies; keys are keys again.
		await app.press('j');
		expect(cursorLine(app.lines())).toContain('legacy-web');
		await app.press(KEYS.escape);
		expect(title(app.lines())).toMatch(/\(9\)$|\(9\) /);
	});

	it('matches names, ids, pods, namespaces and command lines', async () => {
		const app = await renderApp({columns: 100, rows: 30});
		await app.press(KEYS.tab, KEYS.tab);
		const count = async (text: string) => {
			await app.press('/');
			await app.type(text);
			const match = /\((\d+) of 9\)/.exec(title(app.lines()));
			await app.press(KEYS.escape);
			return Number(match?.[1] ?? -1);
		};
		expect(await count('old-job')).toBe(1);
		expect(await count(IDS.web.slice(0, 16))).toBe(1);
		expect(await count('kube-system')).toBe(2);
		expect(await count('buildkit')).toBe(1);
		await app.press(KEYS.shiftTab, KEYS.shiftTab);
		await app.press('/');
		await app.type('fluent-bit.conf');
		// At 80 columns the pane list stays and the count gives way to the filter.
		expect(title(app.lines())).toMatch(/^Processes — node01 {2}\/fluent-bit\.conf .* Namespaces Containers Pods Events Node$/);
		// A match keeps its path to the root, so the tree still reads.
		expect(app.frame()).toContain('/usr/bin/containerd');
		expect(app.frame()).toContain('shim v2 k8s.io pod default/web');
	});

	it('puts the cursor on the first match when its row is filtered away', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press('j');
		expect(cursorLine(app.lines())).toContain('   200 root');
		await app.press('/');
		await app.type('fluent');
		// containerd and the pod's shim stay as the match's path; the cursor goes to the match.
		expect(cursorLine(app.lines())).toContain('   330 root');
	});

	it('in the prompt, letters are text: q types, Ctrl-C still quits', async () => {
		const app = await renderApp();
		await app.press('/');
		await app.type('q');
		expect(app.quits).toEqual([]);
		expect(title(app.lines())).toContain('/q');
		await app.press(KEYS.ctrlC);
		expect(app.quits).toEqual([0]);
	});

	it('a pasted burst of keys counts key by key', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press('jjj');
		expect(cursorLine(app.lines())).toContain('   211 www-data');
		await app.press('/nginx\r');
		expect(title(app.lines())).toMatch(/\/nginx/);
		expect(app.lines().at(-2)).toContain('? help');
	});
});

describe('sort', () => {
	it('s moves the sort to the next column, S reverses it; order is stable', async () => {
		// Wide enough for every column, SHIM included.
		const app = await renderApp({columns: 120, rows: 30});
		await app.press(KEYS.tab, KEYS.tab);
		expect(app.lines()[2]).toContain('NS▲');
		await app.press('s');
		expect(app.lines()[2]).toContain('STATE▲');
		// CPU and MEM start with the busiest first.
		await app.press('s');
		expect(app.lines()[2]).toContain('CPU▼');
		await app.press('s');
		expect(app.lines()[2]).toContain('MEM▼');
		// So do the network and disk rates.
		await app.press('s');
		expect(app.lines()[2]).toContain('NET/s▼');
		await app.press('s');
		expect(app.lines()[2]).toContain('IO/s▼');
		await app.press('s');
		expect(app.lines()[2]).toContain('PID▲');
		const pids = () => app.lines().slice(3, 12).map((l) => l.match(/\s(\d+|-)\s+(\d+|-)\s/)?.[1]);
		expect(pids()).toEqual(['210', '310', '320', '330', '410', '430', '510', '610', '-']);
		await app.press('S');
		expect(app.lines()[2]).toContain('PID▼');
		expect(pids()).toEqual(['610', '510', '430', '410', '330', '320', '310', '210', '-']);
	});

	it('s does nothing outside the Containers and Pods panes', async () => {
		const app = await renderApp();
		const before = app.frame();
		await app.press('s');
		expect(app.frame()).toBe(before);
	});
});

describe('polling keys', () => {
	it('r polls the active node now', async () => {
		const app = await renderApp();
		await app.press('r');
		await app.press(']', 'r');
		expect(app.polls).toEqual([0, 1]);
	});

	it('p pauses and resumes polling, and the footer says so', async () => {
		const app = await renderApp();
		await app.press('p');
		expect(app.store.getState().paused).toBe(true);
		expect(app.lines().at(-1)).toMatch(/^paused/);
		await app.press('p');
		expect(app.store.getState().paused).toBe(false);
		expect(app.lines().at(-1)).toMatch(/^every 2s/);
	});
});

describe('process tree toggle', () => {
	it('a switches between runtime only and the whole tree', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		expect(app.frame()).not.toContain('sshd');
		await app.press('a');
		expect(title(app.lines())).toMatch(/\(25, all\)/);
		expect(app.frame()).toContain('/usr/sbin/sshd -D');
		expect(app.frame()).toMatch(/├─ \/usr\/bin\/containerd/);
		await app.press('a');
		expect(title(app.lines())).toMatch(/runtime only/);
	});
});

describe('help', () => {
	it('? lists every key of the key table; Esc and ? close it', async () => {
		const app = await renderApp({columns: 100, rows: 50});
		await app.press('?');
		const frame = app.frame();
		for (const binding of KEYMAP.filter((b) => !b.hidden)) expect(frame).toContain(binding.label);
		await app.press(KEYS.escape);
		expect(app.frame()).not.toContain('Keys  (Esc');
		await app.press('?', '?');
		expect(app.frame()).not.toContain('Keys  (Esc');
	});

	it('scrolls when the terminal is short', async () => {
		const app = await renderApp({columns: 80, rows: 12});
		await app.press('?');
		expect(app.frame()).not.toContain('q / Ctrl-C');
		await app.press('G');
		expect(app.frame()).toContain('q / Ctrl-C');
		expect(app.lines()).toHaveLength(11);
	});
});

describe('quitting and free keys', () => {
	it('q quits with 0', async () => {
		const app = await renderApp();
		await app.press('q');
		expect(app.quits).toEqual([0]);
	});

	it('Ctrl-C quits with 0', async () => {
		const app = await renderApp();
		await app.press(KEYS.ctrlC);
		expect(app.quits).toEqual([0]);
	});

	it('Ctrl-A and Ctrl-D are left to tmux and the terminal', async () => {
		const app = await renderApp();
		const before = app.frame();
		await app.press(KEYS.ctrlA, KEYS.ctrlD);
		expect(app.frame()).toBe(before);
		expect(app.quits).toEqual([]);
	});
});
