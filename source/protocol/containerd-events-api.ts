/**
 * containerd's event service (api/services/events/v1/events.proto) and the event messages
 * crimon decodes (api/events/task.proto, container.proto, and containerd 2.x's sandbox.proto),
 * with upstream field numbers.
 * Subscribe is a server-streaming read: it changes nothing on the node.
 */
import {Any, Timestamp} from './containerd-api.js';
import {field, message} from './protobuf.js';

export const EVENTS_SUBSCRIBE = '/containerd.services.events.v1.Events/Subscribe';

export const SubscribeRequest = message('containerd.services.events.v1.SubscribeRequest', {
	1: field('filters', 'string', true),
});

export const Envelope = message('containerd.services.events.v1.Envelope', {
	1: field('timestamp', Timestamp),
	2: field('namespace', 'string'),
	3: field('topic', 'string'),
	4: field('event', Any),
});

export const TaskCreate = message('containerd.events.TaskCreate', {
	1: field('containerId', 'string'),
	6: field('pid', 'uint32'),
});

export const TaskStart = message('containerd.events.TaskStart', {
	1: field('containerId', 'string'),
	2: field('pid', 'uint32'),
});

export const TaskExit = message('containerd.events.TaskExit', {
	1: field('containerId', 'string'),
	2: field('id', 'string'),
	3: field('pid', 'uint32'),
	4: field('exitStatus', 'uint32'),
	5: field('exitedAt', Timestamp),
});

export const TaskDelete = message('containerd.events.TaskDelete', {
	1: field('containerId', 'string'),
	2: field('pid', 'uint32'),
	3: field('exitStatus', 'uint32'),
	4: field('exitedAt', Timestamp),
	5: field('id', 'string'),
});

export const TaskOOM = message('containerd.events.TaskOOM', {
	1: field('containerId', 'string'),
});

export const ContainerCreate = message('containerd.events.ContainerCreate', {
	1: field('id', 'string'),
	2: field('image', 'string'),
});

export const ContainerUpdate = message('containerd.events.ContainerUpdate', {
	1: field('id', 'string'),
	2: field('image', 'string'),
});

export const ContainerDelete = message('containerd.events.ContainerDelete', {
	1: field('id', 'string'),
});

// containerd 2.x's sandbox API (the CRI's pods when its sandbox controller runs them).
export const SandboxCreate = message('containerd.events.SandboxCreate', {
	1: field('sandboxId', 'string'),
});

export const SandboxStart = message('containerd.events.SandboxStart', {
	1: field('sandboxId', 'string'),
});

export const SandboxExit = message('containerd.events.SandboxExit', {
	1: field('sandboxId', 'string'),
	2: field('exitStatus', 'uint32'),
	3: field('exitedAt', Timestamp),
});
