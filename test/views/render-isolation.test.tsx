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
		await app.press(KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab);
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
