/**
 * The UI slice of the one store: which node and pane are active, cursor, filter, sort,
 * folds, the details and help overlays, and which pids are on screen (for the poller).
 * It lives under `ui`, apart from the node data, so a key press never hands the views a
 * new snapshot and a poll never moves the cursor. The reducers are pure, for tests.
 */
import {DEFAULT_SORT, DESCENDING_FIRST, SORT_KEYS, type SortState} from '../ui/container-rows.js';
import type {CursorState} from '../ui/cursor.js';
import type {Mode} from '../ui/keymap.js';
import {stepPane, type PaneId} from '../ui/panes.js';
import {screenMode, type ScreenMode} from '../ui/screen-mode.js';
import type {Subject} from '../ui/row.js';

interface DetailsState {
	readonly node: number;
	readonly subject: Subject;
	readonly scroll: number;
}

export interface UiState {
	readonly activeNode: number;
	readonly pane: PaneId;
	/** By `viewKey(node, pane)`. */
	readonly cursors: Readonly<Record<string, CursorState>>;
	readonly filter: string;
	readonly filterEditing: boolean;
	readonly sort: SortState;
	/** Folded row keys, by `viewKey(node, pane)`. */
	readonly folds: Readonly<Record<string, ReadonlySet<string>>>;
	readonly runtimeOnly: boolean;
	readonly details: DetailsState | null;
	readonly help: {readonly scroll: number} | null;
	/** First line shown of a text pane (the Node pane), by `viewKey(node, pane)`. */
	readonly textScroll: Readonly<Record<string, number>>;
	/** The split view of the active node and the next one (key `=`). */
	readonly compare: {readonly scroll: number} | null;
	/** A one-line message for the footer, gone at the next key press. */
	readonly notice: string | null;
	/** Pids the active pane shows, which the local process reader re-reads each poll. */
	readonly onScreen: {readonly node: number; readonly pids: ReadonlySet<number>} | null;
}

interface UiActions {
	selectPane(pane: PaneId): void;
	stepPane(delta: number): void;
	selectNode(index: number): void;
	stepNode(delta: number): void;
	setCursor(node: number, pane: PaneId, cursor: CursorState): void;
	setFold(node: number, pane: PaneId, key: string, folded: boolean): void;
	startFilter(): void;
	setFilter(text: string): void;
	/** Leaves the filter prompt, keeping the text or clearing it. */
	endFilter(keep: boolean): void;
	cycleSort(): void;
	reverseSort(): void;
	toggleRuntimeOnly(): void;
	openDetails(node: number, subject: Subject): void;
	scrollDetails(scroll: number): void;
	closeDetails(): void;
	toggleHelp(): void;
	scrollHelp(scroll: number): void;
	scrollText(node: number, pane: PaneId, scroll: number): void;
	/** Opens the compare view, or closes it; with one node, says why it cannot open. */
	toggleCompare(): void;
	scrollCompare(scroll: number): void;
	closeCompare(): void;
	setNotice(text: string | null): void;
	setOnScreen(node: number, pids: ReadonlySet<number>): void;
}

export interface UiSlice extends UiActions {
	readonly ui: UiState;
}

export const EMPTY_FOLDS: ReadonlySet<string> = new Set();

export const INITIAL_UI: UiState = {
	activeNode: 0,
	pane: 'processes',
	cursors: {},
	filter: '',
	filterEditing: false,
	sort: DEFAULT_SORT,
	folds: {},
	runtimeOnly: true,
	details: null,
	help: null,
	textScroll: {},
	compare: null,
	notice: null,
	onScreen: null,
};

export const COMPARE_NEEDS_TWO = 'compare needs two nodes: add another --node';

export function viewKey(node: number, pane: PaneId): string {
	return `${node}/${pane}`;
}

/** Which open mode wins, from the one table (ui/screen-mode.ts). */
export function screenModeOf(ui: UiState): ScreenMode {
	return screenMode({help: ui.help !== null, filter: ui.filterEditing, details: ui.details !== null, compare: ui.compare !== null}, ui.pane);
}

/** The key table's mode: who has the keyboard. */
export function modeOf(ui: UiState): Mode {
	return screenModeOf(ui).keys;
}

// ---- pure reducers ------------------------------------------------------------------

export function withNode(ui: UiState, index: number, count: number): UiState {
	if (count <= 0 || index < 0 || index >= count || index === ui.activeNode) return ui;
	return {...ui, activeNode: index, details: null};
}

export function withNodeStep(ui: UiState, delta: number, count: number): UiState {
	if (count <= 1) return ui;
	return withNode(ui, (((ui.activeNode + delta) % count) + count) % count, count);
}

export function withPane(ui: UiState, pane: PaneId): UiState {
	return pane === ui.pane ? ui : {...ui, pane, details: null};
}

export function withCompareToggle(ui: UiState, count: number): UiState {
	if (ui.compare) return {...ui, compare: null};
	if (count < 2) return ui.notice === COMPARE_NEEDS_TWO ? ui : {...ui, notice: COMPARE_NEEDS_TWO};
	return {...ui, compare: {scroll: 0}, details: null, notice: null};
}

