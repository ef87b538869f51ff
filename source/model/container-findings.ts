/**
 * Pure: findings about what the node's containers depend on — Docker's socket through a mount,
 * the v1 shim and io.containerd.runc.v1 (gone in containerd 2.0), Kubernetes pods left in
 * Docker's moby namespace — and the wording helpers every diagnosis finding shares.
 */
import {canonicalRunPath} from '../collect/kubelet-flags.js';
import {basename} from '../collect/shims.js';
import type {Container, CriDiagnosis, Finding, FindingCode, FindingSeverity, FindingSubject, NodeSnapshot, Shim} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';
import type {HealthContext} from './health-context.js';

/** `health`: the poll's health context, worked out once by the build. */
export type DiagnosisInput = Pick<NodeSnapshot, 'runtimes' | 'containers' | 'shims' | 'pods'> & {readonly health?: HealthContext};

/** The sockets a container can reach Docker through: Docker's and the dockershim's, with /var/run folded onto /run. */
export function dockerSocketPaths(dockerAddress: string | null): string[] {
	const paths = new Set(['/run/docker.sock', '/run/dockershim.sock']);
	if (dockerAddress) paths.add(canonicalRunPath(dockerAddress.replace(/^unix:\/\//, '')));
	return [...paths];
}

function parentDir(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * The Docker socket a mount exposes: the socket itself or the directory holding it. A mount
 * of / or /var reaches it too, but node agents mount the root for everything else, so
 * calling that a Docker dependency would bury the real ones.
 */
export function dockerSocketViaMount(source: string, sockets: readonly string[]): string | null {
	const path = canonicalRunPath(source);
	for (const socket of sockets) {
		if (path === socket || path === parentDir(socket)) return socket;
	}
	return null;
}

function podOf(container: Container): FindingSubject['pod'] {
	return container.pod ? {name: container.pod.name, namespace: container.pod.namespace} : null;
}

/** What a person calls a container: its Kubernetes name inside its pod, else its runtime name. */
function containerTitle(container: Container): string {
	const kubeName = container.labels['io.kubernetes.container.name'];
	if (container.pod && kubeName && container.seenBy.docker) return `${container.pod.namespace}/${container.pod.name} ${kubeName}`;
	if (container.pod && container.seenBy.cri) return `${container.pod.namespace}/${container.pod.name} ${container.name}`;
	return container.name;
}

function containerSubject(container: Container, detail: string | null): FindingSubject {
	return {kind: 'container', id: container.id, name: container.name, namespace: container.namespace, pod: podOf(container), detail};
}

function podSubjects(containers: readonly Container[], snapshot: DiagnosisInput): FindingSubject[] {
	const seen = new Map<string, FindingSubject>();
	for (const c of containers) {
		if (!c.pod) continue;
		const key = `${c.pod.namespace}/${c.pod.name}`;
		if (seen.has(key)) continue;
		const pod = snapshot.pods.find((p) => p.namespace === c.pod!.namespace && p.name === c.pod!.name && (c.podId === null || p.id === c.podId));
		seen.set(key, {kind: 'pod', id: pod?.id ?? c.podId ?? key, name: c.pod.name, namespace: c.pod.namespace, pod: {name: c.pod.name, namespace: c.pod.namespace}, detail: null});
	}
	return [...seen.values()];
}

/** "a, b and 3 more" */
export function listNames(names: readonly string[], max = 3): string {
	if (names.length <= max) return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
	return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function finding(code: FindingCode, severity: FindingSeverity, message: string, subjects: readonly FindingSubject[] = []): Finding {
	return {code, severity, message, subjects};
}

export function dockerSockFinding(snapshot: DiagnosisInput): Finding | null {
	const sockets = dockerSocketPaths(snapshot.runtimes.docker?.address ?? null);
	const hits: {container: Container; detail: string}[] = [];
	for (const container of snapshot.containers) {
		if (container.sandbox) continue;
		const reasons: string[] = [];
		for (const mount of container.mounts) {
			const socket = dockerSocketViaMount(mount.source, sockets);
			if (!socket) continue;
			const what = canonicalRunPath(mount.source) === socket ? '' : ` (holds ${basename(socket)})`;
			reasons.push(`mounts ${mount.source}${what} at ${mount.destination}`);
		}
		if (reasons.length > 0) hits.push({container, detail: reasons.join('; ')});
	}
	if (hits.length === 0) return null;
	const names = hits.map((h) => containerTitle(h.container));
	const subjects = [...hits.map((h) => containerSubject(h.container, h.detail)), ...podSubjects(hits.map((h) => h.container), snapshot)];
	return finding('docker-sock-mounted', 'warn',
		`${plural(hits.length, 'container')} can reach Docker's socket through a mount (${listNames(names)}): whatever they do with it ` +
		`(builds, log shipping, monitoring, docker ps) stops working when Docker leaves this node; move them to the CRI or containerd's API before migrating.`,
		subjects);
}

export function shimV1Finding(snapshot: DiagnosisInput): Finding | null {
	const byKey = new Map(snapshot.containers.map((c) => [containerKey(c.namespace, c.id), c]));
	const subjects: FindingSubject[] = [];
	const covered = new Set<string>();
	const v1Shims = snapshot.shims.filter((s: Shim) => s.version === 'v1');
	for (const shim of v1Shims) {
		const key = containerKey(shim.namespace, shim.id);
		covered.add(key);
		const container = byKey.get(key);
		const detail = `${shim.binary} pid ${shim.pid}, namespace ${shim.namespace}`;
		subjects.push(container
			? containerSubject(container, detail)
			: {kind: 'container', id: shim.id, name: shim.id, namespace: shim.namespace, pod: null, detail});
	}
	// Stopped containers on the v1 runtime get a v1 shim again the next time they start.
	for (const container of snapshot.containers) {
		const key = containerKey(container.namespace, container.id);
		if (covered.has(key) || container.runtime !== 'io.containerd.runtime.v1.linux') continue;
		subjects.push(containerSubject(container, `runtime io.containerd.runtime.v1.linux, ${container.state}`));
	}
	// io.containerd.runc.v1 (containerd-shim-runc-v1) speaks shim API v2 but went with v1 in 2.0.
	const runcV1 = snapshot.containers.filter((c) => c.runtime === 'io.containerd.runc.v1' && !covered.has(containerKey(c.namespace, c.id)));
	if (subjects.length === 0 && runcV1.length === 0) return null;
	const parts: string[] = [];
	if (subjects.length > 0) parts.push(`${plural(subjects.length, 'container')} still ${subjects.length === 1 ? 'runs' : 'run'} under the v1 containerd-shim (io.containerd.runtime.v1.linux: ${listNames(subjects.map((s) => s.name))})`);
	if (runcV1.length > 0) parts.push(`${plural(runcV1.length, 'container')} ${runcV1.length === 1 ? 'uses' : 'use'} the io.containerd.runc.v1 runtime (${listNames(runcV1.map((c) => c.name))})`);
	const all = subjects.length + runcV1.length;
	return finding('shim-v1', 'info',
		`${parts.join('; ')}, which containerd 2.0 removed; re-create ${all === 1 ? 'it' : 'them'} on io.containerd.runc.v2 before upgrading containerd.`,
		[...subjects, ...runcV1.map((c) => containerSubject(c, `runtime io.containerd.runc.v1, ${c.state}`))]);
}

export function kubernetesInMobyFinding(snapshot: DiagnosisInput, cri: CriDiagnosis, hasKubelet: boolean): Finding | null {
	const inMoby = snapshot.containers.filter((c) => c.namespace === 'moby' && c.pod !== null);
	if (inMoby.length === 0) return null;
	const pods = podSubjects(inMoby, snapshot);
	const names = pods.map((p) => `${p.namespace}/${p.name}`);
	const count = `${plural(pods.length, 'pod')} (${listNames(names)}) ${pods.length === 1 ? 'has its' : 'have their'} containers in Docker's moby namespace`;
	let message: string;
	if (hasKubelet && (cri.runtime === 'dockershim' || cri.runtime === 'cri-dockerd')) {
		message = `${count}, made by ${cri.runtime}: after a switch to containerd they are re-created in k8s.io with new ids, so drain the node before switching.`;
	} else if (hasKubelet && cri.runtime !== 'unknown') {
		message = `${count}, but the kubelet uses ${cri.runtime}: they are leftovers from dockershim or cri-dockerd that no kubelet manages; remove them with docker rm once nothing needs them.`;
	} else {
		message = `${count}: they were made by dockershim or cri-dockerd; they move to k8s.io (with new ids) only when the node's kubelet uses containerd.`;
	}
	return finding('kubernetes-in-moby', 'info', message, [...pods, ...inMoby.map((c) => containerSubject(c, c.sandbox ? 'pod sandbox' : null))]);
}
