/**
 * Pure: the raw facts of one poll → one node's snapshot. Containers are joined across
 * containerd, the CRI and Docker by id (Docker's id is containerd's id in `moby`, the
 * CRI's ids are containerd's ids in `k8s.io`, or Docker's under cri-dockerd).
 */
import {diagnoseNode} from './diagnosis.js';
import {stoppedTaskShims} from './health-findings.js';
import {healthContext, type HealthContext} from './health-context.js';
import {findShims} from '../collect/shims.js';
import {savedRuntimeStates} from './runtime-states.js';
import {LABEL, parseKubeletDockerName, podFromLabels} from './kubernetes-labels.js';
import {SNAPSHOT_SCHEMA} from '../schema/types.js';
import {containerUsages, hostUsage, sumUsage} from './usage.js';
import {markSharedNetwork, netnsByKey, podIoUsage, pressureUsage} from './io-usage.js';
import type {
	Container, ContainerdContainerFact, ContainerdTaskFact, CriContainerFact, CriSandboxFact, DockerContainerFact,
	NamespaceSummary, NodeFacts, NodeSnapshot, Pod, PodRef, ProcessInfo, Shim, Snapshot, Usage,
} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';

interface Draft {
	id: string;
	namespace: string | null;
	containerd?: ContainerdContainerFact;
	task?: ContainerdTaskFact;
	docker?: DockerContainerFact;
	podman?: DockerContainerFact;
	criContainer?: CriContainerFact;
	criSandbox?: CriSandboxFact;
}

class DraftIndex {
	readonly drafts = new Map<string, Draft>();
	private readonly byId = new Map<string, Draft[]>();

	add(namespace: string | null, id: string): Draft {
		const draft: Draft = {id, namespace};
		this.drafts.set(containerKey(namespace, id), draft);
		let list = this.byId.get(id);
		if (!list) this.byId.set(id, (list = []));
		list.push(draft);
		return draft;
	}

	get(namespace: string | null, id: string): Draft | undefined {
		return this.drafts.get(containerKey(namespace, id));
	}

	/** The draft for an id, preferring the given namespaces in order; a new one if none has it. */
	claim(id: string, preferred: readonly string[], owned: (draft: Draft) => boolean): Draft {
		const candidates = (this.byId.get(id) ?? []).filter((draft) => !owned(draft));
		for (const namespace of preferred) {
			const found = candidates.find((draft) => draft.namespace === namespace);
			if (found) return found;
		}
		return candidates[0] ?? this.add(null, id);
	}
}

function dockerPod(docker: DockerContainerFact): PodRef | null {
	const fromLabels = podFromLabels(docker.labels);
	if (fromLabels) return fromLabels;
	const parsed = parseKubeletDockerName(docker.name);
	return parsed ? {name: parsed.pod, namespace: parsed.namespace, uid: parsed.uid} : null;
}

