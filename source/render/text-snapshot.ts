/**
 * Pure: a snapshot as human text for `crimon snapshot`. Every string that came from a node
 * passes through escapeText; long values are cut to `maxWidth` with a visible mark (the
 * JSON output keeps them whole).
 */
import {buildProcessTree} from '../model/process-tree.js';
import type {Container, NodeSnapshot, Snapshot} from '../schema/types.js';
import {renderDiagnosisSection} from './text-diagnosis.js';
import {escapeJson, escapeText, fitText, textWidth, truncateText} from './terminal-text.js';
import {painter, type Paint} from './text-style.js';
import {cpuCell, formatBytes, formatPercent, hostLine, memCell, shimRss} from './usage-text.js';
import {ioCell, netCell, nodePressureLine} from './io-text.js';

export interface TextOptions {
	readonly color: boolean;
	/** Lines are cut to this many columns (the terminal's width, or a generous bound when piped). */
	readonly maxWidth: number;
	/**
	 * A saved document printed again (snapshot --from): each node says where it was read
	 * from and when it was taken, never "reached" as if it had just been polled.
	 */
	readonly saved?: {readonly file: string; readonly takenAt: string};
}

const safe = (text: string) => escapeText(text);
const shortId = (id: string) => (/^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id);

function line(text: string, options: TextOptions): string {
	return textWidth(text) > options.maxWidth ? truncateText(text, options.maxWidth) : text;
}

function containerLabel(container: Container): string {
	const parts = [safe(container.name)];
	if (container.pod) parts.push(`pod ${safe(container.pod.namespace)}/${safe(container.pod.name)}`);
	parts.push(container.namespace ? `ns ${safe(container.namespace)}` : 'not in containerd');
	if (container.sandbox) parts.push('sandbox');
	return parts.join(' · ');
}

function runtimesSection(node: NodeSnapshot, paint: Paint): string[] {
	const {cri, containerd, docker} = node.runtimes;
	const rows: string[] = [];
	rows.push(containerd ? `containerd ${safe(containerd.version)} at ${safe(containerd.address)}` : paint('dim', 'containerd —'));
	rows.push(cri ? `CRI        ${safe(cri.runtimeName)} ${safe(cri.runtimeVersion)} (API ${safe(cri.apiVersion)}) at ${safe(cri.endpoint)}` : paint('dim', 'CRI        —'));
	rows.push(docker ? `Docker     ${safe(docker.version)} at ${safe(docker.address)}` : paint('dim', 'Docker     —'));
	// podman is daemonless and absent from most nodes: a row only where its API answered.
	const podman = node.runtimes.podman;
	if (podman) rows.push(`podman     ${safe(podman.version)} at ${safe(podman.address)}`);
	return rows.map((r) => `  ${r}`);
}

function processSection(node: NodeSnapshot, options: TextOptions, paint: Paint): string[] {
	const rows = buildProcessTree(node, {runtimeOnly: true});
	if (rows.length === 0) return [paint('dim', '  (no containerd, dockerd, kubelet or shim processes)')];
	return rows.map((row) => {
		const p = row.process;
		let text = `${String(p.pid).padStart(7)}  ${fitText(safe(p.user), 8)}  ${row.guide}`;
		if (row.shim) {
			const s = row.shim;
			text += s.kind === 'conmon'
				? `${paint('cyan', s.binary)} ${safe(s.engine ?? '?')} runtime=${safe(s.ociRuntime ?? '?')} id=${safe(shortId(s.id))}`
				: `${paint('cyan', s.binary)} ${s.version} ns=${safe(s.namespace)} id=${safe(shortId(s.id))}`;
		} else {
			text += safe(p.command);
		}
		let suffix = '';
		if (row.container) suffix = `  ← ${containerLabel(row.container)}`;
		if (p.rssBytes != null) suffix += `  [${formatPercent(p.cpuCores)}% ${formatBytes(p.rssBytes)}]`;
		return line(text + paint('dim', suffix), options);
	});
}

const mark = (seen: boolean, paint: Paint) => (seen ? paint('green', '✓') : paint('dim', '·'));

function containerRow(c: Container, paint: Paint, options: TextOptions): string {
	// Each mark centred under its three-letter header.
	const marks = [c.seenBy.cri, c.seenBy.containerd, c.seenBy.docker].map((seen) => ` ${mark(seen, paint)} `).join(' ');
	const pod = c.pod ? `${safe(c.pod.namespace)}/${safe(c.pod.name)}` : '-';
	const name = c.sandbox ? `${safe(c.name)} (sandbox)` : safe(c.name);
	const text = `    ${marks}   ${fitText(name, 28)} ${fitText(pod, 22)} ${fitText(safe(c.state), 9)} ${String(c.pid ?? '-').padStart(7)} ${String(c.shimPid ?? '-').padStart(7)} ${cpuCell(c.usage).padStart(11)} ${memCell(c.usage).padStart(11)} ${netCell(c.usage).padStart(6)} ${ioCell(c.usage).padStart(6)}  ${safe(c.image)}`;
	return line(text, options);
}

