import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {EVIL_ESCAPED, IDS} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

afterEach(() => cleanup());

const rowOf = (lines: readonly string[], text: string) => lines.find((line) => line.includes(text)) ?? '';

describe('Processes pane', () => {
	it('puts every shim under containerd, even re-parented v2 shims, and annotates container processes', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		const lines = app.lines();
		expect(rowOf(lines, '100 root')).toContain('/usr/bin/containerd');
		// pid 300's kernel parent is 1; it is drawn under containerd.
		expect(rowOf(lines, '   300 root')).toMatch(/├─ shim v2 k8s\.io pod default\/web/);
		expect(rowOf(lines, '   200 root')).toMatch(/├─ shim v1 moby legacy-web/);
		expect(rowOf(lines, '   320 root')).toContain('[web · default/web · k8s.io] nginx: master process');
		expect(rowOf(lines, '   310 65535')).toContain('[web sandbox · default/web · k8s.io] /pause');
		expect(rowOf(lines, '   430 app')).toContain('[app · kube-system/legacy · moby]');
		expect(rowOf(lines, '   610 root')).toContain('[bk-worker-1 · buildkit]');
		expect(rowOf(lines, '   321 www-data')).toContain('[web] nginx: worker process');
		expect(lines.join('\n')).toContain('/usr/bin/dockerd');
		expect(lines.join('\n')).toContain('/usr/bin/kubelet');
		// Runtime only: nothing outside the runtime's subtrees.
		expect(lines.join('\n')).not.toContain('sshd');
		expect(lines[1]).toMatch(/Processes — node01 \(20, runtime only\)/);
	});

	it('renders a hostile command line as visible escapes, never raw', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		const frame = app.frame();
		expect(frame).toContain(EVIL_ESCAPED.slice(0, 60));
		expect(frame).not.toContain('\u001b]0;');
		expect(frame).not.toContain('\u0007');
		expect(frame).not.toContain('\u202e');
	});
});

describe('Namespaces pane', () => {
	it('shows moby and k8s.io side by side: a shim per container against a shim per pod', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		await app.press(KEYS.tab);
		const lines = app.lines();
		expect(lines[1]).toMatch(/^Namespaces — node01 \(3\)/);
		const moby = lines.findIndex((l) => /^[ ›]moby  Docker/.test(l));
		const k8s = lines.findIndex((l) => /^[ ›]k8s\.io  CRI/.test(l));
		expect(moby).toBeGreaterThan(0);
		expect(k8s).toBeGreaterThan(moby);
		expect(lines[moby]).toContain('a shim per container');
		expect(lines[moby]).toContain('1 from dockershim');
		expect(lines[k8s]).toContain('1 unknown to the CRI');
		expect(lines[k8s]).toContain('1 per pod');
		// namespace → shim → container → process
		expect(rowOf(lines, 'shim v1 200')).toMatch(/^ ├─ shim v1 200 containerd-shim legacy-web/);
		expect(rowOf(lines, 'legacy-web running')).toMatch(/│  └─ legacy-web running pid 210/);
		expect(rowOf(lines, '210 nginx: master')).toMatch(/│     └─ 210 nginx/);
		expect(rowOf(lines, 'shim v2 300')).toContain('pod default/web');
		expect(rowOf(lines, 'web sandbox ready')).toContain('pid 310');
		expect(rowOf(lines, IDS.unknown.slice(0, 12) + ' running')).toContain('not in the CRI');
		expect(rowOf(lines, 'old-job')).toContain('exited');
	});

	it('lists the third namespace too', async () => {
		const app = await renderApp({columns: 100, rows: 60});
		await app.press(KEYS.tab);
		const lines = app.lines();
		expect(lines.some((l) => /^[ ›]buildkit  other client · 1 container/.test(l))).toBe(true);
		expect(rowOf(lines, 'bk-worker-1 running')).toContain('pid 610');
	});
});

