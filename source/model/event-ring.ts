/**
 * Pure: a node's bounded ring of the newest runtime events (newest first), and the state of
 * its event streams, as the Events pane and the footer read them.
 */
import type {StreamState} from '../events/node-event-stream.js';
import type {RuntimeEvent} from '../events/runtime-event.js';

export const EVENT_RING_SIZE = 1_000;

/** An event as kept: `seq` orders and names it for the pane's cursor. */
export interface StoredEvent extends RuntimeEvent {
	readonly seq: number;
}

export interface NodeEvents {
	readonly ring: readonly StoredEvent[];
	/** null: no stream was tried for this node (saved files, tests). */
	readonly stream: StreamState | null;
}

export const NO_EVENTS: NodeEvents = {ring: [], stream: null};

/** Pure: the ring after `events` (oldest first) arrived: newest first, at most `size`. */
export function pushEvents(ring: readonly StoredEvent[], events: readonly RuntimeEvent[], size = EVENT_RING_SIZE): StoredEvent[] {
	// Numbered on from the ring's newest, so the ring alone says what comes next.
	let seq = (ring[0]?.seq ?? 0) + Math.min(events.length, size);
	const fresh: StoredEvent[] = [];
	for (let i = events.length - 1; i >= 0 && fresh.length < size; i--) fresh.push({...events[i]!, seq: seq--});
	return fresh.concat(ring.slice(0, Math.max(0, size - fresh.length)));
}
