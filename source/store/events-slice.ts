/**
 * The store's events: per node, a bounded ring of the newest RUNTIME events (newest first)
 * and the state of the node's event streams for its status line. Written by the live
 * event wiring (source/events/live-events.ts), read by the Events pane and the footer.
 */
import type {StoreApi} from 'zustand/vanilla';
import type {StreamState} from '../events/node-event-stream.js';
import type {RuntimeEvent} from '../events/runtime-event.js';
import {NO_EVENTS, pushEvents, type NodeEvents} from '../model/event-ring.js';

export interface EventsSlice {
	/** By node index; a node without an entry has no events yet. */
	readonly events: readonly NodeEvents[];
	eventsArrived(index: number, events: readonly RuntimeEvent[]): void;
	streamChanged(index: number, state: StreamState): void;
}

function at(list: readonly NodeEvents[], index: number, update: (entry: NodeEvents) => NodeEvents): NodeEvents[] {
	const copy = list.slice();
	while (copy.length <= index) copy.push(NO_EVENTS);
	copy[index] = update(copy[index]!);
	return copy;
}

type SetEvents = (update: (state: EventsSlice) => Pick<EventsSlice, 'events'>) => void;

export function createEventsSlice<S extends EventsSlice>(set: StoreApi<S>['setState']): EventsSlice {
	const setEvents: SetEvents = (update) => set((state) => update(state) as Partial<S>);
	return {
		events: [],
		eventsArrived: (index, events) => setEvents((state) => ({events: at(state.events, index, (e) => ({...e, ring: pushEvents(e.ring, events)}))})),
		streamChanged: (index, stream) => setEvents((state) => ({events: at(state.events, index, (e) => ({...e, stream}))})),
	};
}
