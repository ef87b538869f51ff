/**
 * Pure: the Containers pane, one table row per container with the three views that
 * see it, sorted by any column. Sorting is a total order (ties fall back to namespace,
 * name, id), so rows never trade places between polls.
 */
import type {Container, NodeSnapshot, Usage} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {cpuCell, memCell} from '../render/usage-text.js';
import {ioCell, netCell} from '../render/io-text.js';
import {ioRate, netRate} from '../model/io-usage.js';
import {haystackOf} from './filter.js';
import {lazyItem, seg, type Item, type Segment} from './row.js';
import {podLabel, stateText, stateTone, displayName} from './display-text.js';
import {containerKey} from '../util/container-key.js';

export const CONTAINER_COLUMNS = ['name', 'pod', 'namespace', 'state', 'cpu', 'mem', 'net', 'io', 'pid', 'shim', 'image', 'cri', 'containerd', 'docker'] as const;
type ContainerColumn = (typeof CONTAINER_COLUMNS)[number];

/** What `s` steps through; the three view columns sort together. */
export const SORT_KEYS = ['name', 'pod', 'namespace', 'state', 'cpu', 'mem', 'net', 'io', 'pid', 'shim', 'image', 'views'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Keys whose first sort is descending: the busiest first. */
export const DESCENDING_FIRST: ReadonlySet<SortKey> = new Set(['cpu', 'mem', 'net', 'io']);

export interface SortState {
	readonly key: SortKey;
	readonly descending: boolean;
}

export const DEFAULT_SORT: SortState = {key: 'namespace', descending: false};

export interface ColumnSpec {
	readonly id: ContainerColumn;
	readonly title: string;
	readonly min: number;
	/** Share of the spare width; 0 for a fixed column. */
	readonly weight: number;
	readonly max: number;
	readonly align: 'left' | 'right';
	readonly sort: SortKey;
}

export const COLUMN_SPECS: readonly ColumnSpec[] = [
	// Twelve: a name is what a row is read by; at 80 columns PID and NS give way first.
	{id: 'name', title: 'NAME', min: 12, weight: 3, max: 60, align: 'left', sort: 'name'},
	{id: 'pod', title: 'POD', min: 8, weight: 3, max: 60, align: 'left', sort: 'pod'},
	{id: 'namespace', title: 'NS', min: 6, weight: 1, max: 12, align: 'left', sort: 'namespace'},
	{id: 'state', title: 'STATE', min: 7, weight: 0, max: 7, align: 'left', sort: 'state'},
	// `0.50/0.50`, `48M/128M`: used, and of the limit when there is one.
	{id: 'cpu', title: 'CPU', min: 9, weight: 0, max: 9, align: 'right', sort: 'cpu'},
	{id: 'mem', title: 'MEM', min: 9, weight: 0, max: 9, align: 'right', sort: 'mem'},
	// Bytes a second, both ways (`1.2M`); `pod` where the pod's sandbox has the figures.
	{id: 'net', title: 'NET/s', min: 6, weight: 0, max: 6, align: 'right', sort: 'net'},
	{id: 'io', title: 'IO/s', min: 6, weight: 0, max: 6, align: 'right', sort: 'io'},
	{id: 'pid', title: 'PID', min: 7, weight: 0, max: 7, align: 'right', sort: 'pid'},
	{id: 'shim', title: 'SHIM', min: 7, weight: 0, max: 7, align: 'right', sort: 'shim'},
	{id: 'image', title: 'IMAGE', min: 8, weight: 3, max: 200, align: 'left', sort: 'image'},
	{id: 'cri', title: 'CRI', min: 3, weight: 0, max: 3, align: 'left', sort: 'views'},
	{id: 'containerd', title: 'CTD', min: 3, weight: 0, max: 3, align: 'left', sort: 'views'},
	{id: 'docker', title: 'DKR', min: 3, weight: 0, max: 3, align: 'left', sort: 'views'},
];

/** What goes first when the terminal is too narrow for every column at its minimum. */
const DROP_ORDER: readonly ContainerColumn[] = ['shim', 'image', 'namespace', 'pid', 'io', 'net', 'mem', 'cpu'];

const minimumWidth = (specs: readonly ColumnSpec[]) => specs.reduce((sum, s) => sum + s.min, 0) + specs.length - 1;

/** The columns that fit in `width`: all of them from 107 columns, fewer below (at 80: without SHIM, IMAGE, NS and PID). */
export function visibleColumns(width: number): readonly ColumnSpec[] {
	let specs: readonly ColumnSpec[] = COLUMN_SPECS;
	for (const id of DROP_ORDER) {
		if (minimumWidth(specs) <= width) break;
		specs = specs.filter((s) => s.id !== id);
	}
	return specs;
}

/** Column widths for a table `width` columns wide, one space between columns. */
export function columnWidths(width: number, specs: readonly ColumnSpec[] = COLUMN_SPECS): number[] {
	const widths = specs.map((s) => s.min);
	let spare = width - (specs.length - 1) - widths.reduce((a, b) => a + b, 0);
	// Hand out spare columns in proportion to weight, respecting each column's cap.
	while (spare > 0) {
		const open = specs.map((s, i) => (s.weight > 0 && widths[i]! < s.max ? i : -1)).filter((i) => i >= 0);
		if (open.length === 0) break;
		const totalWeight = open.reduce((sum, i) => sum + specs[i]!.weight, 0);
		let given = 0;
		for (const i of open) {
			const share = Math.min(specs[i]!.max - widths[i]!, Math.max(1, Math.floor((spare * specs[i]!.weight) / totalWeight)), spare - given);
			widths[i]! += share;
			given += share;
			if (given >= spare) break;
		}
		if (given === 0) break;
		spare -= given;
	}
	return widths;
}

const MARK_YES = '✓';
const MARK_NO = '·';

/** Warn at 90 % of a limit: that is where throttling and the OOM killer start. */
function usageTone(used: number | null | undefined, limit: number | null | undefined): 'plain' | 'warn' | 'dim' {
	if (used === null || used === undefined) return 'dim';
	return limit != null && limit > 0 && used >= 0.9 * limit ? 'warn' : 'plain';
}

export function cpuSegment(usage: Usage | null | undefined): Segment {
	return seg(cpuCell(usage), usageTone(usage?.cpuCores, usage?.cpuLimitCores));
}

export function memSegment(usage: Usage | null | undefined): Segment {
	return seg(memCell(usage), usageTone(usage?.memoryBytes, usage?.memoryLimitBytes));
}

export function netSegment(usage: Usage | null | undefined): Segment {
	const text = netCell(usage);
	return seg(text, netRate(usage) === null ? 'dim' : 'plain');
}

export function ioSegment(usage: Usage | null | undefined): Segment {
	return seg(ioCell(usage), ioRate(usage) === null ? 'dim' : 'plain');
}

function cells(container: Container): Segment[] {
	const mark = (seen: boolean): Segment => seg(` ${seen ? MARK_YES : MARK_NO}`, seen ? 'ok' : 'dim');
	return [
		// Marked in words too: the sandbox tone alone vanishes without colour.
		seg(escapeText(displayName(container)) + (container.sandbox ? ' (pause)' : ''), container.sandbox ? 'sandbox' : 'container'),
		seg(container.pod ? escapeText(podLabel(container.pod)) : '-', container.pod ? 'pod' : 'dim'),
		seg(container.namespace === null ? '-' : escapeText(container.namespace), 'namespace'),
		seg(escapeText(stateText(container.state)), stateTone(container.state)),
		cpuSegment(container.usage),
		memSegment(container.usage),
		netSegment(container.usage),
		ioSegment(container.usage),
		seg(container.pid === null ? '-' : String(container.pid), 'dim'),
		seg(container.shimPid === null ? '-' : String(container.shimPid), 'dim'),
		seg(escapeText(container.image) || '-', 'dim'),
		mark(container.seenBy.cri),
		mark(container.seenBy.containerd),
		mark(container.seenBy.docker),
	];
}

export function containerItems(snapshot: NodeSnapshot): Item[] {
	return snapshot.containers.map((container) =>
		lazyItem({
			key: `c:${containerKey(container.namespace, container.id)}`,
			depth: 0,
			subject: {kind: 'container', id: container.id, namespace: container.namespace},
			pids: [container.pid, container.shimPid].filter((pid): pid is number => pid !== null),
			draw: () => ({segments: cells(container)}),
			search: () => haystackOf(container.name, displayName(container), container.id, container.namespace, container.image, container.state, container.pod?.name, container.pod?.namespace, container.pod?.uid, container.podId, container.pid, container.shimPid),
		}),
	);
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const num = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);
const STATE_RANK: Record<string, number> = {running: 0, ready: 0, created: 1, paused: 1, pausing: 1, exited: 2, stopped: 2, notready: 2};
/**
 * Usage sorts on what the cell shows (cores to the hundredth, memory to the kibibyte), so
 * idle containers whose counters wobble between polls tie, and keep their name order
 * instead of trading places every poll.
 */
export const cpuRank = (usage: Usage | null | undefined) => (usage?.cpuCores == null ? null : Math.round(usage.cpuCores * 100));
export const memRank = (usage: Usage | null | undefined) => (usage?.memoryBytes == null ? null : Math.round(usage.memoryBytes / 1024));
/** Rates to the kibibyte a second, as the cells show them. */
export const netRank = (usage: Usage | null | undefined) => {
	const rate = netRate(usage);
	return rate === null ? null : Math.round(rate / 1024);
};
export const ioRank = (usage: Usage | null | undefined) => {
	const rate = ioRate(usage);
	return rate === null ? null : Math.round(rate / 1024);
};
const viewsKey = (c: Container) => (c.seenBy.cri ? 0 : 4) + (c.seenBy.containerd ? 0 : 2) + (c.seenBy.docker ? 0 : 1);

function primary(key: SortKey, a: Container, b: Container, nameOf: (c: Container) => string): number {
	switch (key) {
		case 'name':
			return text(nameOf(a), nameOf(b));
		case 'pod':
			return text(a.pod ? podLabel(a.pod) : '\uffff', b.pod ? podLabel(b.pod) : '\uffff');
		case 'namespace':
			return text(a.namespace ?? '\uffff', b.namespace ?? '\uffff');
		case 'state':
			return (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3) || text(a.state, b.state);
		case 'cpu':
			return num(cpuRank(a.usage), cpuRank(b.usage));
		case 'mem':
			return num(memRank(a.usage), memRank(b.usage));
		case 'net':
			return num(netRank(a.usage), netRank(b.usage));
		case 'io':
			return num(ioRank(a.usage), ioRank(b.usage));
		case 'pid':
			return num(a.pid, b.pid);
		case 'shim':
			return num(a.shimPid, b.shimPid);
		case 'image':
			return text(a.image, b.image);
		case 'views':
			return viewsKey(a) - viewsKey(b);
	}
}

/** Whether a container lacks the sort column's value: those go last in either direction. */
function missing(key: SortKey, c: Container): boolean {
	switch (key) {
		case 'pod':
			return c.pod === null;
		case 'namespace':
			return c.namespace === null;
		case 'pid':
			return c.pid === null;
		case 'shim':
			return c.shimPid === null;
		case 'image':
			return c.image === '';
		case 'cpu':
			return cpuRank(c.usage) === null;
		case 'mem':
			return memRank(c.usage) === null;
		case 'net':
			return netRank(c.usage) === null;
		case 'io':
			return ioRank(c.usage) === null;
		default:
			return false;
	}
}

/** `nameOf`: the row's name; a sort of many containers passes its names worked out once. */
export function compareContainers(sort: SortState, nameOf: (c: Container) => string = displayName): (a: Container, b: Container) => number {
	return (a, b) => {
		const gap = Number(missing(sort.key, a)) - Number(missing(sort.key, b));
		if (gap !== 0) return gap;
		const first = primary(sort.key, a, b, nameOf);
		if (first !== 0) return sort.descending ? -first : first;
		return text(a.namespace ?? '\uffff', b.namespace ?? '\uffff') || text(a.name, b.name) || text(a.id, b.id);
	};
}

/** Sorts a table's items by the containers they show. */
export function sortContainerItems(items: readonly Item[], snapshot: NodeSnapshot, sort: SortState): Item[] {
	const byKey = new Map(snapshot.containers.map((c) => [`c:${containerKey(c.namespace, c.id)}`, c]));
	const keyed = items.map((item) => ({item, container: byKey.get(item.key)!}));
	const names = sort.key === 'name' ? new Map(keyed.map(({container}) => [container, displayName(container)])) : null;
	const compare = compareContainers(sort, names ? (c) => names.get(c) ?? displayName(c) : displayName);
	keyed.sort((a, b) => compare(a.container, b.container));
	return keyed.map((entry) => entry.item);
}
