/**
 * Usage in the app: CPU and MEM columns (with the share of a limit), sorting busiest first
 * and stable between polls, %CPU and RSS in the Processes pane, the node line, the
 * namespaces' shim memory, and a container's details with sparklines of its last polls.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {createCrimonStore} from '../../source/store/store.js';
import type {NodeSnapshot, Usage} from '../../source/schema/types.js';
import {mainNode, NOW} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

afterEach(() => cleanup());

const MiB = 1024 * 1024;
const idle = (over: Partial<Usage> = {}): Usage => ({
	cpuSeconds: 1, cpuCores: 0.001, memoryBytes: 2 * MiB, memoryLimitBytes: null, pids: 1, throttledPeriods: 0, throttledSeconds: 0, oomKills: 0, cpuLimitCores: null, ...over,
});

/** node01 with usage: `bk-worker-1` busy at its 0.5-core limit, `log-shipper` holding 48 of 128 MiB; `tick` moves the idle ones' counters a little. */
function usageNode(tick = 0, first = false): NodeSnapshot {
	const node = mainNode();
	const containers = node.containers.map((c) => {
		if (c.pid === null) return {...c, usage: null};
		const name = c.name;
		if (name === 'bk-worker-1') return {...c, usage: idle({cpuCores: first ? null : 0.5, cpuLimitCores: 0.5, throttledPeriods: 120 + tick, throttledSeconds: 6.2, cpuSeconds: 40 + tick})};
		if (name === 'log-shipper') return {...c, usage: idle({cpuCores: first ? null : 0.02, memoryBytes: 48 * MiB, memoryLimitBytes: 128 * MiB})};
		return {...c, usage: idle({cpuCores: first ? null : 0.001 + (tick % 2) * 0.001})};
	});
	const processes = node.processes.map((p) => ({...p, cpuSeconds: 12.5, rssBytes: p.pid === 300 ? 13 * MiB : 3 * MiB, cpuCores: first ? null : p.pid === 330 ? 0.5 : 0}));
	const shims = node.shims.map((s) => ({...s, rssBytes: 13 * MiB}));
	return {
		...node,
		containers,
		processes,
		shims,
		host: {cpus: 2, cpuCores: first ? null : 0.75, memoryBytes: 1536 * MiB, memoryTotalBytes: 24 * 1024 * MiB},
	};
}

function usageStore(polls: NodeSnapshot[]) {
	const store = createCrimonStore([{name: 'node01', target: 'local'}], 2000);
	polls.forEach((snapshot, i) => store.getState().pollFinished(0, snapshot, NOW - 3000 + i, 10));
	return store;
}

const rowOf = (lines: string[], text: string) => lines.find((l) => l.includes(text)) ?? '';

