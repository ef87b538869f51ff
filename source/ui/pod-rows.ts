/**
 * Pure: the Pods pane, pod → its sandbox (pause) and containers, each pod marked with
 * where it came from: the CRI, or rebuilt from the labels dockershim wrote on Docker's
 * containers.
 */
import type {Container, NodeSnapshot, Pod} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {haystackOf} from './filter.js';
import {lazyItem, seg, type Item, type Segment} from './row.js';
import {indexSnapshot, podMember, type SnapshotIndex} from '../model/snapshot-index.js';
import {podLabel, shortId, stateText, stateTone, displayName} from './display-text.js';
import {cpuRank, cpuSegment, ioRank, ioSegment, memRank, memSegment, netRank, netSegment, type SortState} from './container-rows.js';
import type {Usage} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';

/** ` cpu 0.50/0.50 mem 48M/128M net/s 1.2M io/s 0B` (`pod`: the pod has the figures), or nothing when no source answered. */
function usageSegments(usage: Usage | null | undefined): Segment[] {
	if (!usage) return [];
	const segments = [seg(' · cpu ', 'dim'), cpuSegment(usage), seg(' mem ', 'dim'), memSegment(usage)];
	if (usage.network !== undefined) segments.push(seg(' net/s ', 'dim'), netSegment(usage));
	if (usage.blockIo !== undefined) segments.push(seg(' io/s ', 'dim'), ioSegment(usage));
	return segments;
}

export const POD_SOURCE_LABEL: Readonly<Record<Pod['source'], string>> = {
	cri: 'CRI',
	'docker-labels': 'dockershim labels',
};

function memberSegments(container: Container, role: 'sandbox' | 'container'): Segment[] {
	const segments: Segment[] = role === 'sandbox'
		? [seg('sandbox', 'sandbox'), seg(' ' + escapeText(shortId(container.id)), 'dim')]
		: [seg(escapeText(displayName(container)), 'container')];
	segments.push(seg(' ' + escapeText(stateText(container.state)), stateTone(container.state)));
	segments.push(...usageSegments(container.usage));
	if (container.pid !== null) segments.push(seg(` pid ${container.pid}`, 'dim'));
	if (container.namespace) segments.push(seg(' in ', 'dim'), seg(escapeText(container.namespace), 'namespace'));
	if (container.shimPid !== null) segments.push(seg(` shim ${container.shimPid}`, 'dim'));
	if (container.image) segments.push(seg(' ' + escapeText(container.image), 'dim'));
	return segments;
}

function memberItem(pod: Pod, container: Container, role: 'sandbox' | 'container'): Item {
	return lazyItem({
		key: `c:${pod.id}/${containerKey(container.namespace, container.id)}`,
		depth: 1,
		subject: {kind: 'container', id: container.id, namespace: container.namespace},
		pids: [container.pid, container.shimPid].filter((pid): pid is number => pid !== null),
		draw: () => ({segments: memberSegments(container, role)}),
		search: () => haystackOf(container.name, displayName(container), container.id, container.namespace, container.image, container.state, container.pid),
	});
}

export function podItems(snapshot: NodeSnapshot, index: SnapshotIndex = indexSnapshot(snapshot)): Item[] {
	const items: Item[] = [];
	for (const pod of snapshot.pods) {
		const sandbox = podMember(index, pod, pod.id);
		const members = pod.containers.map((id) => podMember(index, pod, id)).filter((c): c is Container => c !== null);
		items.push(lazyItem({
			key: `pod:${pod.id}`,
			depth: 0,
			subject: {kind: 'pod', id: pod.id},
			pids: pod.sandboxPid === null ? [] : [pod.sandboxPid],
			draw: () => {
				const segments: Segment[] = [
					seg(escapeText(podLabel(pod)), 'pod'),
					seg(' ' + escapeText(stateText(pod.state)), stateTone(pod.state)),
					seg(' from ', 'dim'),
					seg(POD_SOURCE_LABEL[pod.source], pod.source === 'cri' ? 'ok' : 'warn'),
					seg(` · ${members.length} container${members.length === 1 ? '' : 's'}`, 'dim'),
					...usageSegments(pod.usage),
				];
				if (pod.sandboxPid !== null) segments.push(seg(` · pause ${pod.sandboxPid}`, 'dim'));
				return {segments};
			},
			search: () => haystackOf(pod.name, pod.namespace, pod.uid, pod.id, POD_SOURCE_LABEL[pod.source], pod.state),
		}));
		if (sandbox) items.push(memberItem(pod, sandbox, 'sandbox'));
		for (const member of members) items.push(memberItem(pod, member, 'container'));
	}
	return items;
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const num = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

/** The Pods pane under `s`: pods (each with its members) ordered by the sort key; ties by namespace/name, so rows do not move between polls. */
export function sortPodItems(items: readonly Item[], snapshot: NodeSnapshot, sort: SortState): Item[] {
	const pods = new Map(snapshot.pods.map((p) => [`pod:${p.id}`, p]));
	const groups: {pod: Pod | undefined; items: Item[]}[] = [];
	for (const item of items) {
		if (item.depth === 0 || groups.length === 0) groups.push({pod: pods.get(item.key), items: []});
		groups.at(-1)!.items.push(item);
	}
	const primary = (a: Pod, b: Pod): number => {
		switch (sort.key) {
			case 'cpu': return num(cpuRank(a.usage), cpuRank(b.usage));
			case 'mem': return num(memRank(a.usage), memRank(b.usage));
			case 'net': return num(netRank(a.usage), netRank(b.usage));
			case 'io': return num(ioRank(a.usage), ioRank(b.usage));
			case 'state': return text(a.state, b.state);
			case 'namespace': return text(a.namespace, b.namespace);
			default: return text(a.name, b.name);
		}
	};
	const ranks: Partial<Record<SortState['key'], (usage: Usage | null | undefined) => number | null>> = {cpu: cpuRank, mem: memRank, net: netRank, io: ioRank};
	const missing = (p: Pod) => ranks[sort.key]?.(p.usage) === null;
	groups.sort((g, h) => {
		const a = g.pod;
		const b = h.pod;
		if (!a || !b) return Number(!a) - Number(!b);
		const gap = Number(missing(a)) - Number(missing(b));
		if (gap !== 0) return gap;
		const first = primary(a, b);
		if (first !== 0) return sort.descending ? -first : first;
		return text(a.namespace, b.namespace) || text(a.name, b.name) || text(a.id, b.id);
	});
	return groups.flatMap((g) => g.items);
}
