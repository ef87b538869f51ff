/**
 * Network, block IO and pressure: the facts a collector reads and the figures the snapshot
 * carries (additions to crimon.snapshot/v1; the field names are the IO issue's). Counters
 * are cumulative since the namespace or cgroup was made; `…PerSecond` are rates between
 * two polls, null without two samples or when a counter went backwards.
 */

/** The eight counters /proc/PID/net/dev keeps for an interface, and their totals. */
interface NetworkCounters {
	readonly rxBytes: number;
	readonly txBytes: number;
	readonly rxPackets: number;
	readonly txPackets: number;
	readonly rxErrors: number;
	readonly txErrors: number;
	readonly rxDropped: number;
	readonly txDropped: number;
}

/** One interface's counters from /proc/PID/net/dev. */
export interface InterfaceCounters extends NetworkCounters {
	readonly name: string;
}

/** One device's line of io.stat or blkio.throttle.*; `device` is `MAJ:MIN`. */
export interface BlockDeviceFact {
	readonly device: string;
	readonly readBytes: number;
	readonly writeBytes: number;
	readonly readOps: number;
	readonly writeOps: number;
}

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

// ---- in the snapshot ----------------------------------------------------------------------

export interface InterfaceUsage extends InterfaceCounters {
	readonly rxBytesPerSecond: number | null;
	readonly txBytesPerSecond: number | null;
}

/** Totals leave out `lo`, as cAdvisor does: traffic inside one namespace is not the network's. */
export interface NetworkUsage extends NetworkCounters {
	readonly rxBytesPerSecond: number | null;
	readonly txBytesPerSecond: number | null;
	readonly interfaces: readonly InterfaceUsage[];
}

interface DeviceUsage extends BlockDeviceFact {
	/** From /sys/dev/block; null when the node does not say. */
	readonly name: string | null;
}

export interface BlockIoUsage {
	readonly readBytes: number;
	readonly writeBytes: number;
	readonly readOps: number;
	readonly writeOps: number;
	readonly readBytesPerSecond: number | null;
	readonly writeBytesPerSecond: number | null;
	readonly devices: readonly DeviceUsage[];
}

/** One resource's PSI: percentages over 10, 60, 300 s and stall totals in seconds. */
export interface PressureFigures {
	readonly someAvg10: number;
	readonly someAvg60: number;
	readonly someAvg300: number;
	readonly someTotalSeconds: number;
	readonly fullAvg10: number | null;
	readonly fullAvg60: number | null;
	readonly fullAvg300: number | null;
	readonly fullTotalSeconds: number | null;
}

export interface PressureUsage {
	readonly cpu: PressureFigures | null;
	readonly memory: PressureFigures | null;
	readonly io: PressureFigures | null;
}

/** Why a figure is null, where it is (a container in the host's netns, cgroup v1 pressure). */
export interface UsageReasons {
	readonly network: string | null;
	readonly blockIo: string | null;
	readonly pressure: string | null;
}

/** What a container's or pod's Usage adds. */
export interface IoUsage {
	readonly network?: NetworkUsage | null;
	/** The pod sandbox whose network namespace this container shares (the pod has the figures). */
	readonly networkSharedWith?: string | null;
	readonly blockIo?: BlockIoUsage | null;
	readonly pressure?: PressureUsage | null;
	readonly reasons?: UsageReasons;
}

/** What a process adds: bytes it made the storage layer read and write (/proc/PID/io); null where unreadable. */
export interface ProcessIoUsage {
	readonly readBytes?: number | null;
	readonly writeBytes?: number | null;
}
