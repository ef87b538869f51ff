import {memo, useMemo} from 'react';
import {compareNodes} from '../source/model/compare.js';
import type {NodeSnapshot} from '../source/schema/types.js';
import {compareLines} from '../source/render/text-compare.js';
import type {Theme} from '../source/ui/theme.js';
import {toLines, windowOf} from './NodePane.js';
import {TextPanel} from './TextPanel.js';
import {memoOnSnapshots} from '../source/ui/snapshot-memo.js';
import type {Line} from '../source/ui/lines.js';

/** The view's lines, built once per pair of snapshots and width (the pane draws them, Screen counts them). */
export function comparePaneLines(a: NodeSnapshot | null, b: NodeSnapshot | null, width: number): Line[] {
	if (!a || !b) return toLines([{text: 'waiting for both nodes\' first poll…', style: 'dim'}], width);
	return compareLinesOf(a, b, String(width));
}

// A screenful: long one-sided lists are cut, `crimon compare` prints them whole.
const compareLinesOf = memoOnSnapshots((a: NodeSnapshot, b: NodeSnapshot, key: string): Line[] => toLines(compareLines(compareNodes(a, b), {width: Number(key), maxItems: 8}), Number(key)));

export interface ComparePaneProps {
	/** The current node and the next one (key `=`). */
	readonly a: NodeSnapshot | null;
	readonly b: NodeSnapshot | null;
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
	readonly scroll?: number;
}

/** Two nodes side by side: runtime, shims per namespace, what runs on one side only, findings. */
export const ComparePane = memo(function ComparePane({a, b, width, height, theme, scroll = 0}: ComparePaneProps) {
	const lines = useMemo(() => comparePaneLines(a, b, width), [a, b, width]);
	return <TextPanel lines={windowOf(lines, width, height, scroll)} width={width} height={height} theme={theme} />;
});
