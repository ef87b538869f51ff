/**
 * Pure: the cursor follows its row, not its position. It remembers the key of the row
 * it is on, so when a poll adds rows above it, it stays on the same container; when that
 * row goes away it stays at the same index instead.
 */
import type {Command} from './keymap.js';

export interface CursorState {
	readonly key: string | null;
	readonly index: number;
	/** First row shown; kept so scrolling moves only as far as it must. */
	readonly top: number;
}

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

/**
 * Where the cursor is in `count` rows, given the row keys' positions. When its row is
 * gone and a filter is on, it goes to the first match (`firstMatch`, -1 for none) rather
 * than to whatever now sits at its old index.
 */
export function cursorIndex(cursor: CursorState | undefined, positions: ReadonlyMap<string, number>, count: number, firstMatch: number | (() => number) = -1): number {
	if (count === 0) return 0;
	const byKey = cursor?.key == null ? undefined : positions.get(cursor.key);
	if (byKey !== undefined) return byKey;
	const match = typeof firstMatch === 'function' ? firstMatch() : firstMatch;
	if (match >= 0) return Math.min(match, count - 1);
	return clamp(cursor?.index ?? 0, 0, count - 1);
}

/** The first row that matched the filter itself (not kept as context); -1 without a filter. */
export function firstMatchOf(rows: readonly {readonly match: boolean}[], filtering: boolean): number {
	return filtering ? rows.findIndex((row) => row.match) : -1;
}

/** The first visible row: as close to the last one as keeps the cursor in view. */
export function windowTop(index: number, top: number, height: number, count: number): number {
	if (height <= 0 || count <= height) return 0;
	let next = clamp(top, 0, count - height);
	if (index < next) next = index;
	if (index >= next + height) next = index - height + 1;
	return next;
}

export function moveIndex(command: Command, index: number, count: number, page: number): number {
	if (count === 0) return 0;
	const step = Math.max(1, page);
	switch (command) {
		case 'up':
			return clamp(index - 1, 0, count - 1);
		case 'down':
			return clamp(index + 1, 0, count - 1);
		case 'page-up':
			return clamp(index - step, 0, count - 1);
		case 'page-down':
			return clamp(index + step, 0, count - 1);
		case 'top':
			return 0;
		case 'bottom':
			return count - 1;
		default:
			return index;
	}
}

/** Scrolling a text view (details, help): the offset of its first line. */
export function scrollOffset(command: Command, offset: number, lines: number, height: number): number {
	const max = Math.max(0, lines - height);
	switch (command) {
		case 'up':
			return clamp(offset - 1, 0, max);
		case 'down':
			return clamp(offset + 1, 0, max);
		case 'page-up':
			return clamp(offset - Math.max(1, height - 1), 0, max);
		case 'page-down':
			return clamp(offset + Math.max(1, height - 1), 0, max);
		case 'top':
			return 0;
		case 'bottom':
			return max;
		default:
			return clamp(offset, 0, max);
	}
}
