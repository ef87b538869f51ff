/**
 * Pure: how an event reads, for `crimon events` and the Events pane: what happened in a
 * few words, and which container it was about (from the node's latest snapshot).
 */
import type {NodeSnapshot, PodRef} from '../schema/types.js';
import type {RuntimeEvent} from '../events/runtime-event.js';

/** "exited 137", "OOM", "started", "deleted", …; the topic for anything else. */
export function eventWhat(event: RuntimeEvent): string {
	switch (event.kind) {
		case 'exit': {
			const status = event.exitStatus === null ? 'exited' : `exited ${event.exitStatus}`;
			return event.execId ? `${status} (exec ${event.execId})` : status;
		}
		case 'oom': return 'OOM';
		case 'start': return 'started';
		case 'delete': return 'deleted';
		case 'create': return 'created';
		case 'update': return 'updated';
		case 'container-delete': return 'removed';
		case 'restart': return 'restarted';
		case 'task-create': return 'task created';
		case 'sandbox-create': return 'sandbox created';
		case 'sandbox-start': return 'sandbox started';
		case 'sandbox-exit': return event.exitStatus === null ? 'sandbox exited' : `sandbox exited ${event.exitStatus}`;
		case 'other': return event.topic;
	}
}

export interface EventSubject {
	readonly namespace: string | null;
	readonly name: string | null;
	readonly pod: PodRef | null;
}

/** The container an event is about, as the node's latest snapshot knows it. */
export function eventSubject(event: RuntimeEvent, snapshot: NodeSnapshot | null): EventSubject {
	const namespace = event.namespace ?? (event.source === 'docker' ? 'moby' : null);
	if (event.id === null) return {namespace, name: null, pod: null};
	const matches = snapshot?.containers.filter((c) => c.id === event.id) ?? [];
	const container = matches.find((c) => c.namespace === namespace) ?? matches[0];
	if (!container) return {namespace, name: event.name, pod: null};
	return {namespace: container.namespace ?? namespace, name: container.name, pod: container.pod};
}

/** The NDJSON line of `crimon events --json` (null where a field does not apply). */
export interface EventLine {
	readonly node: string;
	readonly at: string;
	readonly namespace: string | null;
	readonly topic: string;
	readonly id: string | null;
	readonly name: string | null;
	readonly pod: PodRef | null;
	readonly pid: number | null;
	readonly exitStatus: number | null;
	readonly source: RuntimeEvent['source'];
}

export function eventLine(node: string, event: RuntimeEvent, snapshot: NodeSnapshot | null): EventLine {
	const subject = eventSubject(event, snapshot);
	return {
		node, at: new Date(event.at).toISOString(), namespace: subject.namespace, topic: event.topic, id: event.id,
		name: subject.name, pod: subject.pod, pid: event.pid, exitStatus: event.exitStatus, source: event.source,
	};
}

/** Whether an event changes what a poll would show (a container or task came, went or changed). */
export function changesRuntime(event: RuntimeEvent): boolean {
	return event.kind !== 'other' || /^\/(tasks|containers|namespaces|sandboxes)\//.test(event.topic);
}
