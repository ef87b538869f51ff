import {describe, expect, it} from 'vitest';
import {createCrimonStore} from '../../source/store/store.js';
import {COMPARE_NEEDS_TWO, compareNode, INITIAL_UI, modeOf, onScreenPids, viewKey, withCompareToggle, withFold, withNode, withNodeStep, withPane} from '../../source/store/ui-state.js';
import {mainNode, NOW} from '../views/fixtures.js';

describe('UI reducers', () => {
	it('steps nodes with wrap-around and closes details on a switch', () => {
		const open = {...INITIAL_UI, details: {node: 0, subject: {kind: 'pod' as const, id: 'x'}, scroll: 0}};
		expect(withNodeStep(open, 1, 3)).toMatchObject({activeNode: 1, details: null});
		expect(withNodeStep(INITIAL_UI, -1, 3).activeNode).toBe(2);
		expect(withNodeStep(INITIAL_UI, 1, 1)).toBe(INITIAL_UI);
		expect(withNode(INITIAL_UI, 5, 3)).toBe(INITIAL_UI);
		expect(withPane(open, 'pods')).toMatchObject({pane: 'pods', details: null});
	});

	it('keeps folds per node and pane, and returns the same state when nothing changes', () => {
		const folded = withFold(INITIAL_UI, 0, 'processes', 'p:300', true);
		expect(folded.folds[viewKey(0, 'processes')]?.has('p:300')).toBe(true);
		expect(folded.folds[viewKey(1, 'processes')]).toBeUndefined();
		expect(withFold(folded, 0, 'processes', 'p:300', true)).toBe(folded);
		expect(withFold(folded, 0, 'processes', 'p:300', false).folds[viewKey(0, 'processes')]?.size).toBe(0);
	});

	it('opens and closes the compare view, or says why it cannot with one node', () => {
		const open = withCompareToggle(INITIAL_UI, 2);
		expect(open.compare).toEqual({scroll: 0});
		expect(modeOf(open)).toBe('compare');
		expect(withCompareToggle(open, 2).compare).toBeNull();
		const alone = withCompareToggle(INITIAL_UI, 1);
		expect(alone).toMatchObject({compare: null, notice: COMPARE_NEEDS_TWO});
		expect(withCompareToggle(alone, 1)).toBe(alone);
		expect([compareNode(0, 3), compareNode(2, 3), compareNode(0, 1)]).toEqual([1, 0, 0]);
	});

	it('knows which mode has the keyboard', () => {
		expect(modeOf(INITIAL_UI)).toBe('list');
		expect(modeOf({...INITIAL_UI, filterEditing: true})).toBe('filter');
		expect(modeOf({...INITIAL_UI, details: {node: 0, subject: {kind: 'pod', id: 'x'}, scroll: 0}})).toBe('details');
		expect(modeOf({...INITIAL_UI, filterEditing: true, help: {scroll: 0}})).toBe('help');
	});
});

describe('the UI slice in the one store', () => {
	it('sits beside the node data without disturbing it', () => {
		const store = createCrimonStore([{name: 'a', target: 'local'}, {name: 'b', target: 'local'}], 2000);
		const nodes = store.getState().nodes;
		store.getState().stepNode(1);
		store.getState().setFilter('web');
		expect(store.getState().nodes).toBe(nodes);
		expect(store.getState().ui).toMatchObject({activeNode: 1, filter: 'web'});
		const ui = store.getState().ui;
		store.getState().pollFinished(0, mainNode(), NOW, 10);
		expect(store.getState().ui).toBe(ui);
	});

	it('tells the poller which pids are on screen, for the active node only', () => {
		const store = createCrimonStore([{name: 'a', target: 'local'}, {name: 'b', target: 'local'}], 2000);
		const refreshFor = onScreenPids(store);
		expect(refreshFor(0)).toBeUndefined();
		store.getState().setOnScreen(1, new Set([10, 11]));
		expect(refreshFor(0)).toBeUndefined();
		expect([...refreshFor(1)!]).toEqual([10, 11]);
		// The same set again is no store change at all.
		const ui = store.getState().ui;
		store.getState().setOnScreen(1, new Set([11, 10]));
		expect(store.getState().ui).toBe(ui);
	});
});
