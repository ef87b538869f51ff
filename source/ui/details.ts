/**
 * Pure: what Enter shows for a row: everything the snapshot knows about its subject,
 * untruncated (full command lines, every label, ids, mounts), wrapped to the width.
 */
import type {Container, NodeSnapshot, Usage} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {formatBytes, formatCores, formatPercent, formatSeconds, sparkline} from '../render/usage-text.js';
import {ioFields} from './io-details.js';
import type {UsageHistory, UsageSeries} from '../model/usage-history.js';
import {fitSegments, wrapText} from './lines.js';
import {namespaceSummary} from './namespace-rows.js';
import {POD_SOURCE_LABEL} from './pod-rows.js';
import {seg, type Segment, type Subject} from './row.js';
import {containerOfProcess, indexSnapshot, podMember, podOfShim, type SnapshotIndex} from '../model/snapshot-index.js';
import {podLabel} from './display-text.js';
import {containerKey} from '../util/container-key.js';

interface DetailField {
	readonly label: string;
	/** Raw: escaped when laid out. */
	readonly value: string;
}

export interface Details {
	readonly title: string;
	readonly fields: readonly DetailField[];
}

const f = (label: string, value: string | number | null | undefined): DetailField => ({label, value: value === null || value === undefined || value === '' ? '-' : String(value)});

/** What a container (or a pod, summed) costs, in words; the limit and the throttling beside the use. */
function usageFields(usage: Usage | null | undefined, series?: UsageSeries): DetailField[] {
	if (!usage) return [f('Usage', 'no source answered (a container that is not running, or a node read through --sudo)')];
	const cpuLimit = usage.cpuLimitCores != null ? ` of a ${formatCores(usage.cpuLimitCores)}-core limit` : ', no limit';
	const memLimit = usage.memoryLimitBytes !== null ? ` of ${formatBytes(usage.memoryLimitBytes)} limit` : ', no limit';
	const fields = [
		f('CPU', `${formatCores(usage.cpuCores)} cores${cpuLimit}${usage.cpuCores === null ? ' (a rate needs two polls)' : ''}`),
		f('CPU time', formatSeconds(usage.cpuSeconds)),
		f('Throttled', usage.throttledPeriods === null ? null : `${usage.throttledPeriods} periods, ${formatSeconds(usage.throttledSeconds)}`),
		f('Memory', `${formatBytes(usage.memoryBytes)}${memLimit} (working set: usage less inactive file cache)`),
		f('PIDs', usage.pids),
		f('OOM kills', usage.oomKills),
	];
	if (series && series.cpuCores.length > 0) {
		const cpuTop = Math.max(usage.cpuLimitCores ?? 0, ...series.cpuCores.filter((v): v is number => v !== null));
		const memTop = usage.memoryLimitBytes ?? Math.max(0, ...series.memoryBytes.filter((v): v is number => v !== null));
		fields.push(
			f(`CPU (${series.cpuCores.length})`, `${sparkline(series.cpuCores, cpuTop || undefined)}  ≤ ${formatCores(cpuTop)}`),
			f(`Memory (${series.memoryBytes.length})`, `${sparkline(series.memoryBytes, memTop || undefined)}  ≤ ${formatBytes(memTop)}`),
		);
	}
	fields.push(...ioFields(usage, series));
	return fields;
}

function containerFields(index: SnapshotIndex, container: Container, history?: UsageHistory): DetailField[] {
	const init = container.pid === null ? undefined : index.processByPid.get(container.pid);
	const seen = [container.seenBy.cri && 'CRI', container.seenBy.containerd && 'containerd', container.seenBy.docker && 'Docker', container.seenBy.podman && 'podman'].filter(Boolean).join(', ');
	const fields = [
		f('Name', container.name),
		f('ID', container.id),
		f('Image', container.image),
		f('State', container.state),
		f('Namespace', container.namespace ?? '(not in containerd)'),
		f('Sandbox', container.sandbox ? 'yes (pause)' : 'no'),
		f('Pod', container.pod ? `${podLabel(container.pod)} uid ${container.pod.uid || '-'}` : null),
		f('Pod ID', container.podId),
		f('PID', container.pid),
		f('Shim PID', container.shimPid),
		f('Runtime', container.runtime),
		f('Seen by', seen || 'none'),
		f('Command', init?.command),
		...usageFields(container.usage, history?.get(containerKey(container.namespace, container.id))),
	];
	const labels = Object.keys(container.labels).sort();
	labels.forEach((key, i) => fields.push(f(i === 0 ? 'Labels' : '', `${key}=${container.labels[key]}`)));
	if (labels.length === 0) fields.push(f('Labels', null));
	container.mounts.forEach((mount, i) => fields.push(f(i === 0 ? 'Mounts' : '', `${mount.source} → ${mount.destination}`)));
	if (container.mounts.length === 0) fields.push(f('Mounts', null));
	return fields;
}

function findContainer(index: SnapshotIndex, id: string, namespace: string | null): Container | undefined {
	const candidates = index.containersById.get(id) ?? [];
	return candidates.find((c) => c.namespace === namespace) ?? candidates[0];
}

