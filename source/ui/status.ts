/** Pure: the words and marks of the tab bar, the title line and the footer. */
import type {NodeSnapshot} from '../schema/types.js';
import {hostLine, shimRss} from '../render/usage-text.js';
import type {NodeEntry, NodeStatus} from '../model/node-entry.js';
import {escapeText} from '../render/terminal-text.js';
import {keyFor, type Hint} from './keymap.js';
import {PANE_INFO, PANES, type PaneId} from './panes.js';
import type {PaneCount} from './pane-rows.js';
import {seg, type Segment, type Tone} from './row.js';
import {fitSegments} from './lines.js';
import {textWidth} from '../render/terminal-text.js';

const STATUS_MARK: Readonly<Record<NodeStatus, {readonly mark: string; readonly tone: Tone}>> = {
	pending: {mark: '…', tone: 'dim'},
	ok: {mark: '✓', tone: 'ok'},
	stale: {mark: '~', tone: 'warn'},
	failed: {mark: '✗', tone: 'bad'},
};

export function formatAge(ms: number): string {
	const s = Math.max(0, Math.floor(ms / 1000));
	if (s < 60) return `${s}s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m`;
	const h = Math.floor(m / 60);
	if (h < 48) return `${h}h`;
	return `${Math.floor(h / 24)}d`;
}

/**
 * An age as the tabs and footer show it: in steps of the poll interval, so a healthy
 * node reads a steady "0s" instead of flipping 0s/1s between polls (a redraw each time),
 * and a late one counts up 2s, 4s, … as its polls fail to arrive.
 */
export function pollAge(ms: number, intervalMs: number): string {
	const step = Math.max(1000, intervalMs);
	// A poll cycle is the interval plus the poll itself: allow a second for the latter.
	const late = Math.max(0, ms - 1000);
	return formatAge(Math.floor(late / step) * step);
}

/** A poll's duration, when it is worth a glance: quick local polls are not news every 2 s. */
export function pollDuration(ms: number | null): string {
	if (ms === null || ms < 100) return '';
	if (ms < 1000) return `${Math.round(ms / 10) * 10} ms`;
	return `${(ms / 1000).toFixed(1)} s`;
}