function isDockerSandbox(docker: DockerContainerFact): boolean {
	return docker.labels[LABEL.dockerType] === 'podsandbox' || parseKubeletDockerName(docker.name)?.sandbox === true;
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Every process with the usage fields set (null where the collector had none), by pid. */
function withProcessUsage(list: readonly ProcessInfo[]): ProcessInfo[] {
	const out = new Array<ProcessInfo>(list.length);
	for (let i = 0; i < list.length; i++) {
		const p = list[i]!;
		// A literal of one shape, not a spread: at 50,000 processes a spread costs a quarter of a second.
		out[i] = p.cpuSeconds !== undefined && p.rssBytes !== undefined && p.cpuCores !== undefined && p.readBytes !== undefined && p.writeBytes !== undefined
			? p
			: {pid: p.pid, ppid: p.ppid, user: p.user, state: p.state, command: p.command, cpuSeconds: p.cpuSeconds ?? null, rssBytes: p.rssBytes ?? null, cpuCores: p.cpuCores ?? null, readBytes: p.readBytes ?? null, writeBytes: p.writeBytes ?? null};
	}
	return out.sort((a, b) => a.pid - b.pid);
}

/** `health`: the poll's health context, when the caller works it out for the marks too. */
export function buildNodeSnapshot(facts: NodeFacts, health: HealthContext = healthContext(facts)): NodeSnapshot {
	const processes = withProcessUsage(facts.processes ?? []);
	const parentOf = new Map(processes.map((p) => [p.pid, p.ppid]));
	const rssOf = new Map(processes.map((p) => [p.pid, p.rssBytes ?? null]));
	const shims: Shim[] = (facts.shims ?? findShims(processes)).map((s) => ({
		pid: s.pid, version: s.version, binary: s.binary, namespace: s.namespace, id: s.id, address: s.address, children: s.children, rssBytes: rssOf.get(s.pid) ?? null,
		kind: s.kind ?? 'containerd', ociRuntime: s.ociRuntime ?? null, engine: s.engine ?? null,
	}));
	// podman's and CRI-O's containers are in no containerd: their conmon (-c ID) holds their init.
	const conmonById = new Map<string, Shim>();
	for (const shim of shims) if (shim.kind === 'conmon' && shim.id && !conmonById.has(shim.id)) conmonById.set(shim.id, shim);
	const usages = containerUsages(facts.usage);
	const stoppedShims = stoppedTaskShims(shims, health);
	const index = new DraftIndex();

	for (const container of facts.containerd?.containers ?? []) index.add(container.namespace, container.id).containerd = container;
	for (const task of facts.containerd?.tasks ?? []) {
		const draft = index.get(task.namespace, task.id);
		if (draft) draft.task = task;
	}
	for (const docker of facts.docker?.containers ?? []) {
		index.claim(docker.id, ['moby'], (d) => d.docker !== undefined).docker = docker;
	}
	for (const podman of facts.podman?.containers ?? []) {
		index.claim(podman.id, [], (d) => d.podman !== undefined || d.containerd !== undefined).podman = podman;
	}
	const criOwned = (d: Draft) => d.criContainer !== undefined || d.criSandbox !== undefined;
	const sandboxes = new Map<string, CriSandboxFact>();
	for (const sandbox of facts.cri?.sandboxes ?? []) {
		sandboxes.set(sandbox.id, sandbox);
		index.claim(sandbox.id, ['k8s.io', 'moby'], criOwned).criSandbox = sandbox;
	}
	for (const container of facts.cri?.containers ?? []) {
		index.claim(container.id, ['k8s.io', 'moby'], criOwned).criContainer = container;
	}
	const criAnswered = facts.cri !== null;

	let containers: Container[] = [];
	for (const draft of index.drafts.values()) {
		const {containerd, task, docker, podman, criContainer, criSandbox} = draft;
		const running = task !== undefined && task.pid > 0 && task.status !== 'stopped';
		const conmon = draft.namespace === null ? conmonById.get(draft.id) : undefined;
		// A conmon's child is its container's init (conmon forks the OCI runtime, which execs it).
		const conmonInit = conmon && conmon.children.length > 0 ? conmon.children[0]! : null;
		const pid = running ? task.pid : conmonInit;
		const parent = pid === null ? undefined : parentOf.get(pid);
		const criSandboxOfContainer = criContainer ? sandboxes.get(criContainer.podSandboxId) : undefined;
		const seenByCri = criContainer !== undefined || criSandbox !== undefined;

		let pod: PodRef | null = null;
		let podId: string | null = null;
		if (criSandbox) {
			pod = {name: criSandbox.name, namespace: criSandbox.namespace, uid: criSandbox.uid};
			podId = criSandbox.id;
		} else if (criContainer) {
			podId = criContainer.podSandboxId || null;
			pod = criSandboxOfContainer
				? {name: criSandboxOfContainer.name, namespace: criSandboxOfContainer.namespace, uid: criSandboxOfContainer.uid}
				: podFromLabels(criContainer.labels);
		} else if (docker ?? podman) {
			pod = dockerPod((docker ?? podman)!);
			if (pod) podId = isDockerSandbox((docker ?? podman)!) ? draft.id : (docker ?? podman)!.labels[LABEL.sandboxId] ?? null;
		} else if (containerd && !(criAnswered && draft.namespace === 'k8s.io')) {
			// Without a CRI answer, containerd's own labels are the best word on a pod; with one,
			// a k8s.io container the CRI does not list is not a Kubernetes container.
			pod = podFromLabels(containerd.labels);
			podId = pod ? containerd.labels[LABEL.sandboxId] ?? null : null;
		}

		const sandbox = criSandbox !== undefined
			|| (docker !== undefined && isDockerSandbox(docker))
			|| containerd?.labels[LABEL.criContainerdKind] === 'sandbox';

		containers.push({
			id: draft.id,
			name: docker?.name || podman?.name || criContainer?.name || criSandbox?.name || draft.id,
			image: docker?.image || podman?.image || criContainer?.image || containerd?.image || '',
			state: docker?.state || podman?.state || criContainer?.state || criSandbox?.state || task?.status || (containerd ? 'stopped' : 'unknown'),
			namespace: draft.namespace,
			pid,
			// A stopped container whose shim still runs (a leaked shim) shows that shim.
			shimPid: parent ?? (pid === null && draft.namespace !== null ? stoppedShims.get(containerKey(draft.namespace, draft.id)) ?? null : conmon?.pid ?? null),
			sandbox,
			pod,
			seenBy: {cri: seenByCri, containerd: containerd !== undefined, docker: docker !== undefined, podman: podman !== undefined},
			podId,
			runtime: containerd?.runtime || null,
			labels: {...containerd?.labels, ...docker?.labels, ...podman?.labels, ...criContainer?.labels, ...criSandbox?.labels},
			mounts: containerd?.mounts.length ? containerd.mounts : docker?.mounts ?? podman?.mounts ?? [],
			// A cgroup read for a task that is not running any more is not this container's usage.
			usage: pid !== null && draft.namespace !== null ? usages.get(containerKey(draft.namespace, draft.id)) ?? null : null,
		});
	}
	containers = markSharedNetwork(containers, netnsByKey(facts.usage));
	containers.sort((a, b) => compareText(a.namespace ?? '\uffff', b.namespace ?? '\uffff') || compareText(a.name, b.name) || compareText(a.id, b.id));

	const runtimes = {
		cri: facts.cri?.info ?? null,
		containerd: facts.containerd ? {address: facts.containerd.address, version: facts.containerd.version} : null,
		docker: facts.docker ? {address: facts.docker.address, version: facts.docker.version} : null,
		podman: facts.podman ? {address: facts.podman.address, version: facts.podman.version} : null,
	};
	const pods = buildPods(facts, containers);
	return {
		name: facts.name,
		target: facts.target,
		ok: facts.reachable,
		errors: facts.errors,
		runtimes,
		processes,
		shims,
		namespaces: buildNamespaces(facts, containers, shims),
		containers,
		pods,
		diagnosis: diagnoseNode(facts, {runtimes, containers, shims, pods, health}),
		host: hostUsage(facts.usage?.current.host ?? null, facts.usage?.previous?.host),
		runtimeStates: facts.reachable ? facts.runtimeStates ?? savedRuntimeStates({runtimes, errors: facts.errors}) : null,
		pressure: pressureUsage(facts.usage?.current.hostPressure),
		pressureReason: facts.usage?.current.hostPressure ? null : facts.usage?.current.hostPressureReason ?? 'not read from this node',
	};
}

/** A pod's usage: its containers' summed, with the network and pressure that belong to the pod as a whole. */
function podUsage(facts: NodeFacts, sandbox: Container | null | undefined, members: readonly Container[]): Usage | null {
	const summed = sumUsage([sandbox?.usage, ...members.map((c) => c.usage)]);
	if (!summed) return null;
	const io = podIoUsage(sandbox ?? undefined, members, facts.usage);
	return {...summed, ...io, reasons: {network: io.reasons!.network, blockIo: summed.blockIo ? null : 'no member reported block IO', pressure: io.reasons!.pressure}};
}

function buildNamespaces(facts: NodeFacts, containers: readonly Container[], shims: readonly Shim[]): NamespaceSummary[] {
	const names = [...(facts.containerd?.namespaces ?? [])].sort(compareText);
	const members = new Map<string, string[]>(names.map((name) => [name, []]));
	const usages = new Map<string, (Usage | null | undefined)[]>(names.map((name) => [name, []]));
	for (const c of containers) {
		if (c.namespace !== null && c.seenBy.containerd) {
			members.get(c.namespace)?.push(c.id);
			usages.get(c.namespace)?.push(c.usage);
		}
	}
	const shimRss = new Map<string, number | null>();
	for (const shim of shims) {
		if (!members.has(shim.namespace)) continue;
		const before = shimRss.get(shim.namespace);
		shimRss.set(shim.namespace, shim.rssBytes == null || before === null ? null : (before ?? 0) + shim.rssBytes);
	}
	return names.map((name) => ({name, containers: members.get(name)!, usage: sumUsage(usages.get(name)!), shimRssBytes: shimRss.has(name) ? shimRss.get(name)! : 0}));
}

function buildPods(facts: NodeFacts, containers: readonly Container[]): Pod[] {
	const pods: Pod[] = [];
	const byId = new Map(containers.map((c) => [c.id, c]));
	const criMembers = new Map<string, Container[]>();
	for (const c of containers) {
		if (c.sandbox || !c.seenBy.cri || c.podId === null) continue;
		let list = criMembers.get(c.podId);
		if (!list) criMembers.set(c.podId, (list = []));
		list.push(c);
	}
	for (const sandbox of facts.cri?.sandboxes ?? []) {
		const members = criMembers.get(sandbox.id) ?? [];
		pods.push({
			id: sandbox.id,
			name: sandbox.name,
			namespace: sandbox.namespace,
			uid: sandbox.uid,
			source: 'cri',
			sandboxPid: byId.get(sandbox.id)?.pid ?? null,
			containers: members.map((c) => c.id),
			state: sandbox.state,
			usage: podUsage(facts, byId.get(sandbox.id), members),
		});
	}
	// dockershim's pods, rebuilt from what the kubelet wrote on Docker's containers.
	const dockerKube = containers.filter((c) => c.seenBy.docker && !c.seenBy.cri && c.pod !== null);
	const groups = new Map<string, {sandbox: Container | null; members: Container[]; pod: PodRef}>();
	const groupKey = (pod: PodRef) => `${pod.namespace}\0${pod.name}\0${pod.uid}`;
	for (const container of dockerKube) {
		const k = groupKey(container.pod!);
		let group = groups.get(k);
		if (!group) groups.set(k, (group = {sandbox: null, members: [], pod: container.pod!}));
		if (container.sandbox) {
			// A restarted sandbox leaves exited attempts behind: the running one speaks for the pod.
			if (!group.sandbox || (group.sandbox.state !== 'running' && container.state === 'running')) group.sandbox = container;
		} else {
			group.members.push(container);
		}
	}
	for (const group of groups.values()) {
		const sandboxId = group.sandbox?.id ?? null;
		pods.push({
			id: sandboxId ?? `${group.pod.namespace}/${group.pod.name}`,
			name: group.pod.name,
			namespace: group.pod.namespace,
			uid: group.pod.uid,
			source: 'docker-labels',
			sandboxPid: group.sandbox?.pid ?? null,
			containers: group.members.map((c) => c.id),
			state: group.sandbox?.state ?? 'unknown',
			usage: podUsage(facts, group.sandbox, group.members),
		});
	}
	pods.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.id, b.id));
	return pods;
}

export function unreachableNode(name: string, target: string, message: string): NodeSnapshot {
	return {
		name, target, ok: false,
		errors: [{source: 'node', message}],
		runtimes: {cri: null, containerd: null, docker: null, podman: null},
		processes: [], shims: [], namespaces: [], containers: [], pods: [],
		diagnosis: null,
		host: null,
		runtimeStates: null,
		pressure: null,
		pressureReason: 'the node could not be reached',
	};
}

export function buildSnapshot(nodes: readonly NodeSnapshot[], takenAt: Date): Snapshot {
	return {schema: SNAPSHOT_SCHEMA, takenAt: takenAt.toISOString(), nodes};
}
