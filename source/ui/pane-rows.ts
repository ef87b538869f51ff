/**
 * Pure: a pane's rows from a snapshot and the view settings, in two steps so the app can
 * memoize each: `paneItems` (per snapshot; the costly part at thousands of processes) and
 * `shapePane` (per filter, fold and sort change). Moving the cursor touches neither.
 */
import type {NodeSnapshot} from '../schema/types.js';
import {containerItems, sortContainerItems, type SortState} from './container-rows.js';
import {makeMatcher} from './filter.js';
import {namespaceItems} from './namespace-rows.js';
import {PANE_INFO, type PaneId} from './panes.js';
import {podItems, sortPodItems} from './pod-rows.js';
import {processItems} from './process-rows.js';
import type {Item} from './row.js';
import {memoOnSnapshot} from './snapshot-memo.js';
import {shapeTree, type Shaped, type ShapedRow} from './tree.js';

export interface PaneView {
	readonly filter: string;
	readonly folds: ReadonlySet<string>;
	readonly sort: SortState;
	readonly runtimeOnly: boolean;
}

function paneItems(snapshot: NodeSnapshot, pane: PaneId, runtimeOnly: boolean): Item[] {
	switch (pane) {
		case 'processes':
			return processItems(snapshot, runtimeOnly);
		case 'namespaces':
			return namespaceItems(snapshot);
		case 'containers':
			return containerItems(snapshot);
		case 'pods':
			return podItems(snapshot);
		case 'node':
		case 'events':
			// The Events pane's rows come from the store's ring (ui/event-rows.ts), not the snapshot.
			return [];
	}
}

const itemsOf = memoOnSnapshot((snapshot: NodeSnapshot, key: string): readonly Item[] => {
	const [pane, runtimeOnly] = key.split(':') as [PaneId, string | undefined];
	return paneItems(snapshot, pane, runtimeOnly === 'runtime');
});

/**
 * `paneItems`, kept for as long as the snapshot lives: switching panes back and forth
 * between two polls rebuilds nothing, and panes built ahead (prebuildPanes) are ready.
 */
export function cachedPaneItems(snapshot: NodeSnapshot, pane: PaneId, runtimeOnly: boolean): readonly Item[] {
	return itemsOf(snapshot, pane === 'processes' ? `${pane}:${runtimeOnly ? 'runtime' : 'all'}` : pane);
}

const sortedCache = new WeakMap<readonly Item[], Map<string, readonly Item[]>>();

/** sortItems, kept per items list and sort (a sort key pressed twice in a row re-sorts nothing). */
export function cachedSortItems(snapshot: NodeSnapshot, pane: PaneId, items: readonly Item[], sort: SortState): readonly Item[] {
	if (pane !== 'containers' && pane !== 'pods') return items;
	let bySort = sortedCache.get(items);
	if (!bySort) sortedCache.set(items, (bySort = new Map()));
	const key = JSON.stringify(sort);
	let sorted = bySort.get(key);
	if (!sorted) bySort.set(key, (sorted = sortItems(snapshot, pane, items, sort)));
	return sorted;
}

const shapedCache = new WeakMap<readonly Item[], Map<string, WeakMap<ReadonlySet<string>, Shaped>>>();

/** shapePane, kept per items list, filter and fold set: a pane shown again is ready as it was left. */
export function cachedShapePane(pane: PaneId, items: readonly Item[], filter: string, folds: ReadonlySet<string>): Shaped {
	let byFilter = shapedCache.get(items);
	if (!byFilter) shapedCache.set(items, (byFilter = new Map()));
	// One filter kept per list: typing a filter must not keep a shape for every prefix.
	let byFolds = byFilter.get(filter);
	if (!byFolds) {
		byFilter.clear();
		byFilter.set(filter, (byFolds = new WeakMap()));
	}
	let shaped = byFolds.get(folds);
	if (!shaped) byFolds.set(folds, (shaped = shapePane(pane, items, filter, folds)));
	return shaped;
}

/** How a pane is viewed right now: what its shaping depends on besides the snapshot. */
export type PaneViewOf = (pane: PaneId) => PaneView;

/**
 * The jobs that build every row pane's rows for a snapshot as each pane is viewed now, the
 * one on screen left out (already built): run in idle turns after a poll, so that Tab, `a`
 * or a sort then finds its rows ready instead of building 10,000 of them between a key and
 * its frame. Each job is one pane, so a key waits for one at most.
 */
export function prebuildJobs(snapshot: NodeSnapshot, shown: PaneId, viewOf: PaneViewOf): (() => void)[] {
	const jobs: (() => void)[] = [];
	for (const pane of Object.keys(PANE_INFO) as PaneId[]) {
		if (PANE_INFO[pane].shape === 'text') continue;
		const runtimeOnly = viewOf(pane).runtimeOnly;
		const variants = pane === 'processes' ? [runtimeOnly, !runtimeOnly] : [runtimeOnly];
		for (const variant of variants) {
			if (pane === shown && variant === runtimeOnly) continue;
			jobs.push(() => {
				const view = viewOf(pane);
				const items = cachedSortItems(snapshot, pane, cachedPaneItems(snapshot, pane, variant), view.sort);
				cachedShapePane(pane, items, view.filter, view.folds);
			});
		}
	}
	return jobs;
}

function sortItems(snapshot: NodeSnapshot, pane: PaneId, items: readonly Item[], sort: SortState): readonly Item[] {
	if (pane === 'containers') return sortContainerItems(items, snapshot, sort);
	if (pane === 'pods') return sortPodItems(items, snapshot, sort);
	return items;
}

function shapeTable(items: readonly Item[], filter: string): Shaped {
	const matcher = makeMatcher(filter);
	const rows: ShapedRow[] = [];
	for (const item of items) {
		if (matcher && !matcher(item.haystack)) continue;
		rows.push({item, parent: -1, last: true, foldable: false, folded: false, hidden: 0, match: true});
	}
	return {rows, counts: new Map([['container', {total: items.length, shown: rows.length}]])};
}

function shapePane(pane: PaneId, items: readonly Item[], filter: string, folds: ReadonlySet<string>): Shaped {
	return PANE_INFO[pane].shape === 'table' ? shapeTable(items, filter) : shapeTree(items, makeMatcher(filter), folds);
}

/** The whole pipeline at once, for tests and the benchmark. */
export function paneRows(snapshot: NodeSnapshot, pane: PaneId, view: PaneView): Shaped {
	const items = sortItems(snapshot, pane, paneItems(snapshot, pane, view.runtimeOnly), view.sort);
	return shapePane(pane, items, view.filter, view.folds);
}

export interface PaneCount {
	readonly total: number;
	readonly shown: number;
}

export function paneCount(pane: PaneId, shaped: Shaped): PaneCount {
	let total = 0;
	let shown = 0;
	for (const kind of PANE_INFO[pane].counts) {
		const count = shaped.counts.get(kind);
		total += count?.total ?? 0;
		shown += count?.shown ?? 0;
	}
	return {total, shown};
}
