import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {containerUsage, hostUsage, sumUsage, workingSet} from '../../source/model/usage.js';
import {coresBetween} from '../../source/collect/parse-processes.js';
import type {ContainerUsageFact, NodeFacts, Usage} from '../../source/schema/types.js';
import {parsePs, parseProcStat} from '../../source/collect/parse-processes.js';
import {labFacts} from '../support/lab-fixtures.js';

const fact = (over: Partial<ContainerUsageFact> = {}): ContainerUsageFact => ({
	namespace: 'k8s.io', id: 'c1', at: 10_000, source: 'cgroup-v1', cpuSeconds: 10, memoryUsageBytes: 60 << 20,
	inactiveFileBytes: 12 << 20, memoryLimitBytes: 128 << 20, pids: 2, throttledPeriods: 5, throttledSeconds: 0.5, oomKills: 0,
	cpuLimitCores: 0.5, ...over,
});

describe('rates need two samples', () => {
	it('gives no cpuCores on the first poll, never a made-up 0', () => {
		expect(containerUsage(fact(), undefined).cpuCores).toBeNull();
	});

	it('gives cores over the interval between the two samples', () => {
		expect(containerUsage(fact({at: 12_000, cpuSeconds: 11}), fact()).cpuCores).toBeCloseTo(0.5, 9);
		expect(coresBetween({at: 0, cpuSeconds: 0}, {at: 500, cpuSeconds: 1})).toBe(2);
	});

	it('gives none when the counter went backwards (a restart) or no time passed', () => {
		expect(coresBetween({at: 0, cpuSeconds: 5}, {at: 1000, cpuSeconds: 1})).toBeNull();
		expect(coresBetween({at: 1000, cpuSeconds: 1}, {at: 1000, cpuSeconds: 2})).toBeNull();
		expect(coresBetween({at: 0, cpuSeconds: null}, {at: 1000, cpuSeconds: 2})).toBeNull();
	});

	it('takes the working set as usage minus inactive file, never below 0', () => {
		expect(containerUsage(fact(), undefined).memoryBytes).toBe(48 << 20);
		expect(workingSet(10, 20)).toBe(0);
		expect(workingSet(null, 20)).toBeNull();
	});
});

const usage = (over: Partial<Usage> = {}): Usage => ({
	cpuSeconds: 1, cpuCores: 0.25, memoryBytes: 100, memoryLimitBytes: 1000, pids: 1, throttledPeriods: 2, throttledSeconds: 0.1, oomKills: 0, cpuLimitCores: 0.5, ...over,
});

describe('sums (pods, namespaces)', () => {
	it('adds every figure, limits only when every member has one', () => {
		expect(sumUsage([usage(), usage({cpuCores: 0.5, memoryBytes: 50, oomKills: 1})])).toEqual({
			cpuSeconds: 2, cpuCores: 0.75, memoryBytes: 150, memoryLimitBytes: 2000, pids: 2, throttledPeriods: 4, throttledSeconds: 0.2, oomKills: 1, cpuLimitCores: 1,
		});
		expect(sumUsage([usage(), usage({memoryLimitBytes: null, cpuLimitCores: null})])).toMatchObject({memoryLimitBytes: null, cpuLimitCores: null});
	});

	it('has no rate while any member has none yet, and no usage without members that have one', () => {
		expect(sumUsage([usage(), usage({cpuCores: null})])!.cpuCores).toBeNull();
		expect(sumUsage([null, undefined])).toBeNull();
		expect(sumUsage([null, usage()])).toEqual(usage());
	});
});

describe('the node', () => {
	it('turns /proc/stat into busy cores between two samples, and memory into used of total', () => {
		const before = {at: 0, cpus: 2, cpuBusySeconds: 10, cpuTotalSeconds: 100, memoryTotalBytes: 1000, memoryAvailableBytes: 600};
		const after = {...before, at: 1000, cpuBusySeconds: 11, cpuTotalSeconds: 102};
		expect(hostUsage(after, before)).toEqual({cpus: 2, cpuCores: 1, memoryBytes: 400, memoryTotalBytes: 1000});
		expect(hostUsage(after, null)!.cpuCores).toBeNull();
		expect(hostUsage(null, before)).toBeNull();
	});
});

