/**
 * Pure: whether two snapshots of a node show the same thing. A poll always brings a new
 * snapshot object; when nothing in it changed (the usual case on a quiet node), the app
 * keeps the old one, so nothing is rebuilt and no frame is drawn.
 */
import {sameData} from '../model/same-data.js';
import type {NodeSnapshot} from '../schema/types.js';

function sameSnapshot(a: NodeSnapshot | null, b: NodeSnapshot | null): boolean {
	if (a === b) return true;
	if (!a || !b) return false;
	// The cheap fields first, the big lists last.
	return (
		a.name === b.name &&
		a.ok === b.ok &&
		a.processes.length === b.processes.length &&
		a.containers.length === b.containers.length &&
		sameData(a.errors, b.errors) &&
		sameData(a.runtimes, b.runtimes) &&
		sameData(a.host ?? null, b.host ?? null) &&
		sameData(a.pods, b.pods) &&
		sameData(a.namespaces, b.namespaces) &&
		sameData(a.shims, b.shims) &&
		sameData(a.containers, b.containers) &&
		sameData(a.processes, b.processes) &&
		sameData(a.diagnosis ?? null, b.diagnosis ?? null)
	);
}

/**
 * A selector wrapper that hands back the previous snapshot while new ones are equal to it;
 * each new snapshot object is compared once.
 */
export function stableSnapshots(): (next: NodeSnapshot | null) => NodeSnapshot | null {
	let kept: NodeSnapshot | null = null;
	let lastSeen: NodeSnapshot | null = null;
	return (next) => {
		if (next === lastSeen) return kept;
		lastSeen = next;
		if (!sameSnapshot(kept, next)) kept = next;
		return kept;
	};
}
