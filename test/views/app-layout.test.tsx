import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {textWidth} from '../../source/render/terminal-text.js';
import {PANES} from '../../source/ui/panes.js';
import {renderApp} from './render-app.js';

afterEach(() => cleanup());

function expectFits(lines: readonly string[], columns: number, rows: number) {
	// One row short of the terminal: a frame that fills it makes Ink clear the screen each time.
	expect(lines.length).toBeLessThanOrEqual(rows - 1);
	for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(columns);
}

describe('screen layout', () => {
	it('fits 80×24: tabs, a titled pane with a count, keys and poll state', async () => {
		const app = await renderApp({columns: 80, rows: 24});
		const lines = app.lines();
		expectFits(lines, 80, 24);
		expect(lines).toHaveLength(23);
		expect(lines[0]).toMatch(/^\[1 node01 ✓ 2s\]/);
		expect(lines[0]).toContain('2 node02 ~ 4s');
		expect(lines[0]).toContain('3 node03 ✗ 0s');
		expect(lines[1]).toMatch(/^Processes — node01 \(\d+, runtime only\)/);
		expect(lines[2]).toContain('PID USER');
		expect(lines[21]).toContain('? help');
		expect(lines[21]).toContain('q quit');
		expect(lines[22]).toContain('every 2s');
		// Ages step with the 2 s interval; a 42 ms poll is not worth a mention.
		expect(lines[22]).toMatch(/polled 2s ago$/);
	});

	it('uses a larger terminal: more rows of the list, the pane names on the title line', async () => {
		const small = await renderApp({columns: 80, rows: 24});
		const smallRows = small.lines().filter((l) => /^[ ›]\s+\d+ /.test(l)).length;
		cleanup();
		const large = await renderApp({columns: 100, rows: 40});
		const lines = large.lines();
		expectFits(lines, 100, 40);
		expect(lines).toHaveLength(39);
		expect(lines.filter((l) => /^[ ›]\s+\d+ /.test(l)).length).toBeGreaterThan(smallRows);
		expect(lines[1]).toMatch(/Processes Namespaces Containers Pods Events Node$/);
	});

	it('follows a resize, never drawing taller or wider than the terminal, in every pane', async () => {
		const app = await renderApp({columns: 100, rows: 40});
		for (const [columns, rows] of [[80, 24], [60, 12], [100, 30], [40, 7], [90, 50], [41, 9]] as const) {
			await app.resize(columns, rows);
			for (let pane = 0; pane < PANES.length; pane++) {
				expectFits(app.lines(), columns, rows);
				expect(app.lines()).toHaveLength(rows - 1);
				await app.press('\t');
			}
		}
	});

	it('says so when the terminal is too small, and q still quits', async () => {
		const app = await renderApp({columns: 30, rows: 5});
		expect(app.frame()).toContain('terminal too small');
		expectFits(app.lines(), 30, 5);
		await app.press('q');
		expect(app.quits).toEqual([0]);
	});

	it('draws no escape sequences with colours off', async () => {
		const app = await renderApp({columns: 80, rows: 24});
		for (const frame of app.frames) expect(frame).not.toMatch(/\u001b\[[0-9;]*m/);
	});

	it('shows a short terminal one footer line', async () => {
		const app = await renderApp({columns: 80, rows: 12});
		const lines = app.lines();
		expect(lines).toHaveLength(11);
		expect(lines[10]).toContain('? help');
		expect(lines[10]).toContain('every 2s');
	});
});
