/**
 * The one store (zustand, vanilla so the headless `snapshot` shares it with the app).
 * The poller writes node data here; views read it through narrow selectors.
 */
import {createStore, type StoreApi} from 'zustand/vanilla';
import type {NodeSnapshot} from '../schema/types.js';
import {createUiSlice, type UiSlice} from './ui-state.js';
import {applyPoll, initialEntry, type NodeEntry} from '../model/node-entry.js';
import type {NodeModel} from '../model/node-model.js';
import {createEventsSlice, type EventsSlice} from './events-slice.js';

interface DataState {
	readonly nodes: readonly NodeEntry[];
	readonly intervalMs: number;
	readonly paused: boolean;
}

interface DataActions {
	pollStarted(index: number): void;
	/** A session's model, or a bare snapshot (a file read back, a test), which the entry models. */
	pollFinished(index: number, polled: NodeSnapshot | NodeModel, finishedAt: number, durationMs: number): void;
	setPaused(paused: boolean): void;
}

export type CrimonState = DataState & DataActions & UiSlice & EventsSlice;
export type CrimonStore = StoreApi<CrimonState>;

function replaceAt<T>(list: readonly T[], index: number, update: (item: T) => T): readonly T[] {
	const item = list[index];
	if (item === undefined) return list;
	const copy = list.slice();
	copy[index] = update(item);
	return copy;
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
