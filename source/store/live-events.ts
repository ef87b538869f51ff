/**
 * The app's live events: one NodeEventStream per polled node. Events go into the store's
 * ring (batched, so a burst is one update), into the node's tally (restart-loop and
 * oom-killed), and re-poll the node at once, debounced, so a container that starts shows
 * within a second whatever --interval is. Stream states go to the store for the status line.
 */
import type {NodeHandle} from '../session/open-node.js';
import type {CrimonStore} from './store.js';
import type {EventTally} from '../model/event-tally.js';
import {changesRuntime} from '../render/event-text.js';
import {NodeEventStream} from '../events/node-event-stream.js';
import {RepollOnEvents, type RepollTarget} from '../session/repoll-on-events.js';
import type {RuntimeEvent} from '../events/runtime-event.js';

export interface PollNow {
	pollNow(index?: number): void;
}

/** Polls a node through the poller and resolves when that poll is done; waits out one in flight first. */
export function pollerTarget(poller: PollNow, store: CrimonStore): RepollTarget {
	const idle = (index: number) => new Promise<void>((resolve) => {
		if (!store.getState().nodes[index]?.inFlight) {
			resolve();
			return;
		}
		const unsubscribe = store.subscribe((state) => {
			if (state.nodes[index]?.inFlight) return;
			unsubscribe();
			resolve();
		});
	});
	return {
		pollNow: async (index) => {
			await idle(index);
			if (store.getState().paused) return;
			poller.pollNow(index);
			await idle(index);
		},
	};
}

const BATCH_MS = 50;

export interface LiveEvents {
	stop(): void;
}

export function startLiveEvents(handles: readonly NodeHandle[], store: CrimonStore, poller: PollNow, tallies: readonly EventTally[], debounceMs = 150): LiveEvents {
	const repoll = new RepollOnEvents(pollerTarget(poller, store), debounceMs);
	const pending = new Map<number, RuntimeEvent[]>();
	let flushTimer: NodeJS.Timeout | null = null;
	const flush = () => {
		flushTimer = null;
		for (const [index, events] of pending) store.getState().eventsArrived(index, events);
		pending.clear();
	};
	const streams = handles.map((handle, index) => {
		const options = handle.collectOptions;
		const stream: NodeEventStream = new NodeEventStream(handle.transport, {
			containerdSocket: options.containerdSocket,
			dockerSocket: options.dockerSocket,
			sudo: options.sudo ?? false,
			timeoutMs: options.timeoutMs,
		}, {
			onEvent: (event) => {
				tallies[index]?.record(event);
				let list = pending.get(index);
				if (!list) pending.set(index, (list = []));
				list.push(event);
				flushTimer ??= setTimeout(flush, BATCH_MS);
				if (changesRuntime(event)) repoll.request(index);
			},
			onState: (state) => store.getState().streamChanged(index, state),
		});
		stream.start();
		return stream;
	});
	return {
		stop() {
			repoll.stop();
			if (flushTimer) clearTimeout(flushTimer);
			for (const stream of streams) stream.close();
		},
	};
}
