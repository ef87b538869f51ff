/**
 * Pure: what is known of one node between polls: its last good snapshot (kept, marked
 * stale, while later polls fail), when it was polled, why it failed, and its usage history.
 * The store holds one per node; the status line and the panes read them.
 */
import type {NodeSnapshot} from '../schema/types.js';
import {modelOfSnapshot, type NodeModel} from './node-model.js';
import {EMPTY_HISTORY, recordUsage, type UsageHistory} from './usage-history.js';

export type NodeStatus = 'pending' | 'ok' | 'stale' | 'failed';

export interface NodeEntry {
	readonly name: string;
	readonly target: string;
	/** The last snapshot of a poll that reached the node; kept while later polls fail. */
	readonly snapshot: NodeSnapshot | null;
	/** The snapshot's model (its index, what the last poll changed); null with no snapshot. */
	readonly model: NodeModel | null;
	readonly status: NodeStatus;
	/** When the last poll finished (ms since epoch). */
	readonly lastPollAt: number | null;
	readonly lastOkAt: number | null;
	/** Why the last poll failed to reach the node; null after a good poll. */
	readonly lastError: string | null;
	readonly inFlight: boolean;
	/** Consecutive failed polls; drives the backoff. */
	readonly failures: number;
	/** Time of the last poll's duration in ms, for the footer and the benchmark. */
	readonly lastDurationMs: number | null;
	/** The last samples of each container's usage (details' sparklines); outside the snapshot. */
	readonly history: UsageHistory;
}

export function initialEntry(name: string, target: string): NodeEntry {
	return {name, target, snapshot: null, model: null, status: 'pending', lastPollAt: null, lastOkAt: null, lastError: null, inFlight: false, failures: 0, lastDurationMs: null, history: EMPTY_HISTORY};
}

/**
 * Pure: a node's entry after one poll, told as the session's model or as a bare snapshot
 * (a file read back, a test), which is modelled here against the entry's last one. A poll
 * that changed nothing keeps the entry's snapshot object, so no pane rebuilds.
 */
export function applyPoll(entry: NodeEntry, polled: NodeSnapshot | NodeModel, finishedAt: number, durationMs: number): NodeEntry {
	const snapshot = 'changes' in polled ? polled.snapshot : polled;
	if (snapshot.ok) {
		const model = 'changes' in polled ? polled : modelOfSnapshot(polled, entry.model);
		return {...entry, name: snapshot.name, snapshot: model.snapshot, model, status: 'ok', lastPollAt: finishedAt, lastOkAt: finishedAt, lastError: null, inFlight: false, failures: 0, lastDurationMs: durationMs, history: recordUsage(entry.history ?? EMPTY_HISTORY, snapshot)};
	}
	const reason = snapshot.errors[0]?.message ?? 'unreachable';
	return {
		...entry,
		// Keep the last good picture, marked stale, rather than blanking the screen.
		snapshot: entry.snapshot ?? snapshot,
		model: entry.model ?? ('changes' in polled ? polled : modelOfSnapshot(polled, null)),
		status: entry.snapshot?.ok ? 'stale' : 'failed',
		lastPollAt: finishedAt,
		lastError: reason,
		inFlight: false,
		failures: entry.failures + 1,
		lastDurationMs: durationMs,
	};
}
