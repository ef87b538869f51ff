/**
 * Pure: node snapshots → crimon's metric families, for `snapshot --format prometheus`
 * (node_exporter's textfile collector) and `crimon serve` (a scrape endpoint).
 *
 * Every series carries `node`. Label sets stay bounded: runtimes, containerd namespaces,
 * states, pod sources and finding codes are few per node; only the per-container usage
 * series grow with the workload. A node that was not reached reports crimon_node_up 0
 * (and how long the attempt took) and nothing else, as an exporter whose target is down.
 */
import {LABEL, parseKubeletDockerName} from '../model/kubernetes-labels.js';
import type {Container, NodeSnapshot} from '../schema/types.js';
import {RUNTIME_NAMES, savedRuntimeStates} from '../model/runtime-states.js';
import {renderExposition, type MetricFamily, type Sample} from './prometheus-text.js';
import {addContainerIo, addNodePressure, emptyIoSeries, ioFamilies, type IoSeries} from './prometheus-io.js';

export interface NodeMetrics {
	readonly node: NodeSnapshot;
	/** Whether the last poll reached the node; default: node.ok. */
	readonly up?: boolean;
	/** How long the last poll took, when known (a live poll; never a saved file). */
	readonly pollSeconds?: number | null;
}

/** The per-container usage another part of crimon adds to v1; read defensively, since saved files may predate it. */
interface ContainerUsage {
	readonly cpuSeconds: number | null;
	readonly memoryBytes: number | null;
	readonly oomKills: number | null;
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);

function usageOf(container: Container): ContainerUsage | null {
	const usage: unknown = (container as {usage?: unknown}).usage;
	if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) return null;
	const u = usage as Record<string, unknown>;
	return {cpuSeconds: count(u['cpuSeconds']), memoryBytes: count(u['memoryBytes']), oomKills: count(u['oomKills'])};
}

/** The container's name as Kubernetes knows it (dockershim's k8s_… names included); POD for a sandbox. */
function kubernetesContainerName(container: Container): string {
	if (container.sandbox) return 'POD';
	return container.labels[LABEL.containerName] ?? parseKubeletDockerName(container.name)?.container ?? container.name;
}

/** Two nodes may share a name (two files saved on one node, local twice): series must not collide. */
export function uniqueNodeLabels(names: readonly string[]): string[] {
	const used = new Map<string, number>();
	const taken = new Set(names);
	return names.map((name) => {
		const n = (used.get(name) ?? 0) + 1;
		used.set(name, n);
		if (n === 1) return name;
		let label = `${name}#${n}`;
		for (let k = n; taken.has(label); k++) label = `${name}#${k + 1}`;
		taken.add(label);
		return label;
	});
}

const SHIM_VERSIONS = ['v1', 'v2'] as const;
const POD_SOURCES = ['cri', 'docker-labels'] as const;