describe('the snapshot on the recorded lab', () => {
	/** The recorded lab with usage for every running task: 0.1 core each, sandbox included. */
	function withUsage(facts: NodeFacts): NodeFacts {
		const tasks = facts.containerd!.tasks.filter((t) => t.pid > 0);
		const sample = (at: number, cpu: number) => tasks.map((t) => fact({namespace: t.namespace, id: t.id, at, cpuSeconds: cpu, memoryLimitBytes: null, cpuLimitCores: null}));
		return {
			...facts,
			usage: {
				current: {containers: sample(2000, 1.2), host: null},
				previous: {containers: sample(0, 1), host: null},
			},
		};
	}

	it('gives every running container its usage, each pod the sum of its containers and sandbox', () => {
		const node = buildNodeSnapshot(withUsage(labFacts()));
		const running = node.containers.filter((c) => c.pid !== null);
		expect(running.length).toBeGreaterThan(5);
		for (const c of running) expect(c.usage).toMatchObject({cpuCores: expect.closeTo(0.1, 9), memoryBytes: 48 << 20});
		for (const c of node.containers.filter((c) => c.pid === null)) expect(c.usage).toBeNull();
		for (const pod of node.pods) {
			const members = [pod.id, ...pod.containers].map((id) => node.containers.find((c) => c.id === id)).filter((c) => c?.usage);
			expect(members.length).toBeGreaterThan(1);
			expect(pod.usage!.cpuCores).toBeCloseTo(0.1 * members.length, 9);
			expect(pod.usage!.memoryBytes).toBe(members.length * (48 << 20));
		}
		for (const ns of node.namespaces) {
			const inNs = node.containers.filter((c) => c.namespace === ns.name && c.usage);
			expect(ns.usage?.pids ?? 0).toBe(inNs.length * 2);
		}
	});

	it('sets usage fields to null where nothing was read, so the JSON always has them', () => {
		const node = buildNodeSnapshot(labFacts());
		expect(node.containers.every((c) => c.usage === null)).toBe(true);
		expect(node.pods.every((p) => p.usage === null)).toBe(true);
		expect(node.processes.every((p) => p.cpuSeconds === null && p.rssBytes === null && p.cpuCores === null)).toBe(true);
		expect(node.shims.every((s) => s.rssBytes === null)).toBe(true);
		expect(node.host).toBeNull();
	});

	it("gives each shim its process's RSS and each namespace their total", () => {
		const facts = labFacts();
		const processes = facts.processes!.map((p) => ({...p, cpuSeconds: 1, rssBytes: 10 << 20, cpuCores: null}));
		const node = buildNodeSnapshot({...facts, processes});
		expect(node.shims.every((s) => s.rssBytes === 10 << 20)).toBe(true);
		for (const ns of node.namespaces) expect(ns.shimRssBytes).toBe(node.shims.filter((s) => s.namespace === ns.name).length * (10 << 20));
	});
});

describe('process CPU time and RSS', () => {
	it('reads utime + stime and rss from /proc/PID/stat', () => {
		const stat = '17386 (cat) R 17343 17343 7191 0 -1 4194304 98 0 0 0 250 50 0 0 20 0 1 0 45896 3133440 387 18446744073709551615 94436436172800';
		expect(parseProcStat(stat)).toMatchObject({pid: 17386, ppid: 17343, cpuTicks: 300, rssPages: 387});
	});

	it('reads cputime ([DD-]HH:MM:SS) and rss (KiB) from ps, and still the older columns', () => {
		const [a, b] = parsePs('    1     0 root   Ss   1-02:03:04 15668 /sbin/init splash\n   42     1 www  S    00:00:01     0 [kthreadd]\n');
		expect(a).toMatchObject({pid: 1, command: '/sbin/init splash', cpuSeconds: 86400 + 2 * 3600 + 3 * 60 + 4, rssBytes: 15668 * 1024});
		expect(b).toMatchObject({pid: 42, user: 'www', state: 'S', command: '[kthreadd]', cpuSeconds: 1, rssBytes: 0});
		const [old] = parsePs('    7     1 root S sleep 10\n');
		expect(old).toEqual({pid: 7, ppid: 1, user: 'root', state: 'S', command: 'sleep 10'});
	});
});

describe("an SSH node's /proc/stat and /proc/meminfo", () => {
	it('are read on the first poll, at least a second later for the first rate, then every 30 s', async () => {
		const {UsageCollector} = await import('../../source/collect/cgroup-usage.js');
		let now = 0;
		let busy = 0;
		const reads: string[] = [];
		// Each read is /proc/stat, /proc/meminfo and the three /proc/pressure files, together.
		const R = 5;
		const transport = {
			kind: 'ssh', target: 'ssh://n', procfs: undefined,
			readFile: async (path: string) => {
				reads.push(path);
				return Buffer.from(path === '/proc/stat' ? `cpu  ${busy} 0 0 ${1000 + now / 10 - busy} 0 0 0 0\ncpu0 0\ncpu1 0\n` : 'MemTotal: 1000 kB\nMemAvailable: 400 kB\n');
			},
		} as never;
		const usage = new UsageCollector(transport, () => now);
		const poll = async () => buildNodeSnapshot({...labFacts(), usage: usage.collect(null, await usage.readHost(1 << 20)).facts}).host;
		expect((await poll())!.cpuCores).toBeNull();
		expect(reads).toHaveLength(1 * R);
		now = 500;
		await poll();
		expect(reads).toHaveLength(1 * R); // too soon for a rate
		now = 2000;
		busy = 100; // one second of ticks over two seconds of two CPUs' time
		const rated = await poll();
		expect(reads).toHaveLength(2 * R);
		expect(rated!.cpuCores).toBeCloseTo(2 * 100 / 200, 6);
		expect(rated!.memoryBytes).toBe(600 * 1024);
		now = 10_000;
		expect((await poll())!.cpuCores).toBeCloseTo(1, 6); // the last rate stands between reads
		expect(reads).toHaveLength(2 * R);
		now = 32_500;
		await poll();
		expect(reads).toHaveLength(3 * R);
	});
});
