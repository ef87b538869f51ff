import {useMemo} from 'react';
import {useShallow} from 'zustand/react/shallow';
import {useClock} from '../hooks/use-clock.js';
import {useCrimon} from '../hooks/store-context.js';
import {modeOf} from '../source/store/ui-state.js';
import {footerHints} from '../source/ui/keymap.js';
import type {PollStatus} from '../source/ui/status.js';
import type {Theme} from '../source/ui/theme.js';
import {Footer} from './Footer.js';

export interface StatusFooterProps {
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
	readonly clockMs: number;
	readonly now: () => number;
}

/** Footer fed from the store: hints for the current mode and pane, the active node's poll state. */
export function StatusFooter({width, height, theme, clockMs, now: clock}: StatusFooterProps) {
	const mode = useCrimon((s) => modeOf(s.ui));
	const pane = useCrimon((s) => s.ui.pane);
	const prompt = useCrimon((s) => (s.ui.filterEditing ? s.ui.filter : null));
	const raw = useCrimon(
		useShallow((s) => {
			const entry = s.nodes[s.ui.activeNode];
			return {
				intervalMs: s.intervalMs,
				paused: s.paused,
				lastPollAt: entry?.lastPollAt ?? null,
				lastDurationMs: entry?.lastDurationMs ?? null,
				lastError: entry?.lastError ?? null,
				errors: entry?.snapshot?.errors ?? null,
			};
		}),
	);
	const poll = useMemo<PollStatus>(
		() => ({...raw, sourceErrors: (raw.errors ?? []).map((e) => `${e.source}: ${e.message}`)}),
		[raw],
	);
	const hints = useMemo(() => footerHints(mode, pane), [mode, pane]);
	const now = useClock(clockMs, clock);
	return <Footer hints={hints} prompt={prompt} poll={poll} now={now} width={width} height={height} theme={theme} />;
}
