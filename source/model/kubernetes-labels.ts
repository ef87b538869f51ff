/** Pure: what dockershim, cri-dockerd and containerd's CRI write on the containers they make. */
import type {PodRef} from '../schema/types.js';

export const LABEL = {
	podName: 'io.kubernetes.pod.name',
	podNamespace: 'io.kubernetes.pod.namespace',
	podUid: 'io.kubernetes.pod.uid',
	containerName: 'io.kubernetes.container.name',
	dockerType: 'io.kubernetes.docker.type',
	sandboxId: 'io.kubernetes.sandbox.id',
	criContainerdKind: 'io.cri-containerd.kind',
} as const;

export interface KubeletDockerName {
	readonly container: string;
	readonly pod: string;
	readonly namespace: string;
	readonly uid: string;
	readonly attempt: number;
	readonly sandbox: boolean;
}

/** `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`; the sandbox's container is `POD`. */
export function parseKubeletDockerName(name: string): KubeletDockerName | null {
	const parts = name.replace(/^\//, '').split('_');
	if (parts.length !== 6 || parts[0] !== 'k8s') return null;
	const [, container, pod, namespace, uid, attempt] = parts as [string, string, string, string, string, string];
	if (!container || !pod || !namespace || !uid || !/^\d+$/.test(attempt)) return null;
	return {container, pod, namespace, uid, attempt: Number(attempt), sandbox: container === 'POD'};
}

export function podFromLabels(labels: Readonly<Record<string, string>>): PodRef | null {
	const name = labels[LABEL.podName];
	const namespace = labels[LABEL.podNamespace];
	if (!name || !namespace) return null;
	return {name, namespace, uid: labels[LABEL.podUid] ?? ''};
}
