/**
 * Pure: network, block IO and pressure facts (this poll's and the previous poll's sample)
 * → the figures a container, pod and node carry. Rates are between the two samples; a
 * counter that went backwards (a namespace or cgroup made anew) gives no rate.
 */
import type {
	BlockDeviceFact, BlockIoUsage, ContainerUsageFact, InterfaceCounters, InterfaceUsage, IoUsage, NetnsFact, NetworkUsage,
	PressureFact, PressureFacts, PressureFigures, PressureUsage, Usage, UsageFacts, UsageReasons, UsageSample,
} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';

export const HOST_NETNS = "in the host's network namespace: no figures of its own (the host's counters are not this container's)";
const NETNS_UNREAD = 'its network namespace could not be read (the init process is gone or /proc/PID/ns/net is not readable)';
export const SHARES_POD_NETNS = "shares its pod's network namespace: the pod has the figures";
const NO_NETWORK_SOURCE = 'no network namespace came with this poll (over SSH it is read with ps: is awk there, and /proc/PID/ns/net readable?; --sudo nodes have no usage)';
const NO_BLOCK_IO = 'the cgroup has no IO file crimon can read';
const NO_POD_CGROUP = 'no pod cgroup was found for its containers';
const NOT_REPORTED = 'not reported by this source';

/** Per second between two readings of a cumulative counter; null when they cannot say. */
export function perSecond(before: number | undefined, after: number, seconds: number | null): number | null {
	if (before === undefined || seconds === null || !(seconds > 0) || after < before) return null;
	return (after - before) / seconds;
}

const secondsBetween = (before: {at: number} | undefined, after: {at: number}) => (before ? (after.at - before.at) / 1000 : null);

function networkUsage(current: NetnsFact, before: NetnsFact | undefined): NetworkUsage {
	const seconds = secondsBetween(before, current);
	const previous = new Map<string, InterfaceCounters>();
	for (const i of before?.interfaces ?? []) previous.set(i.name, i);
	// Literals of one shape, not spreads: at a thousand namespaces a poll, spreads are most of the model's cost.
	const interfaces: InterfaceUsage[] = current.interfaces.map((i) => {
		const then = previous.get(i.name);
		return {
			name: i.name, rxBytes: i.rxBytes, txBytes: i.txBytes, rxPackets: i.rxPackets, txPackets: i.txPackets,
			rxErrors: i.rxErrors, txErrors: i.txErrors, rxDropped: i.rxDropped, txDropped: i.txDropped,
			rxBytesPerSecond: perSecond(then?.rxBytes, i.rxBytes, seconds),
			txBytesPerSecond: perSecond(then?.txBytes, i.txBytes, seconds),
		};
	});
	let rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0, rxErrors = 0, txErrors = 0, rxDropped = 0, txDropped = 0;
	// Without a previous reading of every interface, a summed rate would understate: null.
	let rxRate: number | null = before ? 0 : null;
	let txRate: number | null = before ? 0 : null;
	for (const i of interfaces) {
		if (i.name === 'lo') continue;
		rxBytes += i.rxBytes; txBytes += i.txBytes; rxPackets += i.rxPackets; txPackets += i.txPackets;
		rxErrors += i.rxErrors; txErrors += i.txErrors; rxDropped += i.rxDropped; txDropped += i.txDropped;
		rxRate = rxRate === null || i.rxBytesPerSecond === null ? null : rxRate + i.rxBytesPerSecond;
		txRate = txRate === null || i.txBytesPerSecond === null ? null : txRate + i.txBytesPerSecond;
	}
	return {rxBytes, txBytes, rxPackets, txPackets, rxErrors, txErrors, rxDropped, txDropped, rxBytesPerSecond: rxRate, txBytesPerSecond: txRate, interfaces};
}

/** Every network namespace's figures this poll, by namespace inode. */
export function networkUsages(current: UsageSample, previous: UsageSample | null | undefined): Map<string, NetworkUsage> {
	const before = new Map((previous?.networks ?? []).map((n) => [n.netns, n]));
	return new Map((current.networks ?? []).map((n) => [n.netns, networkUsage(n, before.get(n.netns))]));
}

