/**
 * Pure: a pane's rows from a snapshot and the view settings, in two steps so the app can
 * memoize each: `paneItems` (per snapshot; the costly part at thousands of processes) and
 * `shapePane` (per filter, fold and sort change). Moving the cursor touches neither.
 */
import type {NodeSnapshot} from '../model/types.js';
import {containerItems, sortContainerItems, type SortState} from './container-rows.js';
import {makeMatcher} from './filter.js';
import {namespaceItems} from './namespace-rows.js';
import {PANE_INFO, type PaneId} from './panes.js';
import {podItems, sortPodItems} from './pod-rows.js';
import {processItems} from './process-rows.js';
import type {Item} from './row.js';
import {shapeTree, type Shaped, type ShapedRow} from './tree.js';

export interface PaneView {
	readonly filter: string;
	readonly folds: ReadonlySet<string>;
	readonly sort: SortState;
	readonly runtimeOnly: boolean;
}

export function paneItems(snapshot: NodeSnapshot, pane: PaneId, runtimeOnly: boolean): Item[] {
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
			return [];
	}
}

const itemCache = new WeakMap<NodeSnapshot, Map<string, readonly Item[]>>();

/**
 * `paneItems`, kept for as long as the snapshot lives: switching panes back and forth
 * between two polls rebuilds nothing.
 */
export function cachedPaneItems(snapshot: NodeSnapshot, pane: PaneId, runtimeOnly: boolean): readonly Item[] {
	let perSnapshot = itemCache.get(snapshot);
	if (!perSnapshot) itemCache.set(snapshot, (perSnapshot = new Map()));
	const key = pane === 'processes' ? `${pane}:${runtimeOnly}` : pane;
	let items = perSnapshot.get(key);
	if (!items) perSnapshot.set(key, (items = paneItems(snapshot, pane, runtimeOnly)));
	return items;
}

export function sortItems(snapshot: NodeSnapshot, pane: PaneId, items: readonly Item[], sort: SortState): readonly Item[] {
	if (pane === 'containers') return sortContainerItems(items, snapshot, sort);
	if (pane === 'pods') return sortPodItems(items, snapshot, sort);
	return items;
}

export function shapeTable(items: readonly Item[], filter: string): Shaped {
	const matcher = makeMatcher(filter);
	const rows: ShapedRow[] = [];
	for (const item of items) {
		if (matcher && !matcher(item.haystack)) continue;
		rows.push({item, parent: -1, last: true, foldable: false, folded: false, hidden: 0, match: true});
	}
	return {rows, counts: new Map([['container', {total: items.length, shown: rows.length}]])};
}

export function shapePane(pane: PaneId, items: readonly Item[], filter: string, folds: ReadonlySet<string>): Shaped {
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
