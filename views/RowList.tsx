import {memo} from 'react';
import {Box, Text} from 'ink';
import {fitText} from '../source/render/terminal-text.js';
import {wrapText} from '../source/render/text-diagnosis.js';
import type {Line} from '../source/ui/lines.js';
import type {Theme} from '../source/ui/theme.js';
import {SegmentLine} from './SegmentLine.js';

export interface RowListProps {
	/** Only the rows on screen, each already `width - 1` columns wide. */
	readonly lines: readonly Line[];
	/** Which of `lines` has the cursor; -1 for none. */
	readonly cursor: number;
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
	/** Shown when there are no rows. */
	readonly empty: string;
}

/** The visible window of a pane's rows, with a › gutter that marks the cursor without colour. */
export const RowList = memo(function RowList({lines, cursor, width, height, theme, empty}: RowListProps) {
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.length === 0 ? (
				// Wrapped, not cut: what an empty pane says is often what to check.
				wrapText(empty, width, ' ', '   ').slice(0, Math.max(1, height)).map((text, i) => (
					<Text key={i} wrap="truncate" dimColor={theme.color}>
						{fitText(text, width)}
					</Text>
				))
			) : (
				lines.map((line, i) => <SegmentLine key={i} gutter={i === cursor ? '›' : ' '} line={line} theme={theme} highlight={i === cursor} />)
			)}
		</Box>
	);
});
