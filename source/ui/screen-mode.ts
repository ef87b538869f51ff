/**
 * Pure: which of the open modes wins. Help, the filter prompt, details and the compare view
 * can be open at once (help over details, say); one table, topmost first, says who takes the
 * keys, what fills the body, which title shows, what a page is, where the movement keys go
 * and what Esc closes. The screen draws from it and the key handler dispatches from it, so
 * the two cannot disagree. Which key does what inside a mode stays the key table's (keymap.ts).
 */
import type {Mode} from './keymap.js';
import {PANE_INFO, type PaneId} from './panes.js';

/** What is open over the pane. */
export interface OpenModes {
	readonly help: boolean;
	/** The filter prompt is being typed into (a kept filter is not a mode). */
	readonly filter: boolean;
	readonly details: boolean;
	readonly compare: boolean;
}

/** What fills the body: a text panel (help, details), the split view, or the pane (its rows, or the Node pane's text). */
type Body = 'help' | 'details' | 'compare' | 'rows' | 'text';
/** A page for the scroll keys: a text panel's lines below its heading, the whole body (compare), or the list's rows. */
export type Page = 'panel' | 'body' | 'list';
/** Where the movement keys go: a panel's scroll, the compare view's, the text pane's, or the list's cursor. */
type ScrollTarget = 'help' | 'details' | 'compare' | 'text' | 'cursor';
/** What Esc closes; `filter-text` clears a kept filter (nothing when there is none). */
type BackTarget = 'help' | 'filter' | 'details' | 'compare' | 'filter-text';

export interface ScreenMode {
	/** The key table's mode: the bindings that apply. */
	readonly keys: Mode;
	readonly body: Body;
	/** The compare view's own title (both nodes), or the pane's. */
	readonly title: 'compare' | 'pane';
	readonly page: Page;
	readonly scroll: ScrollTarget;
	readonly back: BackTarget;
}

type PaneShape = 'rows' | 'text';

interface Drawn {
	readonly body: Body | 'pane';
	readonly title: 'compare' | 'pane';
	readonly page: Page;
}

interface Layer {
	readonly open: keyof OpenModes | null;
	readonly keys: Mode;
	/** What it draws; none: the filter prompt lives in the title line, over whatever is below. */
	readonly draws: Drawn | null;
	readonly scroll: ScrollTarget | 'pane';
	readonly back: BackTarget;
}

/**
 * Topmost first. The first open layer takes the keys (and with them where movement and Esc
 * go); the first open layer that draws fills the body. The last row is the pane itself.
 */
const LAYERS: readonly Layer[] = [
	{open: 'help', keys: 'help', draws: {body: 'help', title: 'pane', page: 'panel'}, scroll: 'help', back: 'help'},
	{open: 'filter', keys: 'filter', draws: null, scroll: 'pane', back: 'filter'},
	{open: 'details', keys: 'details', draws: {body: 'details', title: 'pane', page: 'panel'}, scroll: 'details', back: 'details'},
	{open: 'compare', keys: 'compare', draws: {body: 'compare', title: 'compare', page: 'body'}, scroll: 'compare', back: 'compare'},
	{open: null, keys: 'list', draws: {body: 'pane', title: 'pane', page: 'list'}, scroll: 'pane', back: 'filter-text'},
];

function resolve(open: OpenModes, shape: PaneShape): ScreenMode {
	const active = LAYERS.filter((layer) => layer.open === null || open[layer.open]);
	const top = active[0]!;
	const drawn = active.find((layer) => layer.draws !== null)!.draws!;
	return {
		keys: top.keys,
		body: drawn.body === 'pane' ? shape : drawn.body,
		title: drawn.title,
		page: drawn.page,
		scroll: top.scroll === 'pane' ? (shape === 'text' ? 'text' : 'cursor') : top.scroll,
		back: top.back,
	};
}

const bits = (open: OpenModes, shape: PaneShape) =>
	(open.help ? 1 : 0) | (open.filter ? 2 : 0) | (open.details ? 4 : 0) | (open.compare ? 8 : 0) | (shape === 'text' ? 16 : 0);

// Every combination, worked out once: a selector may return one, and the same open modes
// give the very same object, so nothing redraws for an equal answer.
const ALL: readonly ScreenMode[] = Array.from({length: 32}, (_, n) =>
	Object.freeze(resolve({help: (n & 1) !== 0, filter: (n & 2) !== 0, details: (n & 4) !== 0, compare: (n & 8) !== 0}, n & 16 ? 'text' : 'rows')));

/** The mode shown for these open modes over this pane. */
export function screenMode(open: OpenModes, pane: PaneId): ScreenMode {
	return ALL[bits(open, PANE_INFO[pane].shape === 'text' ? 'text' : 'rows')]!;
}