function formatInterval(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export interface TabInfo {
	readonly name: string;
	readonly status: NodeStatus;
	readonly lastPollAt: number | null;
}

export function tabInfo(entry: NodeEntry): TabInfo {
	return {name: entry.name, status: entry.status, lastPollAt: entry.lastPollAt};
}

function tabSegments(tab: TabInfo, index: number, active: boolean, now: number, intervalMs: number): Segment[] {
	const {mark, tone} = STATUS_MARK[tab.status];
	const age = tab.lastPollAt === null ? '' : ' ' + pollAge(now - tab.lastPollAt, intervalMs);
	const number = index < 9 ? `${index + 1} ` : '';
	const name = escapeText(tab.name);
	if (active) return [seg('[', 'active'), seg(`${number}${name} `, 'active'), seg(mark, tone), seg(age + ']', 'active')];
	return [seg(' ', 'plain'), seg(number, 'dim'), seg(name + ' '), seg(mark, tone), seg(age + ' ', 'dim')];
}

/** The top line: every node's tab, scrolled so the active one is always in view. */
export function tabLine(tabs: readonly TabInfo[], active: number, now: number, width: number, intervalMs = 2000): Segment[] {
	if (tabs.length === 0) return fitSegments([seg('no nodes', 'dim')], width);
	const pieces = tabs.map((tab, i) => tabSegments(tab, i, i === active, now, intervalMs));
	const widths = pieces.map((p) => p.reduce((sum, s) => sum + textWidth(s.text), 0));
	let first = 0;
	const fits = (from: number, to: number) => widths.slice(from, to + 1).reduce((a, b) => a + b, 0) + (from > 0 ? 2 : 0) <= width - 2;
	while (first < active && !fits(first, active)) first++;
	const out: Segment[] = [];
	if (first > 0) out.push(seg('‹ ', 'dim'));
	let used = first > 0 ? 2 : 0;
	for (let i = first; i < pieces.length; i++) {
		if (i > active && used + widths[i]! > width - 2) {
			out.push(seg(' ›', 'dim'));
			break;
		}
		out.push(...pieces[i]!);
		used += widths[i]!;
	}
	return fitSegments(out, width);
}

export function titleLine(pane: PaneId, nodeName: string, count: PaneCount, options: {filter: string; runtimeOnly: boolean; status: NodeStatus | null}, width: number): Segment[] {
	const info = PANE_INFO[pane];
	const countText = options.filter ? `${count.shown} of ${count.total}` : String(count.total);
	// The Node pane is text: no count, and the filter does not apply to it.
	const counted: Segment[] = info.shape === 'text' ? [] : [seg(` (${countText}${pane === 'processes' ? (options.runtimeOnly ? ', runtime only' : ', all') : ''})`)];
	const flags: Segment[] = [];
	if (info.shape !== 'text' && options.filter) flags.push(seg('  /', 'key'), seg(escapeText(options.filter)));
	if (options.status === 'stale') flags.push(seg('  stale', 'warn'));
	if (options.status === 'failed') flags.push(seg('  unreachable', 'bad'));
	const title = seg(info.title, 'heading');
	const width_ = (segments: readonly Segment[]) => segments.reduce((sum, s) => sum + textWidth(s.text), 0);
	const paneList = (others: boolean): Segment[] =>
		PANES.filter((other) => !others || other !== pane).flatMap((other) => [seg(' '), seg(PANE_INFO[other].title, other === pane ? 'active' : 'dim')]);
	// Every pane's name is always on the line. When the whole list does not fit, it leaves out
	// the pane the title names; then the title gives up its count, then the node's name (the
	// tab bar has it), and last is cut with an ellipsis; the filter and stale/unreachable stay.
	const lefts: Segment[][] = [
		[title, seg(' — '), seg(escapeText(nodeName), 'heading'), ...counted, ...flags],
		[title, seg(' — '), seg(escapeText(nodeName), 'heading'), ...flags],
		[title, ...flags],
	];
	for (const right of [paneList(false), paneList(true)]) {
		for (const left of right.length > paneList(true).length ? lefts.slice(0, 1) : lefts) {
			if (width_(left) + width_(right) + 2 <= width) return fitSegments([...left, seg(' '.repeat(width - width_(left) - width_(right))), ...right], width);
		}
	}
	const others = paneList(true);
	const room = width - width_(others);
	if (room < 4) return fitSegments(lefts[0]!, width);
	return fitSegments([...fitSegments(lefts[2]!, room), ...others], width);
}

/** The split view's title: the active node against the next one. */
export function compareTitleLine(a: string, b: string, width: number): Segment[] {
	return fitSegments([seg('Compare', 'heading'), seg(' — '), seg(escapeText(a), 'heading'), seg(' vs '), seg(escapeText(b), 'heading'), seg('  (= or Esc closes)', 'dim')], width);
}

/** A one-line message in place of the poll state, until the next key. */
export function noticeLine(text: string, width: number): Segment[] {
	return fitSegments([seg(escapeText(text), 'warn')], width);
}

/** As many hints as fit, most important first, in table order once chosen; an ellipsis says when some did not. */
export function hintLine(hints: readonly Hint[], width: number): Segment[] {
	const out: Segment[] = [];
	let used = 0;
	let dropped = false;
	for (const hint of hints) {
		const piece = [seg(hint.keys, 'key'), seg(' ' + hint.text + '  ', 'dim')];
		const w = textWidth(hint.keys) + textWidth(hint.text) + 3;
		// Room for the trailing two spaces to go, and one column for the ellipsis.
		if (used + w > width + 1) {
			dropped = true;
			continue;
		}
		out.push(...piece);
		used += w;
	}
	if (dropped) out.push(seg('…', 'dim'));
	return fitSegments(out, width);
}

export interface PollStatus {
	readonly intervalMs: number;
	readonly paused: boolean;
	readonly lastPollAt: number | null;
	readonly lastDurationMs: number | null;
	readonly lastError: string | null;
	/** Sources that failed while the node still answered (a missing socket, say). */
	readonly sourceErrors: readonly string[];
	/** A node read from a saved file (--from): never polled; lastPollAt is when it was taken. */
	readonly saved?: boolean;
	/** The node's event streams: live (an event re-polls at once), or why it is polled only; undefined: not tried. */
	readonly events?: {readonly live: boolean; readonly note: string | null};
}

export function pollLine(poll: PollStatus, now: number, width: number): Segment[] {
	return fitSegments(pollSegments(poll, now), width);
}

function pollSegments(poll: PollStatus, now: number): Segment[] {
	const out: Segment[] = [];
	if (poll.saved) {
		out.push(seg('saved snapshot, not polled', 'dim'));
		if (poll.lastPollAt !== null) out.push(seg(` · taken ${formatAge(now - poll.lastPollAt)} ago`, 'dim'));
		if (poll.sourceErrors.length > 0) out.push(seg(' · ', 'dim'), ...sourceErrorSegments(poll.sourceErrors));
		return out;
	}
	out.push(poll.paused ? seg('paused', 'warn') : seg(`every ${formatInterval(poll.intervalMs)}`, 'dim'));
	// No "polling…" while a poll runs: it would cost two redraws a poll for little news.
	if (poll.lastPollAt !== null) {
		out.push(seg(` · polled ${pollAge(now - poll.lastPollAt, poll.intervalMs)} ago`, 'dim'));
		const took = pollDuration(poll.lastDurationMs);
		if (took) out.push(seg(` in ${took}`, 'dim'));
	}
	// What failed comes before what is merely so: at 80 columns the line's end is what gets cut.
	if (poll.lastError) out.push(seg(' · ', 'dim'), seg('error: ' + escapeText(poll.lastError), 'bad'));
	else if (poll.sourceErrors.length > 0) out.push(seg(' · ', 'dim'), ...sourceErrorSegments(poll.sourceErrors));
	if (poll.events) out.push(poll.events.live ? seg(' · events live', 'dim') : seg(' · polling only', 'warn'));
	if (!poll.lastError && poll.sourceErrors.length === 0 && poll.events?.note) out.push(seg(' · ', 'dim'), seg(escapeText(poll.events.note), 'warn'));
	return out;
}

/**
 * Failed sources, every one reachable: one is said in full; several are counted and named
 * (`3 failed: containerd, cri, docker`), and either way the key that lists them, with what
 * to check, in the Node pane.
 */
function sourceErrorSegments(errors: readonly string[]): Segment[] {
	const key = seg(` (${keyFor('sources')})`, 'key');
	const split = (e: string) => (e.indexOf(': ') > 0 ? [e.slice(0, e.indexOf(': ')), e.slice(e.indexOf(': ') + 2)] : ['a source', e]) as [string, string];
	if (errors.length === 1) {
		const [source, message] = split(errors[0]!);
		return [seg(`${escapeText(source)} failed`, 'warn'), key, seg(`: ${escapeText(message)}`, 'warn')];
	}
	const names = [...new Set(errors.map((e) => split(e)[0]))];
	return [seg(`${errors.length} sources failed`, 'warn'), key, seg(`: ${escapeText(names.join(', '))}`, 'warn')];
}

/** Short terminals: the two most important keys, then the poll state, on one line. */
export function compactFooterLine(hints: readonly Hint[], poll: PollStatus, now: number, width: number): Segment[] {
	const keys = hints.slice(0, 2).flatMap((hint) => [seg(hint.keys, 'key'), seg(' ' + hint.text + '  ', 'dim')]);
	return fitSegments([...keys, ...pollSegments(poll, now)], width);
}

/** The filter being typed; a long one shows its end, where the typing happens. */
export function filterPromptLine(filter: string, width: number): Segment[] {
	const help = '  Enter keep · Esc clear · ↑↓ move';
	let text = escapeText(filter);
	const room = Math.max(4, width - 2 - (width >= 60 ? help.length : 0));
	while (textWidth(text) > room - 1) text = [...text].slice(1).join('');
	if (text !== escapeText(filter)) text = '…' + text;
	return fitSegments([seg('/', 'key'), seg(text), seg('█', 'key'), seg(help, 'dim')], width);
}

/** What an empty list says: why there is nothing, and what to do about it. */
export function emptyListMessage(pane: PaneId, status: string | null, nodeName: string, error: string | null, filter: string, runtimeOnly: boolean, hasSnapshot: boolean, events?: {readonly live: boolean; readonly note: string | null}): string {
	if (!hasSnapshot && status === 'pending') return `waiting for the first poll of ${escapeText(nodeName)}…`;
	if (status === 'failed') return `cannot reach ${escapeText(nodeName)}: ${escapeText(error ?? 'unknown error')}`;
	if (filter) return `nothing matches /${escapeText(filter)}  (Esc clears the filter)`;
	switch (pane) {
		case 'processes':
			return runtimeOnly ? 'no containerd, dockerd, kubelet or shim processes here (a shows every process)' : 'no processes';
		case 'namespaces':
			return 'no containerd namespaces (is containerd running, and readable?)';
		case 'containers':
			return 'no containers';
		case 'pods':
			return 'no pods: no CRI answered and no dockershim-labelled containers';
		case 'node':
			return '';
		case 'events':
			if (events && !events.live) return pollingOnlyText(events.note);
			return 'no events since crimon started: containers that start, exit or are OOM-killed show here';
	}
}

/** What "polling only" means, why, and what to check: the Events pane's line while the node has no live stream. */
function pollingOnlyText(note: string | null): string {
	const why = note ? escapeText(note.replace(/ \(polling only( meanwhile)?\)/g, '')) : 'the event streams are not open yet';
	return `polling only: ${why}. Changes show at each poll, not at once, and no events are listed; check that containerd and Docker answer on their sockets (the footer and the Node pane name what failed)${note?.includes('--sudo') ? ', or drop --sudo: it reads through the CLIs, which have no stream' : ''}`;
}

/** The node's line: its cores and how busy they are, memory used of total, processes, and the shims with their total RSS. */
export function nodeLine(snapshot: NodeSnapshot | null, width: number): Segment[] {
	if (!snapshot || !snapshot.ok) return fitSegments([seg('', 'dim')], width);
	return fitSegments([seg(hostLine(snapshot.host, snapshot.processes.length, snapshot.shims.length, shimRss(snapshot.shims)), 'dim')], width);
}
