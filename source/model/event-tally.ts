/**
 * Exits and OOMs per container, counted from a node's event streams while crimon watches;
 * the restart-loop and oom-killed findings read them. containerd's and Docker's streams
 * are counted apart and the larger count taken, so one exit seen on both is never counted
 * twice, and a Docker container whose containerd crimon does not subscribe to is still
 * counted. Bounded: past MAX_CONTAINERS the longest-quiet container is dropped.
 */
import type {ContainerEventCount} from '../schema/types.js';
import {isInitEvent, type RuntimeEvent} from '../events/runtime-event.js';
import {containerKey} from '../util/container-key.js';

const MAX_CONTAINERS = 10_000;

interface Count {
	readonly namespace: string | null;
	readonly id: string;
	readonly exits: {containerd: number; docker: number};
	readonly ooms: {containerd: number; docker: number};
	lastExitStatus: number | null;
}

export class EventTally {
	private readonly counts = new Map<string, Count>();
	private listed: readonly ContainerEventCount[] | null = [];

	record(event: RuntimeEvent): void {
		if (event.id === null) return;
		const exit = event.kind === 'exit' && isInitEvent(event);
		const oom = event.kind === 'oom';
		if (!exit && !oom) return;
		// Docker's events carry no containerd namespace; its containers live in moby.
		const namespace = event.source === 'docker' ? 'moby' : event.namespace;
		const key = containerKey(namespace, event.id);
		let count = this.counts.get(key);
		if (count) this.counts.delete(key);
		else count = {namespace, id: event.id, exits: {containerd: 0, docker: 0}, ooms: {containerd: 0, docker: 0}, lastExitStatus: null};
		this.counts.set(key, count);
		if (exit) {
			count.exits[event.source]++;
			if (event.exitStatus !== null) count.lastExitStatus = event.exitStatus;
		}
		if (oom) count.ooms[event.source]++;
		if (this.counts.size > MAX_CONTAINERS) this.counts.delete(this.counts.keys().next().value!);
		this.listed = null;
	}

	/** The counts so far (the same array until something changes). */
	list(): readonly ContainerEventCount[] {
		return (this.listed ??= [...this.counts.values()].map((c) => ({
			namespace: c.namespace, id: c.id,
			exits: Math.max(c.exits.containerd, c.exits.docker),
			lastExitStatus: c.lastExitStatus,
			ooms: Math.max(c.ooms.containerd, c.ooms.docker),
		})));
	}
}
