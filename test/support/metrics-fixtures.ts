/**
 * Snapshots for the metrics tests: the views' synthetic node with a diagnosis, per-container
 * usage on some containers (as the usage collector adds it within v1), and names chosen
 * to break the exposition format: a backslash, a double quote, a newline, an ESC, a bidi
 * override.
 */
import type {Container, Diagnosis, NodeSnapshot, Snapshot} from '../../source/schema/types.js';
import {IDS, mainNode, smallNode} from '../views/fixtures.js';

export const HOSTILE_NAME = 'evil\\"name\nline2\u001b]0;OWNED\u0007\u202e';

export const DIAGNOSIS: Diagnosis = {
	kubelet: {pid: 120, binary: '/usr/bin/kubelet', version: 'v1.23.17', versionNote: 'dpkg', containerRuntime: 'docker', endpoint: 'unix:///var/run/dockershim.sock', endpointSource: 'flags', configFile: null},
	cri: {endpoint: 'unix:///var/run/dockershim.sock', runtime: 'dockershim', how: 'kubelet', why: 'the kubelet says so', answers: true, answering: ['unix:///var/run/dockershim.sock'], kubeadm: null},
	findings: [
		{code: 'dockershim-in-use', severity: 'warn', message: 'the kubelet runs through dockershim', subjects: []},
		{code: 'shim-v1', severity: 'info', message: 'v1 shims', subjects: []},
		// A code another part of crimon adds: the metrics take any code.
		{code: 'shim-leaked' as never, severity: 'warn', message: 'a shim with no task', subjects: []},
	],
};

export const USAGE = {cpuSeconds: 12.5, cpuCores: null, memoryBytes: 7340032, memoryLimitBytes: null, pids: 3, throttledPeriods: 0, throttledSeconds: 0, oomKills: 2};

const withUsage = (c: Container, usage: unknown): Container => ({...c, usage} as Container);

/** node01 with a diagnosis, usage on the web container and on the dockershim app, none elsewhere. */
export function metricsNode(): NodeSnapshot {
	const node = mainNode();
	const containers = node.containers.map((c) => {
		if (c.id === IDS.web) return withUsage(c, USAGE);
		if (c.id === IDS.legacyApp) return withUsage(c, {...USAGE, cpuSeconds: 1, memoryBytes: 1024, oomKills: 0});
		if (c.id === IDS.bk) return withUsage(c, null);
		return c;
	});
	return {...node, containers, diagnosis: DIAGNOSIS};
}

/** A node whose namespace, container, pod and finding texts try everything. */
export function hostileNode(): NodeSnapshot {
	const node = smallNode(HOSTILE_NAME);
	const containers = node.containers.map((c) => withUsage({...c, name: HOSTILE_NAME, labels: {}, namespace: HOSTILE_NAME, state: HOSTILE_NAME, pod: c.pod ? {...c.pod, name: HOSTILE_NAME} : null}, USAGE));
	return {...node, containers, runtimes: {...node.runtimes, containerd: {address: '/run/containerd/containerd.sock', version: HOSTILE_NAME}}};
}

export function metricsSnapshot(): Snapshot {
	return {schema: 'crimon.snapshot/v1', takenAt: '2026-11-25T17:18:07.356Z', nodes: [metricsNode(), hostileNode()]};
}
