import {useEffect, useMemo, useRef} from 'react';
import {Box, Text} from 'ink';
import {useAppKeys} from '../hooks/use-app-keys.js';
import {usePaneModel} from '../hooks/use-pane-model.js';
import {useCrimon, useCrimonStore, type PollControl} from '../hooks/store-context.js';
import {fitText} from '../source/render/terminal-text.js';
import {compareNode, screenModeOf, viewKey} from '../source/store/ui-state.js';
import {cursorIndex, firstMatchOf, windowTop} from '../source/ui/cursor.js';
import {detailLines, detailsHeading, detailsOf, type Details} from '../source/ui/details.js';
import {helpScreenLines} from '../source/ui/help.js';
import {computeLayout, MIN_COLUMNS, MIN_ROWS} from '../source/ui/layout.js';
import {fitSegments, type Line} from '../source/ui/lines.js';
import {seg} from '../source/ui/row.js';
import {PANE_INFO} from '../source/ui/panes.js';
import type {Page} from '../source/ui/screen-mode.js';
import {stableSnapshots} from '../source/ui/stable-snapshot.js';
import {compareTitleLine, emptyListMessage, nodeLine, titleLine} from '../source/ui/status.js';
import {eventsStatusOf} from '../source/ui/event-rows.js';
import type {Theme} from '../source/ui/theme.js';
import {headerLine, windowLines} from '../source/ui/window.js';
import {ComparePane, comparePaneLines} from './ComparePane.js';
import {NodePane, nodePaneLines} from './NodePane.js';
import {RowList} from './RowList.js';
import {SegmentLine} from './SegmentLine.js';
import {StatusFooter} from './StatusFooter.js';
import {TabsBar} from './TabsBar.js';
import {TextPanel} from './TextPanel.js';

export interface ScreenProps {
	readonly poller: PollControl;
	readonly columns: number;
	readonly rows: number;
	readonly theme: Theme;
	/** Called with the exit code when the user quits. */
	readonly quit: (code: number) => void;
	/** How often ages refresh; 0 freezes them (tests). */
	readonly clockMs?: number;
	/** The clock the ages are measured with (tests pin it). */
	readonly now?: () => number;
}

