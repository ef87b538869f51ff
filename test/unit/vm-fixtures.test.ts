/**
 * The parsers on output recorded from the cgroup v2 VM node (Debian sid: Linux 7.2, systemd
 * 262, containerd 2.1.9, Docker 28.5.2, podman 5.8.6 + conmon 2.1.13 + crun 1.28), by
 * test/lab/vm-record.sh; test/fixtures/vm/README.md says what each file is.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseProcCgroup, usageFromV2, type V2Files} from '../../source/collect/cgroup-parse.js';
import {usageFromMetrics} from '../../source/collect/cgroup-usage.js';
import {parseNamespaces, parseTasks, parseVersion} from '../../source/collect/parse-containerd.js';
import {parseDockerContainers, parseDockerVersion} from '../../source/collect/parse-docker.js';
import {parsePs} from '../../source/collect/parse-processes.js';
import {containerdEvent} from '../../source/events/decode-containerd-event.js';
import {dockerEvent} from '../../source/events/decode-docker-event.js';
import {decodeMetricsResponse} from '../../source/protocol/containerd-metrics.js';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'vm');
const text = (...parts: string[]) => fs.readFileSync(path.join(DIR, ...parts), 'utf8');
const bytes = (...parts: string[]) => fs.readFileSync(path.join(DIR, ...parts));
const maybe = (...parts: string[]) => (fs.existsSync(path.join(DIR, ...parts)) ? text(...parts) : null);
const idOf = (kind: string) => path.basename(text(kind, 'cgroup-dir.txt').trim()).replace(/^docker-|\.scope$/g, '');

function v2Files(kind: string): V2Files {
	const file = (name: string) => maybe(kind, 'cgroup', name);
	return {
		'cpu.stat': file('cpu.stat'), 'memory.current': file('memory.current'), 'memory.stat': file('memory.stat'),
		'memory.max': file('memory.max'), 'memory.events': file('memory.events'), 'pids.current': file('pids.current'), 'cpu.max': file('cpu.max'),
	};
}

describe('cgroup v2 files of the VM node', () => {
	it("Docker 28 (systemd driver): each container's init in system.slice/docker-<id>.scope", () => {
		for (const kind of ['docker-box', 'docker-oom', 'docker-cpu']) {
			const cgroups = parseProcCgroup(text(kind, 'proc-cgroup.txt'));
			expect(cgroups.v2).toMatch(/^\/system\.slice\/docker-[0-9a-f]{64}\.scope$/);
			expect(cgroups.v1.size).toBe(0);
		}
	});
	it("containerd's own containers in /<namespace>/<id>, podman's in machine.slice/libpod-<id>.scope/container, conmon beside it", () => {
		expect(parseProcCgroup(text('containerd-box', 'proc-cgroup.txt')).v2).toBe('/crimon-vm/vm-ctr-box');
		const podman = parseProcCgroup(text('podman-box', 'proc-cgroup.txt')).v2!;
		expect(podman).toMatch(/^\/machine\.slice\/libpod-[0-9a-f]{64}\.scope\/container$/);
		const id = /libpod-([0-9a-f]{64})/.exec(podman)![1]!;
		expect(parseProcCgroup(text('conmon', 'proc-cgroup.txt')).v2).toBe(`/machine.slice/libpod-conmon-${id}.scope`);
	});
	it('the OOM loop: its limit (24 MiB), its OOM kills from memory.events, its working set below the limit', () => {
		const usage = usageFromV2(v2Files('docker-oom'));
		expect(usage.memoryLimitBytes).toBe(24 * 1024 * 1024);
		expect(usage.oomKills).toBeGreaterThan(0);
		expect(usage.oomKills).toBe(Number(/^oom_kill (\d+)$/m.exec(text('docker-oom', 'cgroup', 'memory.events'))![1]));
		expect(usage.memoryUsageBytes).toBeLessThanOrEqual(24 * 1024 * 1024);
		expect(usage.inactiveFileBytes).not.toBeNull();
	});
	it('--cpus 0.25: cpu.max 25000 100000 and throttling counted; no limit reads as null (`max`)', () => {
		const busy = usageFromV2(v2Files('docker-cpu'));
		expect(busy.cpuLimitCores).toBe(0.25);
		expect(busy.throttledPeriods).toBeGreaterThan(0);
		expect(busy.throttledSeconds).toBeGreaterThan(0);
		const plain = usageFromV2(v2Files('docker-box'));
		expect(text('docker-box', 'cgroup', 'memory.max').trim()).toBe('max');
		expect(plain).toMatchObject({memoryLimitBytes: null, cpuLimitCores: null, pids: 1});
		expect(plain.cpuSeconds).toBeGreaterThan(0);
	});
	it('PSI: the files have some/full lines with a total in µs, the node its own in /proc/pressure', () => {
		for (const file of ['cpu.pressure', 'memory.pressure', 'io.pressure']) {
			expect(text('docker-oom', 'cgroup', file)).toMatch(/^some avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=\d+\nfull avg10=/);
		}
		expect(Number(/^full .* total=(\d+)$/m.exec(text('docker-oom', 'cgroup', 'memory.pressure'))![1])).toBeGreaterThan(0);
		expect(text('proc-pressure', 'memory')).toMatch(/^some avg10=/);
	});
});

describe('processes of the VM node (ps as crimon runs it)', () => {
	const processes = parsePs(text('ps.txt'));
	it('shows systemd as pid 1, a containerd-shim-runc-v2 per containerd task, and conmon with its -c/-u/-r', () => {
		expect(processes.find((p) => p.pid === 1)?.command).toMatch(/^\/usr\/lib\/systemd\/systemd /);
		expect(processes.filter((p) => /containerd-shim-runc-v2 -namespace /.test(p.command))).toHaveLength(4);
		const conmon = processes.filter((p) => p.command.startsWith('/usr/bin/conmon '));
		expect(conmon).toHaveLength(1);
		expect(conmon[0]!.ppid).toBe(1);
		expect(conmon[0]!.command).toMatch(/ -c [0-9a-f]{64} -u [0-9a-f]{64} -r \/usr\/bin\/crun /);
		const init = processes.find((p) => p.ppid === conmon[0]!.pid);
		expect(init?.command).toBe('sleep 2147483647');
		expect(conmon[0]!.rssBytes).toBeGreaterThan(0);
	});
});

describe("the VM node's APIs (containerd 2.1 gRPC, Docker 28 and podman 5.8 HTTP)", () => {
	it('containerd: version, namespaces, tasks', () => {
		expect(parseVersion(bytes('api', 'containerd-version-version.pb')).version).toBe('2.1.9+unknown');
		expect(parseNamespaces(bytes('api', 'containerd-namespaces-list.pb')).sort()).toEqual(['crimon-vm', 'moby']);
		const tasks = parseTasks(bytes('api', 'containerd-tasks-list.moby.pb'), 'moby');
		expect(tasks.map((t) => t.id).sort()).toEqual([idOf('docker-box'), idOf('docker-cpu'), idOf('docker-oom')].sort());
		expect(parseTasks(bytes('api', 'containerd-tasks-list.crimon-vm.pb'), 'crimon-vm').map((t) => t.id)).toEqual(['vm-ctr-box']);
	});
	it("containerd's Metrics answer on cgroup v2: the OOM loop's limit and kills, the busy loop's throttling", () => {
		const metrics = decodeMetricsResponse(bytes('api', 'containerd-tasks-metrics.moby.pb'));
		const byId = new Map(metrics.map((m) => [m.id, usageFromMetrics('moby', m, 0)]));
		expect(metrics.every((m) => m.cgroup === 'v2')).toBe(true);
		expect(byId.get(idOf('docker-oom'))).toMatchObject({memoryLimitBytes: 24 * 1024 * 1024});
		expect(byId.get(idOf('docker-oom'))!.oomKills).toBeGreaterThan(0);
		expect(byId.get(idOf('docker-cpu'))!.throttledPeriods).toBeGreaterThan(0);
		expect(byId.get(idOf('docker-box'))).toMatchObject({memoryLimitBytes: null, pids: 1});
	});
	it("Docker 28.5 on API 1.51; podman's Docker-compatible /version names its Podman Engine", () => {
		expect(parseDockerVersion(JSON.parse(text('docker', 'version.json')))).toMatchObject({version: '28.5.2+dfsg4', apiVersion: '1.51'});
		const containers = parseDockerContainers(JSON.parse(text('docker', 'containers-json.json')));
		expect(containers.map((c) => c.name).sort()).toEqual(['vm-cpu-half', 'vm-docker-box', 'vm-oom-loop']);
		const podman = JSON.parse(text('podman', 'compat', 'version.json')) as {Components: {Name: string}[]; Version: string};
		expect(podman.Components.map((c) => c.Name)).toContain('Podman Engine');
		expect(podman.Version).toBe('5.8.6');
	});
});

describe('events of the VM node', () => {
	const envelopes = fs.readdirSync(path.join(DIR, 'events')).filter((f) => f.endsWith('.pb')).sort()
		.map((f) => containerdEvent(bytes('events', f), 0));
	const docker = text('events', 'docker-events.jsonl').split('\n').filter(Boolean).map((line) => dockerEvent(line, 0)!);
	it('containerd 2.1: a ctr task and a Docker container exiting 7, each /tasks/exit with its status', () => {
		const exits = envelopes.filter((e) => e.topic === '/tasks/exit');
		expect(exits.map((e) => [e.namespace, e.exitStatus])).toEqual([['crimon-vm', 7], ['moby', 7]]);
		expect(exits[0]).toMatchObject({id: 'vm-record-exit7', kind: 'exit', execId: null});
		expect(envelopes.filter((e) => e.topic === '/tasks/delete').map((e) => e.exitStatus)).toEqual([7, 7]);
	});
	it("/tasks/create names its container and init pid, /tasks/oom the OOM loop's", () => {
		const creates = envelopes.filter((e) => e.topic === '/tasks/create');
		expect(creates.map((e) => e.kind)).toEqual(['task-create', 'task-create']);
		expect(creates[0]).toMatchObject({id: 'vm-record-exit7', namespace: 'crimon-vm'});
		expect(creates[0]!.pid).toBe(envelopes.find((e) => e.topic === '/tasks/start' && e.id === 'vm-record-exit7')!.pid);
		const ooms = envelopes.filter((e) => e.kind === 'oom');
		expect(ooms.length).toBeGreaterThan(0);
		expect(new Set(ooms.map((e) => e.id))).toEqual(new Set([idOf('docker-oom')]));
	});
	it("Docker 28: die with exitCode 7 and the container's name, oom for the loop", () => {
		const die = docker.find((e) => e.topic === 'container/die');
		expect(die).toMatchObject({kind: 'exit', exitStatus: 7, name: 'vm-record-exit7', source: 'docker'});
		expect(docker.filter((e) => e.kind === 'oom').every((e) => e.name === 'vm-oom-loop')).toBe(true);
		expect(docker.map((e) => e.topic)).toEqual(expect.arrayContaining(['container/create', 'container/start', 'container/die', 'container/destroy']));
	});
});
