/**
 * Pure: rows → lines of exactly the width given, as segments a view only has to colour.
 * Only the rows on screen go through here, so a 10,000-row pane costs a screenful.
 */
import {fitText, textWidth, truncateText} from '../render/terminal-text.js';
import {COLUMN_SPECS, CONTAINER_COLUMNS, type ColumnSpec, type SortState} from './container-rows.js';
import {seg, type Segment, type Tone} from './row.js';
import {guideOf, type ShapedRow} from './tree.js';

export type Line = readonly Segment[];

/** Whether two lines would draw the same. */
export function sameLine(a: Line, b: Line): boolean {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i]!.text !== b[i]!.text || a[i]!.tone !== b[i]!.tone) return false;
	return true;
}

/** Cuts segments to `width` columns (an ellipsis marks a cut) and pads to exactly `width`. */
export function fitSegments(segments: readonly Segment[], width: number, padTone: Tone = 'plain'): Segment[] {
	const out: Segment[] = [];
	let total = 0;
	for (const segment of segments) total += textWidth(segment.text);
	let used = 0;
	if (total <= width) {
		for (const segment of segments) if (segment.text !== '') out.push(segment);
		used = total;
	} else {
		for (const segment of segments) {
			if (segment.text === '') continue;
			const room = width - used;
			const w = textWidth(segment.text);
			if (w < room) {
				out.push(segment);
				used += w;
				continue;
			}
			// This segment reaches the last column and more follows: end it with the ellipsis.
			const cut = truncateText(segment.text + ' ', room);
			out.push(seg(cut, segment.tone));
			used += textWidth(cut);
			break;
		}
	}
	if (used < width) out.push(seg(' '.repeat(width - used), padTone));
	return out;
}

export function treeLine(rows: readonly ShapedRow[], index: number, width: number): Segment[] {
	const row = rows[index]!;
	const segments: Segment[] = [...row.item.lead];
	const guide = guideOf(rows, index);
	if (guide) segments.push(seg(guide, 'dim'));
	if (row.folded) segments.push(seg(`[+${row.hidden}] `, 'key'));
	segments.push(...row.item.segments);
	return fitSegments(segments, width);
}

const CELL_INDEX = new Map(CONTAINER_COLUMNS.map((id, i) => [id, i]));

/** A table row: the cells of `specs` (a subset of the columns, in order) at `widths`. */
export function tableLine(row: ShapedRow, widths: readonly number[], specs: readonly ColumnSpec[] = COLUMN_SPECS): Segment[] {
	const out: Segment[] = [];
	const cells = row.item.segments;
	for (let i = 0; i < specs.length; i++) {
		const cell = cells[CELL_INDEX.get(specs[i]!.id)!] ?? seg('');
		if (i > 0) out.push(seg(' '));
		out.push(seg(fitText(cell.text, widths[i] ?? 0, specs[i]!.align), cell.tone));
	}
	return out;
}

export function tableHeader(widths: readonly number[], sort: SortState, specs: readonly ColumnSpec[] = COLUMN_SPECS): Segment[] {
	const out: Segment[] = [];
	let arrowShown = false;
	for (let i = 0; i < specs.length; i++) {
		const spec = specs[i]!;
		if (i > 0) out.push(seg(' '));
		// The three view columns share one sort key; mark only the first of them.
		const sorted = spec.sort === sort.key && !arrowShown;
		if (sorted) arrowShown = true;
		const title = sorted ? spec.title + (sort.descending ? '▼' : '▲') : spec.title;
		out.push(seg(fitText(title, widths[i] ?? 0, spec.align), sorted ? 'active' : 'heading'));
	}
	return out;
}

/**
 * Wraps escaped text to `width` columns: at a space when one falls in the second half of
 * the line, else hard (command lines and ids have long unbroken runs). Never splits a
 * wide character.
 */
export function wrapText(text: string, width: number): string[] {
	if (width <= 0) return [];
	if (textWidth(text) <= width) return [text];
	const lines: string[] = [];
	let line: string[] = [];
	let used = 0;
	for (const char of text) {
		const w = textWidth(char);
		if (used + w > width) {
			const space = line.lastIndexOf(' ');
			if (space >= Math.floor(line.length / 2) && space > 0) {
				lines.push(line.slice(0, space + 1).join('').trimEnd());
				line = line.slice(space + 1);
			} else {
				lines.push(line.join(''));
				line = [];
			}
			used = textWidth(line.join(''));
		}
		line.push(char);
		used += w;
	}
	if (line.length > 0) lines.push(line.join(''));
	return lines;
}
