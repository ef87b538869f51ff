import {useCallback, useMemo} from 'react';
import {useLiveValue} from '../hooks/use-live-value.js';
import {useCrimon} from '../hooks/store-context.js';
import type {CrimonState} from '../source/store/store.js';
import {modeOf} from '../source/store/ui-state.js';
import {footerHints} from '../source/ui/keymap.js';
import {pollLine, compactFooterLine, noticeLine, type PollStatus} from '../source/ui/status.js';
import {eventsStatusOf} from '../source/ui/event-rows.js';
import {sameLine, type Line} from '../source/ui/lines.js';
import type {Theme} from '../source/ui/theme.js';
import {Footer} from './Footer.js';
import {FILE_TARGET_PREFIX} from '../source/snapshot-file/saved-nodes.js';

export interface StatusFooterProps {
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
	readonly clockMs: number;
	readonly now: () => number;
}

function pollStatusOf(state: CrimonState): PollStatus {
	const entry = state.nodes[state.ui.activeNode];
	return {
		intervalMs: state.intervalMs,
		paused: state.paused,
		lastPollAt: entry?.lastPollAt ?? null,
		lastDurationMs: entry?.lastDurationMs ?? null,
		lastError: entry?.lastError ?? null,
		sourceErrors: (entry?.snapshot?.errors ?? []).map((e) => `${e.source}: ${e.message}`),
		saved: entry?.target.startsWith(FILE_TARGET_PREFIX) ?? false,
		events: eventsStatusOf(state.events[state.ui.activeNode]?.stream ?? null),
	};
}

/** The footer, live: hints for the current mode and pane, and the active node's poll state. */
export function StatusFooter({width, height, theme, clockMs, now}: StatusFooterProps) {
	const mode = useCrimon((s) => modeOf(s.ui));
	const pane = useCrimon((s) => s.ui.pane);
	const prompt = useCrimon((s) => (s.ui.filterEditing ? s.ui.filter : null));
	const notice = useCrimon((s) => s.ui.notice);
	const hints = useMemo(() => footerHints(mode, pane), [mode, pane]);
	const compute = useCallback(
		(state: CrimonState, time: number): Line => (height < 2 ? compactFooterLine(hints, pollStatusOf(state), time, width) : pollLine(pollStatusOf(state), time, width)),
		[hints, width, height],
	);
	const status = useLiveValue(compute, sameLine, clockMs, now);
	// The poll state's line, because that is the one line every terminal height has.
	const line = useMemo(() => (notice === null ? status : noticeLine(notice, width)), [notice, status, width]);
	return <Footer hints={hints} prompt={prompt} status={line} width={width} height={height} theme={theme} />;
}
