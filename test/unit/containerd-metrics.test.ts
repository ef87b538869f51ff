import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CGROUPS_V1_METRICS, CGROUPS_V2_METRICS, decodeMetricsResponse, encodeMetricsRequest} from '../../source/protocol/containerd-metrics.js';
import {decode, encode, field, message, ProtobufError} from '../../source/protocol/protobuf.js';
import {usageFromMetrics} from '../../source/collect/cgroup-usage.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const bytes = (...parts: string[]) => fs.readFileSync(path.join(FIXTURES, ...parts));
const id = (name: string) => fs.readFileSync(path.join(FIXTURES, 'cgroup-v1', name, 'container-id'), 'utf8').trim();

describe('Tasks.Metrics answers recorded from containerd 1.6 (cgroup v1)', () => {
	const metrics = decodeMetricsResponse(bytes('metrics', 'moby-busy-mem-oom.pb'));
	const byId = new Map(metrics.map((m) => [m.id, m]));

	it('decodes every task, typed io.containerd.cgroups.v1.Metrics, with its timestamp', () => {
		expect(metrics).toHaveLength(3);
		for (const m of metrics) {
			expect(m.cgroup).toBe('v1');
			expect(m.typeUrl).toBe('io.containerd.cgroups.v1.Metrics');
			expect(m.at).toBeGreaterThan(Date.UTC(2026, 0, 1));
		}
	});

	it('agrees with the cgroup files recorded seconds before: same limits, counters a little further on', () => {
		const busy = byId.get(id('busy-cpus-0.5'))!;
		expect(busy.cpuNanos).toBe(11688280873);
		expect(busy.cpuNanos!).toBeGreaterThan(4511265536);
		expect(busy.throttledPeriods).toBe(170);
		expect(busy.throttledNanos).toBe(5730385261);
		expect(busy.memoryLimit!).toBeGreaterThanOrEqual(2 ** 62);
		const mem = byId.get(id('mem-48m-of-128m'))!;
		expect(mem.memoryLimit).toBe(134217728);
		expect(mem.memoryUsage).toBe(51134464);
		expect(mem.inactiveFile).toBe(0);
		expect(mem.pids).toBe(2);
		const oom = byId.get(id('oom-killed'))!;
		expect(oom.oomKills).toBe(17);
		expect(oom.memoryLimit).toBe(24 * 1024 * 1024);
	});

	it('becomes the same facts the cgroup reader makes, unlimited as null', () => {
		const busy = usageFromMetrics('moby', byId.get(id('busy-cpus-0.5'))!, 0);
		expect(busy).toMatchObject({namespace: 'moby', source: 'containerd', cpuSeconds: 11.688280873, throttledPeriods: 170, memoryLimitBytes: null, cpuLimitCores: null});
		expect(busy!.throttledSeconds).toBeCloseTo(5.730385261, 9);
	});

	it('decodes the lab namespaces recorded for the replay servers', () => {
		for (const ns of ['moby', 'k8s.io', 'lab-other']) {
			const list = decodeMetricsResponse(bytes('lab', `containerd-tasks-metrics.${ns}.pb`));
			expect(list.length).toBeGreaterThan(0);
			expect(list.every((m) => m.cgroup === 'v1' && m.pids! >= 1)).toBe(true);
		}
	});
});

// The v2 message, from containerd/cgroups cgroup2/stats/metrics.proto, to build an answer as a v2 node sends it.
const V2 = message('io.containerd.cgroups.v2.Metrics', {
	1: field('pids', message('PidsStat', {1: field('current', 'uint64'), 2: field('limit', 'uint64')})),
	2: field('cpu', message('CPUStat', {1: field('usageUsec', 'uint64'), 4: field('nrPeriods', 'uint64'), 5: field('nrThrottled', 'uint64'), 6: field('throttledUsec', 'uint64')})),
	4: field('memory', message('MemoryStat', {1: field('anon', 'uint64'), 13: field('inactiveFile', 'uint64'), 32: field('usage', 'uint64'), 33: field('usageLimit', 'uint64')})),
	6: field('io', message('IOStat', {1: field('usage', message('IOEntry', {1: field('major', 'uint64'), 2: field('minor', 'uint64'), 3: field('rbytes', 'uint64'), 4: field('wbytes', 'uint64'), 5: field('rios', 'uint64'), 6: field('wios', 'uint64')}), true)})),
	8: field('memoryEvents', message('MemoryEvents', {4: field('oom', 'uint64'), 5: field('oomKill', 'uint64')})),
});
// The v1 message's blkio part, from containerd/cgroups stats/v1/metrics.proto.
const BlkioEntry = message('BlkIOEntry', {1: field('op', 'string'), 2: field('device', 'string'), 3: field('major', 'uint64'), 4: field('minor', 'uint64'), 5: field('value', 'uint64')});
const V1 = message('io.containerd.cgroups.v1.Metrics', {5: field('blkio', message('BlkIOStat', {1: field('ioServiceBytesRecursive', BlkioEntry, true), 2: field('ioServicedRecursive', BlkioEntry, true)}))});
const Any = message('Any', {1: field('typeUrl', 'string'), 2: field('value', 'bytes')});
const Timestamp = message('Timestamp', {1: field('seconds', 'int64'), 2: field('nanos', 'int32')});
const Metric = message('types.Metric', {1: field('timestamp', Timestamp), 2: field('id', 'string'), 3: field('data', Any)});
const Response = message('MetricsResponse', {1: field('metrics', Metric, true)});

