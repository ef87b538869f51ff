/**
 * Pure: one message of containerd's event stream (an Envelope, protobuf bytes) → a
 * RuntimeEvent. Task, container and (containerd 2.x) sandbox events are decoded from their
 * Any by type URL; other
 * topics (images, snapshots, namespaces, content) are kept as topic only. Throws
 * ProtobufError on bytes that are not an Envelope; an event whose payload does not decode
 * keeps its topic and loses its details rather than the whole stream.
 */
import * as api from '../protocol/containerd-events-api.js';
import type {Timestamp} from '../protocol/containerd-api.js';
import {decode, ProtobufError, type Decoded} from '../protocol/protobuf.js';
import type {EventKind, RuntimeEvent} from './runtime-event.js';

interface TimestampMessage {
	readonly seconds: number;
	readonly nanos: number;
}

export interface EnvelopeMessage {
	readonly timestamp: TimestampMessage | null;
	readonly namespace: string;
	readonly topic: string;
	readonly event: {readonly typeUrl: string; readonly value: Uint8Array} | null;
}

interface TaskEventMessage {
	readonly containerId: string;
	/** The exec id (TaskExit, TaskDelete); '' for the init. */
	readonly id: string;
	readonly pid: number;
	readonly exitStatus: number | null;
}

interface ContainerEventMessage {
	readonly id: string;
}

interface SandboxEventMessage {
	readonly sandboxId: string;
	readonly exitStatus: number | null;
}

function timestampOf(d: Decoded<typeof Timestamp> | null): TimestampMessage | null {
	// Seconds since the epoch decode as int64 (bigint) and fit a number with room to spare.
	return d ? {seconds: Number(d.seconds), nanos: d.nanos} : null;
}

export function decodeEnvelope(message: Uint8Array): EnvelopeMessage {
	const d = decode(api.Envelope, message);
	return {
		timestamp: timestampOf(d.timestamp),
		namespace: d.namespace,
		topic: d.topic,
		event: d.event ? {typeUrl: d.event.typeUrl, value: d.event.value} : null,
	};
}

interface TopicSpec<M> {
	readonly kind: EventKind;
	readonly typeName: string;
	/** Decodes the Any's value; each topic reads its own schema, so each field read is checked. */
	readonly read: (value: Uint8Array) => M;
}

// Task events carry different subsets of these fields; one missing from a schema reads as
// its proto3 default would ('' or 0), and exitStatus is null where the event has none.
const TASK_TOPICS: Readonly<Record<string, TopicSpec<TaskEventMessage>>> = {
	'/tasks/create': {kind: 'task-create', typeName: 'containerd.events.TaskCreate', read: (value) => {
		const d = decode(api.TaskCreate, value);
		return {containerId: d.containerId, id: '', pid: d.pid, exitStatus: null};
	}},
	'/tasks/start': {kind: 'start', typeName: 'containerd.events.TaskStart', read: (value) => {
		const d = decode(api.TaskStart, value);
		return {containerId: d.containerId, id: '', pid: d.pid, exitStatus: null};
	}},
	'/tasks/exit': {kind: 'exit', typeName: 'containerd.events.TaskExit', read: (value) => {
		const d = decode(api.TaskExit, value);
		return {containerId: d.containerId, id: d.id, pid: d.pid, exitStatus: d.exitStatus};
	}},
	'/tasks/delete': {kind: 'delete', typeName: 'containerd.events.TaskDelete', read: (value) => {
		const d = decode(api.TaskDelete, value);
		return {containerId: d.containerId, id: d.id, pid: d.pid, exitStatus: d.exitStatus};
	}},
	'/tasks/oom': {kind: 'oom', typeName: 'containerd.events.TaskOOM', read: (value) => {
		const d = decode(api.TaskOOM, value);
		return {containerId: d.containerId, id: '', pid: 0, exitStatus: null};
	}},
};

