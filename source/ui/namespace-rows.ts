/**
 * Pure: the Namespaces pane, containerd namespace → shim → container → processes. The
 * header of each namespace says who owns it and how it is shimmed, so `moby` (Docker:
 * one shim per container) and `k8s.io` (the CRI: one shim per pod) read differently at
 * a glance.
 */
import type {Container, NodeSnapshot, ProcessInfo, Shim} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {formatBytes, formatCores, shimRss} from '../render/usage-text.js';
import {sumUsage} from '../model/usage.js';
import {haystackOf} from './filter.js';
import {shimLabel} from '../collect/shims.js';
import {lazyItem, seg, type Item, type Segment, type Subject} from './row.js';
import {indexSnapshot, podShimOf, type SnapshotIndex} from '../model/snapshot-index.js';
import {podLabel, shortId, stateText, stateTone, displayName} from './display-text.js';
import {containerKey} from '../util/container-key.js';

/** containerd's well-known namespaces first, the rest by name. */
function namespaceOrder(names: Iterable<string>): string[] {
	const rank = (name: string) => (name === 'moby' ? 0 : name === 'k8s.io' ? 1 : 2);
	return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** How a namespace's shims divide the work: a shim per pod (the CRI) or per container (Docker, ctr). */
function shimSharing(index: SnapshotIndex, shims: readonly Shim[]): string {
	let perPod = 0;
	let perContainer = 0;
	let other = 0;
	for (const shim of shims) {
		if (podShimOf(index, shim)) perPod++;
		else if ((index.containersByShim.get(shim.pid) ?? []).length === 1) perContainer++;
		else other++;
	}
	if (shims.length === 0) return '';
	if (perPod === shims.length) return 'a shim per pod';
	if (perContainer === shims.length) return 'a shim per container';
	const parts = [perPod && `${perPod} per pod`, perContainer && `${perContainer} per container`, other && `${other} unmatched`].filter(Boolean);
	return 'shims: ' + parts.join(', ');
}

/** One line on what a namespace is and how its containers are shimmed. */
export function namespaceSummary(name: string | null, containers: readonly Container[], shims: readonly Shim[], index?: SnapshotIndex): string {
	const parts: string[] = [];
	if (name === 'moby') parts.push('Docker');
	else if (name === 'k8s.io') parts.push('CRI');
	else if (name === null) parts.push('not in containerd');
	else parts.push('other client');
	const workloads = containers.filter((c) => !c.sandbox);
	const sandboxes = containers.length - workloads.length;
	parts.push(plural(workloads.length, 'container'));
	if (sandboxes > 0) parts.push(plural(sandboxes, 'sandbox', 'sandboxes'));
	// What sets the namespaces apart first; shim counts last, where a narrow screen cuts.
	const kube = workloads.filter((c) => c.pod !== null).length;
	if (name === 'moby' && kube > 0) parts.push(`${kube} from dockershim`);
	if (name === 'k8s.io') {
		const outside = containers.filter((c) => !c.seenBy.cri).length;
		if (outside > 0) parts.push(`${outside} unknown to the CRI`);
	}
	const usage = sumUsage(containers.map((c) => c.usage));
	if (usage) parts.push(`cpu ${formatCores(usage.cpuCores)} mem ${formatBytes(usage.memoryBytes)}`);
	if (name === null && shims.length > 0) parts.push(plural(shims.length, 'conmon'));
	if (name !== null) {
		const sharing = index ? shimSharing(index, shims) : '';
		if (sharing) parts.push(sharing);
		const versions = [...new Set(shims.map((s) => s.version))].sort().join('+');
		// What the shims themselves cost: the comparison moby (a shim per container) against k8s.io (a shim per pod) is about.
		const memory = shims.length > 0 && shimRss(shims) !== null ? `, ${formatBytes(shimRss(shims))} RSS` : '';
		parts.push(plural(shims.length, 'shim') + (versions ? ` ${versions}` : '') + memory);
	}
	return parts.join(' · ');
}

function containerSegments(container: Container): Segment[] {
	const segments: Segment[] = [seg(escapeText(displayName(container)), container.sandbox ? 'sandbox' : 'container')];
	if (container.sandbox) segments.push(seg(' sandbox', 'sandbox'));
	segments.push(seg(' ' + escapeText(stateText(container.state)), stateTone(container.state)));
	if (container.pid !== null) segments.push(seg(` pid ${container.pid}`, 'dim'));
	if (container.pod) segments.push(seg(' pod ', 'dim'), seg(escapeText(podLabel(container.pod)), 'pod'));
	else if (container.namespace === 'k8s.io' && !container.seenBy.cri) segments.push(seg(' not in the CRI', 'warn'));
	if (container.image) segments.push(seg(' ' + escapeText(container.image), 'dim'));
	return segments;
}

function containerItem(container: Container, depth: number): Item {
	return lazyItem({
		key: `c:${containerKey(container.namespace, container.id)}`,
		depth,
		subject: {kind: 'container', id: container.id, namespace: container.namespace},
		pids: container.pid === null ? [] : [container.pid],
		draw: () => ({segments: containerSegments(container)}),
		search: () => haystackOf(container.name, container.id, container.namespace, container.image, container.state, container.pod?.name, container.pod?.namespace, container.pid),
	});
}

/** A process under a container: thousands of these, so a class with its text made on demand. */
class ProcessLeaf implements Item {
	readonly key: string;
	readonly lead: readonly Segment[] = [];
	private searched: string | undefined = undefined;

	constructor(private readonly process: ProcessInfo, readonly depth: number) {
		this.key = `p:${process.pid}`;
	}

	get subject(): Subject {
		return {kind: 'process', pid: this.process.pid};
	}

	get pids(): readonly number[] {
		return [this.process.pid];
	}

	get segments(): readonly Segment[] {
		return [seg(String(this.process.pid), 'dim'), seg(' ' + escapeText(this.process.command))];
	}

	get haystack(): string {
		return (this.searched ??= haystackOf(this.process.pid, this.process.user, this.process.command));
	}
}

function processSubtree(index: SnapshotIndex, root: number, depth: number, items: Item[], placed: Set<number>): void {
	const stack: [number, number][] = [[root, depth]];
	while (stack.length > 0) {
		const [pid, at] = stack.pop()!;
		if (placed.has(pid)) continue;
		const process = index.processByPid.get(pid);
		if (!process) continue;
		placed.add(pid);
		items.push(new ProcessLeaf(process, at));
		// A shim re-parented under a container process would be another container's: not here.
		const kids = (index.childrenOf.get(pid) ?? []).filter((kid) => !index.shimByPid.has(kid));
		for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k]!, at + 1]);
	}
}