/** `index`: the snapshot's, from its model; built here when the caller has none. */
export function detailsOf(snapshot: NodeSnapshot, subject: Subject, history?: UsageHistory, index: SnapshotIndex = indexSnapshot(snapshot)): Details | null {
	switch (subject.kind) {
		case 'process':
		case 'shim': {
			const process = index.processByPid.get(subject.pid);
			if (!process) return null;
			const fields = [
				f('PID', process.pid), f('PPID', process.ppid), f('User', process.user), f('State', process.state), f('Command', process.command),
				f('%CPU', process.cpuCores == null ? null : formatPercent(process.cpuCores)),
				f('CPU time', process.cpuSeconds == null ? null : formatSeconds(process.cpuSeconds)),
				f('RSS', process.rssBytes == null ? null : formatBytes(process.rssBytes)),
				f('Disk IO', process.readBytes == null || process.writeBytes == null ? 'unknown (/proc/PID/io is readable by root, on this machine only)' : `read ${formatBytes(process.readBytes)} · written ${formatBytes(process.writeBytes)} (since it started)`),
			];
			const shim = index.shimByPid.get(process.pid);
			if (shim) {
				const pod = podOfShim(index, shim);
				fields.push(f('Shim', shim.kind === 'conmon' ? `conmon${shim.engine ? ` (${shim.engine})` : ''}` : `${shim.version} (${shim.binary})`), f('OCI runtime', shim.ociRuntime ?? null), f('Namespace', shim.namespace || null), f('Shim ID', shim.id), f('Address', shim.address), f('Pod', pod ? podLabel(pod) : null));
				const served = index.containersByShim.get(shim.pid) ?? [];
				served.forEach((c, i) => fields.push(f(i === 0 ? 'Serves' : '', `${c.name} ${c.id}${c.sandbox ? ' (sandbox)' : ''}`)));
				fields.push(f('Children', shim.children.join(' ')));
				return {title: `shim ${shim.pid}`, fields};
			}
			const container = containerOfProcess(index, process.pid);
			if (container) {
				fields.push(f('Container', `${container.name} ${container.id}`), f('Namespace', container.namespace), f('Pod', container.pod ? podLabel(container.pod) : null), f('Shim PID', container.shimPid));
			}
			fields.push(f('Children', (index.childrenOf.get(process.pid) ?? []).join(' ')));
			return {title: `process ${process.pid}`, fields};
		}
		case 'container': {
			const container = findContainer(index, subject.id, subject.namespace);
			return container ? {title: `container ${container.name}`, fields: containerFields(index, container, history)} : null;
		}
		case 'pod': {
			const pod = index.podById.get(subject.id);
			if (!pod) return null;
			const fields = [
				f('Name', pod.name),
				f('Namespace', pod.namespace),
				f('UID', pod.uid),
				f('Sandbox ID', pod.id),
				f('Source', pod.source === 'cri' ? 'CRI' : `${POD_SOURCE_LABEL[pod.source]} (rebuilt from Docker's containers)`),
				f('State', pod.state),
				f('Sandbox PID', pod.sandboxPid),
			];
			pod.containers.forEach((id, i) => {
				const member = podMember(index, pod, id);
				fields.push(f(i === 0 ? 'Containers' : '', member ? `${member.name} ${id} ${member.state}` : id));
			});
			if (pod.containers.length === 0) fields.push(f('Containers', null));
			fields.push(...usageFields(pod.usage).map((field) => (field.label === 'Usage' ? field : {...field, label: field.label === 'CPU' ? 'CPU (sum)' : field.label})));
			return {title: `pod ${podLabel(pod)}`, fields};
		}
		case 'namespace': {
			const containers = snapshot.containers.filter((c) => c.namespace === subject.name);
			const shims = subject.name === null ? [] : snapshot.shims.filter((s) => s.namespace === subject.name);
			const fields = [f('Namespace', subject.name ?? '(not in containerd)'), f('Summary', namespaceSummary(subject.name, containers, shims, index))];
			shims.forEach((s, i) => fields.push(f(i === 0 ? 'Shims' : '', `${s.pid} ${s.version} ${s.binary} id ${s.id}`)));
			containers.forEach((c, i) => fields.push(f(i === 0 ? 'Containers' : '', `${c.name} ${c.id} ${c.state}`)));
			return {title: `namespace ${subject.name ?? '(not in containerd)'}`, fields};
		}
	}
}

/** The heading line: what the details are of, and whether it still exists. */
export function detailsHeading(details: Details, present: boolean, width: number): Segment[] {
	return fitSegments(
		[seg('Details — ', 'heading'), seg(escapeText(details.title), 'heading'), present ? seg('  (Esc closes)', 'dim') : seg('  (gone since the last poll; Esc closes)', 'warn')],
		width,
	);
}

/** Label column, then the value wrapped under itself. */
export function detailLines(details: Details, width: number): Segment[][] {
	const labelWidth = Math.min(14, Math.max(0, ...details.fields.map((field) => field.label.length)) + 2);
	const valueWidth = Math.max(10, width - labelWidth);
	const lines: Segment[][] = [];
	for (const field of details.fields) {
		const wrapped = wrapText(escapeText(field.value), valueWidth);
		wrapped.forEach((part, i) => {
			const label = i === 0 ? field.label : '';
			lines.push([seg(label.padEnd(labelWidth).slice(0, labelWidth), 'heading'), seg(part, field.value === '-' ? 'dim' : 'plain')]);
		});
	}
	return lines;
}

