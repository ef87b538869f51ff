/** Pure parsers for the CRI's answers (runtime.v1 or v1alpha2 protobuf bytes). */
import * as api from '../protocol/cri-api.js';
import {decode} from '../protocol/protobuf.js';
import type {CriContainerFact, CriSandboxFact} from '../schema/types.js';

export interface CriVersion {
	readonly version: string;
	readonly runtimeName: string;
	readonly runtimeVersion: string;
	readonly runtimeApiVersion: string;
}

export function parseCriVersion(bytes: Uint8Array): CriVersion {
	const decoded = decode(api.VersionResponse, bytes);
	return {
		version: decoded.version,
		runtimeName: decoded.runtimeName,
		runtimeVersion: decoded.runtimeVersion,
		runtimeApiVersion: decoded.runtimeApiVersion,
	};
}

export function parseSandboxes(bytes: Uint8Array): CriSandboxFact[] {
	const decoded = decode(api.ListPodSandboxResponse, bytes);
	return decoded.items.map((item) => ({
		id: item.id,
		name: item.metadata?.name ?? '',
		namespace: item.metadata?.namespace ?? '',
		uid: item.metadata?.uid ?? '',
		state: api.SANDBOX_STATE[item.state] ?? 'unknown',
		labels: item.labels,
	}));
}

export function parseCriContainers(bytes: Uint8Array): CriContainerFact[] {
	const decoded = decode(api.ListContainersResponse, bytes);
	return decoded.containers.map((item) => ({
		id: item.id,
		podSandboxId: item.podSandboxId,
		name: item.metadata?.name ?? '',
		image: item.image?.image ?? item.imageRef,
		state: api.CONTAINER_STATE[item.state] ?? 'unknown',
		labels: item.labels,
		attempt: item.metadata?.attempt ?? 0,
	}));
}
