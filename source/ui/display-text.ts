/**
 * Pure: how a container, a pod and a state read in a row: short ids, the kubelet's
 * dockershim names shortened, CRI states the way crictl shows them.
 */
import {parseKubeletDockerName} from '../model/kubernetes-labels.js';
import type {Container} from '../schema/types.js';

export function shortId(id: string): string {
	return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/**
 * The name to show in a row: dockershim's `k8s_<container>_<pod>_<ns>_<uid>_<n>` shortened
 * to its container part (the pod is shown beside it), a bare id shortened like `docker ps`
 * does. Details keep the full name.
 */
export function displayName(container: Pick<Container, 'id' | 'name'>): string {
	if (container.name === container.id) return shortId(container.id);
	const kubelet = parseKubeletDockerName(container.name);
	return kubelet ? kubelet.container : container.name;
}

export function podLabel(pod: {readonly namespace: string; readonly name: string}): string {
	return `${pod.namespace}/${pod.name}`;
}

export function stateTone(state: string): 'ok' | 'warn' | 'dim' | 'bad' {
	const s = state.toLowerCase();
	if (s === 'running' || s === 'ready' || s === 'sandbox_ready' || s === 'container_running') return 'ok';
	if (s === 'exited' || s === 'stopped' || s === 'dead' || s === 'container_exited' || s === 'notready' || s === 'sandbox_notready') return 'dim';
	if (s === 'unknown' || s === 'container_unknown') return 'bad';
	return 'warn';
}

/** CRI states arrive as enum names; show them the way `crictl` does. */
export function stateText(state: string): string {
	const s = state.toLowerCase();
	if (s.startsWith('container_')) return s.slice('container_'.length);
	if (s.startsWith('sandbox_')) return s.slice('sandbox_'.length);
	return state;
}
