/** Pure: the rows on screen as lines, and the pane's column header. */
import {columnWidths, visibleColumns, type SortState} from './container-rows.js';
import {fitSegments, tableHeader, tableLine, treeLine, type Line} from './lines.js';
import {PANE_INFO, type PaneId} from './panes.js';
import {processHeader} from './process-rows.js';
import {seg} from './row.js';
import {eventHeader, eventTableLine} from './event-rows.js';
import type {ShapedRow} from './tree.js';

/** Lines for rows[top, top + height), each exactly `width` columns. */
export function windowLines(pane: PaneId, rows: readonly ShapedRow[], top: number, height: number, width: number): Line[] {
	const end = Math.min(rows.length, top + Math.max(0, height));
	const lines: Line[] = [];
	if (pane === 'events') {
		for (let i = top; i < end; i++) lines.push(eventTableLine(rows[i]!, width));
	} else if (PANE_INFO[pane].shape === 'table') {
		const specs = visibleColumns(width);
		const widths = columnWidths(width, specs);
		for (let i = top; i < end; i++) lines.push(tableLine(rows[i]!, widths, specs));
	} else {
		for (let i = top; i < end; i++) lines.push(treeLine(rows, i, width));
	}
	return lines;
}

/** The column header, `width` columns after the one-column cursor gutter; null for panes without one. */
export function headerLine(pane: PaneId, width: number, sort: SortState): Line | null {
	const inner = Math.max(1, width - 1);
	if (pane === 'containers') {
		const specs = visibleColumns(inner);
		return [seg(' '), ...fitSegments(tableHeader(columnWidths(inner, specs), sort, specs), inner)];
	}
	if (pane === 'processes') return [seg(' '), ...fitSegments(processHeader(), inner)];
	if (pane === 'events') return [seg(' '), ...eventHeader(inner)];
	return null;
}
