/**
 * What containers, pods and the node cost, as schema (usage-types.ts gives the types and
 * keeps the cgroup counters a collector reads before the model makes these).
 */
import {Type} from '@sinclair/typebox';
import {ioUsageProperties, PressureUsageSchema} from './io-schema.js';
import {figure, nullable, record, shared, since, text, whole} from './schema-kit.js';

/** A figure the source did not report is null; a file that lacks one reads as null too. */
const measured = () => since(nullable(figure()), null);

/**
 * What a container (or the sum of a pod's) costs, from its cgroup: `cpuSeconds` used since
 * it started, `cpuCores` over the last interval (null without two samples), the memory
 * working set (usage minus inactive file cache) against its limit (null: unlimited), pids,
 * CFS throttling and OOM kills.
 */
export const UsageSchema = record({
	cpuSeconds: measured(), cpuCores: measured(), memoryBytes: measured(), memoryLimitBytes: measured(),
	pids: measured(), throttledPeriods: measured(), throttledSeconds: measured(), oomKills: measured(),
	/** Beside the eight: the CFS quota in cores (null: no limit, or not known, as from containerd's Metrics). */
	cpuLimitCores: Type.Optional(nullable(figure())),
	...ioUsageProperties,
});

/** Addition to v1: the node as a whole (the header line). */
export const HostUsageSchema = record({
	/** CPUs the kernel lists. */
	cpus: whole(),
	/** CPUs busy over the last interval, in cores; null without two samples. */
	cpuCores: nullable(figure()),
	/** MemTotal − MemAvailable. */
	memoryBytes: nullable(figure()),
	memoryTotalBytes: nullable(figure()),
});

/** Addition to v1: the node's own pressure (/proc/pressure/*), and why it is null where it is. */
export const nodePressureProperties = {
	pressure: Type.Optional(nullable(shared('PressureUsage', PressureUsageSchema))),
	pressureReason: Type.Optional(nullable(text())),
};