function sumDevices(devices: readonly BlockDeviceFact[]) {
	let readBytes = 0, writeBytes = 0, readOps = 0, writeOps = 0;
	for (const d of devices) {
		readBytes += d.readBytes;
		writeBytes += d.writeBytes;
		readOps += d.readOps;
		writeOps += d.writeOps;
	}
	return {readBytes, writeBytes, readOps, writeOps};
}

export function blockIoUsage(fact: ContainerUsageFact, before: ContainerUsageFact | undefined, names: Readonly<Record<string, string>> | undefined): BlockIoUsage | null {
	if (!fact.blockIo) return null;
	const now = sumDevices(fact.blockIo);
	const then = before?.blockIo ? sumDevices(before.blockIo) : undefined;
	const seconds = secondsBetween(before, fact);
	return {
		readBytes: now.readBytes, writeBytes: now.writeBytes, readOps: now.readOps, writeOps: now.writeOps,
		readBytesPerSecond: perSecond(then?.readBytes, now.readBytes, seconds),
		writeBytesPerSecond: perSecond(then?.writeBytes, now.writeBytes, seconds),
		devices: fact.blockIo.map((d) => ({device: d.device, readBytes: d.readBytes, writeBytes: d.writeBytes, readOps: d.readOps, writeOps: d.writeOps, name: names?.[d.device] ?? null})),
	};
}

function figures(fact: PressureFact | null): PressureFigures | null {
	if (fact === null) return null;
	return {
		someAvg10: fact.some.avg10, someAvg60: fact.some.avg60, someAvg300: fact.some.avg300, someTotalSeconds: fact.some.totalSeconds,
		fullAvg10: fact.full?.avg10 ?? null, fullAvg60: fact.full?.avg60 ?? null, fullAvg300: fact.full?.avg300 ?? null, fullTotalSeconds: fact.full?.totalSeconds ?? null,
	};
}

export function pressureUsage(facts: PressureFacts | null | undefined): PressureUsage | null {
	return facts ? {cpu: figures(facts.cpu), memory: figures(facts.memory), io: figures(facts.io)} : null;
}

/** A container's own IO figures: its network namespace's (unless it is the host's), its cgroup's IO and pressure. */
export function containerIoUsage(fact: ContainerUsageFact, before: ContainerUsageFact | undefined, sample: UsageSample, networks: ReadonlyMap<string, NetworkUsage>): IoUsage {
	const netns = fact.netns;
	let network: NetworkUsage | null = null;
	let networkReason: string | null;
	if (netns === undefined) networkReason = NO_NETWORK_SOURCE;
	else if (netns === null) networkReason = NETNS_UNREAD;
	else if (netns === sample.hostNetns) networkReason = HOST_NETNS;
	else {
		network = networks.get(netns) ?? null;
		networkReason = network === null ? NETNS_UNREAD : null;
	}
	const blockIo = blockIoUsage(fact, before, sample.deviceNames);
	const pressure = pressureUsage(fact.pressure);
	const reasons: UsageReasons = {
		network: networkReason,
		blockIo: blockIo === null ? (fact.blockIo === undefined ? NOT_REPORTED : NO_BLOCK_IO) : null,
		pressure: pressure === null ? fact.pressureReason ?? NOT_REPORTED : null,
	};
	return {network, networkSharedWith: null, blockIo, pressure, reasons};
}

/** Each container's network namespace by namespace/id (for the pod pass in build-snapshot). */
export function netnsByKey(facts: UsageFacts | undefined): Map<string, string | null> {
	return new Map((facts?.current.containers ?? []).map((f) => [containerKey(f.namespace, f.id), f.netns ?? null]));
}