describe('Containers pane', () => {
	it('shows CPU and MEM, a limited container as its share of the limit, and — before two samples', async () => {
		const first = await renderApp({store: usageStore([usageNode(0, true)]), columns: 120, rows: 30});
		await first.press(KEYS.tab, KEYS.tab);
		expect(rowOf(first.lines(), 'bk-worker-1')).toMatch(/running\s+—\/0\.50\s+2M\s/);
		first.unmount();
		const app = await renderApp({store: usageStore([usageNode(0, true), usageNode(1)]), columns: 120, rows: 30});
		await app.press(KEYS.tab, KEYS.tab);
		expect(rowOf(app.lines(), 'bk-worker-1')).toMatch(/running\s+0\.50\/0\.50\s+2M\s/);
		expect(rowOf(app.lines(), 'log-shipper')).toMatch(/running\s+0\.02\s+48M\/128M\s/);
	});

	it('sorts by CPU busiest first, keeps idle rows in name order across polls, and MEM next', async () => {
		const store = usageStore([usageNode(0, true), usageNode(1)]);
		const app = await renderApp({store, columns: 120, rows: 30});
		await app.press(KEYS.tab, KEYS.tab, 's', 's');
		expect(app.lines()[2]).toContain('CPU▼');
		const names = () => app.lines().slice(3, 11).map((l) => l.replace(/^[ ›]/, '').trim().split(/\s+/)[0]);
		const before = names();
		expect(before[0]).toBe('bk-worker-1');
		expect(before[1]).toBe('log-shipper');
		// Another poll where the idle ones' counters wobble: nothing moves.
		store.getState().pollFinished(0, usageNode(2), NOW, 10);
		await app.press();
		expect(names()).toEqual(before);
		await app.press('s');
		expect(app.lines()[2]).toContain('MEM▼');
		expect(names()[0]).toBe('log-shipper');
	});

	it('shows the limit and the throttling in the details, with sparklines of the last polls', async () => {
		const polls = [usageNode(0, true), ...Array.from({length: 64}, (_, i) => usageNode(i + 1))];
		const app = await renderApp({store: usageStore(polls), columns: 120, rows: 40});
		await app.press(KEYS.tab, KEYS.tab, 's', 's', KEYS.enter);
		const frame = app.frame();
		expect(frame).toMatch(/Details — container bk-worker-1/);
		expect(frame).toMatch(/CPU\s+0\.50 cores of a 0\.50-core limit/);
		expect(frame).toMatch(/Throttled\s+184 periods, 6\.20s/);
		// 60 samples kept of 65 polls, the first poll's missing rate long gone.
		expect(frame).toMatch(/CPU \(60\)\s+█{60}\s+≤ 0\.50/);
		expect(frame).toMatch(/Memory \(60\)\s+█{60}\s+≤ 2M/); // no limit: scaled to its own peak
	});
});

describe('Pods pane', () => {
	it('shows each pod its summed usage and sorts by it', async () => {
		const app = await renderApp({store: usageStore([usageNode(0, true), usageNode(1)]), columns: 140, rows: 30});
		// Tab from Processes: Namespaces, Containers, Pods (Shift-Tab would pass Node and Events).
		await app.press(KEYS.tab, KEYS.tab, KEYS.tab);
		expect(app.lines()[1]).toMatch(/^Pods/);
		expect(app.frame()).toMatch(/cpu \S+ mem \S+/);
		await app.press('s', 's', 's', 's');
		expect(app.frame()).toMatch(/cpu/);
	});
});

describe('Processes pane and the node line', () => {
	it('shows %CPU and RSS before each command, and the node line above the footer', async () => {
		const app = await renderApp({store: usageStore([usageNode(0, true), usageNode(1)]), columns: 120, rows: 30});
		const lines = app.lines();
		expect(lines[2]).toMatch(/PID USER\s+S\s+%CPU\s+RSS COMMAND/);
		expect(rowOf(lines, ' 330 ')).toMatch(/330 \S+\s+\S\s+50\.0\s+3M /);
		expect(rowOf(lines, ' 300 ')).toMatch(/\s+0\.0\s+13M /);
		expect(lines.some((l) => /2 cores, 0\.75 busy \(38%\) · mem 1\.5G of 24G · \d+ processes · \d+ shims, \d+M RSS/.test(l))).toBe(true);
	});

	it('says — in the node line until two samples', async () => {
		const app = await renderApp({store: usageStore([usageNode(0, true)]), columns: 120, rows: 30});
		expect(app.lines().some((l) => /2 cores, — busy · mem/.test(l))).toBe(true);
	});
});

describe('Namespaces pane', () => {
	it("sums each namespace's shim memory in its summary", async () => {
		const app = await renderApp({store: usageStore([usageNode(0, true), usageNode(1)]), columns: 160, rows: 30});
		await app.press(KEYS.tab);
		expect(app.lines()[1]).toMatch(/^Namespaces/);
		expect(app.frame()).toMatch(/\d+ shims? v\d[^\n]*, \d+M RSS/);
	});
});
