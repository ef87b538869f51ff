/**
 * The one key table: the app resolves key presses through it, the help screen lists it
 * and the footer picks its hints from it, so none of the three can drift from the others.
 * Keys that tmux and terminals commonly take (Ctrl-A, Ctrl-B, Ctrl-D, Ctrl-S, Ctrl-Z …)
 * are deliberately absent.
 */
import {ROW_PANES, type PaneId} from './panes.js';

/** What has the keyboard: the list, the filter prompt, the details view, the split (compare) view or the help screen. */
export type Mode = 'list' | 'filter' | 'details' | 'compare' | 'help';

export type Command =
	| 'pane-next'
	| 'pane-prev'
	| 'node-next'
	| 'node-prev'
	| 'node-jump'
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'top'
	| 'bottom'
	| 'details'
	| 'fold-toggle'
	| 'fold'
	| 'unfold'
	| 'filter'
	| 'filter-done'
	| 'filter-delete'
	| 'sort'
	| 'sort-reverse'
	| 'runtime-toggle'
	| 'poll-now'
	| 'pause'
	| 'compare'
	| 'help'
	| 'sources'
	| 'back'
	| 'quit';

export interface Binding {
	/** How help shows the keys. */
	readonly label: string;
	readonly description: string;
	/** Key name (see keyName) → what it does. */
	readonly keys: Readonly<Record<string, Command>>;
	readonly modes: readonly Mode[];
	/** Only in these panes; every pane when absent. */
	readonly panes?: readonly PaneId[];
	/** A short hint for the footer; lower ranks are dropped last when space runs out. */
	readonly footer?: {readonly keys: string; readonly text: string; readonly rank: number; readonly modes?: readonly Mode[]};
	/** A duplicate of another line, left out of help. */
	readonly hidden?: boolean;
}

const BROWSE: readonly Mode[] = ['list', 'details'];
/** Where switching nodes and polling make sense: the compare view follows the active node. */
const NODES: readonly Mode[] = ['list', 'details', 'compare'];
/** Where the movement keys move a cursor or scroll text. */
const MOVING: readonly Mode[] = ['list', 'details', 'compare', 'help'];
const TREES: readonly PaneId[] = ['processes', 'namespaces', 'pods'];

export const KEYMAP: readonly Binding[] = [
	{label: 'Tab / Shift-Tab', description: 'next / previous pane', keys: {tab: 'pane-next', 'shift-tab': 'pane-prev'}, modes: BROWSE, footer: {keys: 'Tab', text: 'pane', rank: 2}},
	{label: '] / [', description: 'next / previous node', keys: {']': 'node-next', '[': 'node-prev'}, modes: NODES, footer: {keys: '[ ]', text: 'node', rank: 3}},
	{
		label: '1–9',
		description: 'jump to node N',
		keys: {'1': 'node-jump', '2': 'node-jump', '3': 'node-jump', '4': 'node-jump', '5': 'node-jump', '6': 'node-jump', '7': 'node-jump', '8': 'node-jump', '9': 'node-jump'},
		modes: NODES,
	},
	{label: '↑ ↓ / k j', description: 'move up / down', keys: {up: 'up', down: 'down', k: 'up', j: 'down'}, modes: MOVING},
	{label: '↑ ↓', description: 'move while filtering', keys: {up: 'up', down: 'down'}, modes: ['filter'], hidden: true},
	{label: 'PgUp / PgDn', description: 'page up / down', keys: {pageup: 'page-up', pagedown: 'page-down'}, modes: [...MOVING, 'filter']},
	{label: 'g / G', description: 'first / last row', keys: {g: 'top', G: 'bottom', home: 'top', end: 'bottom'}, modes: MOVING},
	{label: 'Enter', description: 'details of the row: full command line, labels, ids, mounts', keys: {enter: 'details'}, modes: ['list'], panes: ROW_PANES, footer: {keys: 'Enter', text: 'details', rank: 4}},
	{label: 'Space / ← →', description: 'fold or unfold a subtree (← on a leaf goes to its parent)', keys: {space: 'fold-toggle', left: 'fold', right: 'unfold'}, modes: ['list'], panes: TREES, footer: {keys: 'Space', text: 'fold', rank: 5}},
	{label: '/', description: 'filter: live, case-insensitive, over names, ids, pods, namespaces, command lines', keys: {'/': 'filter'}, modes: ['list'], panes: ROW_PANES, footer: {keys: '/', text: 'filter', rank: 3}},
	{label: 'Enter', description: 'keep the filter, back to the list', keys: {enter: 'filter-done'}, modes: ['filter'], footer: {keys: 'Enter', text: 'keep', rank: 1}},
	{label: 'Backspace', description: 'delete the last filter character', keys: {backspace: 'filter-delete', delete: 'filter-delete'}, modes: ['filter']},
	{label: 's / S', description: 'sort by the next column (CPU and MEM busiest first) / reverse the order', keys: {s: 'sort', S: 'sort-reverse'}, modes: ['list'], panes: ['containers', 'pods'], footer: {keys: 's', text: 'sort', rank: 4}},
	{label: 'a', description: 'runtime processes only / the whole process tree', keys: {a: 'runtime-toggle'}, modes: ['list'], panes: ['processes'], footer: {keys: 'a', text: 'all/runtime', rank: 4}},
	{
		label: '=',
		description: 'compare this node with the next one, side by side; = again closes',
		keys: {'=': 'compare'},
		modes: ['list', 'compare'],
		footer: {keys: '=', text: 'compare', rank: 5},
	},
	{label: 'e', description: 'the failed sources and what to check (the Node pane, from its top)', keys: {e: 'sources'}, modes: NODES},
	{label: 'r', description: 'poll the active node now', keys: {r: 'poll-now'}, modes: NODES, footer: {keys: 'r', text: 'poll', rank: 6}},
	{label: 'p', description: 'pause / resume polling', keys: {p: 'pause'}, modes: NODES, footer: {keys: 'p', text: 'pause', rank: 6}},
	{
		label: 'Esc',
		description: 'clear the filter; close details, compare or help',
		keys: {escape: 'back'},
		modes: ['list', 'details', 'compare', 'help', 'filter'],
		footer: {keys: 'Esc', text: 'back', rank: 1, modes: ['details', 'compare', 'help', 'filter']},
	},
	{label: 'Enter / ←', description: 'close details', keys: {enter: 'back', left: 'back'}, modes: ['details'], hidden: true},
	{label: '?', description: 'this help', keys: {'?': 'help'}, modes: MOVING, footer: {keys: '?', text: 'help', rank: 0}},
	{label: 'q / Ctrl-C', description: 'quit', keys: {q: 'quit', 'ctrl-c': 'quit'}, modes: MOVING, footer: {keys: 'q', text: 'quit', rank: 0}},
	{label: 'Ctrl-C', description: 'quit', keys: {'ctrl-c': 'quit'}, modes: ['filter'], hidden: true},
];

