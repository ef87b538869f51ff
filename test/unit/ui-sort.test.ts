import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {columnWidths, compareContainers, COLUMN_SPECS, SORT_KEYS, visibleColumns, type SortState} from '../../source/ui/container-rows.js';
import {withSortStep, INITIAL_UI} from '../../source/store/ui-state.js';
import {mainNode, syntheticNode} from '../views/fixtures.js';

const containers = [...mainNode().containers, ...syntheticNode({processes: 200, containers: 40}).containers];
const sorts: SortState[] = SORT_KEYS.flatMap((key) => [{key, descending: false}, {key, descending: true}]);

describe('container sort', () => {
	it('is a total order for every column and direction, so rows never trade places between polls', () => {
		fc.assert(
			fc.property(fc.constantFrom(...sorts), fc.shuffledSubarray(containers, {minLength: 2}), (sort, sample) => {
				const compare = compareContainers(sort);
				const once = sample.slice().sort(compare).map((c) => `${c.namespace}/${c.id}`);
				const reversedInput = sample.slice().reverse().sort(compare).map((c) => `${c.namespace}/${c.id}`);
				expect(reversedInput).toEqual(once);
				for (const a of sample) for (const b of sample) expect(Math.sign(compare(a, b))).toBe(-Math.sign(compare(b, a)) || 0);
			}),
		);
	});

	it('puts missing values last in both directions', () => {
		for (const descending of [false, true]) {
			const sorted = mainNode().containers.slice().sort(compareContainers({key: 'pid', descending}));
			expect(sorted.at(-1)!.pid).toBeNull();
		}
	});

	it('s steps through every sort key and back', () => {
		let ui = INITIAL_UI;
		const seen = [ui.sort.key];
		for (let i = 0; i < SORT_KEYS.length; i++) {
			ui = withSortStep(ui);
			seen.push(ui.sort.key);
		}
		expect(new Set(seen)).toEqual(new Set(SORT_KEYS));
		expect(seen.at(-1)).toBe(seen[0]);
	});

	it('lays the columns out within the width given, dropping the least needed when narrow', () => {
		fc.assert(
			fc.property(fc.integer({min: 41, max: 400}), (width) => {
				// 41: the narrowest table, NAME, POD, STATE and the three views.
				const specs = visibleColumns(width);
				const widths = columnWidths(width, specs);
				expect(widths.reduce((a, b) => a + b, 0) + specs.length - 1).toBeLessThanOrEqual(width);
				widths.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(specs[i]!.min));
				// The three views columns are what this pane is for: they always stay.
				expect(specs.map((s) => s.id)).toEqual(expect.arrayContaining(['name', 'pod', 'state', 'cri', 'containerd', 'docker']));
				if (width >= 107) expect(specs).toBe(COLUMN_SPECS);
				// Network and disk rates stay down to 80 columns.
				if (width >= 78) expect(specs.map((s) => s.id)).toEqual(expect.arrayContaining(['cpu', 'mem', 'net', 'io']));
			}),
		);
	});
});
