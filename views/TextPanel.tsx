import {memo} from 'react';
import {Box} from 'ink';
import type {Line} from '../source/ui/lines.js';
import type {Theme} from '../source/ui/theme.js';
import {SegmentLine} from './SegmentLine.js';

export interface TextPanelProps {
	/** The lines in view, already escaped and fitted. */
	readonly lines: readonly Line[];
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
}

/** A scrolled window of text: the details of a row, or the help screen. */
export const TextPanel = memo(function TextPanel({lines, width, height, theme}: TextPanelProps) {
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.map((line, i) => (
				<SegmentLine key={i} line={line} theme={theme} />
			))}
		</Box>
	);
});