/** The parts of Ink's Key that name a key; kept structural so this file needs no React. */
export interface KeyFlags {
	readonly upArrow?: boolean;
	readonly downArrow?: boolean;
	readonly leftArrow?: boolean;
	readonly rightArrow?: boolean;
	readonly pageUp?: boolean;
	readonly pageDown?: boolean;
	readonly home?: boolean;
	readonly end?: boolean;
	readonly return?: boolean;
	readonly escape?: boolean;
	readonly ctrl?: boolean;
	readonly shift?: boolean;
	readonly tab?: boolean;
	readonly backspace?: boolean;
	readonly delete?: boolean;
	readonly meta?: boolean;
}

/** One name per key press, as the table spells it; null for what the table cannot hold. */
export function keyName(input: string, key: KeyFlags): string | null {
	if (key.tab) return key.shift ? 'shift-tab' : 'tab';
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	// A bare LF is Enter too (Ink names it differently from CR).
	if (key.return || input === '\r' || input === '\n') return 'enter';
	if (key.escape) return 'escape';
	if (key.backspace) return 'backspace';
	if (key.delete) return 'delete';
	if (key.ctrl) return input.length === 1 ? `ctrl-${input.toLowerCase()}` : null;
	if (input === ' ') return 'space';
	if ([...input].length === 1) return input;
	return null;
}

export interface Resolved {
	readonly command: Command;
	readonly key: string;
}

export function resolveKey(name: string | null, mode: Mode, pane: PaneId, keymap: readonly Binding[] = KEYMAP): Resolved | null {
	if (name === null) return null;
	for (const binding of keymap) {
		if (!binding.modes.includes(mode)) continue;
		if (binding.panes && !binding.panes.includes(pane)) continue;
		const command = binding.keys[name];
		if (command) return {command, key: name};
	}
	return null;
}

export interface Hint {
	readonly keys: string;
	readonly text: string;
}

/** The footer's hints for where the user is, most important first. */
export function footerHints(mode: Mode, pane: PaneId, keymap: readonly Binding[] = KEYMAP): Hint[] {
	return keymap
		.filter((b) => b.footer && b.modes.includes(mode) && (b.footer.modes ?? b.modes).includes(mode) && (!b.panes || b.panes.includes(pane)))
		.map((b, order) => ({hint: {keys: b.footer!.keys, text: b.footer!.text}, rank: b.footer!.rank, order}))
		.sort((a, b) => a.rank - b.rank || a.order - b.order)
		.map((entry) => entry.hint);
}

/** The key a command is on, for text that names it (the footer's "e lists them"); the table is the one place keys live. */
export function keyFor(command: Command, keymap: readonly Binding[] = KEYMAP): string {
	for (const binding of keymap) for (const [key, bound] of Object.entries(binding.keys)) if (bound === command) return key;
	throw new Error(`no key for ${command}`);
}

export interface HelpLine {
	readonly keys: string;
	readonly description: string;
	readonly where: string;
}

const MODE_NAMES: Record<Mode, string> = {list: 'lists', filter: 'filter', details: 'details', compare: 'compare', help: 'help'};

/** Panes worth naming in help: a binding for every list pane is described by its modes instead. */
function paneWhere(panes: readonly PaneId[] | undefined): string | null {
	if (!panes || ROW_PANES.every((pane) => panes.includes(pane))) return null;
	return panes.join(', ');
}

/** Every binding, in table order, for the `?` screen. */
export function helpLines(keymap: readonly Binding[] = KEYMAP): HelpLine[] {
	return keymap
		.filter((b) => !b.hidden)
		.map((b) => ({
			keys: b.label,
			description: b.description,
			where: paneWhere(b.panes) ?? (b.modes.length >= 3 ? '' : b.modes.map((m) => MODE_NAMES[m]).join(', ')),
		}));
}
