/**
 * Pure: two node snapshots side by side — the runtime each really uses, shims per
 * containerd namespace, what runs on one side only, and the findings of each.
 *
 * Two nodes never share container or sandbox ids, so things are matched by what a person
 * would call them: a pod by namespace/name, a Kubernetes container by its pod and its
 * container name (the same under dockershim's k8s_… Docker names and under the CRI), any
 * other container by its containerd namespace and name. Pods that a Deployment or a
 * DaemonSet made carry a generated suffix that differs per node; when the pod's labels
 * say so (pod-template-hash, pod-template-generation) the suffix is dropped, so
 * "kube-proxy on both" is not reported as two one-sided pods.
 */
import {parseKubeletDockerName} from './kubernetes-labels.js';
import type {
	Container, FindingCode, FindingSeverity, NodeSnapshot, Pod, ShimVersion,
} from '../schema/types.js';
import type {
	CompareItemSchema, CompareSideSchema, ComparisonDocumentSchema, FindingRowSchema, NodeComparisonSchema, OneSidedSchema, ShimCountSchema,
} from '../schema/compare-schema.js';
import type {Shape} from '../schema/schema-kit.js';
import {COMPARE_SCHEMA} from '../schema/snapshot-version.js';

// The document's shapes are written once, as schema, in schema/compare-schema.ts.
export type CompareSide = Shape<typeof CompareSideSchema>;
type ShimCount = Shape<typeof ShimCountSchema>;
export type CompareItem = Shape<typeof CompareItemSchema>;
export type OneSided = Shape<typeof OneSidedSchema>;
type FindingRow = Shape<typeof FindingRowSchema>;
export type NodeComparison = Shape<typeof NodeComparisonSchema>;
export type ComparisonDocument = Shape<typeof ComparisonDocumentSchema>;

function sideOf(node: NodeSnapshot, other: NodeSnapshot, letter: 'A' | 'B'): CompareSide {
	const diagnosis = node.diagnosis ?? null;
	const {cri, containerd, docker} = node.runtimes;
	return {
		name: node.name,
		label: node.name === other.name ? `${node.name} (${letter})` : node.name,
		target: node.target,
		ok: node.ok,
		runtime: diagnosis?.cri.runtime ?? 'unknown',
		how: diagnosis?.cri.how ?? null,
		endpoint: diagnosis?.cri.endpoint ?? null,
		kubelet: diagnosis?.kubelet ? {pid: diagnosis.kubelet.pid, version: diagnosis.kubelet.version} : null,
		cri: cri ? `${cri.runtimeName} ${cri.runtimeVersion}`.trim() : null,
		containerd: containerd?.version ?? null,
		docker: docker?.version ?? null,
		counts: {containers: node.containers.filter((c) => !c.sandbox).length, pods: node.pods.length, shims: node.shims.length},
		diagnosis,
	};
}

function runtimeWords(side: CompareSide): string {
	if (!side.ok) return 'unreachable';
	if (side.runtime === 'unknown') return side.how === 'none' ? 'no CRI runtime' : 'an unknown runtime';
	return side.how === 'kubelet' ? side.runtime : `${side.runtime} (no kubelet)`;
}

/** The name of the workload a pod belongs to, when its labels prove the suffix is generated. */
export function workloadName(pod: {name: string}, labels: Readonly<Record<string, string>>): string {
	const hash = labels['pod-template-hash'];
	if (hash) {
		const suffix = `-${hash}-`;
		const at = pod.name.lastIndexOf(suffix);
		if (at > 0 && /^[a-z0-9]{5}$/.test(pod.name.slice(at + suffix.length))) return pod.name.slice(0, at);
	}
	if (labels['pod-template-generation'] !== undefined && labels['controller-revision-hash'] !== undefined) {
		const match = /^(.+)-[a-z0-9]{5}$/.exec(pod.name);
		if (match) return match[1]!;
	}
	return pod.name;
}

/** namespace/name (and sandbox id) → the workload key, built once per node: the split view recomputes on every poll. */
function podKeyIndex(node: NodeSnapshot): (namespace: string, name: string, podId: string | null) => string {
	const labelsById = new Map(node.containers.map((c) => [c.id, c.labels]));
	const byName = new Map<string, Pod[]>();
	for (const pod of node.pods) {
		const k = `${pod.namespace}/${pod.name}`;
		let list = byName.get(k);
		if (!list) byName.set(k, (list = []));
		list.push(pod);
	}
	return (namespace, name, podId) => {
		const candidates = byName.get(`${namespace}/${name}`) ?? [];
		const pod = candidates.find((p) => podId === null || p.id === podId) ?? candidates[0];
		const labels = pod ? labelsById.get(pod.id) ?? {} : {};
		return `${namespace}/${workloadName({name}, labels)}`;
	};
}

