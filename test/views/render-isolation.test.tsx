/**
 * Cursor, filter and fold changes must not rebuild a pane's rows from the snapshot. A poll
 * that changed something rebuilds the active pane before its frame, if it shows what
 * changed, and every other pane that does once, in idle turns after it (so Tab finds its
 * rows ready): each pane's rows are built once per change to what it shows, never per key.
 */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {cleanup} from 'ink-testing-library';
import * as processRows from '../../source/ui/process-rows.js';
import * as containerRows from '../../source/ui/container-rows.js';
import {mainNode, NOW} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

vi.mock('../../source/ui/process-rows.js', {spy: true});
vi.mock('../../source/ui/container-rows.js', {spy: true});

afterEach(() => {
	cleanup();
	vi.clearAllMocks();
});

describe('what a key press recomputes', () => {
	it('moving, filtering and folding reuse the pane items; only a new snapshot rebuilds them', async () => {
		const idle = () => new Promise((resolve) => setTimeout(resolve, 50));
		const app = await renderApp({columns: 100, rows: 40});
		// The pane on screen first; then, in idle turns, the whole tree's variant and the other panes.
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(1);
		await app.press('j', 'j', KEYS.down, KEYS.pageDown, 'g', ' ', ' ');
		await app.press('/');
		await app.type('nginx');
		await app.press(KEYS.escape);
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
		// Away and back between polls: still the same items, built before they were shown.
		await app.press(KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, 'a', 'a');
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(1);
		// A poll that changed nothing keeps what is on screen: no rebuild, and (with the age
		// still in the same step) not even a frame.
		const frames = app.frames.length;
		app.store.getState().pollFinished(0, mainNode(), NOW - 3000, 10);
		await app.press();
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
		expect(app.frames.length).toBe(frames);
		// A poll that changed something every pane shows (a process, a container): the active
		// pane is rebuilt for its frame, before any other pane; then each other pane once, in idle turns.
		const changed = mainNode();
		app.store.getState().pollFinished(0, {
			...changed,
			processes: changed.processes.map((p) => (p.pid === 300 ? {...p, state: 'R'} : p)),
			containers: changed.containers.map((c, i) => (i === 0 ? {...c, image: `${c.image}-new`} : c)),
		}, NOW, 10);
		await app.press();
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(4);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(2);
		const order = (fn: unknown, call: number) => vi.mocked(fn as () => void).mock.invocationCallOrder[call]!;
		expect(order(processRows.processItems, 2)).toBeLessThan(order(containerRows.containerItems, 1));
		await app.press(KEYS.tab, KEYS.tab, 'j', KEYS.tab);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(2);
		// A poll of another node changes nothing here.
		app.store.getState().pollFinished(1, mainNode('node02'), NOW, 10);
		await app.press('j');
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(4);
		// A poll that changed a process only: the panes that show processes are rebuilt (both
		// variants of the tree), the Containers pane keeps its rows.
		const later = mainNode();
		app.store.getState().pollFinished(0, {
			...later,
			processes: later.processes.map((p) => (p.pid === 300 ? {...p, state: 'D'} : p)),
			containers: later.containers.map((c, i) => (i === 0 ? {...c, image: `${c.image}-new`} : c)),
		}, NOW, 10);
		await app.press();
		await idle();
		expect(processRows.processItems).toHaveBeenCalledTimes(6);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(2);
	});
});

describe('what the poller is told to re-read', () => {
	it('publishes the pids on screen for the active node, and follows scrolling and node switches', async () => {
		const {onScreenPids} = await import('../../source/store/ui-state.js');
		const app = await renderApp({columns: 80, rows: 12});
		const refreshFor = onScreenPids(app.store);
		const first = [...(refreshFor(0) ?? [])].sort((a, b) => a - b);
		// 12 rows leave 7 list rows (one footer line): containerd, the v1 shim and its two
		// processes, the pod's shim, its sandbox and its first container.
		expect(first).toEqual([100, 200, 210, 211, 300, 310, 320]);
		expect(refreshFor(1)).toBeUndefined();
		await app.press('G');
		expect([...(refreshFor(0) ?? [])]).toContain(120);
		expect([...(refreshFor(0) ?? [])]).not.toContain(100);
		await app.press(']');
		expect(refreshFor(0)).toBeUndefined();
		expect(refreshFor(1)?.size).toBeGreaterThan(0);
	});
});
