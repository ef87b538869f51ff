import {memo} from 'react';
import {Box} from 'ink';
import type {Hint} from '../source/ui/keymap.js';
import type {Line} from '../source/ui/lines.js';
import {filterPromptLine, hintLine} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import {SegmentLine} from './SegmentLine.js';

export interface FooterProps {
	readonly hints: readonly Hint[];
	/** The filter being typed, or null when the prompt is closed. */
	readonly prompt: string | null;
	/** The poll-state line (see status.ts: pollLine, or compactFooterLine for one row). */
	readonly status: Line;
	readonly width: number;
	/** 2: keys, then poll state; 1 (short terminals): both on one line. */
	readonly height: number;
	readonly theme: Theme;
}

/** The bottom: the keys that matter here (from the key table) and the poll state. */
export const Footer = memo(function Footer({hints, prompt, status, width, height, theme}: FooterProps) {
	if (height < 2) return <SegmentLine line={prompt === null ? status : filterPromptLine(prompt, width)} theme={theme} />;
	return (
		<Box flexDirection="column" height={2}>
			<SegmentLine line={prompt === null ? hintLine(hints, width) : filterPromptLine(prompt, width)} theme={theme} />
			<SegmentLine line={status} theme={theme} />
		</Box>
	);
});
