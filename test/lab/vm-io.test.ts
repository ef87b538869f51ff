/**
 * Network, block IO and pressure on the cgroup v2 VM node (Linux 7.2, Docker 28 with the
 * systemd driver): containers made here (removed after) move real bytes over Docker's
 * default bridge (busybox httpd in one, wget in another), write 64 MiB with fsync, and one
 * starves under a 24 MiB limit. crimon reads them twice: run inside the VM on its own
 * files (the local path: /proc/PID/net/dev, io.stat, PSI), and over SSH from here
 * (containerd's Metrics for block IO, the namespaces' net/dev with ps, /proc/pressure for the node).
 *
 * The bundle built here (dist/) runs in the guest with the Node binary and node_modules the
 * VM lab shares over 9p (/mnt/node, /mnt/crimon); it is copied to /tmp/crimon-io there.
 * Under TCG one ssh command takes seconds: setup is one command.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Container, NodeSnapshot} from '../../source/schema/types.js';
import {CLI, REPO_ROOT} from './lab-available.js';
import {inVm, readVm, skipWithoutVm, VM_DIR, type VmNode} from './vm-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const MiB = 1024 * 1024;
const SERVER = 'crimon-io-vm-srv';
const CLIENT = 'crimon-io-vm-cli';
const WRITER = 'crimon-io-vm-dd';
const STARVED = 'crimon-io-vm-oom';
const GUEST_DIR = '/tmp/crimon-io';

/** The VM lab's busybox image (its lab.json, written by the vm scripts). */
function vmImage(): string {
	const lab = JSON.parse(fs.readFileSync(path.join(VM_DIR, 'lab.json'), 'utf8')) as {image?: {docker?: string}};
	return lab.image?.docker ?? 'crimon-vm/busybox:1';
}

const CLEANUP = `docker rm -f ${SERVER} ${CLIENT} ${WRITER} ${STARVED} >/dev/null 2>&1; rm -rf ${GUEST_DIR}`;

function setupScript(image: string): string {
	return [
		CLEANUP,
		`docker run -d --name ${SERVER} ${image} sh -c 'mkdir -p /www && head -c ${11 * MiB} /dev/zero > /www/blob && exec httpd -f -p 8080 -h /www' >/dev/null`,
		`docker run -d --name ${CLIENT} ${image} sh -c 'while :; do sleep 100; done' >/dev/null`,
		`docker run -d --name ${WRITER} ${image} sh -c 'dd if=/dev/zero of=/tmp/f bs=1M count=64 conv=fsync 2>/dev/null; while :; do sleep 100; done' >/dev/null`,
		`docker run -d --name ${STARVED} --memory 24m --memory-swap 24m ${image} sh -c 'while :; do sh -c "x=aaaa; while :; do x=\\$x\\$x; done"; sleep 1; done' >/dev/null`,
		`ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' ${SERVER})`,
		`for i in $(seq 1 60); do docker exec ${CLIENT} busybox wget -q -O /dev/null "http://$ip:8080/blob" && break; sleep 1; done`,
		// Until the disk has it: the cgroup's io.stat counts the fsync'd writes (read from the guest's side, no docker exec: each costs seconds under TCG).
		`f=/sys/fs/cgroup/system.slice/docker-$(docker inspect -f '{{.Id}}' ${WRITER}).scope/io.stat`,
		`for i in $(seq 1 120); do w=$(sed -n 's/.*wbytes=\\([0-9]*\\).*/\\1/p' "$f" | head -1); [ "\${w:-0}" -ge ${64 * MiB} ] && break; sleep 1; done`,
		'echo ready',
	].join('\n');
}

function copyBundle(vm: VmNode): void {
	const tar = execFileSync('tar', ['-C', REPO_ROOT, '-cf', '-', 'dist/cli.js', 'dist/crimon.js', 'dist/chunks', 'package.json'], {maxBuffer: 256 * MiB});
	execFileSync('ssh', ['-F', path.join(vm.home, '.ssh', 'config'), vm.alias, `rm -rf ${GUEST_DIR} && mkdir -p ${GUEST_DIR} && tar -xf - -C ${GUEST_DIR} && ln -s /mnt/crimon/node_modules ${GUEST_DIR}/node_modules`], {input: tar, timeout: 120_000, env: {...process.env, HOME: vm.home}});
}

