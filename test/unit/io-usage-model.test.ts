import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {blockIoUsage, HOST_NETNS, networkUsages, perSecond, SHARES_POD_NETNS, sumBlockIo} from '../../source/model/io-usage.js';
import type {ContainerUsageFact, InterfaceCounters, NetnsFact, NodeFacts, UsageSample} from '../../source/schema/types.js';
import {labFacts} from '../support/lab-fixtures.js';

const iface = (name: string, rxBytes: number, txBytes: number): InterfaceCounters => ({name, rxBytes, txBytes, rxPackets: 1, txPackets: 1, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0});
const netns = (id: string, at: number, ...interfaces: InterfaceCounters[]): NetnsFact => ({netns: id, at, interfaces});

const base = (over: Partial<ContainerUsageFact>): ContainerUsageFact => ({
	namespace: 'k8s.io', id: 'x', at: 10_000, source: 'cgroup-v2', cpuSeconds: 1, memoryUsageBytes: 1, inactiveFileBytes: 0, memoryLimitBytes: null,
	pids: 1, throttledPeriods: 0, throttledSeconds: 0, oomKills: 0, cpuLimitCores: null, ...over,
});

describe('network between two polls', () => {
	it('totals leave out lo, rates come from the previous sample of the same namespace', () => {
		const before: UsageSample = {containers: [], host: null, networks: [netns('A', 10_000, iface('lo', 0, 0), iface('eth0', 1000, 2000))]};
		const now: UsageSample = {containers: [], host: null, networks: [netns('A', 12_000, iface('lo', 5_000_000, 5_000_000), iface('eth0', 11_000, 2000))]};
		const network = networkUsages(now, before).get('A')!;
		expect(network.rxBytes).toBe(11_000);
		expect(network.rxBytesPerSecond).toBe(5000);
		expect(network.txBytesPerSecond).toBe(0);
		expect(network.interfaces.map((i) => i.name)).toEqual(['lo', 'eth0']);
		expect(networkUsages(now, null).get('A')!.rxBytesPerSecond).toBeNull();
	});

	it('gives no rate when a counter went backwards (a namespace made anew under the same inode)', () => {
		expect(perSecond(100, 50, 2)).toBeNull();
		expect(perSecond(undefined, 50, 2)).toBeNull();
		expect(perSecond(0, 50, 0)).toBeNull();
	});
});

describe('block IO', () => {
	it('sums devices, names them, and rates between samples', () => {
		const before = base({at: 0, blockIo: [{device: '254:0', readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0}]});
		const after = base({at: 2000, blockIo: [{device: '254:0', readBytes: 10, writeBytes: 64 << 20, readOps: 1, writeOps: 23}, {device: '8:0', readBytes: 5, writeBytes: 0, readOps: 1, writeOps: 0}]});
		const io = blockIoUsage(after, before, {'254:0': 'vda'})!;
		expect(io).toMatchObject({readBytes: 15, writeBytes: 64 << 20, readOps: 2, writeOps: 23, writeBytesPerSecond: (64 << 20) / 2});
		expect(io.devices.map((d) => d.name)).toEqual(['vda', null]);
		expect(sumBlockIo([io, io])!.devices[0]!.writeBytes).toBe(2 * (64 << 20));
		expect(blockIoUsage(base({blockIo: null}), undefined, {})).toBeNull();
	});
});

describe('a pod\'s network (the recorded lab poll, with network facts added)', () => {
	function facts(): NodeFacts {
		const lab = labFacts();
		const sandboxes = new Set(lab.cri!.sandboxes.map((s) => s.id));
		const member = lab.cri!.containers.find((c) => sandboxes.has(c.podSandboxId))!;
		const tasks = lab.containerd!.tasks.filter((t) => t.pid > 0);
		const loner = tasks.find((t) => t.id !== member.id && !sandboxes.has(t.id))!;
		const hosted = tasks.find((t) => t.id !== member.id && t.id !== loner.id && !sandboxes.has(t.id) && t.id !== member.podSandboxId)!;
		const netnsOf = (id: string) => (id === member.id || id === member.podSandboxId ? 'POD' : id === loner.id ? 'LONER' : id === hosted.id ? 'HOST' : `own-${id}`);
		const sample = (at: number, rx: number): UsageSample => ({
			containers: tasks.map((t) => base({namespace: t.namespace, id: t.id, at, netns: netnsOf(t.id)})),
			host: null,
			hostNetns: 'HOST',
			networks: [netns('POD', at, iface('lo', 9, 9), iface('eth0', rx, 0)), netns('LONER', at, iface('eth0', 7, 7))],
		});
		return {...lab, usage: {current: sample(12_000, 10_000_000), previous: sample(10_000, 0)}};
	}

	it('puts the figures on the pod, and its containers say they share them', () => {
		const f = facts();
		const snapshot = buildNodeSnapshot(f);
		const member = f.cri!.containers.find((c) => snapshot.pods.some((p) => p.id === c.podSandboxId))!;
		const pod = snapshot.pods.find((p) => p.id === member.podSandboxId)!;
		expect(pod.usage!.network!.rxBytes).toBe(10_000_000);
		expect(pod.usage!.network!.rxBytesPerSecond).toBe(5_000_000);
		const container = snapshot.containers.find((c) => c.id === member.id)!;
		expect(container.usage!.network).toBeNull();
		expect(container.usage!.networkSharedWith).toBe(pod.id);
		expect(container.usage!.reasons!.network).toBe(SHARES_POD_NETNS);
		const sandbox = snapshot.containers.find((c) => c.id === pod.id)!;
		expect(sandbox.usage!.network!.rxBytes).toBe(10_000_000);
	});

	it('gives a container in the host\'s namespace no figures, with the reason, never the host\'s counters', () => {
		const snapshot = buildNodeSnapshot(facts());
		const hosted = snapshot.containers.filter((c) => c.usage?.reasons?.network === HOST_NETNS);
		expect(hosted).toHaveLength(1);
		expect(hosted[0]!.usage!.network).toBeNull();
		expect(snapshot.containers.some((c) => c.usage?.network?.rxBytes === 7)).toBe(true);
	});
});

describe('the pressure-stalled finding', () => {
	const line = (avg60: number) => ({avg10: avg60, avg60, avg300: avg60, totalSeconds: 12});
	const psi = (memoryFull: number, ioFull: number) => ({cpu: {some: line(90), full: line(90)}, memory: {some: line(memoryFull), full: line(memoryFull)}, io: {some: line(ioFull), full: line(ioFull)}});

	function withPressure(containerMemory: number, nodeIo: number) {
		const lab = labFacts();
		const task = lab.containerd!.tasks.find((t) => t.pid > 0)!;
		const facts: NodeFacts = {
			...lab,
			usage: {current: {containers: [base({namespace: task.namespace, id: task.id, pressure: psi(containerMemory, 0)})], host: null, hostPressure: psi(0, nodeIo)}, previous: null},
		};
		return {task, findings: buildNodeSnapshot(facts).diagnosis!.findings.filter((f) => f.code === 'pressure-stalled')};
	}

	it('names a container stalled on memory for ≥ 10% of the last minute (full avg60), and the node stalled on IO', () => {
		const {task, findings} = withPressure(23.5, 12);
		expect(findings).toHaveLength(2);
		expect(findings[0]!.message).toMatch(/node is stalled on io 12\.0%/);
		expect(findings[1]!.subjects.map((s) => [s.id, s.detail])).toEqual([[task.id, 'memory 23.5%']]);
	});

	it('stays quiet below the threshold, and for CPU however busy', () => {
		expect(withPressure(9.99, 9.99).findings).toEqual([]);
	});
});