const CONTAINER_TOPICS: Readonly<Record<string, TopicSpec<ContainerEventMessage>>> = {
	'/containers/create': {kind: 'create', typeName: 'containerd.events.ContainerCreate', read: (value) => ({id: decode(api.ContainerCreate, value).id})},
	'/containers/update': {kind: 'update', typeName: 'containerd.events.ContainerUpdate', read: (value) => ({id: decode(api.ContainerUpdate, value).id})},
	'/containers/delete': {kind: 'container-delete', typeName: 'containerd.events.ContainerDelete', read: (value) => ({id: decode(api.ContainerDelete, value).id})},
};

// A sandbox's id is its pod's (the pause container's id under the podsandbox controller).
const SANDBOX_TOPICS: Readonly<Record<string, TopicSpec<SandboxEventMessage>>> = {
	'/sandboxes/create': {kind: 'sandbox-create', typeName: 'containerd.events.SandboxCreate', read: (value) => ({sandboxId: decode(api.SandboxCreate, value).sandboxId, exitStatus: null})},
	'/sandboxes/start': {kind: 'sandbox-start', typeName: 'containerd.events.SandboxStart', read: (value) => ({sandboxId: decode(api.SandboxStart, value).sandboxId, exitStatus: null})},
	'/sandboxes/exit': {kind: 'sandbox-exit', typeName: 'containerd.events.SandboxExit', read: (value) => {
		const d = decode(api.SandboxExit, value);
		return {sandboxId: d.sandboxId, exitStatus: d.exitStatus};
	}},
};

function decodeTaskEvent(topic: string, value: Uint8Array): TaskEventMessage {
	const spec = TASK_TOPICS[topic];
	if (!spec) throw new ProtobufError(`${topic} is not a task event`);
	return spec.read(value);
}

function decodeContainerEvent(topic: string, value: Uint8Array): ContainerEventMessage {
	const spec = CONTAINER_TOPICS[topic];
	if (!spec) throw new ProtobufError(`${topic} is not a container event`);
	return spec.read(value);
}

const typeMatches = (typeUrl: string, typeName: string) => typeUrl === typeName || typeUrl.endsWith(`/${typeName}`);

/** One Envelope → a RuntimeEvent; `receivedAt` dates an envelope without a timestamp. */
export function containerdEvent(message: Uint8Array, receivedAt: number): RuntimeEvent {
	const envelope = decodeEnvelope(message);
	const at = envelope.timestamp && envelope.timestamp.seconds > 0 ? envelope.timestamp.seconds * 1000 + Math.floor(envelope.timestamp.nanos / 1e6) : receivedAt;
	const base: RuntimeEvent = {
		at, namespace: envelope.namespace || null, topic: envelope.topic, kind: 'other',
		id: null, execId: null, pid: null, exitStatus: null, name: null, source: 'containerd',
	};
	const payload = envelope.event;
	const task = TASK_TOPICS[envelope.topic];
	const container = CONTAINER_TOPICS[envelope.topic];
	const sandbox = SANDBOX_TOPICS[envelope.topic];
	try {
		if (task && payload && typeMatches(payload.typeUrl, task.typeName)) {
			const decoded = decodeTaskEvent(envelope.topic, payload.value);
			return {
				...base, kind: task.kind, id: decoded.containerId || null,
				execId: decoded.id && decoded.id !== decoded.containerId ? decoded.id : null,
				pid: decoded.pid || null, exitStatus: decoded.exitStatus,
			};
		}
		if (container && payload && typeMatches(payload.typeUrl, container.typeName)) {
			return {...base, kind: container.kind, id: decodeContainerEvent(envelope.topic, payload.value).id || null};
		}
		if (sandbox && payload && typeMatches(payload.typeUrl, sandbox.typeName)) {
			const decoded = sandbox.read(payload.value);
			return {...base, kind: sandbox.kind, id: decoded.sandboxId || null, exitStatus: decoded.exitStatus};
		}
	} catch (error) {
		if (!(error instanceof ProtobufError)) throw error;
		// The topic still says what happened; its details are lost.
	}
	return {...base, kind: task?.kind ?? container?.kind ?? sandbox?.kind ?? 'other'};
}