describe.skipIf(skipWithoutVm('vm: io'))('vm: network, block IO and pressure on cgroup v2 (Docker 28, Linux 7.2)', () => {
	let vm: VmNode;
	let local: NodeSnapshot;
	let localPrometheus = '';
	let remote: NodeSnapshot;

	const named = (node: NodeSnapshot, name: string): Container => {
		const found = node.containers.find((c) => c.name === name);
		if (!found) throw new Error(`crimon does not list ${name}`);
		return found;
	};

	beforeAll(() => {
		vm = readVm();
		expect(inVm(vm, ['sh', '-c', setupScript(vmImage())], 400_000)).toContain('ready');
		copyBundle(vm);
		const node = ['/mnt/node/bin/node', `${GUEST_DIR}/dist/cli.js`];
		local = parseSavedSnapshot(inVm(vm, [...node, 'snapshot', '--json', '--sample', '2s', '--timeout', '60s'], 300_000)).nodes[0]!;
		localPrometheus = inVm(vm, [...node, 'snapshot', '--format', 'prometheus', '--timeout', '60s'], 300_000);
		const out = execFileSync('node', [CLI, 'snapshot', '--json', '--node', vm.alias, '--timeout', '60s'], {encoding: 'utf8', timeout: 300_000, env: {...process.env, HOME: vm.home}});
		remote = parseSavedSnapshot(out).nodes[0]!;
	}, 900_000);

	afterAll(() => {
		if (vm) inVm(vm, ['sh', '-c', CLEANUP], 120_000);
	});

	it('inside the VM: ≥ 10 MB sent by the httpd container and received by the wget one over the bridge', () => {
		const sent = named(local, SERVER).usage!.network!;
		const received = named(local, CLIENT).usage!.network!;
		expect(sent.txBytes).toBeGreaterThanOrEqual(10_000_000);
		expect(received.rxBytes).toBeGreaterThanOrEqual(10_000_000);
		expect(sent.interfaces.map((i) => i.name)).toContain('eth0');
	});

	it('inside the VM: ≥ 64 MiB written, from io.stat, on a named device', () => {
		const io = named(local, WRITER).usage!.blockIo!;
		expect(io.writeBytes).toBeGreaterThanOrEqual(64 * MiB);
		expect(io.devices.every((d) => d.name !== null)).toBe(true);
	});

	it('inside the VM: pressure has figures, and the memory-starved container\'s memory pressure is above zero', () => {
		const box = named(local, WRITER).usage!;
		expect(box.pressure!.cpu!.someAvg10).toBeGreaterThanOrEqual(0);
		expect(box.pressure!.io).not.toBeNull();
		const starved = named(local, STARVED).usage!;
		expect(starved.pressure!.memory!.someTotalSeconds).toBeGreaterThan(0);
		expect(starved.oomKills).toBeGreaterThan(0);
		expect(local.pressure!.memory).not.toBeNull();
	});

	it('inside the VM: the Prometheus families carry the same counters', () => {
		const line = (family: string, container: string, extra = '') => localPrometheus.split('\n').find((l) => l.startsWith(`${family}{`) && l.includes(`container="${container}"`) && l.includes(extra));
		const value = (l: string | undefined) => Number(l!.slice(l!.lastIndexOf(' ') + 1));
		expect(value(line('crimon_container_network_transmit_bytes_total', SERVER, 'interface="eth0"'))).toBeGreaterThanOrEqual(10_000_000);
		expect(value(line('crimon_container_fs_writes_bytes_total', WRITER))).toBeGreaterThanOrEqual(64 * MiB);
		expect(value(line('crimon_container_pressure_memory_waiting_seconds_total', STARVED))).toBeGreaterThan(0);
		expect(localPrometheus).toMatch(/^crimon_node_pressure_io_stalled_seconds_total\{node="[^"]+"\} [\d.]+$/m);
	});

	it('over SSH: ≥ 64 MiB written from containerd\'s Metrics (v2 io), ≥ 10 MB sent from the namespaces read with ps, the node\'s pressure, PSI null with the reason', () => {
		const usage = named(remote, WRITER).usage!;
		expect(usage.blockIo!.writeBytes).toBeGreaterThanOrEqual(64 * MiB);
		expect(named(remote, SERVER).usage!.network!.txBytes).toBeGreaterThanOrEqual(10_000_000);
		expect(named(remote, CLIENT).usage!.network!.rxBytes).toBeGreaterThanOrEqual(10_000_000);
		expect(usage.pressure).toBeNull();
		expect(usage.reasons!.pressure).toMatch(/SSH/);
		expect(remote.pressure!.cpu).not.toBeNull();
	});

});
