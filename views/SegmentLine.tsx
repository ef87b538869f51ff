import {memo} from 'react';
import {Text} from 'ink';
import type {Line} from '../source/ui/lines.js';
import type {Segment} from '../source/ui/row.js';
import type {Theme, ToneStyle} from '../source/ui/theme.js';

export interface SegmentLineProps {
	/** Already escaped and fitted to the width (see source/ui/lines.ts). */
	readonly line: Line;
	readonly theme: Theme;
	readonly highlight?: boolean;
	/** A plain prefix (the list's cursor gutter). */
	readonly gutter?: string;
}

const styleKeys = new WeakMap<ToneStyle, string>();
const keyOf = (style: ToneStyle) => {
	let key = styleKeys.get(style);
	if (key === undefined) styleKeys.set(style, (key = JSON.stringify(style)));
	return key;
};

interface Run {
	readonly style: ToneStyle;
	text: string;
}

/**
 * Ink's cost grows with the text nodes and characters it lays out on every frame, so
 * neighbours that look the same become one node, and the padding after the last word
 * (blank anyway) is left out unless the row is highlighted.
 */
function runsOf(line: readonly Segment[], theme: Theme, keepPadding: boolean): Run[] {
	let end = line.length;
	if (!keepPadding) while (end > 0 && line[end - 1]!.text.trim() === '') end--;
	const runs: Run[] = [];
	let lastKey = '';
	for (let i = 0; i < end; i++) {
		const segment = line[i]!;
		const style = theme.tones[segment.tone];
		const key = keyOf(style);
		const last = runs[runs.length - 1];
		if (last && key === lastKey) last.text += segment.text;
		else runs.push({style, text: segment.text});
		lastKey = key;
	}
	return runs;
}

/** One row of the screen: the line's segments in their tones. */
export const SegmentLine = memo(function SegmentLine({line, theme, highlight = false, gutter}: SegmentLineProps) {
	const runs = runsOf(line, theme, highlight);
	return (
		<Text wrap="truncate" {...(highlight ? theme.cursor : {})}>
			{gutter}
			{/* Ink gives an empty Text no row at all: a blank line would pull the rest up. */}
			{runs.length === 0 && !gutter ? ' ' : null}
			{runs.map((run, i) => (
				<Text key={i} {...run.style}>
					{run.text}
				</Text>
			))}
		</Text>
	);
});
