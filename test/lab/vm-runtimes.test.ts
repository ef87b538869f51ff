/**
 * The runtimes of a 2026 node, on the cgroup v2 VM (Debian sid: containerd 2.1, Docker 28,
 * podman 5.8 with conmon and crun): crimon over SSH, and crimon run inside the VM (its own
 * bundle copied in, Node and node_modules from the VM's 9p shares), each checked against what
 * podman itself says. The suite makes its own podman container and its own stand-in kubelet
 * configured the 1.35 way (test/lab/fake-kubelet.sh's trick: perl rewrites its argv), and
 * removes both. Under TCG one ssh command takes seconds, so setup and truth are one call each.
 */
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {NodeSnapshot, Snapshot} from '../../source/schema/types.js';
import {REPO_ROOT} from './lab-available.js';
import {runCrimon} from './ssh-lab.js';
import {inVm, readVm, skipWithoutVm, type VmNode} from './vm-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const NAME = 'crimon-runtimes-podman';
const LABEL = 'io.crimon.runtimes';
const ROOTFS = '/opt/crimon-vm/busybox-rootfs';
const KUBELET_DIR = '/var/lib/kubelet';
const REMOTE_DIST = '/tmp/crimon-runtimes';
const CONFIG = [
	'apiVersion: kubelet.config.k8s.io/v1beta1',
	'kind: KubeletConfiguration',
	'cgroupDriver: systemd',
	'containerRuntimeEndpoint: unix:///run/containerd/containerd.sock',
	'',
].join('\n');
const KUBELET_ARGV = ['/usr/bin/kubelet', `--config=${KUBELET_DIR}/config.yaml`, '--kubeconfig=/etc/kubernetes/kubelet.conf', '--node-ip=10.0.2.15'];

const skip = skipWithoutVm('vm-runtimes');

interface Truth {
	readonly id: string;
	readonly pid: number;
	readonly conmonPid: number;
	readonly kubeletPid: number;
	readonly containerd: string;
	readonly podman: string;
}

function sh(vm: VmNode, script: string, timeoutMs = 240_000): string {
	return inVm(vm, ['bash', '-c', script], timeoutMs);
}

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

