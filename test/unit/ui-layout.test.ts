import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {computeLayout, MIN_COLUMNS, MIN_ROWS} from '../../source/ui/layout.js';
import {cursorIndex, moveIndex, scrollOffset, windowTop} from '../../source/ui/cursor.js';
import {PANES} from '../../source/ui/panes.js';

describe('layout', () => {
	it('never draws as tall as the terminal, and gives every row a job', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 400}), fc.integer({min: 1, max: 200}), fc.constantFrom(...PANES), (columns, rows, pane) => {
				const layout = computeLayout(columns, rows, pane);
				expect(layout.height).toBeLessThan(rows + (rows === 1 ? 1 : 0));
				if (!layout.tooSmall) {
					expect(layout.tabs + layout.title + layout.header + layout.list + layout.node + layout.footer).toBe(rows - 1);
					expect(layout.list).toBeGreaterThanOrEqual(1);
				} else {
					expect(columns < MIN_COLUMNS || rows < MIN_ROWS).toBe(true);
				}
			}),
		);
	});

	it('80×24 has a two-line footer, the node line and 17 list rows under a header', () => {
		expect(computeLayout(80, 24, 'containers')).toMatchObject({height: 23, tabs: 1, title: 1, header: 1, list: 17, node: 1, footer: 2});
		expect(computeLayout(80, 24, 'pods')).toMatchObject({header: 0, list: 18});
		expect(computeLayout(80, 15, 'pods')).toMatchObject({node: 0});
	});
});

describe('cursor', () => {
	it('scrolls only as far as keeps the cursor in view', () => {
		fc.assert(
			fc.property(fc.nat(500), fc.nat(500), fc.integer({min: 1, max: 60}), fc.nat(500), (index, top, height, extra) => {
				const count = index + 1 + extra;
				const next = windowTop(index, top, height, count);
				expect(index).toBeGreaterThanOrEqual(next);
				expect(index).toBeLessThan(next + height);
				expect(next).toBeLessThanOrEqual(Math.max(0, count - height));
			}),
		);
	});

	it('follows its row by key, else keeps its place', () => {
		const positions = new Map([['a', 0], ['b', 1], ['c', 2]]);
		expect(cursorIndex({key: 'c', index: 0, top: 0}, positions, 3)).toBe(2);
		expect(cursorIndex({key: 'gone', index: 1, top: 0}, positions, 3)).toBe(1);
		expect(cursorIndex({key: 'gone', index: 9, top: 0}, positions, 3)).toBe(2);
		expect(cursorIndex(undefined, positions, 3)).toBe(0);
	});

	it('moves within bounds', () => {
		expect(moveIndex('up', 0, 10, 5)).toBe(0);
		expect(moveIndex('down', 9, 10, 5)).toBe(9);
		expect(moveIndex('page-down', 2, 10, 5)).toBe(7);
		expect(moveIndex('page-up', 2, 10, 5)).toBe(0);
		expect(moveIndex('bottom', 0, 10, 5)).toBe(9);
		expect(moveIndex('top', 7, 10, 5)).toBe(0);
		expect(scrollOffset('bottom', 0, 30, 10)).toBe(20);
		expect(scrollOffset('down', 20, 30, 10)).toBe(20);
		expect(scrollOffset('page-down', 0, 5, 10)).toBe(0);
	});
});
