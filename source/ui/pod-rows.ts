/**
 * Pure: the Pods pane, pod → its sandbox (pause) and containers, each pod marked with
 * where it came from: the CRI, or rebuilt from the labels dockershim wrote on Docker's
 * containers.
 */
import type {Container, NodeSnapshot, Pod} from '../model/types.js';
import {escapeText} from '../render/terminal-text.js';
import {haystackOf} from './filter.js';
import {lazyItem, seg, type Item, type Segment} from './row.js';
import {indexSnapshot, podLabel, podMember, shortId, stateText, stateTone, displayName} from './snapshot-index.js';

export const POD_SOURCE_LABEL: Readonly<Record<Pod['source'], string>> = {
	cri: 'CRI',
	'docker-labels': 'dockershim labels',
};

function memberSegments(container: Container, role: 'sandbox' | 'container'): Segment[] {
	const segments: Segment[] = role === 'sandbox'
		? [seg('sandbox', 'sandbox'), seg(' ' + escapeText(shortId(container.id)), 'dim')]
		: [seg(escapeText(displayName(container)), 'container')];
	segments.push(seg(' ' + escapeText(stateText(container.state)), stateTone(container.state)));
	if (container.pid !== null) segments.push(seg(` pid ${container.pid}`, 'dim'));
	if (container.namespace) segments.push(seg(' in ', 'dim'), seg(escapeText(container.namespace), 'namespace'));
	if (container.shimPid !== null) segments.push(seg(` shim ${container.shimPid}`, 'dim'));
	if (container.image) segments.push(seg(' ' + escapeText(container.image), 'dim'));
	return segments;
}

function memberItem(pod: Pod, container: Container, role: 'sandbox' | 'container'): Item {
	return lazyItem({
		key: `c:${pod.id}/${container.namespace ?? ''}/${container.id}`,
		depth: 1,
		subject: {kind: 'container', id: container.id, namespace: container.namespace},
		pids: [container.pid, container.shimPid].filter((pid): pid is number => pid !== null),
		draw: () => ({segments: memberSegments(container, role)}),
		search: () => haystackOf(container.name, displayName(container), container.id, container.namespace, container.image, container.state, container.pid),
	});
}

export function podItems(snapshot: NodeSnapshot): Item[] {
	const index = indexSnapshot(snapshot);
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