/** The whole screen: tabs, the active pane's title, its rows (or details, or help), the footer. */
export function Screen({poller, columns, rows: terminalRows, theme, quit, clockMs = 1000, now = Date.now}: ScreenProps) {
	const store = useCrimonStore();
	const model = usePaneModel();
	const {pane, shaped, positions, snapshot, node} = model;
	const layout = computeLayout(columns, terminalRows, pane);
	const cursorState = useCrimon((s) => s.ui.cursors[viewKey(s.ui.activeNode, s.ui.pane)]);
	const details = useCrimon((s) => s.ui.details);
	const help = useCrimon((s) => s.ui.help);
	const nodeName = useCrimon((s) => s.nodes[s.ui.activeNode]?.name ?? '');
	const status = useCrimon((s) => s.nodes[s.ui.activeNode]?.status ?? null);
	const lastError = useCrimon((s) => s.nodes[s.ui.activeNode]?.lastError ?? null);
	const compare = useCrimon((s) => s.ui.compare);
	// Which open mode wins (one table): the same object for the same open modes, so it redraws nothing by itself.
	const mode = useCrimon((s) => screenModeOf(s.ui));
	// Primitives, so a stream update that changes neither redraws nothing.
	const eventsLive = useCrimon((s) => eventsStatusOf(s.events[s.ui.activeNode]?.stream ?? null)?.live ?? null);
	const eventsNote = useCrimon((s) => eventsStatusOf(s.events[s.ui.activeNode]?.stream ?? null)?.note ?? null);
	// Only while details are open: the history changes every poll, and nothing else draws it.
	const history = useCrimon((s) => (s.ui.details ? s.nodes[s.ui.activeNode]?.history : undefined));
	const textScroll = useCrimon((s) => s.ui.textScroll[viewKey(s.ui.activeNode, s.ui.pane)] ?? 0);
	const otherIndex = useCrimon((s) => compareNode(s.ui.activeNode, s.nodes.length));
	const otherName = useCrimon((s) => s.nodes[compareNode(s.ui.activeNode, s.nodes.length)]?.name ?? '');
	// Like the active node's: a poll that changed nothing keeps the compare view as it is.
	const stableOther = useMemo(() => stableSnapshots(), [otherIndex]);
	const other = useCrimon((s) => (s.ui.compare ? stableOther(s.nodes[compareNode(s.ui.activeNode, s.nodes.length)]?.snapshot ?? null) : null));
	const isText = PANE_INFO[pane].shape === 'text';

	const count = shaped.rows.length;
	const firstMatch = useMemo(() => firstMatchOf(shaped.rows, model.filter !== ''), [shaped, model.filter]);
	const index = cursorIndex(cursorState, positions, count, firstMatch);
	const top = windowTop(index, cursorState?.top ?? 0, layout.list, count);
	const listWidth = Math.max(1, layout.columns - 1);
	const lines = useMemo(() => windowLines(pane, shaped.rows, top, layout.list, listWidth), [pane, shaped, top, layout.list, listWidth]);
	const header = useMemo(() => headerLine(pane, layout.columns, model.sort), [pane, layout.columns, model.sort]);
	const hostText = useMemo(() => (layout.node ? nodeLine(snapshot, layout.columns) : null), [layout.node, snapshot, layout.columns]);

	// Details follow the subject across polls; if it goes away, the last known facts stay, marked.
	const lastDetails = useRef<Details | null>(null);
	const bodyHeight = layout.list + layout.header;
	const detailText = useMemo<Line[]>(() => {
		if (!details) {
			lastDetails.current = null;
			return [];
		}
		const fresh = snapshot ? detailsOf(snapshot, details.subject, history) : null;
		const shown = fresh ?? lastDetails.current;
		lastDetails.current = shown;
		if (!shown) return [fitSegments([seg('nothing to show', 'dim')], layout.columns)];
		return [detailsHeading(shown, fresh !== null, layout.columns), ...detailLines(shown, layout.columns).map((line) => fitSegments(line, layout.columns))];
	}, [details?.subject, snapshot, layout.columns, history]);
	const helpText = useMemo(() => (help ? helpScreenLines(layout.columns) : []), [help !== null, layout.columns]);
	// Only the counts, for how far the keys may scroll: the lines are memoised per snapshot
	// and width, so this and the pane drawing them build them once between them.
	const textLineCount = useMemo(() => (isText ? nodePaneLines(snapshot, layout.columns).length : 0), [isText, snapshot, layout.columns]);
	const compareLineCount = useMemo(() => (compare ? comparePaneLines(snapshot, other, layout.columns).length : 0), [compare !== null, snapshot, other, layout.columns]);

	// Tell the poller which pids are on screen, so the local reader keeps exactly those fresh.
	const pids = useMemo(() => {
		const set = new Set<number>();
		const end = Math.min(count, top + layout.list);
		for (let i = top; i < end; i++) for (const pid of shaped.rows[i]!.item.pids) set.add(pid);
		const subject = details?.subject;
		if (subject && (subject.kind === 'process' || subject.kind === 'shim')) set.add(subject.pid);
		return set;
	}, [shaped, top, layout.list, count, details?.subject]);
	useEffect(() => {
		store.getState().setOnScreen(node, pids);
	}, [store, node, pids]);

	// A text panel keeps its heading; the compare view scrolls its whole body; a list pages by its rows.
	const pageRows: Record<Page, number> = {panel: Math.max(1, bodyHeight - 1), body: Math.max(1, bodyHeight), list: Math.max(1, layout.list)};
	useAppKeys({
		store,
		poller,
		rows: shaped.rows,
		positions,
		page: pageRows[mode.page],
		detailLines: Math.max(0, detailText.length - 1),
		helpLines: Math.max(0, helpText.length - 1),
		textLines: textLineCount,
		compareLines: compareLineCount,
		quit,
	});

	if (layout.tooSmall) {
		return <Text wrap="truncate">{fitText(`terminal too small (need ${MIN_COLUMNS}×${MIN_ROWS}); q quits`, layout.columns)}</Text>;
	}

	let body;
	switch (mode.body) {
		case 'help': {
			// The first line is a heading that stays; the rest scrolls.
			const [first, ...rest] = helpText;
			const scroll = help?.scroll ?? 0;
			body = <TextPanel lines={[first ?? [], ...rest.slice(scroll, scroll + bodyHeight - 1)]} width={layout.columns} height={bodyHeight} theme={theme} />;
			break;
		}
		case 'details': {
			const [first, ...rest] = detailText;
			const scroll = details?.scroll ?? 0;
			body = <TextPanel lines={[first ?? [], ...rest.slice(scroll, scroll + bodyHeight - 1)]} width={layout.columns} height={bodyHeight} theme={theme} />;
			break;
		}
		case 'compare':
			body = <ComparePane a={snapshot} b={other} width={layout.columns} height={bodyHeight} theme={theme} scroll={compare?.scroll ?? 0} />;
			break;
		case 'text':
			body = <NodePane node={snapshot} width={layout.columns} height={layout.list} theme={theme} scroll={textScroll} />;
			break;
		case 'rows':
			body = (
				<>
					{header ? <SegmentLine line={header} theme={theme} /> : null}
					<RowList
						lines={lines}
						cursor={index - top}
						width={layout.columns}
						height={layout.list}
						theme={theme}
						empty={emptyListMessage(pane, status, nodeName, lastError, model.filter, model.runtimeOnly, snapshot !== null, eventsLive === null ? undefined : {live: eventsLive, note: eventsNote})}
					/>
				</>
			);
			break;
	}

	const title =
		mode.title === 'compare'
			? compareTitleLine(nodeName, otherName, layout.columns)
			: titleLine(pane, nodeName, model.count, {filter: model.filter, runtimeOnly: model.runtimeOnly, status}, layout.columns);
	return (
		<Box flexDirection="column" width={layout.columns} height={layout.height}>
			<TabsBar width={layout.columns} theme={theme} clockMs={clockMs} now={now} />
			<SegmentLine line={title} theme={theme} />
			{body}
			{hostText ? <SegmentLine line={hostText} theme={theme} /> : null}
			<StatusFooter width={layout.columns} height={layout.footer} theme={theme} clockMs={clockMs} now={now} />
		</Box>
	);
}
