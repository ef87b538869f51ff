/**
 * Network, block IO and pressure: the facts a collector reads and the figures the snapshot
 * carries (additions to crimon.snapshot/v1; the field names are the IO issue's). Counters
 * are cumulative since the namespace or cgroup was made; `…PerSecond` are rates between
 * two polls, null without two samples or when a counter went backwards. The snapshot's
 * shapes are written once, as schema, in io-schema.ts; the facts are plain interfaces here.
 */
import type {Shape} from './schema-kit.js';
import type {
	BlockDeviceSchema, BlockIoUsageSchema, InterfaceCountersSchema, InterfaceUsageSchema, IoUsageSchema, NetworkUsageSchema,
	PressureFiguresSchema, PressureUsageSchema, UsageReasonsSchema,
} from './io-schema.js';

export type InterfaceCounters = Shape<typeof InterfaceCountersSchema>;
export type BlockDeviceFact = Shape<typeof BlockDeviceSchema>;

/** One line of a PSI file: shares of time (percent) over 10, 60 and 300 s, and the stall total. */
export interface PressureLine {
	readonly avg10: number;
	readonly avg60: number;
	readonly avg300: number;
	readonly totalSeconds: number;
}

export interface PressureFact {
	readonly some: PressureLine;
	/** Absent from older kernels' cpu.pressure. */
	readonly full: PressureLine | null;
}

export interface PressureFacts {
	readonly cpu: PressureFact | null;
	readonly memory: PressureFact | null;
	readonly io: PressureFact | null;
}

export interface ProcessIoFact {
	readonly readBytes: number;
	readonly writeBytes: number;
}

/** One network namespace, read once however many containers are in it. */
export interface NetnsFact {
	/** The namespace's inode, as in `net:[INODE]`. */
	readonly netns: string;
	readonly at: number;
	readonly interfaces: readonly InterfaceCounters[];
}

/** What a container's fact adds beside its CPU and memory counters (all optional: older collectors and recordings lack them). */
export interface ContainerIoFact {
	/** Its init's network namespace; null when it could not be read. */
	readonly netns?: string | null;
	/** Per device; null when the cgroup has no IO file crimon can read. */
	readonly blockIo?: readonly BlockDeviceFact[] | null;
	/** Null on cgroup v1 or without PSI (see `pressureReason`). */
	readonly pressure?: PressureFacts | null;
	readonly pressureReason?: string | null;
	/** The enclosing pod cgroup's pressure (kubepods…/pod<uid>), when the container's cgroup sits in one. */
	readonly podPressure?: PressureFacts | null;
}

/** What a sample adds beside containers' counters and the host's CPU and memory. */
export interface SampleIoFacts {
	readonly networks?: readonly NetnsFact[];
	/** The node's own network namespace (pid 1's); null when unknown. */
	readonly hostNetns?: string | null;
	/** `MAJ:MIN` → device name, from /sys/dev/block. */
	readonly deviceNames?: Readonly<Record<string, string>>;
	readonly hostPressure?: PressureFacts | null;
	readonly hostPressureReason?: string | null;
}

// ---- in the snapshot (written once, in io-schema.ts) --------------------------------------

export type InterfaceUsage = Shape<typeof InterfaceUsageSchema>;
export type NetworkUsage = Shape<typeof NetworkUsageSchema>;
export type BlockIoUsage = Shape<typeof BlockIoUsageSchema>;
export type PressureFigures = Shape<typeof PressureFiguresSchema>;
export type PressureUsage = Shape<typeof PressureUsageSchema>;
export type UsageReasons = Shape<typeof UsageReasonsSchema>;
export type IoUsage = Shape<typeof IoUsageSchema>;
