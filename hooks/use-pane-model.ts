/**
 * The active pane's rows, memoized stage by stage: items per snapshot (the costly part),
 * then sort, then filter and folds. Cursor moves reuse all of it; a poll rebuilds only
 * the active pane.
 */
import {useEffect, useMemo} from 'react';
import type {NodeSnapshot} from '../source/schema/types.js';
import {EMPTY_FOLDS, viewKey} from '../source/store/ui-state.js';
import type {SortState} from '../source/ui/container-rows.js';
import {stableSnapshots} from '../source/ui/stable-snapshot.js';
import {cachedPaneItems, cachedShapePane, cachedSortItems, paneCount, prebuildJobs, type PaneCount} from '../source/ui/pane-rows.js';
import {idleQueue} from '../source/ui/snapshot-memo.js';
import type {PaneId} from '../source/ui/panes.js';
import type {Shaped} from '../source/ui/tree.js';
import {useCrimon, useCrimonStore} from './store-context.js';
import type {StoredEvent} from '../source/model/event-ring.js';
import {eventItems} from '../source/ui/event-rows.js';

export interface PaneModel {
	readonly node: number;
	readonly pane: PaneId;
	readonly snapshot: NodeSnapshot | null;
	readonly shaped: Shaped;
	/** Row key → index, for the cursor to find its row again. */
	readonly positions: ReadonlyMap<string, number>;
	readonly count: PaneCount;
	readonly filter: string;
	readonly sort: SortState;
	readonly runtimeOnly: boolean;
}

const EMPTY: Shaped = {rows: [], counts: new Map()};
const NO_RING: readonly StoredEvent[] = [];

export function usePaneModel(): PaneModel {
	const node = useCrimon((s) => s.ui.activeNode);
	const pane = useCrimon((s) => s.ui.pane);
	// A poll that changed nothing hands back the snapshot already on screen: no rebuild, no frame.
	const stable = useMemo(() => stableSnapshots(), [node]);
	const snapshot = useCrimon((s) => stable(s.nodes[s.ui.activeNode]?.snapshot ?? null));
	const runtimeOnly = useCrimon((s) => s.ui.runtimeOnly);
	const filter = useCrimon((s) => s.ui.filter);
	const sort = useCrimon((s) => s.ui.sort);
	const folds = useCrimon((s) => s.ui.folds[viewKey(s.ui.activeNode, s.ui.pane)] ?? EMPTY_FOLDS);

	// The Events pane reads the node's ring; other panes never re-render for an event.
	const ring = useCrimon((s) => (s.ui.pane === 'events' ? s.events[s.ui.activeNode]?.ring ?? NO_RING : NO_RING));
	const items = useMemo(
		() => (pane === 'events' ? eventItems(ring, snapshot) : snapshot ? cachedPaneItems(snapshot, pane, runtimeOnly) : []),
		[snapshot, pane, pane === 'processes' && runtimeOnly, pane === 'events' ? ring : null],
	);
	const sorted = useMemo(() => (snapshot ? cachedSortItems(snapshot, pane, items, sort) : items), [snapshot, pane, items, pane === 'containers' || pane === 'pods' ? sort : null]);
	const shaped = useMemo(() => (snapshot || pane === 'events' ? cachedShapePane(pane, sorted, filter, folds) : EMPTY), [snapshot, pane, sorted, filter, folds]);
	const positions = useMemo(() => {
		const map = new Map<string, number>();
		shaped.rows.forEach((row, i) => map.set(row.item.key, i));
		return map;
	}, [shaped]);
	const count = useMemo(() => paneCount(pane, shaped), [pane, shaped]);
	// Once this frame is out, build the other panes' rows for this snapshot in idle turns.
	const store = useCrimonStore();
	const idle = useMemo(() => idleQueue(), []);
	useEffect(() => {
		if (!snapshot) return;
		const viewOf = (target: PaneId) => {
			const {ui} = store.getState();
			return {filter: ui.filter, sort: ui.sort, runtimeOnly: ui.runtimeOnly, folds: ui.folds[viewKey(node, target)] ?? EMPTY_FOLDS};
		};
		idle.schedule(prebuildJobs(snapshot, pane, viewOf));
		return () => idle.cancel();
		// Per snapshot: the view settings are read when each job runs.
	}, [idle, snapshot, store, node]);
	return {node, pane, snapshot, shaped, positions, count, filter, sort, runtimeOnly};
}
