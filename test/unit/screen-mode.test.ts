/**
 * Which open mode wins, as a table: every combination of help, the filter prompt, details
 * and compare, over a list pane and over the Node pane's text, gives the mode that takes the
 * keys, what the body shows, the title, what a page is, where the movement keys go and what
 * Esc closes; then, from the key table itself, which keys reach which of those.
 */
import {describe, expect, it} from 'vitest';
import {INITIAL_UI, modeOf, screenModeOf} from '../../source/store/ui-state.js';
import {resolveKey} from '../../source/ui/keymap.js';
import {PANES, PANE_INFO} from '../../source/ui/panes.js';
import {screenMode, type ScreenMode} from '../../source/ui/screen-mode.js';

type Row = readonly [help: 0 | 1, filter: 0 | 1, details: 0 | 1, compare: 0 | 1, shown: ScreenMode];
const row = (h: 0 | 1, f: 0 | 1, d: 0 | 1, c: 0 | 1, keys: ScreenMode['keys'], body: ScreenMode['body'], title: ScreenMode['title'], page: ScreenMode['page'], scroll: ScreenMode['scroll'], back: ScreenMode['back']): Row =>
	[h, f, d, c, {keys, body, title, page, scroll, back}];

// Over a list pane (processes). Help covers everything; the filter prompt takes the keys but
// draws nothing of its own (it is the title line); details cover compare.
const OVER_A_LIST: readonly Row[] = [
	//  h  f  d  c   keys       body       title      page     scroll     back
	row(0, 0, 0, 0, 'list', 'rows', 'pane', 'list', 'cursor', 'filter-text'),
	row(0, 0, 0, 1, 'compare', 'compare', 'compare', 'body', 'compare', 'compare'),
	row(0, 0, 1, 0, 'details', 'details', 'pane', 'panel', 'details', 'details'),
	row(0, 0, 1, 1, 'details', 'details', 'pane', 'panel', 'details', 'details'),
	row(0, 1, 0, 0, 'filter', 'rows', 'pane', 'list', 'cursor', 'filter'),
	row(0, 1, 0, 1, 'filter', 'compare', 'compare', 'body', 'cursor', 'filter'),
	row(0, 1, 1, 0, 'filter', 'details', 'pane', 'panel', 'cursor', 'filter'),
	row(0, 1, 1, 1, 'filter', 'details', 'pane', 'panel', 'cursor', 'filter'),
	row(1, 0, 0, 0, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 0, 0, 1, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 0, 1, 0, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 0, 1, 1, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 1, 0, 0, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 1, 0, 1, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 1, 1, 0, 'help', 'help', 'pane', 'panel', 'help', 'help'),
	row(1, 1, 1, 1, 'help', 'help', 'pane', 'panel', 'help', 'help'),
];

const open = ([h, f, d, c]: Row) => ({help: h === 1, filter: f === 1, details: d === 1, compare: c === 1});
const name = (r: Row) => ['help', 'filter', 'details', 'compare'].filter((_, i) => r[i] === 1).join('+') || 'nothing';

/** Over the Node pane the pane's own body is text, and what moved the cursor scrolls it. */
const overText = (shown: ScreenMode): ScreenMode => ({
	...shown,
	body: shown.body === 'rows' ? 'text' : shown.body,
	scroll: shown.scroll === 'cursor' ? 'text' : shown.scroll,
});

describe('which open mode wins', () => {
	it('covers every combination once', () => {
		expect(new Set(OVER_A_LIST.map(name)).size).toBe(16);
	});

	for (const r of OVER_A_LIST) {
		it(`${name(r)} open: ${r[4].keys} has the keys, the body shows ${r[4].body}`, () => {
			for (const pane of PANES) {
				const expected = PANE_INFO[pane].shape === 'text' ? overText(r[4]) : r[4];
				expect(screenMode(open(r), pane), pane).toEqual(expected);
			}
		});
	}

	it('reads the store’s UI state the same way, and gives the very same object for the same modes', () => {
		const details = {node: 0, subject: {kind: 'pod' as const, id: 'x'}, scroll: 0};
		for (const r of OVER_A_LIST) {
			const o = open(r);
			const ui = {...INITIAL_UI, help: o.help ? {scroll: 3} : null, filterEditing: o.filter, details: o.details ? details : null, compare: o.compare ? {scroll: 1} : null};
			expect(screenModeOf(ui)).toBe(screenMode(o, 'processes'));
			expect(modeOf(ui)).toBe(r[4].keys);
			expect(screenModeOf({...ui, pane: 'node'})).toBe(screenMode(o, 'node'));
		}
	});
});

describe('which keys go where', () => {
	for (const r of OVER_A_LIST) {
		const shown = r[4];
		it(`${name(r)} open`, () => {
			// Esc always goes back, to what the table says it closes.
			expect(resolveKey('escape', shown.keys, 'processes')?.command).toBe('back');
			// The movement keys reach the scroll target; while the filter is typed, letters are text.
			expect(resolveKey('down', shown.keys, 'processes')?.command).toBe('down');
			expect(resolveKey('j', shown.keys, 'processes')?.command ?? 'typed into the filter').toBe(shown.keys === 'filter' ? 'typed into the filter' : 'down');
			// Only the bare list opens the filter or details; = opens and closes compare from the list and compare.
			expect(resolveKey('/', shown.keys, 'processes')?.command ?? null).toBe(shown.keys === 'list' ? 'filter' : null);
			expect(resolveKey('enter', shown.keys, 'processes')?.command ?? null).toBe({list: 'details', filter: 'filter-done', details: 'back', compare: null, help: null}[shown.keys]);
			expect(resolveKey('=', shown.keys, 'processes')?.command ?? null).toBe(shown.keys === 'list' || shown.keys === 'compare' ? 'compare' : null);
			// q quits wherever a letter is not filter text; Ctrl-C quits everywhere.
			expect(resolveKey('q', shown.keys, 'processes')?.command ?? null).toBe(shown.keys === 'filter' ? null : 'quit');
			expect(resolveKey('ctrl-c', shown.keys, 'processes')?.command).toBe('quit');
		});
	}
});
