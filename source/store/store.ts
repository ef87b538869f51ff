/**
 * The one store (zustand, vanilla so the headless `snapshot` shares it with the app).
 * The poller writes node data here; views read it through narrow selectors.
 */
import {createStore, type StoreApi} from 'zustand/vanilla';
import type {NodeSnapshot} from '../model/types.js';
import {createUiSlice, type UiSlice} from './ui-state.js';
import {EMPTY_HISTORY, recordUsage, type UsageHistory} from './usage-history.js';
import {createEventsSlice, type EventsSlice} from './events-slice.js';

export type NodeStatus = 'pending' | 'ok' | 'stale' | 'failed';

export interface NodeEntry {
	readonly name: string;
	readonly target: string;
	/** The last snapshot of a poll that reached the node; kept while later polls fail. */
	readonly snapshot: NodeSnapshot | null;
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

export interface DataState {
	readonly nodes: readonly NodeEntry[];
	readonly intervalMs: number;
	readonly paused: boolean;
}

export interface DataActions {
	pollStarted(index: number): void;
	pollFinished(index: number, snapshot: NodeSnapshot, finishedAt: number, durationMs: number): void;
	setPaused(paused: boolean): void;
}

export type CrimonState = DataState & DataActions & UiSlice & EventsSlice;
export type CrimonStore = StoreApi<CrimonState>;

export function initialEntry(name: string, target: string): NodeEntry {
	return {name, target, snapshot: null, status: 'pending', lastPollAt: null, lastOkAt: null, lastError: null, inFlight: false, failures: 0, lastDurationMs: null, history: EMPTY_HISTORY};
}

function replaceAt<T>(list: readonly T[], index: number, update: (item: T) => T): readonly T[] {
	const item = list[index];
	if (item === undefined) return list;
	const copy = list.slice();
	copy[index] = update(item);
	return copy;
}

/** Pure: a node's entry after one poll. */
export function applyPoll(entry: NodeEntry, snapshot: NodeSnapshot, finishedAt: number, durationMs: number): NodeEntry {
	if (snapshot.ok) {
		return {...entry, name: snapshot.name, snapshot, status: 'ok', lastPollAt: finishedAt, lastOkAt: finishedAt, lastError: null, inFlight: false, failures: 0, lastDurationMs: durationMs, history: recordUsage(entry.history ?? EMPTY_HISTORY, snapshot)};
	}
	const reason = snapshot.errors[0]?.message ?? 'unreachable';
	return {
		...entry,
		// Keep the last good picture, marked stale, rather than blanking the screen.
		snapshot: entry.snapshot ?? snapshot,
		status: entry.snapshot?.ok ? 'stale' : 'failed',
		lastPollAt: finishedAt,
		lastError: reason,
		inFlight: false,
		failures: entry.failures + 1,
		lastDurationMs: durationMs,
	};
}

export function createCrimonStore(nodes: readonly {name: string; target: string}[], intervalMs: number): CrimonStore {
	return createStore<CrimonState>()((set, get) => ({
		...createUiSlice<CrimonState>(set, () => get().nodes.length),
		...createEventsSlice<CrimonState>(set),
		nodes: nodes.map((n) => initialEntry(n.name, n.target)),
		intervalMs,
		paused: false,
		pollStarted: (index) => set((state) => ({nodes: replaceAt(state.nodes, index, (e) => ({...e, inFlight: true}))})),
		pollFinished: (index, snapshot, finishedAt, durationMs) =>
			set((state) => ({nodes: replaceAt(state.nodes, index, (e) => applyPoll(e, snapshot, finishedAt, durationMs))})),
		setPaused: (paused) => set({paused}),
	}));
}
