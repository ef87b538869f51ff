/**
 * The monitor opened on saved files (`crimon --from FILE`): the file is read through the
 * same loader as the CLI's, its nodes put in the store after the live ones, and every pane,
 * the filter and compare work on them, with the file and its time in the title.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cleanup} from 'ink-testing-library';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {loadSnapshotFiles} from '../../source/snapshot-file/load-snapshot.js';
import {savedNodes} from '../../source/snapshot-file/saved-nodes.js';
import {addSavedNodes} from '../../source/store/saved-store.js';
import {createCrimonStore, type CrimonStore} from '../../source/store/store.js';
import {metricsSnapshot} from '../support/metrics-fixtures.js';
import {KEYS, renderApp} from './render-app.js';
import {smallNode} from './fixtures.js';

afterEach(() => cleanup());

let dir: string;
let file: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-saved-view-'));
	file = path.join(dir, 'before.json');
	fs.writeFileSync(file, renderSnapshotJson(metricsSnapshot()));
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

async function savedStore(live: readonly {name: string; target: string}[] = []): Promise<CrimonStore> {
	const files = await loadSnapshotFiles([file]);
	const store = createCrimonStore(live, 2000);
	addSavedNodes(store, savedNodes(files), files);
	return store;
}

const TITLE = 'node01 @ before.json 2026-11-25 17:18Z';

describe('crimon --from FILE', () => {
	it('names the file and when it was taken in the title and the tab, and shows the saved processes', async () => {
		const app = await renderApp({store: await savedStore(), columns: 140, rows: 40});
		const lines = app.lines();
		expect(lines[0]).toContain(`[1 ${TITLE} ✓`);
		expect(lines[1]).toMatch(new RegExp(`^Processes — ${TITLE} \\(20, runtime only\\)`));
		expect(app.frame()).toContain('/usr/bin/containerd');
		// The footer says it is saved and how old it is (the tests' clock: 2025-01-01 12:00Z… before it was taken).
		expect(app.frame()).toMatch(/saved snapshot, not polled · taken 0s ago/);
		// The saved node's status is as saved; nothing polls it.
		expect(app.store.getState().nodes.map((n) => n.status)).toEqual(['ok', 'ok']);
	});

	it('every pane and the filter work on the saved node', async () => {
		const app = await renderApp({store: await savedStore(), columns: 140, rows: 40});
		await app.press(KEYS.tab);
		expect(app.lines()[1]).toMatch(new RegExp(`^Namespaces — ${TITLE}`));
		await app.press(KEYS.tab);
		expect(app.lines()[1]).toMatch(new RegExp(`^Containers — ${TITLE} \\(9\\)`));
		await app.press('/');
		await app.type('log-ship');
		await app.press(KEYS.enter);
		expect(app.lines()[1]).toMatch(new RegExp(`^Containers — ${TITLE} \\(1 of 9\\)`));
		expect(app.frame()).toContain('log-shipper');
		await app.press(KEYS.escape, KEYS.tab);
		expect(app.lines()[1]).toMatch(new RegExp(`^Pods — ${TITLE}`));
		expect(app.frame()).toContain('kube-system/legacy');
		await app.press(KEYS.tab);
		expect(app.lines()[1]).toMatch(new RegExp(`^Events — ${TITLE} \\(0\\)`));
		await app.press(KEYS.tab);
		expect(app.lines()[1]).toMatch(new RegExp(`^Node — ${TITLE}`));
		expect(app.frame()).toContain('dockershim');
	});

	it('compares the saved node with the next one; a hostile saved name is escaped', async () => {
		const app = await renderApp({store: await savedStore(), columns: 140, rows: 40});
		await app.press('=');
		const title = app.lines()[1]!;
		expect(title).toContain(`Compare — ${TITLE} vs evil\\"name\\nline2\\x1b]0;OWNED\\x07\\u202e @ before.json`);
		expect(app.frame()).not.toContain('\u001b]0;');
		expect(app.frame()).not.toContain('\u202e');
	});

	it('puts live nodes first; a saved node is never polled', async () => {
		const store = await savedStore([{name: 'node02', target: 'ssh://node02'}]);
		store.getState().pollFinished(0, smallNode(), Date.parse('2025-01-01T11:59:58Z'), 30);
		const app = await renderApp({store, columns: 160, rows: 40});
		expect(app.lines()[0]).toMatch(/\[1 node02 ✓.* 2 node01 @ before\.json 2026-11-25 17:18Z ✓/);
		expect(app.frame()).toMatch(/every 2s · polled \d+s ago/);
		await app.press(']');
		expect(app.lines()[1]).toMatch(new RegExp(`^Processes — ${TITLE}`));
		expect(app.frame()).toMatch(/saved snapshot, not polled/);
	});
});
