/**
 * What containers, pods and the node cost: the Usage figures the snapshot carries and the
 * cgroup counters a collector reads before the model turns them into Usage (re-exported by
 * types.ts, the contract's one entry point).
 */
import type {ContainerIoFact, IoUsage, PressureUsage, SampleIoFacts} from './io-types.js';

/**
 * What a container (or the sum of a pod's) costs, from its cgroup: `cpuSeconds` used since
 * it started, `cpuCores` over the last interval (null without two samples), the memory
 * working set (usage minus inactive file cache) against its limit (null: unlimited), pids,
 * CFS throttling and OOM kills. A field the source did not report is null.
 */
export interface Usage extends IoUsage {
	readonly cpuSeconds: number | null;
	readonly cpuCores: number | null;
	readonly memoryBytes: number | null;
	readonly memoryLimitBytes: number | null;
	readonly pids: number | null;
	readonly throttledPeriods: number | null;
	readonly throttledSeconds: number | null;
	readonly oomKills: number | null;
	/** Addition beside the eight above: the CFS quota in cores (null: no limit, or not known, as from containerd's Metrics). */
	readonly cpuLimitCores?: number | null;
}

/** Addition to v1: the node as a whole (the header line). */
export interface HostUsage {
	/** CPUs the kernel lists. */
	readonly cpus: number;
	/** CPUs busy over the last interval, in cores; null without two samples. */
	readonly cpuCores: number | null;
	/** MemTotal − MemAvailable. */
	readonly memoryBytes: number | null;
	readonly memoryTotalBytes: number | null;
}

/** Addition to v1: the node's own pressure (/proc/pressure/*), and why it is null where it is. */
export interface NodePressure {
	readonly pressure?: PressureUsage | null;
	readonly pressureReason?: string | null;
}

type UsageSource = 'containerd' | 'cgroup-v1' | 'cgroup-v2' | 'cri';

/** A cgroup's counters as read, in the units the snapshot reports. */
export interface CgroupCounters {
	readonly cpuSeconds: number | null;
	readonly memoryUsageBytes: number | null;
	readonly inactiveFileBytes: number | null;
	/** Null when unlimited. */
	readonly memoryLimitBytes: number | null;
	readonly pids: number | null;
	readonly throttledPeriods: number | null;
	readonly throttledSeconds: number | null;
	readonly oomKills: number | null;
	/** CFS quota ÷ period in cores; null when unlimited or unknown. */
	readonly cpuLimitCores?: number | null;
}

/** One container's cgroup counters as read, before the model turns them into Usage. */
export interface ContainerUsageFact extends CgroupCounters, ContainerIoFact {
	readonly namespace: string;
	readonly id: string;
	/** When they were read, ms since the epoch. */
	readonly at: number;
	readonly source: UsageSource;
}

/** /proc/stat's aggregate line and /proc/meminfo, as read. */
export interface HostFact {
	readonly at: number;
	readonly cpus: number;
	/** Busy and total time over every CPU, in seconds. */
	readonly cpuBusySeconds: number;
	readonly cpuTotalSeconds: number;
	readonly memoryTotalBytes: number | null;
	readonly memoryAvailableBytes: number | null;
}

export interface UsageSample extends SampleIoFacts {
	readonly containers: readonly ContainerUsageFact[];
	readonly host: HostFact | null;
}

export interface UsageFacts {
	readonly current: UsageSample;
	/** The previous poll's sample of the same node; null on the first poll. */
	readonly previous: UsageSample | null;
}

