/**
 * Pure: the last samples of each container's CPU and memory, for the sparklines in its
 * details. Kept beside a node's snapshot in the store, not in it (the snapshot is one
 * poll's truth), bounded: HISTORY_LENGTH samples a container, and a container that is gone
 * from the node is gone from its history.
 */
import type {NodeSnapshot} from '../schema/types.js';
import {ioRate, netRate} from './io-usage.js';
import {containerKey} from '../util/container-key.js';

const HISTORY_LENGTH = 60;

export interface UsageSeries {
	/** Oldest first; null where that poll had no figure (the first poll's rate). */
	readonly cpuCores: readonly (number | null)[];
	readonly memoryBytes: readonly (number | null)[];
	/** Bytes a second received plus sent, and read plus written. */
	readonly netBytesPerSecond?: readonly (number | null)[];
	readonly ioBytesPerSecond?: readonly (number | null)[];
}

/** By containerKey. */
export type UsageHistory = ReadonlyMap<string, UsageSeries>;

export const EMPTY_HISTORY: UsageHistory = new Map();

function pushBounded<T>(list: readonly T[], value: T): T[] {
	const out = list.length >= HISTORY_LENGTH ? list.slice(list.length - HISTORY_LENGTH + 1) : list.slice();
	out.push(value);
	return out;
}

/** The history after one more poll of the node. */
export function recordUsage(history: UsageHistory, snapshot: NodeSnapshot): UsageHistory {
	const next = new Map<string, UsageSeries>();
	for (const container of snapshot.containers) {
		if (!container.usage) continue;
		const key = containerKey(container.namespace, container.id);
		const before = history.get(key);
		next.set(key, {
			cpuCores: pushBounded(before?.cpuCores ?? [], container.usage.cpuCores),
			memoryBytes: pushBounded(before?.memoryBytes ?? [], container.usage.memoryBytes),
			netBytesPerSecond: pushBounded(before?.netBytesPerSecond ?? [], netRate(container.usage)),
			ioBytesPerSecond: pushBounded(before?.ioBytesPerSecond ?? [], ioRate(container.usage)),
		});
	}
	// Nothing to keep stays the same object: a poll without usage does not look like a change.
	return next.size === 0 ? EMPTY_HISTORY : next;
}
