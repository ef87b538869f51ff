import {describe, expect, it} from 'vitest';
import {findShims, flagValue, parseShim, shimVersionOf} from '../../source/model/shims.js';
import {parseKubeletDockerName} from '../../source/model/kubernetes-labels.js';

const proc = (pid: number, ppid: number, command: string) => ({pid, ppid, user: 'root', state: 'S', command});

describe('shims', () => {
	it('reads a v1 shim: id from -workdir, parent containerd', () => {
		const shim = parseShim(proc(3022, 2804, 'containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/0123abcd -address /run/containerd/containerd.sock -containerd-binary /usr/bin/containerd -runtime-root /var/run/docker/runtime-runc'));
		expect(shim).toEqual({pid: 3022, version: 'v1', binary: 'containerd-shim', namespace: 'moby', id: '0123abcd', address: '/run/containerd/containerd.sock'});
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