describe.skipIf(skip)('runtimes on the cgroup v2 VM node', () => {
	let vm: VmNode;
	let truth: Truth;
	let overSsh: NodeSnapshot;
	let inside: NodeSnapshot | null = null;
	let insideWhy = '';

	beforeAll(() => {
		vm = readVm();
		// One call: our podman container, the kubelet's files the kubeadm 1.34+ way, the stand-in kubelet.
		const out = sh(vm, [
			'set -euo pipefail',
			`podman rm -f ${NAME} >/dev/null 2>&1 || true`,
			`podman run -d --name ${NAME} --label ${LABEL}=1 --network none --rootfs ${ROOTFS} sleep 2147483647 >/dev/null`,
			`mkdir -p ${KUBELET_DIR}`,
			`printf %s ${quote(CONFIG)} >${KUBELET_DIR}/config.yaml`,
			`printf %s ${quote('containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n')} >${KUBELET_DIR}/instance-config.yaml`,
			`printf %s ${quote('KUBELET_KUBEADM_ARGS="--node-ip=10.0.2.15"\n')} >${KUBELET_DIR}/kubeadm-flags.env`,
			`setsid perl -e '$0 = join(" ", @ARGV); sleep;' -- ${KUBELET_ARGV.map(quote).join(' ')} </dev/null >/dev/null 2>&1 & echo "kubelet $!"`,
			`echo "podman $(podman inspect -f '{{.Id}} {{.State.Pid}} {{.State.ConmonPid}}' ${NAME})"`,
			`echo "versions $(containerd --version | awk '{print $3}') $(podman version -f '{{.Server.Version}}')"`,
		].join('\n'));
		const line = (key: string) => out.split('\n').find((l) => l.startsWith(`${key} `))!.split(' ').slice(1);
		const [id, pid, conmonPid] = line('podman');
		const [containerd, podman] = line('versions');
		truth = {id: id!, pid: Number(pid), conmonPid: Number(conmonPid), kubeletPid: Number(line('kubelet')[0]), containerd: containerd!.replace(/^v/, ''), podman: podman!};

		// The VM is shared and slow under TCG: a poll that finds the node unreachable is tried once more, and says so.
		let run = runCrimon(vm.home, ['snapshot', '--json', '--node', vm.alias, '--timeout', '60s'], 240_000);
		if (run.status !== 0) {
			let why = run.stderr.slice(0, 300);
			try {
				why = JSON.stringify((JSON.parse(run.stdout) as Snapshot).nodes[0]?.errors);
			} catch {
				// Not JSON: stderr says it.
			}
			console.warn(`vm-runtimes: the first poll over SSH failed (${why}); polling again`);
			run = runCrimon(vm.home, ['snapshot', '--json', '--node', vm.alias, '--timeout', '60s'], 240_000);
		}
		expect(run.stdout, run.stderr).not.toBe('');
		overSsh = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(overSsh.errors).toEqual([]);
		expect(run.status).toBe(0);

		// Locally inside the VM: this branch's bundle, with Node and node_modules from the shares.
		try {
			const tar = execFileSync('tar', ['-C', REPO_ROOT, '-cf', '-', 'package.json', 'dist/cli.js', 'dist/crimon.js', 'dist/chunks'], {maxBuffer: 256 * 1024 * 1024});
			execFileSync('ssh', ['-F', path.join(vm.home, '.ssh', 'config'), vm.alias, `rm -rf ${REMOTE_DIST} && mkdir -p ${REMOTE_DIST} && tar -C ${REMOTE_DIST} -xf - && ln -s /mnt/crimon/node_modules ${REMOTE_DIST}/node_modules`], {input: tar, timeout: 120_000, env: {...process.env, HOME: vm.home}});
			const local = sh(vm, `test -x /mnt/node/bin/node && test -d /mnt/crimon/node_modules || { echo "no Node or node_modules share in the VM" >&2; exit 3; }; /mnt/node/bin/node ${REMOTE_DIST}/dist/cli.js snapshot --json --timeout 60s`);
			inside = parseSavedSnapshot(local).nodes[0]!;
		} catch (error) {
			insideWhy = (error as Error).message.split('\n')[0]!;
		}
	}, 600_000);

	afterAll(() => {
		if (!vm || !truth) return;
		sh(vm, [
			`kill ${truth.kubeletPid} 2>/dev/null || true`,
			`rm -f ${KUBELET_DIR}/config.yaml ${KUBELET_DIR}/instance-config.yaml ${KUBELET_DIR}/kubeadm-flags.env`,
			`rmdir ${KUBELET_DIR} 2>/dev/null || true`,
			`podman rm -f ${NAME} >/dev/null 2>&1 || true`,
			`rm -rf ${REMOTE_DIST}`,
		].join('\n'));
	}, 240_000);

	const views = (): [string, NodeSnapshot][] => [['over SSH', overSsh], ...(inside ? [['inside the VM', inside] as [string, NodeSnapshot]] : [])];

	it('runs crimon inside the VM too (the local path on cgroup v2)', () => {
		expect(inside, insideWhy).not.toBeNull();
	});

	it('puts our podman container under its conmon, in the tree and in shims[]', () => {
		for (const [how, node] of views()) {
			const container = node.containers.find((c) => c.id === truth.id);
			expect(container, how).toBeDefined();
			expect(container, how).toMatchObject({name: NAME, namespace: null, pid: truth.pid, shimPid: truth.conmonPid});
			expect(container!.seenBy, how).toMatchObject({podman: true, containerd: false, docker: false});
			const shim = node.shims.find((s) => s.pid === truth.conmonPid);
			expect(shim, how).toMatchObject({kind: 'conmon', binary: 'conmon', id: truth.id, ociRuntime: 'crun', engine: 'podman'});
			expect(shim!.children, how).toContain(truth.pid);
			expect(shim!.rssBytes, how).toBeGreaterThan(0);
			const init = node.processes.find((p) => p.pid === truth.pid);
			expect(init?.ppid, how).toBe(truth.conmonPid);
		}
	});

	it('names podman among the runtimes, and no source fails that is there', () => {
		for (const [how, node] of views()) {
			expect(node.runtimes.podman, how).toEqual({address: '/run/podman/podman.sock', version: truth.podman});
			expect(node.runtimes.containerd?.version, how).toBe(truth.containerd);
			expect(node.runtimes.docker?.version, how).toMatch(/^28\./);
			expect(node.errors.filter((e) => ['podman', 'docker', 'containerd', 'kubelet', 'processes'].includes(e.source)), how).toEqual([]);
		}
	});

	it('reads the kubelet configured the 1.35 way from its config file, with no false finding', () => {
		for (const [how, node] of views()) {
			const diagnosis = node.diagnosis!;
			expect(diagnosis.kubelet, how).toMatchObject({pid: truth.kubeletPid, endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'config', configFile: `${KUBELET_DIR}/config.yaml`});
			expect(diagnosis.cri, how).toMatchObject({runtime: 'containerd', how: 'kubelet', answers: true});
			const codes = diagnosis.findings.map((f) => f.code);
			for (const code of ['cri-unreachable', 'kubelet-config-unreadable', 'kubelet-restart-pending', 'dockershim-in-use']) expect(codes, `${how}: ${code}`).not.toContain(code);
		}
	});

	it('says containerd 2.x is past its end of life, with the date', () => {
		for (const [how, node] of views()) {
			const eol = node.diagnosis!.findings.filter((f) => f.code === 'runtime-end-of-life');
			const containerd = eol.find((f) => f.message.startsWith(`containerd ${truth.containerd} `));
			expect(containerd, how).toBeDefined();
			expect(containerd!.message, how).toMatch(/line 2\.\d\) reached its upstream end of life on 20\d\d-\d\d-\d\d/);
			// Docker 28 is maintained upstream.
			expect(eol.some((f) => f.message.startsWith('Docker ')), how).toBe(false);
		}
	});
});