describe('Tasks.Metrics from a cgroup v2 node', () => {
	it('reads usage_usec, throttling, memory with inactive_file, its limit and oom_kill', () => {
		const data = encode(V2, {
			pids: {current: 3},
			cpu: {usageUsec: 2_500_000, nrPeriods: 40, nrThrottled: 12, throttledUsec: 750_000},
			memory: {anon: 1, inactiveFile: 4096, usage: 52_428_800, usageLimit: 134_217_728},
			memoryEvents: {oom: 2, oomKill: 2},
			io: {usage: [{major: 254, minor: 0, rbytes: 4096, wbytes: 67_133_440, rios: 1, wios: 23}]},
		});
		const answer = encode(Response, {metrics: [{timestamp: {seconds: 1_795_750_000, nanos: 500_000_000}, id: 'c1', data: {typeUrl: `type.googleapis.com/${CGROUPS_V2_METRICS}`, value: data}}]});
		const [m] = decodeMetricsResponse(answer);
		expect(m).toEqual({
			id: 'c1', at: 1_795_750_000_500, cgroup: 'v2', typeUrl: `type.googleapis.com/${CGROUPS_V2_METRICS}`,
			cpuNanos: 2_500_000_000, throttledPeriods: 12, throttledNanos: 750_000_000, memoryUsage: 52_428_800,
			inactiveFile: 4096, memoryLimit: 134_217_728, oomKills: 2, pids: 3,
			blockIo: [{device: '254:0', readBytes: 4096, writeBytes: 67_133_440, readOps: 1, writeOps: 23}],
		});
		expect(usageFromMetrics('k8s.io', m!, 0)).toMatchObject({cpuSeconds: 2.5, throttledSeconds: 0.75, memoryLimitBytes: 134_217_728});
	});

	it('reads v1 blkio: Read and Write of the recursive service bytes and ops, per device; other ops ignored', () => {
		const entry = (op: string, value: number) => ({op, device: '', major: 254, minor: 0, value});
		const data = encode(V1, {blkio: {ioServiceBytesRecursive: [entry('Read', 0), entry('Write', 67_133_440), entry('Sync', 67_133_440), entry('Total', 67_133_440)], ioServicedRecursive: [entry('Write', 23)]}});
		const [m] = decodeMetricsResponse(encode(Response, {metrics: [{id: 'v1', data: {typeUrl: CGROUPS_V1_METRICS, value: data}}]}));
		expect(m!.blockIo).toEqual([{device: '254:0', readBytes: 0, writeBytes: 67_133_440, readOps: 0, writeOps: 23}]);
		expect(usageFromMetrics('moby', m!, 0).blockIo).toEqual(m!.blockIo);
	});

	it('reads max (2^64 − 1) as no limit, and an empty stats message as zeros', () => {
		const unlimited = encode(V2, {memory: {usage: 10, usageLimit: 2n ** 64n - 1n}});
		const answer = encode(Response, {metrics: [{id: 'c2', data: {typeUrl: CGROUPS_V2_METRICS, value: unlimited}}]});
		const [m] = decodeMetricsResponse(answer);
		expect(m!.at).toBeNull();
		expect(m!.cpuNanos).toBe(0);
		expect(usageFromMetrics('k8s.io', m!, 7)).toMatchObject({at: 7, memoryLimitBytes: null, memoryUsageBytes: 10});
	});

	it('passes over data of another type without guessing', () => {
		const answer = encode(Response, {metrics: [{id: 'w', data: {typeUrl: 'io.containerd.windows.Stats', value: new Uint8Array([8, 1])}}]});
		const [m] = decodeMetricsResponse(answer);
		expect(m!.cgroup).toBeNull();
		expect(m!.cpuNanos).toBeNull();
		expect(usageFromMetrics('x', m!, 0)).toBeNull();
	});
});

describe('malformed answers and the request', () => {
	it('raises ProtobufError on cut or nonsense bytes, never a RangeError', () => {
		const good = bytes('metrics', 'moby-busy-mem-oom.pb');
		for (const cut of [1, 7, 100, good.length - 1]) expect(() => decodeMetricsResponse(good.subarray(0, cut))).toThrow(ProtobufError);
		expect(() => decodeMetricsResponse(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(ProtobufError);
		expect(() => decodeMetricsResponse(new Uint8Array([0x00]))).toThrow(ProtobufError);
	});

	it('encodes MetricsRequest {repeated string filters = 1} as the codec would', () => {
		const Request = message('MetricsRequest', {1: field('filters', 'string', true)});
		const filters = ['id==abc', 'id==' + 'x'.repeat(200)];
		expect(Buffer.from(encodeMetricsRequest(filters))).toEqual(Buffer.from(encode(Request, {filters})));
		expect(decode(Request, encodeMetricsRequest(filters)).filters).toEqual(filters);
		expect(encodeMetricsRequest()).toHaveLength(0);
	});
});
