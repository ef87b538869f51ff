/**
 * A container's identity across containerd, the CRI and Docker: its containerd namespace
 * and its id (Docker's containers are containerd's in `moby`, the CRI's in `k8s.io`; a
 * container no containerd lists, podman's or CRI-O's, has no namespace). An id is unique
 * only within a namespace, so every map, row and history keyed by a container uses this
 * one spelling. Neither part can hold a `/` (containerd's identifiers are `[A-Za-z0-9_.-]`).
 * In util, the lowest floor, so collect's readings can key by it as well as the model.
 */
export function containerKey(namespace: string | null, id: string): string {
	return `${namespace ?? ''}/${id}`;
}
