/**
 * Cursor, filter and fold changes must not rebuild a pane's rows from the snapshot, and a
 * poll must rebuild only the active pane: the costly step at thousands of processes.
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
		const app = await renderApp({columns: 100, rows: 40});
		expect(processRows.processItems).toHaveBeenCalledTimes(1);
		await app.press('j', 'j', KEYS.down, KEYS.pageDown, 'g', ' ', ' ');
		await app.press('/');
		await app.type('nginx');
		await app.press(KEYS.escape);
		expect(processRows.processItems).toHaveBeenCalledTimes(1);
		// Away and back between polls: still the same items.
		await app.press(KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab);
		expect(processRows.processItems).toHaveBeenCalledTimes(1);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(1);
		// A poll that changed nothing keeps what is on screen: no rebuild, and (with the age
		// still in the same step) not even a frame.
		const frames = app.frames.length;
		app.store.getState().pollFinished(0, mainNode(), NOW - 3000, 10);
		await app.press();
		expect(processRows.processItems).toHaveBeenCalledTimes(1);
		expect(app.frames.length).toBe(frames);
		// A poll that changed something: the active pane is rebuilt once, the others not at all.
		const changed = mainNode();
		app.store.getState().pollFinished(0, {...changed, processes: changed.processes.map((p) => (p.pid === 300 ? {...p, state: 'R'} : p))}, NOW, 10);
		await app.press();
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
		expect(containerRows.containerItems).toHaveBeenCalledTimes(1);
		// A poll of another node changes nothing here.
		app.store.getState().pollFinished(1, mainNode('node02'), NOW, 10);
		await app.press('j');
		expect(processRows.processItems).toHaveBeenCalledTimes(2);
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
