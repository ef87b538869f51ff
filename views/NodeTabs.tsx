import {memo} from 'react';
import {tabLine, type TabInfo} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import {SegmentLine} from './SegmentLine.js';

export interface NodeTabsProps {
	readonly tabs: readonly TabInfo[];
	readonly active: number;
	readonly now: number;
	readonly width: number;
	readonly theme: Theme;
}

/** The top line: one tab per node with its status mark and the age of its last poll. */
export const NodeTabs = memo(function NodeTabs({tabs, active, now, width, theme}: NodeTabsProps) {
	return <SegmentLine line={tabLine(tabs, active, now, width)} theme={theme} />;
});
