/**
 * Pure: cgroup counters → what each container, pod and namespace costs. Rates need two
 * samples: without the previous poll's counters (or when a counter went backwards: the
 * container restarted) `cpuCores` is null, never a made-up 0.
 */
import {coresBetween} from '../collect/parse-processes.js';
import {containerIoUsage, networkUsages, sumBlockIo} from './io-usage.js';
import type {ContainerUsageFact, HostFact, HostUsage, NetworkUsage, Usage, UsageFacts, UsageSample} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';

/** Working set as the kubelet and `docker stats` compute it: usage less inactive file cache, never below 0. */
export function workingSet(usage: number | null, inactiveFile: number | null): number | null {
	if (usage === null) return null;
	return Math.max(0, usage - (inactiveFile ?? 0));
}

export function containerUsage(fact: ContainerUsageFact, before: ContainerUsageFact | undefined, sample: UsageSample = {containers: [], host: null}, networks: ReadonlyMap<string, NetworkUsage> = new Map()): Usage {
	const io = containerIoUsage(fact, before, sample, networks);
	return {
		network: io.network, networkSharedWith: io.networkSharedWith, blockIo: io.blockIo, pressure: io.pressure, reasons: io.reasons,
		cpuSeconds: fact.cpuSeconds,
		cpuCores: coresBetween(before, fact),
		memoryBytes: workingSet(fact.memoryUsageBytes, fact.inactiveFileBytes),
		memoryLimitBytes: fact.memoryLimitBytes,
		pids: fact.pids,
		throttledPeriods: fact.throttledPeriods,
		throttledSeconds: fact.throttledSeconds,
		oomKills: fact.oomKills,
		cpuLimitCores: fact.cpuLimitCores ?? null,
	};
}

/** Every container's Usage by namespace/id. */
export function containerUsages(facts: UsageFacts | undefined): Map<string, Usage> {
	const out = new Map<string, Usage>();
	if (!facts) return out;
	const before = new Map<string, ContainerUsageFact>();
	for (const fact of facts.previous?.containers ?? []) before.set(containerKey(fact.namespace, fact.id), fact);
	const networks = networkUsages(facts.current, facts.previous);
	for (const fact of facts.current.containers) {
		const key = containerKey(fact.namespace, fact.id);
		out.set(key, containerUsage(fact, before.get(key), facts.current, networks));
	}
	return out;
}

const SUMMED = ['cpuSeconds', 'cpuCores', 'memoryBytes', 'pids', 'throttledPeriods', 'throttledSeconds', 'oomKills'] as const;

/**
 * The sum of several containers' usage (a pod, sandbox included; a namespace). A figure is
 * null when no member reports it; the limit is null (no limit) when any member has none.
 * Null when no member has usage at all.
 */
export function sumUsage(usages: readonly (Usage | null | undefined)[]): Usage | null {
	const present = usages.filter((u): u is Usage => u !== null && u !== undefined);
	if (present.length === 0) return null;
	const sum: Record<string, number | null> = {};
	for (const name of SUMMED) {
		let total: number | null = null;
		for (const usage of present) {
			const value = usage[name];
			if (value !== null) total = (total ?? 0) + value;
		}
		sum[name] = total;
	}
	// A rate summed over members of which some have no rate yet would understate: null.
	if (present.some((u) => u.cpuCores === null && u.cpuSeconds !== null)) sum.cpuCores = null;
	let limit: number | null = 0;
	for (const usage of present) limit = usage.memoryLimitBytes === null || limit === null ? null : limit + usage.memoryLimitBytes;
	let cpuLimit: number | null = 0;
	for (const usage of present) cpuLimit = usage.cpuLimitCores == null || cpuLimit === null ? null : cpuLimit + usage.cpuLimitCores;
	return {
		cpuSeconds: sum.cpuSeconds!,
		cpuCores: sum.cpuCores!,
		memoryBytes: sum.memoryBytes!,
		memoryLimitBytes: limit,
		pids: sum.pids!,
		throttledPeriods: sum.throttledPeriods!,
		throttledSeconds: sum.throttledSeconds!,
		oomKills: sum.oomKills!,
		cpuLimitCores: cpuLimit,
		// Network and pressure do not add up across containers: a pod's come from its sandbox's namespace and its pod cgroup (build-snapshot).
		...(present.some((u) => u.blockIo !== undefined) ? {blockIo: sumBlockIo(present.map((u) => u.blockIo))} : {}),
	};
}

export function hostUsage(current: HostFact | null, previous: HostFact | null | undefined): HostUsage | null {
	if (!current) return null;
	let cpuCores: number | null = null;
	if (previous) {
		const total = current.cpuTotalSeconds - previous.cpuTotalSeconds;
		const busy = current.cpuBusySeconds - previous.cpuBusySeconds;
		// /proc/stat counts every CPU: the busy share of all their time, in cores.
		if (total > 0 && busy >= 0) cpuCores = (busy / total) * current.cpus;
	}
	const memoryBytes = current.memoryTotalBytes !== null && current.memoryAvailableBytes !== null ? current.memoryTotalBytes - current.memoryAvailableBytes : null;
	return {cpus: current.cpus, cpuCores, memoryBytes, memoryTotalBytes: current.memoryTotalBytes};
}