function namespaceSection(node: NodeSnapshot, options: TextOptions, paint: Paint): string[] {
	const out: string[] = [];
	const header = paint('dim', `    CRI CTD DKR   ${fitText('NAME', 28)} ${fitText('POD', 22)} ${fitText('STATE', 9)} ${'PID'.padStart(7)} ${'SHIM'.padStart(7)} ${'CPU'.padStart(11)} ${'MEM'.padStart(11)} ${'NET/s'.padStart(6)} ${'IO/s'.padStart(6)}  IMAGE`);
	const groups = new Map<string | null, Container[]>();
	for (const ns of node.namespaces) groups.set(ns.name, []);
	for (const c of node.containers) {
		let list = groups.get(c.namespace);
		if (!list) groups.set(c.namespace, (list = []));
		list.push(c);
	}
	for (const [name, containers] of groups) {
		const nsShims = node.shims.filter((s) => s.namespace === name);
		const shims = nsShims.length;
		const title = name === null ? 'not in containerd (listed by the CRI or Docker only)' : safe(name);
		const shimMemory = shims > 0 ? ` (${formatBytes(shimRss(nsShims))} RSS)` : '';
		out.push(`  ${paint('bold', title)}  ${paint('dim', `${containers.length} container${containers.length === 1 ? '' : 's'}, ${shims} shim${shims === 1 ? '' : 's'}${shimMemory}`)}`);
		if (containers.length > 0) out.push(header);
		for (const c of containers) out.push(containerRow(c, paint, options));
	}
	if (groups.size === 0) out.push(paint('dim', '  (no containers)'));
	return out;
}

function podSection(node: NodeSnapshot, options: TextOptions, paint: Paint): string[] {
	if (node.pods.length === 0) return [paint('dim', '  (no pods)')];
	const byId = new Map(node.containers.map((c) => [c.id, c]));
	return node.pods.map((pod) => {
		const members = pod.containers.map((id) => safe(byId.get(id)?.name ?? shortId(id))).join(', ') || '-';
		const usage = pod.usage ? `  cpu ${cpuCell(pod.usage)} mem ${memCell(pod.usage)} net/s ${netCell(pod.usage)} io/s ${ioCell(pod.usage)}` : '';
		const text = `  ${paint('bold', `${safe(pod.namespace)}/${safe(pod.name)}`)}  ${pod.source}  sandbox ${safe(shortId(pod.id))} (${safe(pod.state)}, pid ${pod.sandboxPid ?? '-'})${usage}  containers: ${members}`;
		return line(text, options);
	});
}

export function renderNodeText(node: NodeSnapshot, options: TextOptions): string {
	const paint = painter(options.color);
	const out: string[] = [];
	const when = options.saved ? ` ${options.saved.takenAt.replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ')}` : '';
	const status = options.saved
		? paint('dim', `saved in ${options.saved.file}, taken${when}${node.ok ? '' : ' when it was UNREACHABLE'}`)
		: node.ok ? paint('green', 'reached') : paint('red', 'UNREACHABLE');
	out.push(paint('bold', `━━ ${safe(node.name)}`) + ` (${safe(node.target)}) ${status}`);
	for (const error of node.errors) out.push(line(`  ${paint('red', 'error')} ${error.source}: ${safe(error.message)}`, options));
	if (!node.ok) return out.join('\n');
	out.push(line(`  ${hostLine(node.host, node.processes.length, node.shims.length, shimRss(node.shims))}`, options));
	const pressure = nodePressureLine(node);
	if (pressure !== null) out.push(line(`  ${pressure}`, options));
	out.push('', paint('bold', 'Runtimes'), ...runtimesSection(node, paint));
	out.push('', paint('bold', 'Runtime processes') + paint('dim', ` (${node.processes.length} processes on the node, ${node.shims.length} shims)`));
	out.push(...processSection(node, options, paint));
	out.push('', paint('bold', 'Namespaces → containers'), ...namespaceSection(node, options, paint));
	out.push('', paint('bold', 'Pods'), ...podSection(node, options, paint));
	out.push('', ...renderDiagnosisSection(node, options));
	return out.join('\n');
}

export function renderSnapshotText(snapshot: Snapshot, options: TextOptions): string {
	return snapshot.nodes.map((node) => renderNodeText(node, options)).join('\n\n') + '\n';
}

export function renderSnapshotJson(snapshot: Snapshot, indent = 2): string {
	// JSON.stringify escapes control characters (\u001b) itself, so the output is both
	// terminal-safe and lossless; bidi characters are escaped too for the same reason.
	// indent 0: the whole document on one line (NDJSON, `snapshot --watch`).
	return escapeJson(JSON.stringify(snapshot, null, indent)) + '\n';
}
