/**
 * The subset of the CRI (k8s.io/cri-api, runtime.v1 and its older twin runtime.v1alpha2,
 * which share these messages and field numbers) that crimon reads.
 */
import {field, message} from './protobuf.js';

export const VersionRequest = message('runtime.v1.VersionRequest', {
	1: field('version', 'string'),
});

export const VersionResponse = message('runtime.v1.VersionResponse', {
	1: field('version', 'string'),
	2: field('runtimeName', 'string'),
	3: field('runtimeVersion', 'string'),
	4: field('runtimeApiVersion', 'string'),
});

export const PodSandboxMetadata = message('runtime.v1.PodSandboxMetadata', {
	1: field('name', 'string'),
	2: field('uid', 'string'),
	3: field('namespace', 'string'),
	4: field('attempt', 'uint32'),
});

export const PodSandbox = message('runtime.v1.PodSandbox', {
	1: field('id', 'string'),
	2: field('metadata', PodSandboxMetadata),
	3: field('state', 'enum'),
	4: field('createdAt', 'int64'),
	5: field('labels', {map: ['string', 'string']}),
	6: field('annotations', {map: ['string', 'string']}),
	7: field('runtimeHandler', 'string'),
});

export const SANDBOX_STATE = ['ready', 'notready'] as const;

export const ListPodSandboxRequest = message('runtime.v1.ListPodSandboxRequest', {});

export const ListPodSandboxResponse = message('runtime.v1.ListPodSandboxResponse', {
	1: field('items', PodSandbox, true),
});

export const ContainerMetadata = message('runtime.v1.ContainerMetadata', {
	1: field('name', 'string'),
	2: field('attempt', 'uint32'),
});

export const ImageSpec = message('runtime.v1.ImageSpec', {
	1: field('image', 'string'),
	2: field('annotations', {map: ['string', 'string']}),
});

export const Container = message('runtime.v1.Container', {
	1: field('id', 'string'),
	2: field('podSandboxId', 'string'),
	3: field('metadata', ContainerMetadata),
	4: field('image', ImageSpec),
	5: field('imageRef', 'string'),
	6: field('state', 'enum'),
	7: field('createdAt', 'int64'),
	8: field('labels', {map: ['string', 'string']}),
	9: field('annotations', {map: ['string', 'string']}),
});

export const CONTAINER_STATE = ['created', 'running', 'exited', 'unknown'] as const;

export const ListContainersRequest = message('runtime.v1.ListContainersRequest', {});

export const ListContainersResponse = message('runtime.v1.ListContainersResponse', {
	1: field('containers', Container, true),
});

export const CRI_API_VERSIONS = ['v1', 'v1alpha2'] as const;
export type CriApiVersion = (typeof CRI_API_VERSIONS)[number];

export function criMethod(api: CriApiVersion, method: 'Version' | 'ListPodSandbox' | 'ListContainers'): string {
	return `/runtime.${api}.RuntimeService/${method}`;
}
