/**
 * The cgroup v2 lab node: a Debian sid VM (containerd 2.x, Docker 28, podman with conmon,
 * systemd, cgroup v2) booted under qemu by test/lab/vm-up.sh and reached as an SSH node on
 * a loopback port. vm-up.sh writes $CRIMON_VM_DIR/vm.json once sshd in the guest answers;
 * the suites read it here. Where qemu cannot run, the VM suites skip and say why; under CI
 * (CRIMON_VM_REQUIRED=1, set by .ci/run once the VM has booted) a missing VM fails instead.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {CLI} from './lab-available.js';

export const VM_DIR = process.env.CRIMON_VM_DIR ?? '/tmp/crimon-vm';
export const VM_JSON = path.join(VM_DIR, 'vm.json');

export interface VmNode {
	/** 127.0.0.1: qemu forwards a loopback port to the guest's sshd and nothing else. */
	readonly host: string;
	readonly port: number;
	/** The ssh_config alias the lab HOME below names (crimon --node ALIAS). */
	readonly alias: string;
	readonly user: string;
	readonly identityFile: string;
	/** A HOME whose ~/.ssh/config names `alias` and whose known_hosts holds the guest's key. */
	readonly home: string;
	/** `[127.0.0.1]:port type base64`. */
	readonly knownHosts: string;
	readonly qemuPid: number;
}

export function vmStatus(): {up: boolean; reason: string} {
	if (process.getuid?.() !== 0) return {up: false, reason: 'the VM lab needs root'};
	if (!fs.existsSync(VM_JSON)) return {up: false, reason: `no ${VM_JSON}: run bash test/lab/vm-up.sh (as root; builds the image once, boots in about 90 s)`};
	const vm = readVm();
	if (!fs.existsSync(`/proc/${vm.qemuPid}`)) return {up: false, reason: `the VM's qemu (pid ${vm.qemuPid}) is gone: run bash test/lab/vm-up.sh`};
	if (!fs.existsSync(CLI)) return {up: false, reason: `${CLI} is not built: run npm run build`};
	return {up: true, reason: ''};
}

/** For describe.skipIf: true means skip. Throws when the VM is required but down. */
export function skipWithoutVm(suite: string): boolean {
	const status = vmStatus();
	if (status.up) return false;
	if (process.env.CRIMON_VM_REQUIRED === '1') throw new Error(`${suite}: the VM node is required here but ${status.reason}`);
	console.warn(`skipped ${suite}: ${status.reason}`);
	return true;
}

export function readVm(): VmNode {
	return JSON.parse(fs.readFileSync(VM_JSON, 'utf8')) as VmNode;
}

/**
 * Runs argv in the guest over the lab's own ssh (BatchMode, the lab HOME's known_hosts),
 * each word quoted for the guest's shell. Under TCG a command takes seconds: batch setup.
 */
export function inVm(vm: VmNode, argv: readonly string[], timeoutMs = 120_000): string {
	const quoted = argv.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
	return execFileSync('ssh', ['-F', path.join(vm.home, '.ssh', 'config'), vm.alias, quoted], {encoding: 'utf8', timeout: timeoutMs, env: {...process.env, HOME: vm.home}});
}

export const VM_LAB_JSON = path.join(VM_DIR, 'lab.json');

/** One container of the VM lab's, as vm-lab-objects.sh printed it. */
export interface VmContainer {
	readonly name?: string;
	readonly namespace?: string;
	readonly id: string;
	readonly pid: number;
	/** Its cgroup v2 path (from /proc/PID/cgroup's `0::` line). */
	readonly cgroup: string;
	readonly conmonPid?: number;
}

/** $CRIMON_VM_DIR/lab.json: the guest's shape (versions) and the lab's own objects. */
export interface VmLab {
	readonly schema: 'crimon.vm-lab/v1';
	readonly label: string;
	readonly image: {readonly docker: string; readonly containerd: string};
	readonly shape: {
		readonly kernel: string; readonly cgroup: 'v1' | 'v2'; readonly systemd: string;
		readonly containerd: string; readonly containerdConfigVersion: number | null; readonly runtime: string; readonly v1Shim: boolean;
		readonly docker: string; readonly dockerApi: string; readonly dockerCgroupDriver: string;
		readonly podman: string; readonly conmon: string; readonly crun: string; readonly runc: string;
	};
	readonly docker: {readonly box: VmContainer; readonly oom: VmContainer; readonly cpu: VmContainer};
	readonly containerd: {readonly box: VmContainer & {readonly namespace: string}};
	readonly podman: {readonly box: VmContainer & {readonly conmonPid: number}};
}

export function readVmLab(): VmLab {
	return JSON.parse(fs.readFileSync(VM_LAB_JSON, 'utf8')) as VmLab;
}
