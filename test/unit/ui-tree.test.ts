import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {buildProcessTree} from '../../source/model/process-tree.js';
import {makeMatcher} from '../../source/ui/filter.js';
import {seg, type Item} from '../../source/ui/row.js';
import {guideOf, shapeTree} from '../../source/ui/tree.js';
import {processItems} from '../../source/ui/process-rows.js';
import {mainNode} from '../views/fixtures.js';

const item = (key: string, depth: number, text = key): Item => ({
	key, depth, subject: {kind: 'process', pid: 0}, lead: [], segments: [seg(text)], haystack: text.toLowerCase(), pids: [],
});

// a
// ├─ b
// │  ├─ c
// │  └─ d
// └─ e
//    └─ f
// g
const TREE = [item('a', 0), item('b', 1), item('c', 2), item('d', 2), item('e', 1), item('f', 2), item('g', 0)];
const keys = (shaped: ReturnType<typeof shapeTree>) => shaped.rows.map((r) => r.item.key).join('');
const guides = (shaped: ReturnType<typeof shapeTree>) => shaped.rows.map((_, i) => guideOf(shaped.rows, i) + shaped.rows[i]!.item.key);

describe('shapeTree', () => {
	it('draws guides like the model does for an unfiltered tree', () => {
		expect(guides(shapeTree(TREE, null, new Set()))).toEqual(['a', '├─ b', '│  ├─ c', '│  └─ d', '└─ e', '   └─ f', 'g']);
		const rows = buildProcessTree(mainNode(), {runtimeOnly: false});
		const shaped = shapeTree(processItems(mainNode(), false), null, new Set());
		expect(shaped.rows.map((_, i) => guideOf(shaped.rows, i))).toEqual(rows.map((r) => r.guide));
	});

	it('keeps a match, its ancestors and its descendants, and redraws the guides', () => {
		const shaped = shapeTree(TREE, makeMatcher('d'), new Set());
		expect(keys(shaped)).toBe('abd');
		expect(guides(shaped)).toEqual(['a', '└─ b', '   └─ d']);
		expect(keys(shapeTree(TREE, makeMatcher('e'), new Set()))).toBe('aef');
		expect(shapeTree(TREE, makeMatcher('zzz'), new Set()).rows).toEqual([]);
	});

	it('counts what matches, not the context kept around it', () => {
		expect(shapeTree(TREE, makeMatcher('d'), new Set()).counts.get('process')).toEqual({total: 7, shown: 1});
		expect(shapeTree(TREE, null, new Set()).counts.get('process')).toEqual({total: 7, shown: 7});
	});

	it('folds hide descendants and count them', () => {
		const shaped = shapeTree(TREE, null, new Set(['b']));
		expect(keys(shaped)).toBe('abefg');
		const b = shaped.rows[1]!;
		expect(b).toMatchObject({folded: true, foldable: true, hidden: 2});
		expect(guides(shaped)).toEqual(['a', '├─ b', '└─ e', '   └─ f', 'g']);
		// A fold on a leaf means nothing.
		expect(shapeTree(TREE, null, new Set(['c'])).rows[2]).toMatchObject({folded: false, foldable: false});
	});

	it('gives every row its parent among the shaped rows', () => {
		const shaped = shapeTree(TREE, null, new Set(['b']));
		expect(shaped.rows.map((r) => r.parent)).toEqual([-1, 0, 0, 2, -1]);
	});

	it('keeps guides consistent for any tree and filter', () => {
		const arbTree = fc.array(fc.tuple(fc.nat(4), fc.constantFrom('x', 'y', 'z')), {maxLength: 60}).map((steps) => {
			const items: Item[] = [];
			let depth = 0;
			steps.forEach(([jump, text], i) => {
				depth = i === 0 ? 0 : Math.min(depth + 1, jump);
				items.push(item(`k${i}`, depth, text));
			});
			return items;
		});
		fc.assert(
			fc.property(arbTree, fc.constantFrom('', 'x', 'y'), (items, filter) => {
				const shaped = shapeTree(items, makeMatcher(filter), new Set());
				shaped.rows.forEach((row, i) => {
					const guide = guideOf(shaped.rows, i);
					// Depth d draws d-1 columns of ancestors plus its own branch.
					expect(guide.length).toBe(row.item.depth === 0 ? 0 : row.item.depth * 3);
					if (row.parent >= 0) expect(shaped.rows[row.parent]!.item.depth).toBe(row.item.depth - 1);
					// └─ exactly when no later sibling survived.
					let later = false;
					for (let j = i + 1; j < shaped.rows.length && shaped.rows[j]!.item.depth >= row.item.depth; j++) {
						if (shaped.rows[j]!.item.depth === row.item.depth) later = true;
					}
					expect(row.last).toBe(!later);
				});
			}),
		);
	});
});
