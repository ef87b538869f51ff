/**
 * Pure: one message of containerd's event stream (an Envelope, protobuf bytes) → a
 * RuntimeEvent. Task and container events are decoded from their Any by type URL; other
 * topics (images, snapshots, namespaces, content) are kept as topic only. Throws
 * ProtobufError on bytes that are not an Envelope; an event whose payload does not decode
 * keeps its topic and loses its details rather than the whole stream.
 */
import * as api from '../protocol/containerd-events-api.js';
import {decode, ProtobufError, type Decoded, type MessageSchema} from '../protocol/protobuf.js';
import type {EventKind, RuntimeEvent} from './runtime-event.js';

// Typed views of the decoded messages: each field is checked, never cast.
const text = (d: Decoded, key: string): string => {
	const value = d[key];
	return typeof value === 'string' ? value : '';
};
const count = (d: Decoded, key: string): number => {
	const value = d[key];
	// int64 fields decode to bigint; seconds since the epoch fit a number with room to spare.
	return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
};
const bytes = (d: Decoded, key: string): Uint8Array => {
	const value = d[key];
	return value instanceof Uint8Array ? value : new Uint8Array();
};
const isMessage = (value: unknown): value is Decoded => typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
const child = (d: Decoded, key: string): Decoded | null => {
	const value = d[key];
	return isMessage(value) ? value : null;
};

export interface TimestampMessage {
	readonly seconds: number;
	readonly nanos: number;
}

export interface EnvelopeMessage {
	readonly timestamp: TimestampMessage | null;
	readonly namespace: string;
	readonly topic: string;
	readonly event: {readonly typeUrl: string; readonly value: Uint8Array} | null;
}

export interface TaskEventMessage {
	readonly containerId: string;
	/** The exec id (TaskExit, TaskDelete); '' for the init. */
	readonly id: string;
	readonly pid: number;
	readonly exitStatus: number | null;
}

export interface ContainerEventMessage {
	readonly id: string;
}

function timestampOf(d: Decoded | null): TimestampMessage | null {
	return d ? {seconds: count(d, 'seconds'), nanos: count(d, 'nanos')} : null;
}

export function decodeEnvelope(message: Uint8Array): EnvelopeMessage {
	const d = decode(api.Envelope, message);
	const event = child(d, 'event');
	return {
		timestamp: timestampOf(child(d, 'timestamp')),
		namespace: text(d, 'namespace'),
		topic: text(d, 'topic'),
		event: event ? {typeUrl: text(event, 'typeUrl'), value: bytes(event, 'value')} : null,
	};
}

const TASK_TOPICS: Readonly<Record<string, {kind: EventKind; schema: MessageSchema; typeName: string}>> = {
	'/tasks/start': {kind: 'start', schema: api.TaskStart, typeName: 'containerd.events.TaskStart'},
	'/tasks/exit': {kind: 'exit', schema: api.TaskExit, typeName: 'containerd.events.TaskExit'},
	'/tasks/delete': {kind: 'delete', schema: api.TaskDelete, typeName: 'containerd.events.TaskDelete'},
	'/tasks/oom': {kind: 'oom', schema: api.TaskOOM, typeName: 'containerd.events.TaskOOM'},
};

const CONTAINER_TOPICS: Readonly<Record<string, {kind: EventKind; schema: MessageSchema; typeName: string}>> = {
	'/containers/create': {kind: 'create', schema: api.ContainerCreate, typeName: 'containerd.events.ContainerCreate'},
	'/containers/update': {kind: 'update', schema: api.ContainerUpdate, typeName: 'containerd.events.ContainerUpdate'},
	'/containers/delete': {kind: 'container-delete', schema: api.ContainerDelete, typeName: 'containerd.events.ContainerDelete'},
};

export function decodeTaskEvent(topic: string, value: Uint8Array): TaskEventMessage {
	const spec = TASK_TOPICS[topic];
	if (!spec) throw new ProtobufError(`${topic} is not a task event`);
	const d = decode(spec.schema, value);
	const hasExit = topic === '/tasks/exit' || topic === '/tasks/delete';
	return {containerId: text(d, 'containerId'), id: text(d, 'id'), pid: count(d, 'pid'), exitStatus: hasExit ? count(d, 'exitStatus') : null};
}

export function decodeContainerEvent(topic: string, value: Uint8Array): ContainerEventMessage {
	const spec = CONTAINER_TOPICS[topic];
	if (!spec) throw new ProtobufError(`${topic} is not a container event`);
	return {id: text(decode(spec.schema, value), 'id')};
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
	} catch (error) {
		if (!(error instanceof ProtobufError)) throw error;
		// The topic still says what happened; its details are lost.
	}
	return {...base, kind: task?.kind ?? container?.kind ?? 'other'};
}
