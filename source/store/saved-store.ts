/**
 * Saved nodes in the monitor's store: appended after the live nodes (the poller's
 * handles cover the live ones only, so these are never polled), each shown as its file
 * left it, with its age counted from when it was taken.
 */
import type {NodeSnapshot} from '../schema/types.js';
import {type CrimonStore} from './store.js';
import {initialEntry, type NodeEntry} from '../model/node-entry.js';
import {modelOfSnapshot} from '../model/node-model.js';
import type {LoadedSnapshot} from '../snapshot-file/load-snapshot.js';

function savedEntry(node: NodeSnapshot, takenAtMs: number): NodeEntry {
	return {
		...initialEntry(node.name, node.target),
		snapshot: node,
		model: modelOfSnapshot(node, null),
		status: node.ok ? 'ok' : 'failed',
		lastPollAt: takenAtMs,
		lastOkAt: node.ok ? takenAtMs : null,
		lastError: node.ok ? null : node.errors[0]?.message ?? 'unreachable when saved',
	};
}

/** `nodes` as savedNodes() made them from `files`, in the same order. */
export function addSavedNodes(store: CrimonStore, nodes: readonly NodeSnapshot[], files: readonly LoadedSnapshot[]): void {
	const takenAt = files.flatMap((f) => f.snapshot.nodes.map(() => Date.parse(f.snapshot.takenAt)));
	const entries = nodes.map((node, i) => savedEntry(node, takenAt[i] ?? Date.now()));
	store.setState((state) => ({nodes: [...state.nodes, ...entries]}));
}
