/**
 * The Node pane (the active node's diagnosis, as text) and the `=` split view that
 * compares the active node with the next one: through the real keys, at fixed sizes,
 * colours off, never taller or wider than the terminal.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {textWidth} from '../../source/render/terminal-text.js';
import {nodePaneLines} from '../../views/NodePane.js';
import {dockershimDiagnosis, diagnosedStore, mainNode} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

afterEach(() => cleanup());

const title = (lines: readonly string[]) => lines[1] ?? '';

function expectFits(lines: readonly string[], columns: number, rows: number) {
	// Like every frame: one row short of the terminal, no line wider than it.
	expect(lines).toHaveLength(rows - 1);
	for (const line of lines) expect(textWidth(line), line).toBeLessThanOrEqual(columns);
}

describe('the Node pane', () => {
	it('is the fifth pane (Shift-Tab from Processes) and shows the active node\'s diagnosis', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 100, rows: 30});
		await app.press(KEYS.shiftTab);
		const lines = app.lines();
		expectFits(lines, 100, 30);
		expect(title(lines)).toMatch(/^Node — node01 +Processes Namespaces Containers Pods Events Node$/);
		expect(lines[2]).toMatch(/^node01 — dockershim \(from the kubelet\)/);
		expect(app.frame()).toMatch(/kubelet\s+pid 120 · v1\.20\.15 · \/usr\/bin\/kubelet/);
		expect(app.frame()).toMatch(/WARN {2}dockershim-in-use: The kubelet \(pid 120, 1\.20\.15\)/);
		// No cursor, no row hints: it is text.
		expect(app.frame()).not.toMatch(/^›/m);
		expect(app.frame()).not.toContain('Enter details');
		expect(app.frame()).not.toContain('/ filter');
		// Tab goes on round to Processes.
		await app.press(KEYS.tab);
		expect(title(app.lines())).toMatch(/^Processes — node01 /);
	});

	it('follows the active node: ] shows node02\'s diagnosis, [ node01\'s again', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 100, rows: 30});
		await app.press(KEYS.shiftTab, ']');
		expect(title(app.lines())).toMatch(/^Node — node02 /);
		expect(app.frame()).toContain('node02 — containerd (from the kubelet)');
		expect(app.frame()).toMatch(/findings\s+none/);
		expect(app.frame()).not.toContain('dockershim-in-use');
		expectFits(app.lines(), 100, 30);
		await app.press('[');
		expect(title(app.lines())).toMatch(/^Node — node01 /);
		expect(app.frame()).toContain('dockershim-in-use');
	});

	it('scrolls with j k g G PgDn when the diagnosis is taller than the pane, within the terminal', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 80, rows: 12});
		await app.press(KEYS.shiftTab);
		const all = nodePaneLines({...mainNode(), diagnosis: dockershimDiagnosis()}, 80).map((line) => line.map((s) => s.text).join('').trimEnd());
		// 12 rows: tabs, title, one footer line and a spare leave 8 for the pane.
		const body = () => app.lines().slice(2, 10);
		expect(all.length).toBeGreaterThan(8);
		expectFits(app.lines(), 80, 12);
		expect(body()[0]).toMatch(/^node01 — dockershim/);
		expect(body()[7]).toMatch(/^… \d+ more lines? \(scroll\)/);
		await app.press('j');
		expect(body()[0]).toBe(all[1]);
		await app.press('k');
		expect(body()[0]).toBe(all[0]);
		await app.press('G');
		expectFits(app.lines(), 80, 12);
		expect(body()[7]).toBe(all[all.length - 1]);
		expect(app.frame()).not.toContain('more line');
		await app.press('g');
		expect(body()[0]).toBe(all[0]);
		await app.press(KEYS.pageDown);
		expect(body()[0]).not.toBe(all[0]);
		// The scroll belongs to the node: node02's pane starts at its top.
		await app.press(']');
		expect(body()[0]).toMatch(/^node02 — containerd/);
	});

	it('fits every size it is resized to', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 100, rows: 40});
		await app.press(KEYS.shiftTab);
		for (const [columns, rows] of [[80, 24], [60, 12], [40, 7], [41, 9], [120, 50]] as const) {
			await app.resize(columns, rows);
			expectFits(app.lines(), columns, rows);
			expect(title(app.lines())).toMatch(/^Node — node01/);
		}
	});
});

describe('= compares the active node with the next', () => {
	it('shows both nodes side by side; = closes it, and so does Esc', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 120, rows: 30});
		await app.press('=');
		let lines = app.lines();
		expectFits(lines, 120, 30);
		expect(title(lines)).toMatch(/^Compare — node01 vs node02/);
		// The columns' heading names each node, node01 left of node02.
		const heading = lines.find((line) => /node01\s+node02/.test(line) && !line.startsWith('Compare'));
		expect(heading).toBeDefined();
		expect(lines.find((line) => /runtime/.test(line) && line.includes('dockershim') && line.indexOf('dockershim') < line.indexOf('containerd'))).toBeDefined();
		expect(app.frame()).toContain('Esc back');
		// Blank lines between its sections keep their rows: the pane fills down to the footer.
		expect(lines[12]?.trim()).toBe('');
		expect(lines[13]).toMatch(/^  Shims /);
		expect(lines[25]).toMatch(/^… \d+ more lines? \(scroll\)/);
		expect(lines[26]).toMatch(/processes · \d+ shims/);
		await app.press('j');
		expect(app.lines()[2]).toMatch(/^ +node01 +node02/);
		await app.press('=');
		lines = app.lines();
		expect(title(lines)).toMatch(/^Processes — node01 /);
		expect(app.frame()).not.toContain('Compare —');
		await app.press('=');
		expect(title(app.lines())).toMatch(/^Compare — /);
		await app.press(KEYS.escape);
		expect(title(app.lines())).toMatch(/^Processes — node01 /);
	});

	it('follows the active node, wrapping to the first for the last', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 120, rows: 30});
		await app.press('=', ']');
		expect(title(app.lines())).toMatch(/^Compare — node02 vs node01/);
		expect(app.lines().some((line) => /node02\s+node01/.test(line) && !line.startsWith('Compare'))).toBe(true);
	});

	it('fits the terminal at every size, and opens from the Node pane too', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 120, rows: 40});
		await app.press(KEYS.shiftTab, '=');
		for (const [columns, rows] of [[80, 24], [60, 12], [40, 7], [41, 9], [100, 30]] as const) {
			await app.resize(columns, rows);
			expectFits(app.lines(), columns, rows);
			expect(app.frame()).toContain('Compare — node01');
		}
		await app.press('G');
		expectFits(app.lines(), 100, 30);
		await app.press('=');
		expect(title(app.lines())).toMatch(/^Node — node01/);
	});

	it('with one node, says why in the footer instead, until the next key', async () => {
		const app = await renderApp({store: diagnosedStore({nodes: 1}), columns: 80, rows: 24});
		await app.press('=');
		let lines = app.lines();
		expectFits(lines, 80, 24);
		expect(title(lines)).toMatch(/^Processes — node01 /);
		expect(lines[22]).toMatch(/^compare needs two nodes: add another --node/);
		await app.press('j');
		lines = app.lines();
		expect(app.frame()).not.toContain('compare needs two nodes');
		expect(lines[22]).toContain('every 2s');
	});

	it('with one node in a short terminal, the message takes the one footer line', async () => {
		const app = await renderApp({store: diagnosedStore({nodes: 1}), columns: 80, rows: 12});
		await app.press('=');
		const lines = app.lines();
		expectFits(lines, 80, 12);
		expect(lines[10]).toMatch(/^compare needs two nodes/);
	});

	it('is listed by help, which reads the same key table', async () => {
		const app = await renderApp({store: diagnosedStore(), columns: 100, rows: 40});
		await app.press('?');
		expectFits(app.lines(), 100, 40);
		expect(app.frame()).toMatch(/^=\s+compare this node with the next one/m);
	});
});
