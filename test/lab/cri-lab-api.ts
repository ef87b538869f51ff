/**
 * The write side of the CRI that only the lab needs: creating, starting and removing pod
 * sandboxes and containers. crimon itself never writes to a runtime, so these schemas stay
 * out of source/. Each is the subset of k8s.io/cri-api `pkg/apis/runtime/v1/api.proto` the
 * lab fills in, with the upstream field numbers (checked against that file); the read-side
 * messages are reused from source/protocol/cri-api.ts.
 */
import {field, message} from '../../source/protocol/protobuf.js';
import {ContainerMetadata, ImageSpec, PodSandboxMetadata} from '../../source/protocol/cri-api.js';

/** enum NamespaceMode */
export const NamespaceMode = {POD: 0, CONTAINER: 1, NODE: 2, TARGET: 3} as const;

/** enum ContainerState */
export const ContainerState = {CREATED: 0, RUNNING: 1, EXITED: 2, UNKNOWN: 3} as const;

/** enum PodSandboxState */
export const PodSandboxState = {READY: 0, NOTREADY: 1} as const;

export const NamespaceOption = message('runtime.v1.NamespaceOption', {
	1: field('network', 'enum'),
	2: field('pid', 'enum'),
	3: field('ipc', 'enum'),
	4: field('targetId', 'string'),
});

export const LinuxSandboxSecurityContext = message('runtime.v1.LinuxSandboxSecurityContext', {
	1: field('namespaceOptions', NamespaceOption),
	4: field('readonlyRootfs', 'bool'),
	6: field('privileged', 'bool'),
});

export const LinuxPodSandboxConfig = message('runtime.v1.LinuxPodSandboxConfig', {
	1: field('cgroupParent', 'string'),
	2: field('securityContext', LinuxSandboxSecurityContext),
	3: field('sysctls', {map: ['string', 'string']}),
});

export const PodSandboxConfig = message('runtime.v1.PodSandboxConfig', {
	1: field('metadata', PodSandboxMetadata),
	2: field('hostname', 'string'),
	3: field('logDirectory', 'string'),
	6: field('labels', {map: ['string', 'string']}),
	7: field('annotations', {map: ['string', 'string']}),
	8: field('linux', LinuxPodSandboxConfig),
});

export const RunPodSandboxRequest = message('runtime.v1.RunPodSandboxRequest', {
	1: field('config', PodSandboxConfig),
	2: field('runtimeHandler', 'string'),
});

export const RunPodSandboxResponse = message('runtime.v1.RunPodSandboxResponse', {
	1: field('podSandboxId', 'string'),
});

export const StopPodSandboxRequest = message('runtime.v1.StopPodSandboxRequest', {
	1: field('podSandboxId', 'string'),
});

export const StopPodSandboxResponse = message('runtime.v1.StopPodSandboxResponse', {});

export const RemovePodSandboxRequest = message('runtime.v1.RemovePodSandboxRequest', {
	1: field('podSandboxId', 'string'),
});

export const RemovePodSandboxResponse = message('runtime.v1.RemovePodSandboxResponse', {});

export const KeyValue = message('runtime.v1.KeyValue', {
	1: field('key', 'string'),
	// bytes since cri-api d3d9c71 (binary env values); the same bytes on the wire as a string.
	2: field('value', 'bytes'),
});

/** enum MountPropagation */
export const MountPropagation = {PRIVATE: 0, HOST_TO_CONTAINER: 1, BIDIRECTIONAL: 2} as const;

export const Mount = message('runtime.v1.Mount', {
	1: field('containerPath', 'string'),
	2: field('hostPath', 'string'),
	3: field('readonly', 'bool'),
	4: field('selinuxRelabel', 'bool'),
	5: field('propagation', 'enum'),
});

export const LinuxContainerSecurityContext = message('runtime.v1.LinuxContainerSecurityContext', {
	2: field('privileged', 'bool'),
	3: field('namespaceOptions', NamespaceOption),
	7: field('readonlyRootfs', 'bool'),
});

export const LinuxContainerConfig = message('runtime.v1.LinuxContainerConfig', {
	2: field('securityContext', LinuxContainerSecurityContext),
});

export const ContainerConfig = message('runtime.v1.ContainerConfig', {
	1: field('metadata', ContainerMetadata),
	2: field('image', ImageSpec),
	3: field('command', 'string', true),
	4: field('args', 'string', true),
	5: field('workingDir', 'string'),
	6: field('envs', KeyValue, true),
	7: field('mounts', Mount, true),
	9: field('labels', {map: ['string', 'string']}),
	10: field('annotations', {map: ['string', 'string']}),
	11: field('logPath', 'string'),
	15: field('linux', LinuxContainerConfig),
});

export const CreateContainerRequest = message('runtime.v1.CreateContainerRequest', {
	1: field('podSandboxId', 'string'),
	2: field('config', ContainerConfig),
	3: field('sandboxConfig', PodSandboxConfig),
});

export const CreateContainerResponse = message('runtime.v1.CreateContainerResponse', {
	1: field('containerId', 'string'),
});

export const StartContainerRequest = message('runtime.v1.StartContainerRequest', {
	1: field('containerId', 'string'),
});

export const StartContainerResponse = message('runtime.v1.StartContainerResponse', {});

export const RemoveContainerRequest = message('runtime.v1.RemoveContainerRequest', {
	1: field('containerId', 'string'),
});

export const RemoveContainerResponse = message('runtime.v1.RemoveContainerResponse', {});

export const ContainerStateValue = message('runtime.v1.ContainerStateValue', {
	1: field('state', 'enum'),
});

export const ContainerFilter = message('runtime.v1.ContainerFilter', {
	1: field('id', 'string'),
	2: field('state', ContainerStateValue),
	3: field('podSandboxId', 'string'),
	4: field('labelSelector', {map: ['string', 'string']}),
});

/** The read side's ListContainersRequest has no filter; the lab asks for one pod's containers. */
export const FilteredListContainersRequest = message('runtime.v1.ListContainersRequest', {
	1: field('filter', ContainerFilter),
});
