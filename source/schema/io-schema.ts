/**
 * The snapshot's network, block IO and pressure figures (additions to crimon.snapshot/v1;
 * the field names are the IO issue's), as schema. io-types.ts gives their types and keeps
 * the facts a collector reads before the model makes these. Counters are cumulative since
 * the namespace or cgroup was made; `…PerSecond` are rates between two polls, null without
 * two samples or when a counter went backwards.
 */
import {Type} from '@sinclair/typebox';
import {figure, list, nullable, record, shared, text, whole} from './schema-kit.js';

const rate = () => nullable(figure());

/** The eight counters /proc/PID/net/dev keeps for an interface, and their totals. */
const networkCounters = {
	rxBytes: whole(), txBytes: whole(), rxPackets: whole(), txPackets: whole(),
	rxErrors: whole(), txErrors: whole(), rxDropped: whole(), txDropped: whole(),
};

/** One interface's counters from /proc/PID/net/dev. */
export const InterfaceCountersSchema = record({name: text(), ...networkCounters});

/** One device's line of io.stat or blkio.throttle.*; `device` is `MAJ:MIN`. */
export const BlockDeviceSchema = record({device: text(), readBytes: whole(), writeBytes: whole(), readOps: whole(), writeOps: whole()});

export const InterfaceUsageSchema = record({...InterfaceCountersSchema.properties, rxBytesPerSecond: rate(), txBytesPerSecond: rate()});

/** Totals leave out `lo`, as cAdvisor does: traffic inside one namespace is not the network's. */
export const NetworkUsageSchema = record({...networkCounters, rxBytesPerSecond: rate(), txBytesPerSecond: rate(), interfaces: list(InterfaceUsageSchema)});

export const BlockIoUsageSchema = record({
	readBytes: whole(), writeBytes: whole(), readOps: whole(), writeOps: whole(),
	readBytesPerSecond: rate(), writeBytesPerSecond: rate(),
	// `name` from /sys/dev/block; null when the node does not say.
	devices: list(record({...BlockDeviceSchema.properties, name: nullable(text())})),
});

/** One resource's PSI: percentages over 10, 60, 300 s and stall totals in seconds. */
export const PressureFiguresSchema = record({
	someAvg10: figure(), someAvg60: figure(), someAvg300: figure(), someTotalSeconds: figure(),
	fullAvg10: nullable(figure()), fullAvg60: nullable(figure()), fullAvg300: nullable(figure()), fullTotalSeconds: nullable(figure()),
});

const pressureFigures = () => nullable(shared('PressureFigures', PressureFiguresSchema));
export const PressureUsageSchema = record({cpu: pressureFigures(), memory: pressureFigures(), io: pressureFigures()});

/** Why a figure is null, where it is (a container in the host's netns, cgroup v1 pressure). */
export const UsageReasonsSchema = record({network: nullable(text()), blockIo: nullable(text()), pressure: nullable(text())});

/** What a container's or pod's Usage adds. */
export const ioUsageProperties = {
	network: Type.Optional(nullable(NetworkUsageSchema)),
	/** The pod sandbox whose network namespace this container shares (the pod has the figures). */
	networkSharedWith: Type.Optional(nullable(text())),
	blockIo: Type.Optional(nullable(BlockIoUsageSchema)),
	pressure: Type.Optional(nullable(shared('PressureUsage', PressureUsageSchema))),
	reasons: Type.Optional(UsageReasonsSchema),
};

/** What a process adds: bytes it made the storage layer read and write (/proc/PID/io); null where unreadable. */
export const processIoProperties = {
	readBytes: Type.Optional(nullable(whole())),
	writeBytes: Type.Optional(nullable(whole())),
};

export const IoUsageSchema = record(ioUsageProperties);
