/**
 * The subjects findings name, and the `ctr` command lines their messages suggest: shared by
 * the health findings and the exit findings so both spell a container and a command alike.
 */
import {canonicalRunPath} from '../collect/kubelet-flags.js';
import {DEFAULT_CONTAINERD_ADDRESS} from './process-tree.js';
import type {Container, FindingSubject} from '../schema/types.js';

/** `ctr` with --address only when the socket is not the default one. */
export function ctrCommand(address: string, namespace: string, rest: string): string {
	const socket = address && canonicalRunPath(address) !== DEFAULT_CONTAINERD_ADDRESS ? ` --address ${address}` : '';
	return `ctr${socket} -n ${namespace} ${rest}`;
}

export function containerSubject(container: Container, detail: string | null): FindingSubject {
	return {
		kind: 'container', id: container.id, name: container.name, namespace: container.namespace,
		pod: container.pod ? {name: container.pod.name, namespace: container.pod.namespace} : null, detail,
	};
}
