/**
 * Exits and OOMs per container, counted from a node's event stream while crimon watches;
 * the restart-loop and oom-killed findings read them. containerd's events are the ones
 * counted; Docker's (die, oom) only while containerd's stream is not to be had, so one
 * exit is never counted twice. Bounded: past MAX_CONTAINERS the longest-quiet is dropped.
 */
import type {ContainerEventCount} from '../model/types.js';
import {isInitEvent, type RuntimeEvent} from './runtime-event.js';

export const MAX_CONTAINERS = 10_000;

interface Count {
	namespace: string | null;
	id: string;
	exits: number;
	lastExitStatus: number | null;
	ooms: number;
}

export class EventTally {
	private readonly counts = new Map<string, Count>();
	private snapshot: readonly ContainerEventCount[] | null = [];

	/** `containerdLive`: whether the node's containerd stream is up (then Docker's copies are not counted). */
	record(event: RuntimeEvent, containerdLive: boolean): void {
		if (event.id === null) return;
		if (event.source === 'docker' && containerdLive) return;
		const exit = event.kind === 'exit' && isInitEvent(event);
		const oom = event.kind === 'oom';
		if (!exit && !oom) return;
		// Docker's events carry no containerd namespace; its containers live in moby.
		const namespace = event.source === 'docker' ? 'moby' : event.namespace;
		const key = `${namespace ?? ''}/${event.id}`;
		let count = this.counts.get(key);
		if (count) this.counts.delete(key);
		else count = {namespace, id: event.id, exits: 0, lastExitStatus: null, ooms: 0};
		this.counts.set(key, count);
		if (exit) {
			count.exits++;
			count.lastExitStatus = event.exitStatus;
		}
		if (oom) count.ooms++;
		if (this.counts.size > MAX_CONTAINERS) this.counts.delete(this.counts.keys().next().value!);
		this.snapshot = null;
	}

	/** The counts so far (the same array until something changes). */
	list(): readonly ContainerEventCount[] {
		return (this.snapshot ??= [...this.counts.values()].map((c) => ({...c})));
	}
}
