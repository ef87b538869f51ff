/**
 * Pure: a pane's items (pre-order, with depths) after the filter and the folds, with
 * the tree guides worked out from what is left, so a filtered tree still reads as one.
 */
import type {Matcher} from './filter.js';
import type {Item} from './row.js';

export interface ShapedRow {
	readonly item: Item;
	/** Index of the parent among the shaped rows; -1 for a root. */
	readonly parent: number;
	/** Last among its siblings (after filtering), which decides └─ against ├─. */
	readonly last: boolean;
	/** Has children that survived the filter. */
	readonly foldable: boolean;
	readonly folded: boolean;
	/** Rows hidden under this one by its fold. */
	readonly hidden: number;
	/** Matched the filter itself, rather than being kept as context for a match. */
	readonly match: boolean;
}

export interface Shaped {
	readonly rows: readonly ShapedRow[];
	/** Items of each kind, and how many of them match the filter (folding does not change these). */
	readonly counts: ReadonlyMap<string, {readonly total: number; readonly shown: number}>;
}

function parentsOf(items: readonly Item[]): Int32Array {
	const parents = new Int32Array(items.length);
	const stack: number[] = [];
	for (let i = 0; i < items.length; i++) {
		const depth = items[i]!.depth;
		while (stack.length > depth) stack.pop();
		parents[i] = stack.length > 0 ? stack[stack.length - 1]! : -1;
		stack.length = depth;
		stack.push(i);
	}
	return parents;
}

/**
 * A row stays when it matches, when an ancestor matches (filtering on a namespace or a pod
 * shows what is inside it) or when a descendant does (so a match keeps its path to the root).
 */
export function shapeTree(items: readonly Item[], matcher: Matcher | null, folds: ReadonlySet<string>): Shaped {
	const n = items.length;
	const parents = parentsOf(items);
	const matches = new Uint8Array(n);
	const keep = new Uint8Array(n);
	if (matcher) {
		const underMatch = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			matches[i] = matcher(items[i]!.haystack) ? 1 : 0;
			const parent = parents[i]!;
			underMatch[i] = parent >= 0 && (matches[parent] || underMatch[parent]) ? 1 : 0;
			keep[i] = matches[i] || underMatch[i] ? 1 : 0;
		}
		// Children come after their parents, so one backward pass carries matches up.
		for (let i = n - 1; i >= 0; i--) {
			const parent = parents[i]!;
			if (keep[i] && parent >= 0) keep[parent] = 1;
		}
	} else {
		keep.fill(1);
		matches.fill(1);
	}

	const keptChildren = new Int32Array(n);
	for (let i = 0; i < n; i++) if (keep[i] && parents[i]! >= 0) keptChildren[parents[i]!]!++;

	const counts = new Map<string, {total: number; shown: number}>();
	for (let i = 0; i < n; i++) {
		const kind = items[i]!.subject.kind;
		let count = counts.get(kind);
		if (!count) counts.set(kind, (count = {total: 0, shown: 0}));
		count.total++;
		if (matches[i]) count.shown++;
	}

	interface Draft {
		item: Item;
		parent: number;
		last: boolean;
		foldable: boolean;
		folded: boolean;
		hidden: number;
		match: boolean;
	}
	const rows: Draft[] = [];
	// Where each kept item landed among the rows, to translate parent indices.
	const rowOf = new Int32Array(n).fill(-1);
	let foldedAt = -1;
	let foldDepth = Infinity;
	for (let i = 0; i < n; i++) {
		if (!keep[i]) continue;
		const item = items[i]!;
		if (item.depth > foldDepth) {
			rows[foldedAt]!.hidden++;
			continue;
		}
		foldDepth = Infinity;
		const foldable = keptChildren[i]! > 0;
		const folded = foldable && folds.has(item.key);
		const parent = parents[i]! >= 0 ? rowOf[parents[i]!]! : -1;
		rowOf[i] = rows.length;
		rows.push({item, parent, last: true, foldable, folded, hidden: 0, match: matches[i] === 1});
		if (folded) {
			foldedAt = rows.length - 1;
			foldDepth = item.depth;
		}
	}
	// A row is last unless a later row at its depth comes before the next shallower one.
	const seen: boolean[] = [];
	for (let i = rows.length - 1; i >= 0; i--) {
		const depth = rows[i]!.item.depth;
		rows[i]!.last = !seen[depth];
		seen[depth] = true;
		seen.length = depth + 1;
	}
	return {rows, counts};
}

/** The guide drawn before a row, like `ps axf` but with box lines: "│  ├─ ". */
export function guideOf(rows: readonly ShapedRow[], index: number): string {
	const row = rows[index];
	if (!row || row.parent < 0) return '';
	let guide = row.last ? '└─ ' : '├─ ';
	for (let at = row.parent; at >= 0; at = rows[at]!.parent) {
		if (rows[at]!.parent < 0) break;
		guide = (rows[at]!.last ? '   ' : '│  ') + guide;
	}
	return guide;
}
