/**
 * Pure: the Events pane, one row per event, newest first: time, namespace, container
 * (name, pod), what happened. Names come from the node's latest snapshot; a row's subject
 * is its container, so Enter opens that container's details.
 */
import {eventSubject, eventWhat} from '../render/event-text.js';
import type {StreamState} from '../events/node-event-stream.js';
import type {NodeSnapshot} from '../schema/types.js';
import {escapeText, fitText} from '../render/terminal-text.js';
import type {StoredEvent} from '../model/event-ring.js';
import {haystackOf} from './filter.js';
import {displayName} from './display-text.js';
import {fitSegments, type Line} from './lines.js';
import {lazyItem, seg, type Item, type Segment, type Tone} from './row.js';
import type {ShapedRow} from './tree.js';

/** HH:MM:SS.mmm in local time. */
function eventTime(at: number): string {
	const d = new Date(at);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function whatTone(event: StoredEvent): Tone {
	if (event.kind === 'oom') return 'bad';
	if (event.kind === 'exit') return event.exitStatus === 0 ? 'dim' : 'warn';
	if (event.kind === 'start' || event.kind === 'create') return 'ok';
	return 'dim';
}

function cells(event: StoredEvent, snapshot: NodeSnapshot | null): Segment[] {
	const subject = eventSubject(event, snapshot);
	// Short names as the other panes show them (dockershim's k8s_… names as their container, ids cut).
	const who = subject.name !== null ? displayName({id: event.id ?? '', name: subject.name}) : event.id === null ? '' : displayName({id: event.id, name: event.id});
	const pod = subject.pod ? ` (${subject.pod.namespace}/${subject.pod.name})` : '';
	const source = event.source === 'docker' ? ' [docker]' : '';
	return [
		seg(eventTime(event.at), 'dim'),
		seg(subject.namespace === null ? '-' : escapeText(subject.namespace), 'namespace'),
		seg(who ? escapeText(who) + escapeText(pod) : '-', subject.pod ? 'pod' : 'container'),
		seg(escapeText(eventWhat(event)) + source, whatTone(event)),
	];
}

export function eventItems(ring: readonly StoredEvent[], snapshot: NodeSnapshot | null): Item[] {
	return ring.map((event) => lazyItem({
		key: `e:${event.seq}`,
		depth: 0,
		subject: {kind: 'container', id: event.id ?? '', namespace: eventSubject(event, snapshot).namespace},
		pids: [],
		draw: () => ({segments: cells(event, snapshot)}),
		search: () => {
			const subject = eventSubject(event, snapshot);
			return haystackOf(event.topic, eventWhat(event), event.id, subject.name, subject.namespace, subject.pod?.name, subject.pod?.namespace, event.pid, event.source);
		},
	}));
}

const TIME_WIDTH = 12;

/** Column widths for `width`: time, namespace, container, what. */
function eventColumnWidths(width: number): [number, number, number, number] {
	const ns = width >= 70 ? 12 : 8;
	const what = width >= 70 ? 22 : 14;
	const container = Math.max(4, width - TIME_WIDTH - ns - what - 3);
	return [TIME_WIDTH, ns, container, what];
}

export function eventTableLine(row: ShapedRow, width: number): Segment[] {
	const widths = eventColumnWidths(width);
	const out: Segment[] = [];
	row.item.segments.forEach((cell, i) => {
		if (i > 0) out.push(seg(' '));
		out.push(seg(fitText(cell.text, widths[i] ?? 0), cell.tone));
	});
	return fitSegments(out, width);
}

export function eventHeader(width: number): Line {
	const widths = eventColumnWidths(width);
	return fitSegments(['TIME', 'NS', 'CONTAINER (POD)', 'WHAT'].flatMap((title, i) => [...(i > 0 ? [seg(' ')] : []), seg(fitText(title, widths[i]!), 'heading')]), width);
}

/** The footer's word on the node's event streams. */
export function eventsStatusOf(stream: StreamState | null): {live: boolean; note: string | null} | undefined {
	if (!stream) return undefined;
	return {live: stream.containerd === 'live' || stream.docker === 'live', note: stream.note};
}
