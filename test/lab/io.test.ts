/**
 * Network, block IO and pressure on the real cgroup v1 lab: containers made here (and
 * removed after, whatever happens) move real bytes, and `crimon snapshot --json` and
 * `--format prometheus` are read as a user would, then checked against the kernel's own
 * files.
 *
 * The lab's dockerd runs with --bridge=none, so the two network containers start with
 * --network none and the test joins their namespaces with a veth pair of its own; busybox
 * httpd serves an 11 MiB file and wget fetches it. For disk, a Docker container and a
 * containerd one each write 64 MiB with fsync. Since Linux 6.10 blk-throttle starts on a
 * disk only once a cgroup sets a limit there, and cgroup v1's blkio.throttle.* counts only
 * then: the Docker writer carries a limit far above anything it does (10 GB/s) so the
 * disk's counting is on (test/fixtures/io-v1/README.md shows the same write counted as 0
 * without one).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Container, NodeSnapshot} from '../../source/schema/types.js';
import {HOST_NETNS, SHARES_POD_NETNS} from '../../source/model/io-usage.js';
import {CLI, readLab, skipWithoutLab} from './lab-available.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const run = (file: string, args: string[], timeout = 60_000) => execFileSync(file, args, {encoding: 'utf8', timeout});
const docker = (...args: string[]) => run('/usr/bin/docker', args);
const ip = (...args: string[]) => run('ip', args);

const IMAGE = 'crimon-lab/busybox:1';
const CTR_IMAGE = 'docker.io/crimon-lab/busybox:1';
const CTR_NS = 'lab-other';
const SERVER = 'crimon-io-srv';
const CLIENT = 'crimon-io-cli';
const WRITER = 'crimon-io-dd';
const HOSTNET = 'crimon-io-hostnet';
const CTR_WRITER = 'crimon-io-ctr-dd';
const VETH = ['cmio0s', 'cmio0c'] as const;
const MiB = 1024 * 1024;
const BLOB_BYTES = 11 * MiB;
const WRITE = 'dd if=/dev/zero of=/tmp/f bs=1M count=64 conv=fsync 2>/dev/null; while :; do sleep 100; done';

function cleanup(): void {
	for (const name of [SERVER, CLIENT, WRITER, HOSTNET]) spawnSync('/usr/bin/docker', ['rm', '-f', name]);
	spawnSync('ctr', ['-n', CTR_NS, 'tasks', 'kill', '-s', 'KILL', CTR_WRITER]);
	for (let i = 0; i < 20 && spawnSync('ctr', ['-n', CTR_NS, 'tasks', 'rm', '-f', CTR_WRITER]).status === 0; i++) spawnSync('sleep', ['0.2']);
	spawnSync('ctr', ['-n', CTR_NS, 'containers', 'rm', CTR_WRITER]);
	// The veth ends go with their namespaces; one left on the host (a failed setup) is removed here.
	for (const name of VETH) spawnSync('ip', ['link', 'del', name]);
}

const snapshotOf = (args: string[]): NodeSnapshot => parseSavedSnapshot(run('node', [CLI, 'snapshot', '--json', ...args], 120_000)).nodes[0]!;

/** What the kernel counts written by the blkio cgroup of a process (its Total line), 0 when unreadable. */
function blkioWritten(pid: number): number {
	try {
		const path = /^\d+:blkio:(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1]!;
		return Number(/^Total (\d+)$/m.exec(fs.readFileSync(`/sys/fs/cgroup/blkio${path}/blkio.throttle.io_service_bytes_recursive`, 'utf8'))?.[1] ?? 0);
	} catch {
		return 0;
	}
}