describe('Containers pane', () => {
	it('has the table columns and marks which views see each container', async () => {
		const app = await renderApp({columns: 120, rows: 30});
		await app.press(KEYS.tab, KEYS.tab);
		const lines = app.lines();
		expect(lines[1]).toMatch(/^Containers — node01 \(9\)/);
		expect(lines[2]).toMatch(/NAME\s+POD\s+NS▲\s+STATE\s+CPU\s+MEM\s+NET\/s\s+IO\/s\s+PID\s+SHIM\s+IMAGE\s+CRI CTD DKR/);
		// No usage in this snapshot: — , never a made-up 0.
		expect(rowOf(lines, 'log-shipper')).toMatch(/log-shipper\s+default\/web\s+k8s\.io\s+running\s+—\s+—\s+—\s+—\s+330\s+300\s+fluent\S*\s+✓\s+✓\s+·$/);
		expect(rowOf(lines, 'legacy-web')).toMatch(/legacy-web\s+-\s+moby\s+running\s+—\s+—\s+—\s+—\s+210\s+200\s+nginx:1\.19\s+·\s+✓\s+✓$/);
		expect(rowOf(lines, IDS.unknown.slice(0, 10))).toMatch(/k8s\.io\s+running\s+—\s+—\s+—\s+—\s+510\s+500.*·\s+✓\s+·$/);
		expect(rowOf(lines, 'old-job')).toMatch(/exited\s+—\s+—\s+—\s+—\s+-\s+-/);
		expect(rowOf(lines, 'web (pause)')).toMatch(/ready\s+—\s+—\s+—\s+—\s+310/);
	});
});

describe('Pods pane', () => {
	it('shows each pod with its sandbox and containers and where it came from', async () => {
		const app = await renderApp({columns: 100, rows: 30});
		await app.press(KEYS.shiftTab, KEYS.shiftTab, KEYS.shiftTab);
		const lines = app.lines();
		expect(lines[1]).toMatch(/^Pods — node01 \(2\)/);
		const web = lines.findIndex((l) => l.includes('default/web ready from CRI'));
		expect(web).toBeGreaterThan(0);
		expect(lines[web]).toContain('2 containers');
		expect(lines[web + 1]).toMatch(/├─ sandbox [0-9a-f]{12} ready pid 310 in k8s\.io shim 300/);
		expect(lines[web + 2]).toMatch(/├─ log-shipper running pid 330/);
		expect(lines[web + 3]).toMatch(/└─ web running pid 320/);
		const legacy = lines.findIndex((l) => l.includes('kube-system/legacy running from dockershim labels'));
		expect(legacy).toBeGreaterThan(web);
		expect(lines[legacy + 1]).toMatch(/├─ sandbox [0-9a-f]{12} running pid 410 in moby shim 400/);
		expect(lines[legacy + 2]).toMatch(/└─ app running pid 430 in moby shim 420/);
	});
});

describe('empty and failing nodes', () => {
	it('says why a node has nothing to show', async () => {
		const app = await renderApp({columns: 80, rows: 24});
		await app.press('3');
		expect(app.lines()[1]).toMatch(/^Processes — node03 {2}unreachable +Namespaces Containers Pods Events Node$/);
		expect(app.frame()).toContain('cannot reach node03: getaddrinfo ENOTFOUND node03');
		expect(app.lines()[22]).toContain('error: getaddrinfo ENOTFOUND node03');
	});

	it('keeps a stale node\'s last good snapshot on screen, marked', async () => {
		const app = await renderApp({columns: 80, rows: 24});
		await app.press('2');
		expect(app.lines()[1]).toMatch(/^Processes — node02 {2}stale +Namespaces Containers Pods Events Node$/);
		expect(app.frame()).toContain('shim v2 k8s.io pod data/db');
		expect(app.lines()[22]).toContain('error: connect ETIMEDOUT 10.0.0.2:22');
	});
});