const byName = (a: Container, b: Container) => Number(b.sandbox) - Number(a.sandbox) || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function namespaceItems(snapshot: NodeSnapshot, index: SnapshotIndex = indexSnapshot(snapshot)): Item[] {
	const names = namespaceOrder([
		...snapshot.namespaces.map((n) => n.name),
		...snapshot.shims.map((s) => s.namespace).filter((n) => n !== ''),
		...snapshot.containers.map((c) => c.namespace).filter((n): n is string => n !== null),
	]);
	const groups: (string | null)[] = names;
	if (snapshot.containers.some((c) => c.namespace === null)) groups.push(null);

	const items: Item[] = [];
	const placed = new Set<number>();
	for (const name of groups) {
		const containers = snapshot.containers.filter((c) => c.namespace === name);
		// Outside containerd, a container's shim is its conmon (podman, CRI-O).
		const shims = (name === null ? snapshot.shims.filter((s) => s.kind === 'conmon') : snapshot.shims.filter((s) => s.namespace === name && s.kind !== 'conmon')).sort((a, b) => a.pid - b.pid);
		const label = name ?? '(outside containerd)';
		items.push(lazyItem({
			key: `ns:${name ?? ''}`,
			depth: 0,
			subject: {kind: 'namespace', name},
			pids: [],
			draw: () => ({segments: [seg(escapeText(label), 'namespace'), seg('  ' + escapeText(namespaceSummary(name, containers, shims, index)), 'dim')]}),
			search: () => haystackOf(label),
		}));
		const shown = new Set<Container>();
		for (const shim of shims) {
			const pod = podShimOf(index, shim);
			const served = (index.containersByShim.get(shim.pid) ?? []).filter((c) => c.namespace === name).sort(byName);
			items.push(lazyItem({
				key: `s:${shim.pid}`,
				depth: 1,
				subject: {kind: 'shim', pid: shim.pid},
				pids: [shim.pid],
				draw: () => {
					const segments: Segment[] = [seg(escapeText(shimLabel(shim)), 'shim'), seg(` ${shim.pid}`, 'dim'), seg(' ' + escapeText(shim.binary), 'dim')];
					if (pod) segments.push(seg(' pod ', 'dim'), seg(escapeText(podLabel(pod)), 'pod'));
					else if (served.length === 1) segments.push(seg(' ' + escapeText(displayName(served[0]!)), 'dim'));
					else if (shim.id) segments.push(seg(' id ' + escapeText(shortId(shim.id)), 'dim'));
					return {segments};
				},
				search: () => haystackOf(shim.pid, shim.id, shim.binary, shim.namespace, pod?.name, pod?.namespace, ...served.map((c) => c.name)),
			}));
			placed.add(shim.pid);
			for (const container of served) {
				shown.add(container);
				items.push(containerItem(container, 2));
				if (container.pid !== null) processSubtree(index, container.pid, 3, items, placed);
			}
			// Whatever else the shim parents (an orphan left when a container's init exited).
			for (const kid of shim.children) if (!index.containerByPid.has(kid)) processSubtree(index, kid, 2, items, placed);
		}
		for (const container of containers.filter((c) => !shown.has(c)).sort(byName)) {
			items.push(containerItem(container, 1));
			if (container.pid !== null) processSubtree(index, container.pid, 2, items, placed);
		}
	}
	return items;
}
