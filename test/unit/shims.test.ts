import {describe, expect, it} from 'vitest';
import {findShims, flagValue, parseShim, shimVersionOf} from '../../source/collect/shims.js';
import {parseKubeletDockerName} from '../../source/model/kubernetes-labels.js';

const proc = (pid: number, ppid: number, command: string) => ({pid, ppid, user: 'root', state: 'S', command});

describe('shims', () => {
	it('reads a v1 shim: id from -workdir, parent containerd', () => {
		const shim = parseShim(proc(3022, 2804, 'containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/0123abcd -address /run/containerd/containerd.sock -containerd-binary /usr/bin/containerd -runtime-root /var/run/docker/runtime-runc'));
		expect(shim).toEqual({pid: 3022, version: 'v1', binary: 'containerd-shim', namespace: 'moby', id: '0123abcd', address: '/run/containerd/containerd.sock', kind: 'containerd', ociRuntime: null, engine: null});
	});
	it('reads a v2 shim of any runtime', () => {
		expect(parseShim(proc(10, 1, '/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id abc -address /run/containerd/containerd.sock'))).toMatchObject({version: 'v2', namespace: 'k8s.io', id: 'abc'});
		expect(shimVersionOf('/opt/kata/bin/containerd-shim-kata-v2')).toBe('v2');
		expect(shimVersionOf('containerd-shim-runc-v1')).toBe('v2');
		expect(shimVersionOf('containerd')).toBeNull();
		expect(shimVersionOf('containerd-shimmer')).toBeNull();
	});
	it('accepts the flag spellings Go accepts', () => {
		expect(flagValue(['x', '--namespace=k8s.io'], 'namespace')).toBe('k8s.io');
		expect(flagValue(['x', '-namespace=moby'], 'namespace')).toBe('moby');
		expect(flagValue(['x', '--id', 'y'], 'id')).toBe('y');
		expect(flagValue(['x', '-id'], 'id')).toBeNull();
	});
	it('lists each shim with its children', () => {
		const shims = findShims([
			proc(1, 0, '/sbin/init'),
			proc(50, 1, 'containerd-shim-runc-v2 -namespace k8s.io -id pod1 -address /run/containerd/containerd.sock'),
			proc(51, 50, '/pause'),
			proc(60, 50, 'nginx'),
			proc(52, 50, 'sleep 1'),
		]);
		expect(shims).toHaveLength(1);
		expect(shims[0]!.children).toEqual([51, 52, 60]);
	});
});

describe('kubelet docker names', () => {
	it('reads app and sandbox names', () => {
		expect(parseKubeletDockerName('/k8s_nginx_web_default_0b7f_0')).toEqual({container: 'nginx', pod: 'web', namespace: 'default', uid: '0b7f', attempt: 0, sandbox: false});
		expect(parseKubeletDockerName('k8s_POD_web_default_0b7f_3')?.sandbox).toBe(true);
		expect(parseKubeletDockerName('k8s_a_b_c')).toBeNull();
		expect(parseKubeletDockerName('lab-plain')).toBeNull();
	});
});

import {buildProcessTree} from '../../source/model/process-tree.js';

describe('process tree: shims under their own containerd', () => {
	const sock = '/run/containerd/containerd.sock';
	const processes = [
		proc(1, 0, '/sbin/init'),
		proc(10, 1, 'containerd --config /etc/containerd/config.toml'),
		proc(20, 1, `containerd-shim-runc-v2 -namespace moby -id a -address ${sock}`),
		proc(21, 20, 'sleep 1'),
		// A second node in its own pid namespace: unshare, its init, its containerd and shim.
		proc(30, 1, 'unshare --pid --mount --fork --mount-proc sh'),
		proc(31, 30, 'sh node-init'),
		proc(32, 31, `containerd --config /tmp/node2.toml`),
		proc(40, 31, `containerd-shim-runc-v2 -namespace k8s.io -id b -address ${sock}`),
		proc(41, 40, 'sleep 2'),
	];
	const snapshot = {processes, shims: findShims(processes), containers: []};
	it('ties each shim to the containerd of its own pid namespace when both serve the same path', () => {
		const rows = buildProcessTree(snapshot, {runtimeOnly: true});
		const parentOf = (pid: number) => {
			const index = rows.findIndex((r) => r.process.pid === pid);
			const depth = rows[index]!.depth;
			for (let i = index - 1; i >= 0; i--) if (rows[i]!.depth === depth - 1) return rows[i]!.process.pid;
			return null;
		};
		expect(parentOf(20)).toBe(10);
		expect(parentOf(40)).toBe(32);
	});
	it('folds a subtree', () => {
		const rows = buildProcessTree(snapshot, {runtimeOnly: true, collapsed: new Set([10])});
		expect(rows.map((r) => r.process.pid)).not.toContain(20);
		expect(rows.find((r) => r.process.pid === 10)).toMatchObject({collapsed: true, childCount: 1});
	});
});
