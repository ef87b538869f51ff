import {memo} from 'react';
import {Box} from 'ink';
import type {Hint} from '../source/ui/keymap.js';
import {compactFooterLine, filterPromptLine, hintLine, pollLine, type PollStatus} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import {SegmentLine} from './SegmentLine.js';

export interface FooterProps {
	readonly hints: readonly Hint[];
	/** The filter being typed, or null when the prompt is closed. */
	readonly prompt: string | null;
	readonly poll: PollStatus;
	readonly now: number;
	readonly width: number;
	/** 2: keys, then poll state; 1 (short terminals): both on one line. */
	readonly height: number;
	readonly theme: Theme;
}

/** The bottom: the keys that matter here (from the key table) and the poll state. */
export const Footer = memo(function Footer({hints, prompt, poll, now, width, height, theme}: FooterProps) {
	const keys = prompt === null ? hintLine(hints, width) : filterPromptLine(prompt, width);
	if (height < 2) {
		return <SegmentLine line={prompt === null ? compactFooterLine(hints, poll, now, width) : keys} theme={theme} />;
	}
	return (
		<Box flexDirection="column" height={2}>
			<SegmentLine line={keys} theme={theme} />
			<SegmentLine line={pollLine(poll, now, width)} theme={theme} />
		</Box>
	);
});
