/**
 * What containers, pods and the node cost: the Usage figures the snapshot carries and the
 * cgroup counters a collector reads before the model turns them into Usage (re-exported by
 * types.ts, the contract's one entry point).
 */
import type {ContainerIoFact, SampleIoFacts} from './io-types.js';
import type {Shape} from './schema-kit.js';
import type {HostUsageSchema, UsageSchema} from './usage-schema.js';

/** The snapshot's figures, written once as schema in usage-schema.ts. */
export type Usage = Shape<typeof UsageSchema>;
export type HostUsage = Shape<typeof HostUsageSchema>;

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