/** The device Docker's data root is on (`/dev/vda`), for the throttle rule. */
function dockerDisk(): string {
	return run('findmnt', ['-no', 'SOURCE', '--target', '/var/lib/docker']).trim().replace(/\[.*$/, '');
}

describe.skipIf(skipWithoutLab('lab: io'))('lab: network, block IO and pressure on real containers (cgroup v1)', () => {
	let node: NodeSnapshot;
	let prometheus = '';
	const pids: Record<string, number> = {};
	const writtenAround = [0, 0];
	const writerWritten = (): number => {
		const id = docker('inspect', '-f', '{{.Id}}', WRITER).trim();
		const file = fs.readFileSync(`/sys/fs/cgroup/blkio/docker/${id}/blkio.throttle.io_service_bytes_recursive`, 'utf8');
		// The last line's Total counts reads too: the written bytes are the devices' Write lines.
		return [...file.matchAll(/^\d+:\d+ Write (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
	};

	const named = (name: string): Container => {
		const found = node.containers.find((c) => c.name === name);
		if (!found) throw new Error(`crimon does not list ${name}`);
		return found;
	};

	beforeAll(async () => {
		cleanup();
		docker('run', '-d', '--name', SERVER, '--network', 'none', IMAGE, 'sh', '-c', `mkdir -p /www && head -c ${BLOB_BYTES} /dev/zero > /www/blob && exec httpd -f -p 8080 -h /www`);
		docker('run', '-d', '--name', CLIENT, '--network', 'none', IMAGE, 'sh', '-c', 'while :; do sleep 100; done');
		docker('run', '-d', '--name', HOSTNET, '--network', 'host', IMAGE, 'sh', '-c', 'while :; do sleep 100; done');
		docker('run', '-d', '--name', WRITER, '--device-write-bps', `${dockerDisk()}:10gb`, IMAGE, 'sh', '-c', WRITE);
		run('ctr', ['-n', CTR_NS, 'run', '-d', CTR_IMAGE, CTR_WRITER, 'sh', '-c', WRITE]);
		for (const name of [SERVER, CLIENT, WRITER]) pids[name] = Number(docker('inspect', '-f', '{{.State.Pid}}', name).trim());
		const [server, client] = VETH;
		ip('link', 'add', server, 'type', 'veth', 'peer', 'name', client);
		ip('link', 'set', server, 'netns', String(pids[SERVER]));
		ip('link', 'set', client, 'netns', String(pids[CLIENT]));
		run('nsenter', ['-t', String(pids[SERVER]), '-n', 'ip', 'addr', 'add', '10.203.7.1/30', 'dev', server]);
		run('nsenter', ['-t', String(pids[SERVER]), '-n', 'ip', 'link', 'set', server, 'up']);
		run('nsenter', ['-t', String(pids[CLIENT]), '-n', 'ip', 'addr', 'add', '10.203.7.2/30', 'dev', client]);
		run('nsenter', ['-t', String(pids[CLIENT]), '-n', 'ip', 'link', 'set', client, 'up']);
		// httpd may still be writing its blob: try until the whole file came.
		let fetched = false;
		for (let i = 0; i < 30 && !fetched; i++) {
			fetched = spawnSync('/usr/bin/docker', ['exec', CLIENT, 'busybox', 'wget', '-q', '-O', '/dev/null', 'http://10.203.7.1:8080/blob'], {timeout: 60_000}).status === 0;
			if (!fetched) await new Promise((resolve) => setTimeout(resolve, 500));
		}
		if (!fetched) throw new Error('the client could not fetch the blob over the veth pair');
		// Both writers: 64 MiB with fsync, then they idle; wait for the kernel's count of each.
		const task = run('ctr', ['-n', CTR_NS, 'tasks', 'ls']).split('\n').find((l) => l.startsWith(`${CTR_WRITER} `));
		pids[CTR_WRITER] = Number(task?.trim().split(/\s+/)[1] ?? 0);
		for (let i = 0; i < 240 && ![WRITER, CTR_WRITER].every((name) => blkioWritten(pids[name]!) >= 64 * MiB); i++) {
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		// The writer's count can still move (the journal's own writes land in its cgroup): the
		// kernel's figure is read just before and just after crimon's poll, which must fall between.
		writtenAround[0] = writerWritten();
		node = snapshotOf(['--sample', '1s']);
		writtenAround[1] = writerWritten();
		prometheus = run('node', [CLI, 'snapshot', '--format', 'prometheus'], 120_000);
	}, 240_000);

	afterAll(cleanup);

	it('shows the 11 MiB sent by the server and received by the client, from their own namespaces, lo left out', () => {
		const server = named(SERVER).usage!.network!;
		const client = named(CLIENT).usage!.network!;
		expect(server.txBytes).toBeGreaterThanOrEqual(10_000_000);
		expect(client.rxBytes).toBeGreaterThanOrEqual(10_000_000);
		// The same bytes, counted at each end of the pair.
		expect(client.rxBytes).toBe(server.interfaces.find((i) => i.name === VETH[0])!.txBytes);
		expect(server.interfaces.map((i) => i.name).sort()).toEqual(['cmio0s', 'lo']);
		// The kernel's own counter for the server's end.
		const dev = fs.readFileSync(`/proc/${pids[SERVER]}/net/dev`, 'utf8');
		expect(Number(new RegExp(`${VETH[0]}:\\s*(?:\\d+\\s+){8}(\\d+)`).exec(dev)![1])).toBe(server.txBytes);
		expect(server.txBytesPerSecond).not.toBeUndefined();
	});

	it('gives a container in the host\'s network namespace no figures, with the reason', () => {
		const usage = named(HOSTNET).usage!;
		expect(usage.network).toBeNull();
		expect(usage.reasons!.network).toBe(HOST_NETNS);
	});

	it('puts a pod\'s network on its sandbox, and its container says it shares it (the lab\'s dockershim pod)', () => {
		const lab = readLab<{containers: Record<string, {id: string}>}>();
		const sandbox = lab.containers['dockershimSandbox']!.id;
		const app = node.containers.find((c) => c.id === lab.containers['dockershimApp']!.id)!;
		expect(app.usage!.network).toBeNull();
		expect(app.usage!.networkSharedWith).toBe(sandbox);
		expect(app.usage!.reasons!.network).toBe(SHARES_POD_NETNS);
		const pod = node.pods.find((p) => p.id === sandbox)!;
		expect(pod.usage!.network).not.toBeNull();
	});

	it('shows ≥ 64 MiB written by the Docker and the containerd writer, on the named disk', () => {
		for (const name of [WRITER, CTR_WRITER]) {
			const io = named(name).usage!.blockIo!;
			expect(io.writeBytes, name).toBeGreaterThanOrEqual(64 * MiB);
			expect(io.writeOps, name).toBeGreaterThan(0);
			const disk = dockerDisk().replace('/dev/', '');
			expect(io.devices.some((d) => d.name === disk && d.writeBytes >= 64 * MiB), name).toBe(true);
		}
		const written = named(WRITER).usage!.blockIo!.writeBytes;
		expect(written).toBeGreaterThanOrEqual(writtenAround[0]!);
		expect(written).toBeLessThanOrEqual(writtenAround[1]!);
	});

	it('has no pressure on cgroup v1, with the reason, never zero; the node\'s own from /proc/pressure', () => {
		const usage = named(WRITER).usage!;
		expect(usage.pressure).toBeNull();
		expect(usage.reasons!.pressure).toMatch(/cgroup v1/);
		expect(node.pressure!.cpu!.someTotalSeconds).toBeGreaterThan(0);
	});

	it('reads each process\'s storage bytes from /proc/PID/io', () => {
		const writer = node.processes.find((p) => p.pid === pids[WRITER])!;
		expect(writer.writeBytes).toBeGreaterThanOrEqual(64 * MiB);
	});

	it('carries the same figures in the Prometheus families', () => {
		const value = (family: string, container: string, extra: string) => {
			const line = prometheus.split('\n').find((l) => l.startsWith(`${family}{`) && l.includes(`container="${container}"`) && l.includes(extra));
			if (!line) throw new Error(`no ${family} for ${container}`);
			return Number(line.slice(line.lastIndexOf(' ') + 1));
		};
		expect(value('crimon_container_network_transmit_bytes_total', SERVER, `interface="${VETH[0]}"`)).toBe(named(SERVER).usage!.network!.txBytes);
		expect(value('crimon_container_network_receive_bytes_total', CLIENT, `interface="${VETH[1]}"`)).toBe(named(CLIENT).usage!.network!.rxBytes);
		const disk = dockerDisk();
		expect(value('crimon_container_fs_writes_bytes_total', WRITER, `device="${disk}"`)).toBe(named(WRITER).usage!.blockIo!.devices.find((d) => `/dev/${d.name}` === disk)!.writeBytes);
		expect(prometheus).toMatch(/^crimon_node_pressure_cpu_waiting_seconds_total\{node="[^"]+"\} [\d.]+$/m);
		const check = spawnSync('promtool', ['check', 'metrics'], {input: prometheus, encoding: 'utf8'});
		expect(check.status, check.stdout + check.stderr).toBe(0);
	});
});
