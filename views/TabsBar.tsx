import {useCallback} from 'react';
import {useLiveValue} from '../hooks/use-live-value.js';
import {sameLine, type Line} from '../source/ui/lines.js';
import {tabInfo, tabLine} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import type {CrimonState} from '../source/store/store.js';
import {SegmentLine} from './SegmentLine.js';

export interface TabsBarProps {
	readonly width: number;
	readonly theme: Theme;
	/** How often ages are checked; 0 stops the clock (tests). */
	readonly clockMs: number;
	readonly now: () => number;
}

/** The node tabs, live: redrawn when a status, a name or a shown age changes, and only then. */
export function TabsBar({width, theme, clockMs, now}: TabsBarProps) {
	const compute = useCallback(
		(state: CrimonState, time: number): Line => tabLine(state.nodes.map(tabInfo), state.ui.activeNode, time, width, state.intervalMs),
		[width],
	);
	const line = useLiveValue(compute, sameLine, clockMs, now);
	return <SegmentLine line={line} theme={theme} />;
}
