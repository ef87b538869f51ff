/**
 * Whatever a node puts in a name, label, image or command line, no pane, details view,
 * tab or title line carries a control or bidi character to the terminal.
 */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {findShims} from '../../source/collect/shims.js';
import type {NodeSnapshot} from '../../source/schema/types.js';
import {isTerminalSafe} from '../../source/render/terminal-text.js';
import {DEFAULT_SORT} from '../../source/ui/container-rows.js';
import {detailLines, detailsHeading, detailsOf} from '../../source/ui/details.js';
import {paneRows} from '../../source/ui/pane-rows.js';
import {PANES} from '../../source/ui/panes.js';
import {emptyListMessage, filterPromptLine, pollLine, tabLine, titleLine} from '../../source/ui/status.js';
import {windowLines} from '../../source/ui/window.js';
import {mainNode} from '../views/fixtures.js';

const hostile = fc.oneof(
	fc.string(),
	fc.string({unit: fc.integer({min: 0, max: 0x20}).map((c) => String.fromCharCode(c))}),
	fc.constantFrom('\u001b]0;OWNED\u0007', '\u202e', '\u2066x\u2069', '\u009b2J', 'a\r\nb', '\u001b[31m'),
);

function poison(snapshot: NodeSnapshot, s: string): NodeSnapshot {
	const processes = snapshot.processes.map((p) => ({...p, command: p.command + ' ' + s, user: p.user + s}));
	return {
		...snapshot,
		name: 'node' + s,
		processes,
		shims: findShims(processes),
		namespaces: snapshot.namespaces.map((n) => ({...n, name: n.name})),
		containers: snapshot.containers.map((c) => ({
			...c, name: c.name + s, image: c.image + s, state: c.state + s,
			pod: c.pod && {...c.pod, name: c.pod.name + s},
			labels: {...c.labels, [s || 'k']: s}, mounts: [{source: s, destination: '/x' + s}],
		})),
		pods: snapshot.pods.map((p) => ({...p, name: p.name + s, namespace: p.namespace + s})),
		errors: [{source: 'cri', message: s}],
	};
}

describe('terminal safety of everything drawn', () => {
	it('holds for every pane, details, tabs, title, footer and filter prompt', () => {
		fc.assert(
			fc.property(hostile, (s) => {
				const snapshot = poison(mainNode(), s);
				for (const pane of PANES) {
					const shaped = paneRows(snapshot, pane, {filter: '', folds: new Set(), sort: DEFAULT_SORT, runtimeOnly: false});
					for (const line of windowLines(pane, shaped.rows, 0, shaped.rows.length, 120)) {
						for (const segment of line) expect(isTerminalSafe(segment.text)).toBe(true);
					}
					for (const row of shaped.rows) {
						const details = detailsOf(snapshot, row.item.subject);
						if (!details) continue;
						for (const line of [detailsHeading(details, true, 80), ...detailLines(details, 80)]) for (const segment of line) expect(isTerminalSafe(segment.text)).toBe(true);
					}
				}
				const lines = [
					tabLine([{name: snapshot.name, status: 'ok', lastPollAt: 0}], 0, 0, 80),
					titleLine('processes', snapshot.name, {total: 1, shown: 1}, {filter: s, runtimeOnly: true, status: 'ok'}, 80),
					pollLine({intervalMs: 2000, paused: false, lastPollAt: 0, lastDurationMs: 1, lastError: s, sourceErrors: [s]}, 0, 80),
					filterPromptLine(s, 80),
				];
				for (const line of lines) for (const segment of line) expect(isTerminalSafe(segment.text)).toBe(true);
				expect(isTerminalSafe(emptyListMessage('pods', 'failed', snapshot.name, s, s, true, false))).toBe(true);
			}),
			{numRuns: 60},
		);
	});
});
