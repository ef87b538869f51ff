/**
 * Pure: the network, block IO and pressure families, named as cAdvisor's (and node_exporter's
 * for the node's pressure) under crimon's prefix, so dashboards written for those map over.
 * Kept apart from prometheus-snapshot.ts's families; read defensively, since saved files may
 * predate these fields.
 */
import type {Container, NodeSnapshot} from '../schema/types.js';
import type {MetricFamily, Sample} from './prometheus-text.js';

type Labels = readonly (readonly [string, string])[];

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
const record = (value: unknown): Record<string, unknown> | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.map(record).filter((r): r is Record<string, unknown> => r !== null) : []);

const NETWORK = [
	['receive_bytes_total', 'rxBytes', 'Bytes received'],
	['transmit_bytes_total', 'txBytes', 'Bytes transmitted'],
	['receive_packets_total', 'rxPackets', 'Packets received'],
	['transmit_packets_total', 'txPackets', 'Packets transmitted'],
	['receive_errors_total', 'rxErrors', 'Errors while receiving'],
	['transmit_errors_total', 'txErrors', 'Errors while transmitting'],
	['receive_packets_dropped_total', 'rxDropped', 'Packets dropped while receiving'],
	['transmit_packets_dropped_total', 'txDropped', 'Packets dropped while transmitting'],
] as const;

const FS = [
	['reads_bytes_total', 'readBytes', 'Bytes read from a block device'],
	['writes_bytes_total', 'writeBytes', 'Bytes written to a block device'],
	['reads_total', 'readOps', 'Reads completed on a block device'],
	['writes_total', 'writeOps', 'Writes completed on a block device'],
] as const;

const RESOURCES = ['cpu', 'memory', 'io'] as const;
const PRESSURE = [
	['waiting_seconds_total', 'someTotalSeconds', 'some', 'at least one task'],
	['stalled_seconds_total', 'fullTotalSeconds', 'full', 'all non-idle tasks'],
] as const;

export interface IoSeries {
	readonly network: Map<string, Sample[]>;
	readonly fs: Map<string, Sample[]>;
	readonly pressure: Map<string, Sample[]>;
	readonly nodePressure: Map<string, Sample[]>;
}

export function emptyIoSeries(): IoSeries {
	return {network: new Map(), fs: new Map(), pressure: new Map(), nodePressure: new Map()};
}

function push(map: Map<string, Sample[]>, name: string, sample: Sample): void {
	let samples = map.get(name);
	if (!samples) map.set(name, (samples = []));
	samples.push(sample);
}

function addPressure(map: Map<string, Sample[]>, prefix: string, pressure: unknown, labels: Labels): void {
	const p = record(pressure);
	if (!p) return;
	for (const resource of RESOURCES) {
		const figures = record(p[resource]);
		if (!figures) continue;
		for (const [suffix, field] of PRESSURE) {
			const value = count(figures[field]);
			if (value !== null) push(map, `${prefix}_${resource}_${suffix}`, {labels, value});
		}
	}
}

/** One container's series; `labels` are the node, namespace, container and pod labels the CPU family uses. */
export function addContainerIo(out: IoSeries, container: Container, labels: Labels): void {
	const usage = record((container as {usage?: unknown}).usage);
	if (!usage) return;
	for (const iface of list(record(usage['network'])?.['interfaces'])) {
		if (typeof iface['name'] !== 'string') continue;
		const withInterface: Labels = [...labels, ['interface', iface['name']]];
		for (const [suffix, field] of NETWORK) {
			const value = count(iface[field]);
			if (value !== null) push(out.network, `crimon_container_network_${suffix}`, {labels: withInterface, value});
		}
	}
	for (const device of list(record(usage['blockIo'])?.['devices'])) {
		const name = typeof device['name'] === 'string' ? `/dev/${device['name']}` : typeof device['device'] === 'string' ? device['device'] : null;
		if (name === null) continue;
		const withDevice: Labels = [...labels, ['device', name]];
		for (const [suffix, field] of FS) {
			const value = count(device[field]);
			if (value !== null) push(out.fs, `crimon_container_fs_${suffix}`, {labels: withDevice, value});
		}
	}
	addPressure(out.pressure, 'crimon_container_pressure', usage['pressure'], labels);
}

export function addNodePressure(out: IoSeries, node: NodeSnapshot, labels: Labels): void {
	addPressure(out.nodePressure, 'crimon_node_pressure', (node as {pressure?: unknown}).pressure, labels);
}

export function ioFamilies(out: IoSeries): MetricFamily[] {
	const families: MetricFamily[] = [];
	const containerLabels = 'labelled as crimon_container_cpu_seconds_total';
	for (const [suffix, , what] of NETWORK) {
		const name = `crimon_container_network_${suffix}`;
		families.push({name, type: 'counter', help: `${what} on an interface of a container's network namespace (cAdvisor's container_network_${suffix}), ${containerLabels} and interface; containers that share their pod's namespace have none (the pod's sandbox has them).`, samples: out.network.get(name) ?? []});
	}
	for (const [suffix, , what] of FS) {
		const name = `crimon_container_fs_${suffix}`;
		families.push({name, type: 'counter', help: `${what} by a container's cgroup (cAdvisor's container_fs_${suffix}), ${containerLabels} and device.`, samples: out.fs.get(name) ?? []});
	}
	for (const resource of RESOURCES) {
		for (const [suffix, , line, who] of PRESSURE) {
			const name = `crimon_container_pressure_${resource}_${suffix}`;
			families.push({name, type: 'counter', help: `Time ${who} in a container's cgroup stalled on ${resource} (PSI ${line} total), in seconds, ${containerLabels}; absent on cgroup v1.`, samples: out.pressure.get(name) ?? []});
		}
	}
	for (const resource of RESOURCES) {
		for (const [suffix, , line, who] of PRESSURE) {
			const name = `crimon_node_pressure_${resource}_${suffix}`;
			families.push({name, type: 'counter', help: `Time ${who} on the node stalled on ${resource} (/proc/pressure/${resource}, ${line} total), in seconds.`, samples: out.nodePressure.get(name) ?? []});
		}
	}
	return families;
}