function containerKubeName(c: Container): string {
	return c.labels['io.kubernetes.container.name'] ?? parseKubeletDockerName(c.name)?.container ?? c.name;
}

interface Tally {
	count: number;
	names: Set<string>;
	where: Set<string>;
}

function tally(entries: readonly {key: string; name: string; where: string}[]): Map<string, Tally> {
	const out = new Map<string, Tally>();
	for (const entry of entries) {
		let t = out.get(entry.key);
		if (!t) out.set(entry.key, (t = {count: 0, names: new Set(), where: new Set()}));
		t.count++;
		t.names.add(entry.name);
		t.where.add(entry.where);
	}
	return out;
}

function podEntries(node: NodeSnapshot) {
	const podKey = podKeyIndex(node);
	return node.pods.map((pod) => ({key: podKey(pod.namespace, pod.name, pod.id), name: `${pod.namespace}/${pod.name}`, where: pod.source}));
}

function containerEntries(node: NodeSnapshot) {
	const podKey = podKeyIndex(node);
	return node.containers.filter((c) => !c.sandbox).map((c) => {
		if (c.pod) {
			const key = `${podKey(c.pod.namespace, c.pod.name, c.podId)} · ${containerKubeName(c)}`;
			return {key, name: `${c.pod.namespace}/${c.pod.name} ${containerKubeName(c)}`, where: c.namespace ?? 'not in containerd'};
		}
		return {key: `${c.namespace ?? '-'} · ${c.name}`, name: c.name, where: c.namespace ?? 'not in containerd'};
	});
}

const byKey = (a: CompareItem, b: CompareItem) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function oneSided(a: Map<string, Tally>, b: Map<string, Tally>): OneSided {
	const item = (key: string, t: Tally): CompareItem => ({key, count: t.count, names: [...t.names].sort(), where: [...t.where].sort()});
	const onlyA = [...a].filter(([key]) => !b.has(key)).map(([key, t]) => item(key, t)).sort(byKey);
	const onlyB = [...b].filter(([key]) => !a.has(key)).map(([key, t]) => item(key, t)).sort(byKey);
	const both = [...a.keys()].filter((key) => b.has(key)).length;
	return {onlyA, onlyB, both};
}

function shimCounts(node: NodeSnapshot): Map<string, Record<ShimVersion, number>> {
	const out = new Map<string, Record<ShimVersion, number>>();
	for (const shim of node.shims) {
		// conmons are in no containerd namespace: counted as a group of their own.
		const ns = shim.kind === 'conmon' ? '(conmon)' : shim.namespace || '(none)';
		let counts = out.get(ns);
		if (!counts) out.set(ns, (counts = {v1: 0, v2: 0}));
		counts[shim.version]++;
	}
	return out;
}

export function compareNodes(nodeA: NodeSnapshot, nodeB: NodeSnapshot): NodeComparison {
	const a = sideOf(nodeA, nodeB, 'A');
	const b = sideOf(nodeB, nodeA, 'B');
	const shimsA = shimCounts(nodeA);
	const shimsB = shimCounts(nodeB);
	const namespaces = [...new Set([...shimsA.keys(), ...shimsB.keys(), ...nodeA.namespaces.map((n) => n.name), ...nodeB.namespaces.map((n) => n.name)])].sort();
	const zero: ShimCount = {v1: 0, v2: 0};
	const shims = namespaces.map((namespace) => ({namespace, a: shimsA.get(namespace) ?? zero, b: shimsB.get(namespace) ?? zero}));

	const codes = new Set<FindingCode>();
	for (const f of [...(a.diagnosis?.findings ?? []), ...(b.diagnosis?.findings ?? [])]) codes.add(f.code);
	const findingOf = (side: CompareSide, code: FindingCode) => {
		const f = side.diagnosis?.findings.find((x) => x.code === code);
		return f ? {severity: f.severity, subjects: f.subjects.length, message: f.message} : null;
	};
	const order: FindingSeverity[] = ['error', 'warn', 'info'];
	const rank = (row: FindingRow) => Math.min(order.indexOf(row.a?.severity ?? 'info'), order.indexOf(row.b?.severity ?? 'info'));
	const findings = [...codes].map((code) => ({code, a: findingOf(a, code), b: findingOf(b, code)}))
		.sort((x, y) => rank(x) - rank(y) || (x.code < y.code ? -1 : 1));

	return {
		headline: `${a.label} on ${runtimeWords(a)} vs ${b.label} on ${runtimeWords(b)}`,
		a,
		b,
		shims,
		pods: oneSided(tally(podEntries(nodeA)), tally(podEntries(nodeB))),
		containers: oneSided(tally(containerEntries(nodeA)), tally(containerEntries(nodeB))),
		findings,
	};
}

export function comparisonDocument(comparison: NodeComparison, takenAt: Date): ComparisonDocument {
	return {schema: COMPARE_SCHEMA, takenAt: takenAt.toISOString(), ...comparison};
}
