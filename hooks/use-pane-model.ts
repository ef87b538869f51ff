/**
 * The active pane's rows, kept stage by stage in a memo this hook owns (ui/pane-memo.ts):
 * items while the kinds the pane shows are unchanged, then sort, then filter and folds.
 * Cursor moves reuse all of it; a poll that changed nothing hands back the same model
 * snapshot (the node's entry keeps it), so nothing is rebuilt and no frame is drawn; a
 * poll rebuilds only the panes its changes touch, the active one first.
 */
import {useEffect, useMemo} from 'react';
import type {NodeSnapshot} from '../source/schema/types.js';
import {EMPTY_FOLDS, viewKey} from '../source/store/ui-state.js';
import type {SortState} from '../source/ui/container-rows.js';
import {paneCount, type PaneCount} from '../source/ui/pane-rows.js';
import {createPaneMemo, memoPaneItems, memoShapePane, memoSortItems, paneSlot, prebuildJobs} from '../source/ui/pane-memo.js';
import {idleQueue} from '../source/ui/snapshot-memo.js';
import type {PaneId} from '../source/ui/panes.js';
import type {Shaped} from '../source/ui/tree.js';
import {useCrimon, useCrimonStore} from './store-context.js';
import type {StoredEvent} from '../source/model/event-ring.js';
import {modelOfSnapshot} from '../source/model/node-model.js';
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
	// A poll that changed nothing leaves the entry's snapshot as it was: no render at all. The
	// model (index, what changed) belongs to that snapshot, so it is read when the snapshot moves.
	const snapshot = useCrimon((s) => s.nodes[s.ui.activeNode]?.snapshot ?? null);
	const store = useCrimonStore();
	const model = useMemo(() => {
		if (!snapshot) return null;
		const kept = store.getState().nodes[node]?.model ?? null;
		return kept?.snapshot === snapshot ? kept : modelOfSnapshot(snapshot, null);
	}, [snapshot, node, store]);
	const runtimeOnly = useCrimon((s) => s.ui.runtimeOnly);
	const filter = useCrimon((s) => s.ui.filter);
	const sort = useCrimon((s) => s.ui.sort);
	const folds = useCrimon((s) => s.ui.folds[viewKey(s.ui.activeNode, s.ui.pane)] ?? EMPTY_FOLDS);
	const memo = useMemo(() => createPaneMemo(), []);
	const slot = paneSlot(node, pane, runtimeOnly);

	// The Events pane reads the node's ring; other panes never re-render for an event.
	const ring = useCrimon((s) => (s.ui.pane === 'events' ? s.events[s.ui.activeNode]?.ring ?? NO_RING : NO_RING));
	const items = useMemo(
		() => (pane === 'events' ? eventItems(ring, snapshot) : model ? memoPaneItems(memo, slot, model, pane, runtimeOnly) : []),
		[model, slot, pane === 'events' ? ring : null],
	);
	const sorted = useMemo(() => (snapshot ? memoSortItems(memo, slot, snapshot, pane, items, sort) : items), [snapshot, slot, items, pane === 'containers' || pane === 'pods' ? sort : null]);
	const shaped = useMemo(() => (snapshot || pane === 'events' ? memoShapePane(memo, slot, pane, sorted, filter, folds) : EMPTY), [snapshot, slot, sorted, filter, folds]);
	const positions = useMemo(() => {
		const map = new Map<string, number>();
		shaped.rows.forEach((row, i) => map.set(row.item.key, i));
		return map;
	}, [shaped]);
	const count = useMemo(() => paneCount(pane, shaped), [pane, shaped]);
	// Once this frame is out, build the other panes' rows for this model in idle turns.
	const idle = useMemo(() => idleQueue(), []);
	useEffect(() => {
		if (!model) return;
		const viewOf = (target: PaneId) => {
			const {ui} = store.getState();
			return {filter: ui.filter, sort: ui.sort, runtimeOnly: ui.runtimeOnly, folds: ui.folds[viewKey(node, target)] ?? EMPTY_FOLDS};
		};
		idle.schedule(prebuildJobs(memo, node, model, pane, viewOf));
		return () => idle.cancel();
		// Per snapshot: the view settings are read when each job runs.
	}, [idle, model, store, node]);
	return {node, pane, snapshot, shaped, positions, count, filter, sort, runtimeOnly};
}
