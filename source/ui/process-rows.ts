/**
 * Pure: the Processes pane, `ps axf` with the runtime made legible. The tree itself comes
 * from the model (shims under their containerd even when re-parented); this adds what an
 * operator needs next to each line: which shim, which container, which pod.
 */
import {buildProcessTree, type ProcessRow} from '../model/process-tree.js';
import {shimLabel} from '../collect/shims.js';
import type {NodeSnapshot} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {formatBytes, formatPercent} from '../render/usage-text.js';
import {haystackOf} from './filter.js';
import {seg, type Item, type Segment, type Subject} from './row.js';
import {indexSnapshot, podShimOf, type SnapshotIndex} from '../model/snapshot-index.js';
import {podLabel, shortId, displayName} from './display-text.js';

const PROCESS_LEAD_WIDTH = {pid: 7, user: 8, state: 1, cpu: 5, rss: 5};

export function processHeader(): Segment[] {
	const w = PROCESS_LEAD_WIDTH;
	return [seg(`${'PID'.padStart(w.pid)} ${'USER'.padEnd(w.user)} S ${'%CPU'.padStart(w.cpu)} ${'RSS'.padStart(w.rss)} `, 'heading'), seg('COMMAND', 'heading')];
}

function lead(row: ProcessRow): Segment[] {
	const {pid, user, state, cpuCores, rssBytes} = row.process;
	const userText = escapeText(user);
	const busy = cpuCores != null && cpuCores >= 0.005;
	return [
		seg(String(pid).padStart(PROCESS_LEAD_WIDTH.pid) + ' ', 'dim'),
		seg(userText.length > PROCESS_LEAD_WIDTH.user ? userText.slice(0, PROCESS_LEAD_WIDTH.user - 1) + '+' : userText.padEnd(PROCESS_LEAD_WIDTH.user), 'dim'),
		seg(' ' + escapeText(state.slice(0, 1) || '?') + ' ', 'dim'),
		// Like htop: %CPU of one core over the last interval (— until read twice), and RSS.
		seg(formatPercent(cpuCores).padStart(PROCESS_LEAD_WIDTH.cpu) + ' ', busy ? 'plain' : 'dim'),
		seg(formatBytes(rssBytes).padStart(PROCESS_LEAD_WIDTH.rss) + ' ', 'dim'),
	];
}

function shimSegments(index: SnapshotIndex, row: ProcessRow): Segment[] {
	const shim = row.shim!;
	const segments: Segment[] = [seg(shim.kind === 'conmon' ? escapeText(`${shimLabel(shim)} ${shim.engine ?? ''}`.trim()) : `shim ${shim.version} ${escapeText(shim.namespace || '?')}`, 'shim')];
	const pod = podShimOf(index, shim);
	const served = index.containersByShim.get(shim.pid) ?? [];
	if (pod) {
		segments.push(seg(' pod ', 'dim'), seg(escapeText(podLabel(pod)), 'pod'));
	} else if (served.length === 1) {
		const only = served[0]!;
		segments.push(seg(' ', 'dim'), seg(escapeText(displayName(only)), only.sandbox ? 'sandbox' : 'container'));
	} else if (shim.id) {
		segments.push(seg(' id ' + escapeText(shortId(shim.id)), 'dim'));
	}
	segments.push(seg('  '), seg(escapeText(row.process.command), 'dim'));
	return segments;
}

function containerSegments(row: ProcessRow): Segment[] {
	const container = row.container!;
	const segments: Segment[] = [seg('[', 'dim'), seg(escapeText(displayName(container)), container.sandbox ? 'sandbox' : 'container')];
	if (container.sandbox) segments.push(seg(' sandbox', 'sandbox'));
	if (container.pod) segments.push(seg(' · ', 'dim'), seg(escapeText(podLabel(container.pod)), 'pod'));
	if (container.namespace) segments.push(seg(' · ', 'dim'), seg(escapeText(container.namespace), 'namespace'));
	segments.push(seg('] ', 'dim'), seg(escapeText(row.process.command)));
	return segments;
}

function segmentsOf(index: SnapshotIndex, row: ProcessRow): Segment[] {
	if (row.shim) return shimSegments(index, row);
	if (row.container) return containerSegments(row);
	if (row.inContainer) return [seg('[', 'dim'), seg(escapeText(displayName(row.inContainer)), 'dim'), seg('] ', 'dim'), seg(escapeText(row.process.command))];
	return [seg(escapeText(row.process.command), row.role === 'process' ? 'plain' : 'runtime')];
}

/** What the filter finds a process by: itself, and the shim, container and pod it belongs to. */
function searchOf(index: SnapshotIndex, row: ProcessRow): string {
	const {pid, user, command} = row.process;
	const fields: (string | number | null | undefined)[] = [pid, user, command];
	if (row.shim) {
		const pod = podShimOf(index, row.shim);
		fields.push(row.shim.namespace, row.shim.id, pod?.name, pod?.namespace, pod?.id);
		for (const c of index.containersByShim.get(row.shim.pid) ?? []) fields.push(c.name, c.id);
	}
	const container = row.container ?? row.inContainer;
	if (container) fields.push(container.name, container.id, container.namespace, container.pod?.name, container.pod?.namespace);
	return haystackOf(...fields);
}

/** One process row; everything but its key and depth is worked out when first asked for. */
class ProcessItem implements Item {
	readonly key: string;
	readonly depth: number;
	private drawn: Segment[] | undefined = undefined;
	private searched: string | undefined = undefined;

	constructor(private readonly index: SnapshotIndex, private readonly row: ProcessRow) {
		this.key = `p:${row.process.pid}`;
		this.depth = row.depth;
	}

	get subject(): Subject {
		const pid = this.row.process.pid;
		return this.row.shim ? {kind: 'shim', pid} : {kind: 'process', pid};
	}

	get pids(): readonly number[] {
		return [this.row.process.pid];
	}

	get lead(): readonly Segment[] {
		return lead(this.row);
	}

	get segments(): readonly Segment[] {
		return (this.drawn ??= segmentsOf(this.index, this.row));
	}

	get haystack(): string {
		return (this.searched ??= searchOf(this.index, this.row));
	}
}

export function processItems(snapshot: NodeSnapshot, runtimeOnly: boolean, index: SnapshotIndex = indexSnapshot(snapshot)): Item[] {
	const tree = buildProcessTree(snapshot, {runtimeOnly}, index.tree);
	const items: Item[] = new Array(tree.length);
	for (let i = 0; i < tree.length; i++) items[i] = new ProcessItem(index, tree[i]!);
	return items;
}
