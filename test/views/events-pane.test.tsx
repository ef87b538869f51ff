/**
 * The Events pane through the real keys: newest first, time, namespace, container (pod),
 * what happened; `/` filters it; the footer says whether the node's events are live or why
 * it is polled only; never taller or wider than the terminal. Events are the recorded real
 * ones (test/fixtures/faults), renamed onto the fixture node's containers.
 */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {containerdEvent} from '../../source/events/decode-containerd-event.js';
import type {RuntimeEvent} from '../../source/events/runtime-event.js';
import {textWidth} from '../../source/render/terminal-text.js';
import {EVENT_RING_SIZE, pushEvents} from '../../source/model/event-ring.js';
import {recordedEnvelopes} from '../support/faults-fixtures.js';
import {IDS} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

afterEach(() => cleanup());

const title = (lines: readonly string[]) => lines[1] ?? '';

/** The recorded lifecycle (create … exit 7 … delete), as if it had been the fixture's web container in k8s.io. */
function webLifecycle(): RuntimeEvent[] {
	return recordedEnvelopes('events-lifecycle.bin').map((bytes) => {
		const event = containerdEvent(bytes, 0);
		return {...event, namespace: 'k8s.io', id: event.id === null ? null : IDS.web};
	});
}

describe('the Events pane', () => {
	it('shows the node\'s events newest first, named from the snapshot, and filters them with /', async () => {
		const app = await renderApp({columns: 100, rows: 20});
		const events = webLifecycle();
		app.store.getState().eventsArrived(0, events);
		app.store.getState().eventsArrived(0, [{...events[3]!, id: IDS.legacyApp, namespace: 'moby', kind: 'oom', topic: '/tasks/oom', exitStatus: null, pid: null}]);
		app.store.getState().streamChanged(0, {containerd: 'live', docker: 'off', note: null});
		await app.press(KEYS.shiftTab, KEYS.shiftTab);
		const lines = app.lines();
		expect(lines).toHaveLength(19);
		for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(100);
		expect(title(lines)).toMatch(/^Events — node01 \(7\)/);
		expect(lines[2]).toMatch(/^ TIME +NS +CONTAINER \(POD\) +WHAT/);
		const rows = lines.slice(3, 10);
		expect(rows[0]).toMatch(/ moby +app \(kube-system\/legacy\) +OOM$/);
		expect(rows[1]).toMatch(/ k8s\.io +web \(default\/web\) +removed/);
		expect(rows[2]).toMatch(/deleted/);
		expect(rows[3]).toMatch(/exited 7/);
		expect(rows[4]).toMatch(/started/);
		expect(rows[6]).toMatch(/created/);
		expect(lines.at(-1)).toContain('events live');

		await app.press('/');
		await app.type('exited');
		expect(title(app.lines())).toMatch(/^Events — node01 \(1 of 7\)/);
		expect(app.frame()).toContain('exited 7');
		expect(app.frame()).not.toContain('started');
	});

	it('says when the node is polled only, and why', async () => {
		const app = await renderApp({columns: 120, rows: 20});
		app.store.getState().streamChanged(0, {containerd: 'retrying', docker: 'off', note: 'containerd events: nothing is listening on /run/containerd/containerd.sock, reconnecting (polling only meanwhile)'});
		await app.press(KEYS.shiftTab, KEYS.shiftTab);
		// The pane says what polling only means, why, and what to check, wrapped, not cut.
		expect(app.frame()).toMatch(/polling only: containerd events: nothing is listening on \/run\/containerd\/containerd\.sock, reconnecting\. Changes show at\s+each poll/);
		expect(app.frame()).toMatch(/check that containerd and Docker answer on\s+their sockets/);
		expect(app.lines().at(-1)).toMatch(/polling only · containerd events: nothing is listening/);
	});
});

describe('the ring', () => {
	it('keeps the newest 1,000 per node, newest first', () => {
		const event = webLifecycle()[2]!;
		let ring = pushEvents([], Array.from({length: 600}, (_, i) => ({...event, pid: i})));
		ring = pushEvents(ring, Array.from({length: 600}, (_, i) => ({...event, pid: 600 + i})));
		expect(ring).toHaveLength(EVENT_RING_SIZE);
		expect(ring[0]!.pid).toBe(1199);
		expect(ring.at(-1)!.pid).toBe(200);
		expect(new Set(ring.map((e) => e.seq)).size).toBe(EVENT_RING_SIZE);
	});
});
