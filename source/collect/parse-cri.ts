/** Pure parsers for the CRI's answers (runtime.v1 or v1alpha2 protobuf bytes). */
import * as api from '../protocol/cri-api.js';
import {decode, type Decoded} from '../protocol/protobuf.js';
import type {CriContainerFact, CriSandboxFact} from '../model/types.js';

export interface CriVersion {
	readonly version: string;
	readonly runtimeName: string;
	readonly runtimeVersion: string;
	readonly runtimeApiVersion: string;
}

export function parseCriVersion(bytes: Uint8Array): CriVersion {
	const decoded = decode(api.VersionResponse, bytes);
	return {
		version: decoded.version as string,
		runtimeName: decoded.runtimeName as string,
		runtimeVersion: decoded.runtimeVersion as string,
		runtimeApiVersion: decoded.runtimeApiVersion as string,
	};
}

export function parseSandboxes(bytes: Uint8Array): CriSandboxFact[] {
	const decoded = decode(api.ListPodSandboxResponse, bytes);
	return (decoded.items as Decoded[]).map((item) => {
		const metadata = (item.metadata as Decoded | null) ?? {};
		return {
			id: item.id as string,
			name: (metadata.name as string | undefined) ?? '',
			namespace: (metadata.namespace as string | undefined) ?? '',
			uid: (metadata.uid as string | undefined) ?? '',
			state: api.SANDBOX_STATE[item.state as number] ?? 'unknown',
			labels: item.labels as Record<string, string>,
		};
	});
}

export function parseCriContainers(bytes: Uint8Array): CriContainerFact[] {
	const decoded = decode(api.ListContainersResponse, bytes);
	return (decoded.containers as Decoded[]).map((item) => ({
		id: item.id as string,
		podSandboxId: item.podSandboxId as string,
		name: ((item.metadata as Decoded | null)?.name as string | undefined) ?? '',
		image: ((item.image as Decoded | null)?.image as string | undefined) ?? (item.imageRef as string),
		state: api.CONTAINER_STATE[item.state as number] ?? 'unknown',
		labels: item.labels as Record<string, string>,
		attempt: ((item.metadata as Decoded | null)?.attempt as number | undefined) ?? 0,
	}));
}
