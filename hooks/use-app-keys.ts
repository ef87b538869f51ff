/**
 * Key presses → the key table → store actions. `handleKey` holds the logic and takes
 * everything it needs as arguments, so tests can drive it without a terminal.
 */
import {useCallback, useRef} from 'react';
import {useInput} from 'ink';
import type {CrimonStore} from '../source/store/store.js';
import {screenModeOf, viewKey} from '../source/store/ui-state.js';
import {cursorIndex, firstMatchOf, moveIndex, scrollOffset, windowTop} from '../source/ui/cursor.js';
import {keyName, resolveKey, type KeyFlags} from '../source/ui/keymap.js';
import {hasControlCharacter} from '../source/render/terminal-text.js';
import type {ShapedRow} from '../source/ui/tree.js';
import type {PollControl} from './store-context.js';

export interface KeyContext {
	readonly store: CrimonStore;
	readonly poller: PollControl;
	readonly rows: readonly ShapedRow[];
	/** Row key → index in `rows`. */
	readonly positions: ReadonlyMap<string, number>;
	/** Rows the list (or details, or help) has on screen: a page. */
	readonly page: number;
	readonly detailLines: number;
	readonly helpLines: number;
	/** Lines of the text pane on screen (the Node pane), and of the compare view. */
	readonly textLines: number;
	readonly compareLines: number;
	readonly quit: (code: number) => void;
}

// Anything a terminal would act on stays out of the filter text.
const typable = (input: string) => input !== '' && !hasControlCharacter(input);

/** The cursor as the screen shows it, read from the store so a burst of keys sees each move. */
function currentCursor(ctx: KeyContext): {index: number; top: number} {
	const {ui} = ctx.store.getState();
	const state = ui.cursors[viewKey(ui.activeNode, ui.pane)];
	const index = cursorIndex(state, ctx.positions, ctx.rows.length, () => firstMatchOf(ctx.rows, ui.filter !== ''));
	return {index, top: windowTop(index, state?.top ?? 0, ctx.page, ctx.rows.length)};
}

function moveTo(ctx: KeyContext, index: number): void {
	const state = ctx.store.getState();
	const {activeNode, pane} = state.ui;
	const row = ctx.rows[index];
	state.setCursor(activeNode, pane, {key: row?.item.key ?? null, index, top: windowTop(index, currentCursor(ctx).top, ctx.page, ctx.rows.length)});
}

/** Flags for one character of a burst, as Ink would have parsed it alone. */
function flagsOf(char: string): KeyFlags {
	if (char === '\r' || char === '\n') return {return: true};
	if (char === '\t') return {tab: true};
	if (char === '\x7f') return {delete: true};
	if (char === '\b') return {backspace: true};
	return {};
}

/**
 * One key press, or a burst (a paste, or keys typed faster than a read) that Ink hands
 * over as one string: each character then counts on its own.
 */
function handleKey(input: string, key: KeyFlags, ctx: KeyContext): void {
	const chars = [...input];
	// Esc and the next key in one read arrive as Alt+key; nothing here uses Alt, so split them.
	if (key.meta && !key.escape && !key.ctrl && chars.length === 1 && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab) {
		handleOne('', {escape: true}, ctx);
		handleOne(input, {}, ctx);
		return;
	}
	const plain = !key.ctrl && !key.meta && !key.escape && !key.tab && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow;
	if (chars.length > 1 && plain) {
		for (const char of chars) {
			const code = char.charCodeAt(0);
			if (code < 0x20 && !'\r\n\t\b'.includes(char)) handleOne(String.fromCharCode(code + 96), {ctrl: true}, ctx);
			else handleOne(char, flagsOf(char), ctx);
		}
		return;
	}
	handleOne(input, key, ctx);
}