/** The node the compare view sets against the active one: the next, wrapping. */
export function compareNode(activeNode: number, count: number): number {
	return count <= 0 ? 0 : (activeNode + 1) % count;
}

export function withFold(ui: UiState, node: number, pane: PaneId, key: string, folded: boolean): UiState {
	const at = viewKey(node, pane);
	const current = ui.folds[at] ?? EMPTY_FOLDS;
	if (current.has(key) === folded) return ui;
	const next = new Set(current);
	if (folded) next.add(key);
	else next.delete(key);
	return {...ui, folds: {...ui.folds, [at]: next}};
}

export function withSortStep(ui: UiState): UiState {
	const at = SORT_KEYS.indexOf(ui.sort.key);
	const key = SORT_KEYS[(at + 1) % SORT_KEYS.length]!;
	return {...ui, sort: {key, descending: DESCENDING_FIRST.has(key)}};
}

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
	if (a.size !== b.size) return false;
	for (const value of a) if (!b.has(value)) return false;
	return true;
}

type Set_<T> = (partial: (state: T) => Partial<T> | T) => void;

/** The slice for `createStore`; `nodeCount` reads how many nodes the data side holds. */
export function createUiSlice<T extends UiSlice>(set: Set_<T>, nodeCount: () => number): UiSlice {
	const update = (reduce: (ui: UiState) => UiState) =>
		set((state) => {
			const ui = reduce(state.ui);
			return ui === state.ui ? state : ({ui} as Partial<T>);
		});
	return {
		ui: INITIAL_UI,
		selectPane: (pane) => update((ui) => withPane(ui, pane)),
		stepPane: (delta) => update((ui) => withPane(ui, stepPane(ui.pane, delta))),
		selectNode: (index) => update((ui) => withNode(ui, index, nodeCount())),
		stepNode: (delta) => update((ui) => withNodeStep(ui, delta, nodeCount())),
		setCursor: (node, pane, cursor) =>
			update((ui) => {
				const at = viewKey(node, pane);
				const old = ui.cursors[at];
				if (old && old.key === cursor.key && old.index === cursor.index && old.top === cursor.top) return ui;
				return {...ui, cursors: {...ui.cursors, [at]: cursor}};
			}),
		setFold: (node, pane, key, folded) => update((ui) => withFold(ui, node, pane, key, folded)),
		startFilter: () => update((ui) => (ui.filterEditing ? ui : {...ui, filterEditing: true, details: null})),
		setFilter: (filter) => update((ui) => (ui.filter === filter ? ui : {...ui, filter})),
		endFilter: (keep) => update((ui) => ({...ui, filterEditing: false, filter: keep ? ui.filter : ''})),
		cycleSort: () => update(withSortStep),
		reverseSort: () => update((ui) => ({...ui, sort: {...ui.sort, descending: !ui.sort.descending}})),
		toggleRuntimeOnly: () => update((ui) => ({...ui, runtimeOnly: !ui.runtimeOnly})),
		openDetails: (node, subject) => update((ui) => ({...ui, details: {node, subject, scroll: 0}})),
		scrollDetails: (scroll) => update((ui) => (ui.details && ui.details.scroll !== scroll ? {...ui, details: {...ui.details, scroll}} : ui)),
		closeDetails: () => update((ui) => (ui.details ? {...ui, details: null} : ui)),
		toggleHelp: () => update((ui) => ({...ui, help: ui.help ? null : {scroll: 0}})),
		scrollHelp: (scroll) => update((ui) => (ui.help && ui.help.scroll !== scroll ? {...ui, help: {scroll}} : ui)),
		scrollText: (node, pane, scroll) =>
			update((ui) => {
				const at = viewKey(node, pane);
				return (ui.textScroll[at] ?? 0) === scroll ? ui : {...ui, textScroll: {...ui.textScroll, [at]: scroll}};
			}),
		toggleCompare: () => update((ui) => withCompareToggle(ui, nodeCount())),
		scrollCompare: (scroll) => update((ui) => (ui.compare && ui.compare.scroll !== scroll ? {...ui, compare: {scroll}} : ui)),
		closeCompare: () => update((ui) => (ui.compare ? {...ui, compare: null} : ui)),
		setNotice: (notice) => update((ui) => (ui.notice === notice ? ui : {...ui, notice})),
		setOnScreen: (node, pids) =>
			update((ui) => (ui.onScreen && ui.onScreen.node === node && sameSet(ui.onScreen.pids, pids) ? ui : {...ui, onScreen: {node, pids}})),
	};
}

/**
 * For the Poller's `refreshFor`: the pids on screen for a node, so the local process
 * reader re-reads exactly what the user is looking at.
 */
export function onScreenPids(store: {getState(): {readonly ui: UiState}}): (index: number) => ReadonlySet<number> | undefined {
	return (index) => {
		const {onScreen} = store.getState().ui;
		return onScreen && onScreen.node === index ? onScreen.pids : undefined;
	};
}
