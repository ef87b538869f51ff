/**
 * The subset of containerd's gRPC API that crimon reads (containerd/api, services
 * version/v1, namespaces/v1, containers/v1, tasks/v1 and types/task). Every method named
 * here is a read; test/unit/read-only.test.ts holds crimon to that.
 *
 * The messages marked @public are held against upstream's .proto by
 * test/unit/proto-upstream.test.ts, which reads them all from the module.
 */
import {field, message} from './protobuf.js';

export const Any = message('google.protobuf.Any', {
	1: field('typeUrl', 'string'),
	2: field('value', 'bytes'),
});

export const Empty = message('google.protobuf.Empty', {});

export const VersionResponse = message('containerd.services.version.v1.VersionResponse', {
	1: field('version', 'string'),
	2: field('revision', 'string'),
});

/** @public */ export const Namespace = message('containerd.services.namespaces.v1.Namespace', {
	1: field('name', 'string'),
	2: field('labels', {map: ['string', 'string']}),
});

export const ListNamespacesRequest = message('containerd.services.namespaces.v1.ListNamespacesRequest', {
	1: field('filter', 'string'),
});

export const ListNamespacesResponse = message('containerd.services.namespaces.v1.ListNamespacesResponse', {
	1: field('namespaces', Namespace, true),
});

/** @public */ export const ContainerRuntime = message('containerd.services.containers.v1.Container.Runtime', {
	1: field('name', 'string'),
	2: field('options', Any),
});

/** @public */ export const Container = message('containerd.services.containers.v1.Container', {
	1: field('id', 'string'),
	2: field('labels', {map: ['string', 'string']}),
	3: field('image', 'string'),
	4: field('runtime', ContainerRuntime),
	5: field('spec', Any),
	6: field('snapshotter', 'string'),
	7: field('snapshotKey', 'string'),
	11: field('sandbox', 'string'),
});

export const ListContainersRequest = message('containerd.services.containers.v1.ListContainersRequest', {
	1: field('filters', 'string', true),
});

export const ListContainersResponse = message('containerd.services.containers.v1.ListContainersResponse', {
	1: field('containers', Container, true),
});

export const Timestamp = message('google.protobuf.Timestamp', {
	1: field('seconds', 'int64'),
	2: field('nanos', 'int32'),
});

/** @public */ export const Process = message('containerd.v1.types.Process', {
	1: field('containerId', 'string'),
	2: field('id', 'string'),
	3: field('pid', 'uint32'),
	4: field('status', 'enum'),
	9: field('exitStatus', 'uint32'),
	10: field('exitedAt', Timestamp),
});

export const TASK_STATUS = ['unknown', 'created', 'running', 'stopped', 'paused', 'pausing'] as const;

export const ListTasksRequest = message('containerd.services.tasks.v1.ListTasksRequest', {
	1: field('filter', 'string'),
});

export const ListTasksResponse = message('containerd.services.tasks.v1.ListTasksResponse', {
	1: field('tasks', Process, true),
});

export const CONTAINERD_METHODS = {
	version: '/containerd.services.version.v1.Version/Version',
	listNamespaces: '/containerd.services.namespaces.v1.Namespaces/List',
	listContainers: '/containerd.services.containers.v1.Containers/List',
	listTasks: '/containerd.services.tasks.v1.Tasks/List',
} as const;

/** containerd scopes every call but namespace listing by this gRPC metadata key. */
export const NAMESPACE_HEADER = 'containerd-namespace';
