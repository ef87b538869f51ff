/**
 * Pure: how the screen's rows are shared out. Every frame is one row shorter than the
 * terminal: Ink rewrites a frame that fits in place, but clears the whole terminal for
 * one that fills it, which flickers on every update.
 */
import type {PaneId} from './panes.js';

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 7;

export interface Layout {
	readonly columns: number;
	readonly rows: number;
	readonly tooSmall: boolean;
	/** Rows drawn in all: always below `rows`. */
	readonly height: number;
	readonly tabs: number;
	readonly title: number;
	/** The pane's column header (Processes, Containers and Events). */
	readonly header: number;
	/** Rows for the list, or for details and help. */
	readonly list: number;
	/** The node's line (cores and CPU use, memory, processes, shims and their RSS), above the footer from 16 rows. */
	readonly node: number;
	readonly footer: number;
}

function hasHeader(pane: PaneId): boolean {
	return pane === 'processes' || pane === 'containers' || pane === 'events';
}

export function computeLayout(columns: number, rows: number, pane: PaneId): Layout {
	const safeColumns = Math.max(1, Math.floor(columns) || 0);
	const safeRows = Math.max(1, Math.floor(rows) || 0);
	const height = safeRows - 1;
	if (safeColumns < MIN_COLUMNS || safeRows < MIN_ROWS) {
		return {columns: safeColumns, rows: safeRows, tooSmall: true, height: Math.min(1, height), tabs: 0, title: 0, header: 0, list: 0, node: 0, footer: 0};
	}
	const footer = safeRows >= 16 ? 2 : 1;
	const header = hasHeader(pane) ? 1 : 0;
	const node = safeRows >= 16 ? 1 : 0;
	const list = height - 1 - 1 - header - node - footer;
	return {columns: safeColumns, rows: safeRows, tooSmall: false, height, tabs: 1, title: 1, header, list, node, footer};
}
