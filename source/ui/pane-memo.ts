/**
 * What the app keeps of each pane's rows between frames and polls: a plain object the hook
 * owns and passes in (no cache hides in a module). A pane's items are kept for as long as
 * the kinds it shows (model/change-set.ts) stay as they were: a poll that changed nothing,
 * or changed only what a pane does not show, rebuilds none of its rows. Sorting and shaping
 * are kept per items list, sort, filter and fold set, so a key that changes none of them
 * rebuilds nothing either.
 */
import type {ListKind} from '../model/change-set.js';
import type {NodeModel} from '../model/node-model.js';
import type {NodeSnapshot} from '../schema/types.js';
import type {SortState} from './container-rows.js';
import {paneItems, shapePane, sortItems, type PaneViewOf} from './pane-rows.js';
import {PANE_INFO, type PaneId} from './panes.js';
import type {Item} from './row.js';
import type {Shaped} from './tree.js';

/** What each pane's rows are built from; the Events pane's come from the node's ring. */
const PANE_KINDS: Readonly<Record<PaneId, readonly ListKind[]>> = {
	processes: ['processes', 'shims', 'containers', 'pods'],
	namespaces: ['namespaces', 'shims', 'containers', 'pods', 'processes'],
	containers: ['containers'],
	pods: ['pods', 'containers'],
	events: [],
	node: [],
};

/** Shapes kept per pane: the last few filter and fold sets (fold, unfold, back to the filter). */
const SHAPES_KEPT = 4;

interface KeptItems {
	readonly model: NodeModel;
	readonly since: readonly NodeSnapshot[];
	readonly items: readonly Item[];
}

interface KeptSort {
	readonly items: readonly Item[];
	readonly sort: string;
	readonly sorted: readonly Item[];
}

interface KeptShape {
	readonly items: readonly Item[];
	readonly filter: string;
	readonly folds: ReadonlySet<string>;
	readonly shaped: Shaped;
}

export interface PaneMemo {
	readonly items: Map<string, KeptItems>;
	readonly sorted: Map<string, KeptSort>;
	readonly shaped: Map<string, KeptShape[]>;
}

export function createPaneMemo(): PaneMemo {
	return {items: new Map(), sorted: new Map(), shaped: new Map()};
}

/** The memo's slot for a pane of a node; the Processes pane has one per variant. */
export function paneSlot(node: number, pane: PaneId, runtimeOnly: boolean): string {
	return pane === 'processes' ? `${node}:${pane}:${runtimeOnly ? 'runtime' : 'all'}` : `${node}:${pane}`;
}

/** A pane's items for this model: the kept ones while the kinds the pane shows are unchanged. */
export function memoPaneItems(memo: PaneMemo, slot: string, model: NodeModel, pane: PaneId, runtimeOnly: boolean): readonly Item[] {
	const since = PANE_KINDS[pane].map((kind) => model.changedIn[kind]);
	const kept = memo.items.get(slot);
	if (kept && (kept.model === model || (kept.since.length === since.length && kept.since.every((at, i) => at === since[i])))) {
		if (kept.model !== model) memo.items.set(slot, {...kept, model});
		return kept.items;
	}
	const items = paneItems(model.snapshot, pane, runtimeOnly, model.index);
	memo.items.set(slot, {model, since, items});
	return items;
}

/** sortItems, kept per items list and sort (a sort key pressed twice in a row re-sorts nothing). */
export function memoSortItems(memo: PaneMemo, slot: string, snapshot: NodeSnapshot, pane: PaneId, items: readonly Item[], sort: SortState): readonly Item[] {
	if (pane !== 'containers' && pane !== 'pods') return items;
	const key = `${sort.key}:${sort.descending}`;
	const kept = memo.sorted.get(slot);
	if (kept && kept.items === items && kept.sort === key) return kept.sorted;
	const sorted = sortItems(snapshot, pane, items, sort);
	memo.sorted.set(slot, {items, sort: key, sorted});
	return sorted;
}

/** shapePane, kept per items list, filter and fold set: a pane shown again is ready as it was left. */
export function memoShapePane(memo: PaneMemo, slot: string, pane: PaneId, items: readonly Item[], filter: string, folds: ReadonlySet<string>): Shaped {
	const kept = (memo.shaped.get(slot) ?? []).filter((k) => k.items === items);
	const hit = kept.find((k) => k.filter === filter && k.folds === folds);
	if (hit) return hit.shaped;
	const shaped = shapePane(pane, items, filter, folds);
	memo.shaped.set(slot, [{items, filter, folds, shaped}, ...kept].slice(0, SHAPES_KEPT));
	return shaped;
}

/**
 * The jobs that build every row pane's rows for a model as each pane is viewed now, the
 * one on screen left out (already built): run in idle turns after a poll, so that Tab, `a`
 * or a sort then finds its rows ready instead of building 10,000 of them between a key and
 * its frame. Each job is one pane, so a key waits for one at most; a pane whose kinds the
 * poll did not touch costs a lookup.
 */
export function prebuildJobs(memo: PaneMemo, node: number, model: NodeModel, shown: PaneId, viewOf: PaneViewOf): (() => void)[] {
	const jobs: (() => void)[] = [];
	for (const pane of Object.keys(PANE_INFO) as PaneId[]) {
		if (PANE_INFO[pane].shape === 'text' || pane === 'events') continue;
		const runtimeOnly = viewOf(pane).runtimeOnly;
		const variants = pane === 'processes' ? [runtimeOnly, !runtimeOnly] : [runtimeOnly];
		for (const variant of variants) {
			if (pane === shown && variant === runtimeOnly) continue;
			jobs.push(() => {
				const view = viewOf(pane);
				const slot = paneSlot(node, pane, variant);
				const items = memoSortItems(memo, slot, model.snapshot, pane, memoPaneItems(memo, slot, model, pane, variant), view.sort);
				memoShapePane(memo, slot, pane, items, view.filter, view.folds);
			});
		}
	}
	return jobs;
}