/** Several containers' block IO summed (a pod, a namespace); devices merged by MAJ:MIN. */
export function sumBlockIo(list: readonly (BlockIoUsage | null | undefined)[]): BlockIoUsage | null {
	const present = list.filter((b): b is BlockIoUsage => b != null);
	if (present.length === 0) return null;
	const devices = new Map<string, {device: string; name: string | null; readBytes: number; writeBytes: number; readOps: number; writeOps: number}>();
	for (const io of present) {
		for (const d of io.devices) {
			const kept = devices.get(d.device);
			if (!kept) devices.set(d.device, {...d});
			else {
				kept.readBytes += d.readBytes;
				kept.writeBytes += d.writeBytes;
				kept.readOps += d.readOps;
				kept.writeOps += d.writeOps;
			}
		}
	}
	const rate = (pick: (b: BlockIoUsage) => number | null) => (present.some((b) => pick(b) === null) ? null : present.reduce((t, b) => t + pick(b)!, 0));
	return {
		...sumDevices([...devices.values()]),
		readBytesPerSecond: rate((b) => b.readBytesPerSecond),
		writeBytesPerSecond: rate((b) => b.writeBytesPerSecond),
		devices: [...devices.values()],
	};
}

interface Member {
	readonly id: string;
	readonly namespace: string | null;
	readonly usage?: IoUsage | null;
}

/** A container of a pod that sits in its sandbox's network namespace says so instead of repeating the pod's figures. */
export function markSharedNetwork<C extends Member & {readonly sandbox: boolean; readonly podId: string | null}>(containers: readonly C[], netns: ReadonlyMap<string, string | null>): C[] {
	const sandboxNetns = new Map<string, string | null>();
	for (const c of containers) if (c.sandbox) sandboxNetns.set(c.id, netns.get(containerKey(c.namespace, c.id)) ?? null);
	return containers.map((c) => {
		if (c.sandbox || c.podId === null || !c.usage) return c;
		const own = netns.get(containerKey(c.namespace, c.id)) ?? null;
		if (own === null || own !== sandboxNetns.get(c.podId) || c.usage.network == null) return c;
		const reasons = c.usage.reasons ?? {network: null, blockIo: null, pressure: null};
		return {...c, usage: {...c.usage, network: null, networkSharedWith: c.podId, reasons: {...reasons, network: SHARES_POD_NETNS}}};
	});
}

/** A pod's network (its sandbox's namespace, else its first member's) and pressure (its pod cgroup's). */
export function podIoUsage(sandbox: Member | undefined, members: readonly Member[], facts: UsageFacts | undefined): IoUsage {
	const speaker = sandbox?.usage ? sandbox : members.find((m) => m.usage);
	let podPressure: PressureFacts | null | undefined;
	const wanted = new Set([sandbox, ...members].filter((m): m is Member => m !== undefined).map((m) => containerKey(m.namespace, m.id)));
	for (const fact of facts?.current.containers ?? []) {
		if (fact.podPressure !== undefined && wanted.has(containerKey(fact.namespace, fact.id))) {
			podPressure = fact.podPressure;
			break;
		}
	}
	const pressure = pressureUsage(podPressure);
	const network = speaker?.usage?.network ?? null;
	const anyV1 = facts?.current.containers.some((f) => wanted.has(containerKey(f.namespace, f.id)) && f.source === 'cgroup-v1');
	return {
		network,
		networkSharedWith: null,
		pressure,
		reasons: {
			network: network === null ? speaker?.usage?.reasons?.network ?? NOT_REPORTED : null,
			blockIo: null,
			pressure: pressure === null ? (anyV1 ? 'cgroup v1 has no pressure (PSI) files' : podPressure === null ? 'the pod cgroup has no pressure files' : NO_POD_CGROUP) : null,
		},
	};
}

/** Received plus sent per second; null when either is unknown. */
export function netRate(usage: Usage | null | undefined): number | null {
	const network = usage?.network;
	if (!network || network.rxBytesPerSecond === null || network.txBytesPerSecond === null) return null;
	return network.rxBytesPerSecond + network.txBytesPerSecond;
}

/** Read plus written per second; null when either is unknown. */
export function ioRate(usage: Usage | null | undefined): number | null {
	const io = usage?.blockIo;
	if (!io || io.readBytesPerSecond === null || io.writeBytesPerSecond === null) return null;
	return io.readBytesPerSecond + io.writeBytesPerSecond;
}
