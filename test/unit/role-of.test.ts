/** A process's role comes from argv[0]'s base name alone, read in place. */
import {describe, expect, it} from 'vitest';
import {roleOf} from '../../source/model/process-tree.js';

const role = (command: string) => roleOf({pid: 1, ppid: 0, user: 'root', state: 'S', command});

describe('roleOf', () => {
	it('names containerd, dockerd and the kubelet by the base name of argv[0]', () => {
		expect(role('containerd')).toBe('containerd');
		expect(role('/usr/bin/containerd --config /etc/containerd/config.toml')).toBe('containerd');
		expect(role('/containerd')).toBe('containerd');
		expect(role('/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock')).toBe('dockerd');
		expect(role('/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml')).toBe('kubelet');
	});

	it('does not take a longer name, a shim, or a later argument for one', () => {
		for (const command of ['containerd-shim-runc-v2 -namespace k8s.io -id x', 'mycontainerd', '/opt/xdockerd', 'sh -c containerd', 'sleep kubelet', '', 'd', '/usr/bin/containerd-stress']) {
			expect(role(command)).toBe('process');
		}
	});
});
