import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {textWidth} from '../../source/render/terminal-text.js';
import {formatAge, hintLine, pollAge, pollDuration, pollLine, tabLine, titleLine, type TabInfo} from '../../source/ui/status.js';

const text = (line: readonly {text: string}[]) => line.map((s) => s.text).join('');

describe('ages', () => {
	it('reads like a clock', () => {
		expect(formatAge(0)).toBe('0s');
		expect(formatAge(59_999)).toBe('59s');
		expect(formatAge(61_000)).toBe('1m');
		expect(formatAge(3 * 3600_000)).toBe('3h');
		expect(formatAge(72 * 3600_000)).toBe('3d');
	});

	it('steps with the poll interval, with a second of grace for the poll itself', () => {
		expect(pollAge(0, 2000)).toBe('0s');
		expect(pollAge(2900, 2000)).toBe('0s');
		expect(pollAge(3100, 2000)).toBe('2s');
		expect(pollAge(9000, 2000)).toBe('8s');
		expect(pollAge(1500, 500)).toBe('0s');
	});

	it('mentions a poll\'s duration only when it is slow enough to matter', () => {
		expect(pollDuration(42)).toBe('');
		expect(pollDuration(null)).toBe('');
		expect(pollDuration(347)).toBe('350 ms');
		expect(pollDuration(2345)).toBe('2.3 s');
	});
});

describe('the tab line', () => {
	const tabs = (n: number): TabInfo[] => Array.from({length: n}, (_, i) => ({name: `node${String(i + 1).padStart(2, '0')}`, status: (['ok', 'stale', 'failed', 'pending'] as const)[i % 4]!, lastPollAt: i % 4 === 3 ? null : 0}));

	it('marks each status in words a monochrome screen keeps', () => {
		expect(text(tabLine(tabs(4), 0, 4000, 120))).toMatch(/^\[1 node01 ✓ 2s\] 2 node02 ~ 2s {2}3 node03 ✗ 2s {2}4 node04 … /);
	});

	it('always shows the active tab, scrolling when there are more than fit, and is exactly the width', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 30}), fc.nat(29), fc.integer({min: 40, max: 200}), (count, active, width) => {
				const index = active % count;
				const line = text(tabLine(tabs(count), index, 0, width));
				expect(textWidth(line)).toBe(width);
				if (index < 9) expect(line).toContain(`[${index + 1} node${String(index + 1).padStart(2, '0')}`);
				else expect(line).toContain(`[node${String(index + 1).padStart(2, '0')}`);
			}),
		);
	});
});

describe('title and poll lines', () => {
	it('names the pane and node with a count, and the filter when there is one', () => {
		expect(text(titleLine('containers', 'node02', {total: 14, shown: 14}, {filter: '', runtimeOnly: true, status: 'ok'}, 100))).toMatch(/^Containers — node02 \(14\) +Processes Namespaces Containers Pods Events Node$/);
		expect(text(titleLine('containers', 'node02', {total: 14, shown: 3}, {filter: 'web', runtimeOnly: true, status: 'stale'}, 90))).toMatch(/^Containers — node02 \(3 of 14\) {2}\/web {2}stale +Processes Namespaces Pods Events Node$/);
	});

	it('keeps every pane\'s name on the line, however narrow: the count, then the node, then the rest give way', () => {
		const line = (pane: 'processes' | 'containers', filter: string, status: 'ok' | 'failed', width: number) => text(titleLine(pane, 'node-with-a-long-name-02', {total: 1400, shown: 3}, {filter, runtimeOnly: true, status}, width));
		// From 50 columns (at the 40-column minimum the list alone would fill the line).
		for (const width of [50, 60, 80, 100, 120]) {
			for (const pane of ['processes', 'containers'] as const) {
				const shown = line(pane, 'web', 'failed', width);
				expect(shown.length, `${width}`).toBe(width);
				for (const name of ['Processes', 'Namespaces', 'Containers', 'Pods', 'Events', 'Node']) expect(shown, `${width} ${pane}: ${shown}`).toContain(name);
			}
		}
		expect(line('processes', '', 'ok', 80)).toMatch(/^Processes — node-with-a-long-name-02 +Namespaces Containers Pods Events Node$/);
		expect(line('processes', 'web', 'failed', 80)).toMatch(/^Processes {2}\/web {2}unreachable +Namespaces Containers Pods Events Node$/);
		expect(line('containers', 'web', 'failed', 50)).toMatch(/^Containers ?… Processes Namespaces Pods Events Node$/);
	});

	it('says when footer keys did not fit, with an ellipsis', () => {
		const hints = [{keys: '?', text: 'help'}, {keys: 'q', text: 'quit'}, {keys: 'Tab', text: 'pane'}, {keys: 'Enter', text: 'details'}];
		expect(text(hintLine(hints, 80)).trimEnd()).toBe('? help  q quit  Tab pane  Enter details');
		expect(text(hintLine(hints, 28)).trimEnd()).toBe('? help  q quit  Tab pane  …');
	});

	it('shows interval, pause and the last error', () => {
		const poll = {intervalMs: 2000, paused: false, lastPollAt: 0, lastDurationMs: 420, lastError: null, sourceErrors: ['cri: connection refused']};
		expect(text(pollLine(poll, 1000, 120)).trimEnd()).toBe('every 2s · polled 0s ago in 420 ms · cri failed (e): connection refused');
		const three = {...poll, sourceErrors: ['containerd: nothing is listening on /run/containerd/containerd.sock', 'cri: no socket', 'docker: permission denied'], events: {live: false, note: null}};
		expect(text(pollLine(three, 1000, 80)).trimEnd()).toMatch(/^every 2s · polled 0s ago in 420 ms · 3 sources failed \(e\): containerd, cri, do.*…$/);
		expect(text(pollLine({...poll, paused: true, lastError: 'ssh: timed out'}, 1000, 120)).trimEnd()).toBe('paused · polled 0s ago in 420 ms · error: ssh: timed out');
	});
});