function tally(keys: readonly string[]): Map<string, number> {
	const out = new Map<string, number>();
	for (const key of keys) out.set(key, (out.get(key) ?? 0) + 1);
	return out;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Families {
	up: Sample[];
	runtimeUp: Sample[];
	criInfo: Sample[];
	kubeletInfo: Sample[];
	versionInfo: Sample[];
	shims: Sample[];
	containers: Sample[];
	pods: Sample[];
	findings: Sample[];
	pollSeconds: Sample[];
	cpu: Sample[];
	memory: Sample[];
	ooms: Sample[];
	io: IoSeries;
}

function addNode(out: Families, label: string, entry: NodeMetrics): void {
	const {node} = entry;
	const up = entry.up ?? node.ok;
	const n = ['node', label] as const;
	out.up.push({labels: [n], value: up ? 1 : 0});
	if (entry.pollSeconds !== undefined && entry.pollSeconds !== null && Number.isFinite(entry.pollSeconds)) {
		out.pollSeconds.push({labels: [n], value: entry.pollSeconds});
	}
	if (!up) return;
	// Absent where not installed: a node without Docker has no Docker to be down.
	const states = savedRuntimeStates(node);
	for (const runtime of RUNTIME_NAMES) {
		// A file saved before podman was a runtime has no state for it: absent, as it was then.
		const state = states[runtime] ?? 'absent';
		if (state !== 'absent') out.runtimeUp.push({labels: [n, ['runtime', runtime]], value: state === 'answering' ? 1 : 0});
	}
	addNodePressure(out.io, node, [n]);

	const diagnosis = node.diagnosis ?? null;
	if (diagnosis) {
		const cri = diagnosis.cri;
		out.criInfo.push({
			labels: [n, ['runtime', cri.runtime], ['endpoint', cri.endpoint ?? ''], ['how', cri.how], ['api_version', node.runtimes.cri?.apiVersion ?? '']],
			value: 1,
		});
		if (diagnosis.kubelet) out.kubeletInfo.push({labels: [n, ['version', diagnosis.kubelet.version ?? ''], ['cri', cri.runtime]], value: 1});
	}

	const {containerd, docker, cri} = node.runtimes;
	const versions: [string, string][] = [];
	if (containerd) versions.push(['containerd', containerd.version]);
	if (docker) versions.push(['docker', docker.version]);
	if (node.runtimes.podman) versions.push(['podman', node.runtimes.podman.version]);
	if (cri) versions.push([cri.runtimeName, cri.runtimeVersion]);
	for (const [runtime, version] of versions) out.versionInfo.push({labels: [n, ['runtime', runtime], ['version', version]], value: 1});

	// Every namespace with both versions, zeros included, so `== 0` and absent differ.
	// containerd's shims only: a conmon has no containerd namespace (it shows in the snapshot's shims[]).
	const containerdShims = node.shims.filter((s) => s.kind !== 'conmon');
	const namespaces = [...new Set([...node.namespaces.map((ns) => ns.name), ...containerdShims.map((s) => s.namespace)])].sort(byText);
	const shimCounts = tally(containerdShims.map((s) => `${s.namespace}\u0000${s.version}`));
	for (const namespace of namespaces) {
		for (const version of SHIM_VERSIONS) {
			out.shims.push({labels: [n, ['namespace', namespace], ['version', version]], value: shimCounts.get(`${namespace}\u0000${version}`) ?? 0});
		}
	}

	const containerCounts = tally(node.containers.map((c) => `${c.namespace ?? ''}\u0000${c.state}`));
	for (const key of [...containerCounts.keys()].sort(byText)) {
		const [namespace, state] = key.split('\u0000') as [string, string];
		out.containers.push({labels: [n, ['namespace', namespace], ['state', state]], value: containerCounts.get(key)!});
	}

	const podCounts = tally(node.pods.map((p) => p.source));
	for (const source of POD_SOURCES) out.pods.push({labels: [n, ['source', source]], value: podCounts.get(source) ?? 0});

	const findingCounts = tally((diagnosis?.findings ?? []).map((f) => `${f.code}\u0000${f.severity}`));
	for (const key of [...findingCounts.keys()].sort(byText)) {
		const [code, severity] = key.split('\u0000') as [string, string];
		out.findings.push({labels: [n, ['code', code], ['severity', severity]], value: findingCounts.get(key)!});
	}

	// Per container, only where usage was measured. A running container wins over an
	// exited attempt of the same pod and name (the exposition keeps the first of equal series).
	const measured = node.containers
		.map((c) => ({c, usage: usageOf(c)}))
		.filter((m): m is {c: Container; usage: ContainerUsage} => m.usage !== null)
		.sort((a, b) => Number(b.c.state === 'running') - Number(a.c.state === 'running'));
	for (const {c, usage} of measured) {
		const labels = [n, ['namespace', c.namespace ?? ''], ['container', kubernetesContainerName(c)], ['pod', c.pod ? `${c.pod.namespace}/${c.pod.name}` : '']] as const;
		if (usage.cpuSeconds !== null) out.cpu.push({labels, value: usage.cpuSeconds});
		if (usage.memoryBytes !== null) out.memory.push({labels, value: usage.memoryBytes});
		if (usage.oomKills !== null) out.ooms.push({labels, value: usage.oomKills});
		addContainerIo(out.io, c, labels);
	}
}

export function snapshotFamilies(nodes: readonly NodeMetrics[]): MetricFamily[] {
	const out: Families = {up: [], runtimeUp: [], criInfo: [], kubeletInfo: [], versionInfo: [], shims: [], containers: [], pods: [], findings: [], pollSeconds: [], cpu: [], memory: [], ooms: [], io: emptyIoSeries()};
	const labels = uniqueNodeLabels(nodes.map((entry) => entry.node.name));
	nodes.forEach((entry, i) => addNode(out, labels[i]!, entry));
	const families: MetricFamily[] = [
		{name: 'crimon_node_up', type: 'gauge', help: 'Whether crimon\'s last poll reached the node (1) or not (0).', samples: out.up},
		{name: 'crimon_runtime_up', type: 'gauge', help: 'Whether a runtime on a reached node answered crimon\'s last poll (1) or was there and failed (0), by runtime (containerd, cri, docker, podman); absent where the runtime is not installed.', samples: out.runtimeUp},
		{name: 'crimon_cri_runtime_info', type: 'gauge', help: 'The CRI runtime Kubernetes uses on the node (runtime: dockershim, containerd, cri-dockerd, cri-o, unknown), its endpoint, how crimon decided (kubelet, probe, forced, none) and the CRI API version; always 1.', samples: out.criInfo},
		{name: 'crimon_kubelet_info', type: 'gauge', help: 'The kubelet running on the node: its version (empty when unknown) and the CRI runtime it talks to; always 1.', samples: out.kubeletInfo},
		{name: 'crimon_runtime_version_info', type: 'gauge', help: 'A container runtime answering on the node (containerd, docker, podman, or the CRI runtime\'s name) and its version; always 1.', samples: out.versionInfo},
		{name: 'crimon_shims', type: 'gauge', help: 'containerd shim processes on the node by containerd namespace and shim version (v1: containerd-shim, v2: containerd-shim-runc-v2).', samples: out.shims},
		{name: 'crimon_containers', type: 'gauge', help: 'Containers on the node (pod sandboxes included) by containerd namespace (empty: listed by the CRI or Docker only) and state.', samples: out.containers},
		{name: 'crimon_pods', type: 'gauge', help: 'Pods on the node by where crimon found them: the CRI (cri) or dockershim\'s labels on Docker containers (docker-labels).', samples: out.pods},
		{name: 'crimon_findings', type: 'gauge', help: 'Diagnosis findings on the node by code and severity (error, warn, info).', samples: out.findings},
		{name: 'crimon_poll_duration_seconds', type: 'gauge', help: 'How long crimon\'s last poll of the node took, in seconds.', samples: out.pollSeconds},
		{name: 'crimon_container_cpu_seconds_total', type: 'counter', help: 'CPU time a container has used, in seconds, by containerd namespace, Kubernetes container name (POD for a sandbox) and pod (namespace/name; empty outside Kubernetes).', samples: out.cpu},
		{name: 'crimon_container_memory_working_set_bytes', type: 'gauge', help: 'A container\'s memory in use (its cgroup\'s working set), in bytes, labelled as crimon_container_cpu_seconds_total.', samples: out.memory},
		{name: 'crimon_container_oom_kills_total', type: 'counter', help: 'Processes the kernel\'s OOM killer killed in a container, labelled as crimon_container_cpu_seconds_total.', samples: out.ooms},
		...ioFamilies(out.io),
	];
	return families;
}

export function renderPrometheus(nodes: readonly NodeMetrics[]): string {
	return renderExposition(snapshotFamilies(nodes));
}