function handleOne(input: string, key: KeyFlags, ctx: KeyContext): void {
	const state = ctx.store.getState();
	const {ui} = state;
	const screen = screenModeOf(ui);
	const mode = screen.keys;
	const name = keyName(input, key);
	const resolved = resolveKey(name, mode, ui.pane);
	if (ui.notice !== null) state.setNotice(null);
	if (!resolved) {
		if (mode === 'filter' && !key.ctrl && !key.meta && typable(input)) state.setFilter(ui.filter + input);
		return;
	}
	const cursor = currentCursor(ctx).index;
	const row = ctx.rows[cursor];
	switch (resolved.command) {
		case 'quit':
			ctx.quit(0);
			return;
		case 'pane-next':
		case 'pane-prev':
			state.stepPane(resolved.command === 'pane-next' ? 1 : -1);
			return;
		case 'node-next':
		case 'node-prev':
			state.stepNode(resolved.command === 'node-next' ? 1 : -1);
			return;
		case 'sources':
			// The Node pane lists them first: open it at its top, out of compare or details.
			if (mode === 'details') state.closeDetails();
			if (mode === 'compare') state.toggleCompare();
			state.selectPane('node');
			state.scrollText(ui.activeNode, 'node', 0);
			return;
		case 'node-jump':
			state.selectNode(Number(resolved.key) - 1);
			return;
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down':
		case 'top':
		case 'bottom':
			switch (screen.scroll) {
				case 'help':
					state.scrollHelp(scrollOffset(resolved.command, ui.help?.scroll ?? 0, ctx.helpLines, ctx.page));
					return;
				case 'details':
					state.scrollDetails(scrollOffset(resolved.command, ui.details?.scroll ?? 0, ctx.detailLines, ctx.page));
					return;
				case 'compare':
					state.scrollCompare(scrollOffset(resolved.command, ui.compare?.scroll ?? 0, ctx.compareLines, ctx.page));
					return;
				case 'text': {
					const scroll = ui.textScroll[viewKey(ui.activeNode, ui.pane)] ?? 0;
					state.scrollText(ui.activeNode, ui.pane, scrollOffset(resolved.command, scroll, ctx.textLines, ctx.page));
					return;
				}
				case 'cursor':
					if (ctx.rows.length > 0) moveTo(ctx, moveIndex(resolved.command, cursor, ctx.rows.length, ctx.page));
					return;
			}
			return;
		case 'details':
			if (row) state.openDetails(ui.activeNode, row.item.subject);
			return;
		case 'fold-toggle':
			if (row?.foldable) state.setFold(ui.activeNode, ui.pane, row.item.key, !row.folded);
			return;
		case 'fold':
			if (row?.foldable && !row.folded) state.setFold(ui.activeNode, ui.pane, row.item.key, true);
			else if (row && row.parent >= 0) moveTo(ctx, row.parent);
			return;
		case 'unfold':
			if (row?.folded) state.setFold(ui.activeNode, ui.pane, row.item.key, false);
			return;
		case 'filter':
			state.startFilter();
			return;
		case 'filter-done':
			state.endFilter(true);
			return;
		case 'filter-delete':
			state.setFilter([...ui.filter].slice(0, -1).join(''));
			return;
		case 'sort':
			state.cycleSort();
			return;
		case 'sort-reverse':
			state.reverseSort();
			return;
		case 'runtime-toggle':
			state.toggleRuntimeOnly();
			return;
		case 'poll-now':
			ctx.poller.pollNow(ui.activeNode);
			return;
		case 'pause':
			state.setPaused(!state.paused);
			return;
		case 'compare':
			state.toggleCompare();
			return;
		case 'help':
			state.toggleHelp();
			return;
		case 'back':
			switch (screen.back) {
				case 'help':
					state.toggleHelp();
					return;
				case 'filter':
					state.endFilter(false);
					return;
				case 'details':
					state.closeDetails();
					return;
				case 'compare':
					state.closeCompare();
					return;
				case 'filter-text':
					if (ui.filter) state.setFilter('');
					return;
			}
			return;
	}
}

export function useAppKeys(ctx: KeyContext, active = true): void {
	const latest = useRef(ctx);
	latest.current = ctx;
	const handler = useCallback((input: string, key: KeyFlags) => handleKey(input, key, latest.current), []);
	useInput(handler, {isActive: active});
}
