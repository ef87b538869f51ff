/**
 * Pure: a pane's rows from a snapshot and the view settings, in steps the app keeps apart
 * (ui/pane-memo.ts): `paneItems` (the costly part at thousands of processes), `sortItems`,
 * and `shapePane` (per filter and fold change). Moving the cursor touches none of them.
 */
import type {NodeSnapshot} from '../schema/types.js';
import {containerItems, sortContainerItems, type SortState} from './container-rows.js';
import {makeMatcher} from './filter.js';
import {namespaceItems} from './namespace-rows.js';
import {PANE_INFO, type PaneId} from './panes.js';
import type {SnapshotIndex} from '../model/snapshot-index.js';
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

/** `index`: the snapshot's, from its model; built by each pane when none is given (tests). */
export function paneItems(snapshot: NodeSnapshot, pane: PaneId, runtimeOnly: boolean, index?: SnapshotIndex): Item[] {
	switch (pane) {
		case 'processes':
			return processItems(snapshot, runtimeOnly, index);
		case 'namespaces':
			return namespaceItems(snapshot, index);
		case 'containers':
			return containerItems(snapshot);
		case 'pods':
			return podItems(snapshot, index);
		case 'node':
		case 'events':
			// The Events pane's rows come from the store's ring (ui/event-rows.ts), not the snapshot.
			return [];
	}
}

/** How a pane is viewed right now: what its shaping depends on besides the snapshot. */
export type PaneViewOf = (pane: PaneId) => PaneView;

export function sortItems(snapshot: NodeSnapshot, pane: PaneId, items: readonly Item[], sort: SortState): readonly Item[] {
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
