import {useMemo} from 'react';
import {useClock} from '../hooks/use-clock.js';
import {useCrimon, useCrimonStore} from '../hooks/store-context.js';
import {tabInfo} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import {NodeTabs} from './NodeTabs.js';

export interface TabsBarProps {
	readonly width: number;
	readonly theme: Theme;
	/** Age refresh; 0 stops the clock (tests). */
	readonly clockMs: number;
	readonly now: () => number;
}

/** NodeTabs fed from the store; re-renders on what a tab shows, not on every store change. */
export function TabsBar({width, theme, clockMs, now: clock}: TabsBarProps) {
	const store = useCrimonStore();
	// A string, so a poll starting (inFlight) or a key press does not redraw the tabs.
	const signature = useCrimon((s) => s.nodes.map((n) => `${n.name}\u0000${n.status}\u0000${n.lastPollAt}`).join('\u0001'));
	const active = useCrimon((s) => s.ui.activeNode);
	const tabs = useMemo(() => store.getState().nodes.map(tabInfo), [store, signature]);
	const now = useClock(clockMs, clock);
	return <NodeTabs tabs={tabs} active={active} now={now} width={width} theme={theme} />;
}
