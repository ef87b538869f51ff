/**
 * A synthetic node of any size, for the size tests and benchmarks: N processes (runtime,
 * shims, containers and filler), M containers across moby and k8s.io with CRI pods, and
 * optionally one huge command line and one huge label.
 */
import type {NodeFacts, ProcessInfo} from '../../source/schema/types.js';

export interface SyntheticOptions {
	readonly processes: number;
	readonly containers: number;
	readonly hugeCommandBytes?: number;
	readonly hugeLabelBytes?: number;
}

const SOCK = '/run/containerd/containerd.sock';

export function syntheticFacts(options: SyntheticOptions): NodeFacts {
	const processes: ProcessInfo[] = [
		{pid: 1, ppid: 0, user: 'root', state: 'S', command: '/sbin/init'},
		{pid: 10, ppid: 1, user: 'root', state: 'S', command: `containerd --address ${SOCK}`},
		{pid: 11, ppid: 1, user: 'root', state: 'S', command: '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'},
	];
	const containerd: {id: string; namespace: string; image: string; runtime: string; labels: Record<string, string>; mounts: never[]}[] = [];
	const tasks: {id: string; namespace: string; pid: number; status: string}[] = [];
	const sandboxes: {id: string; name: string; namespace: string; uid: string; state: string; labels: Record<string, string>}[] = [];
	const criContainers: {id: string; podSandboxId: string; name: string; image: string; state: string; labels: Record<string, string>}[] = [];
	const docker: {id: string; name: string; image: string; state: string; labels: Record<string, string>; mounts: never[]}[] = [];
	let pid = 1000;
	for (let i = 0; i < options.containers; i++) {
		const inMoby = i % 2 === 0;
		const id = i.toString(16).padStart(64, '0');
		const namespace = inMoby ? 'moby' : 'k8s.io';
		const shim = pid++;
		const init = pid++;
		processes.push({pid: shim, ppid: 1, user: 'root', state: 'S', command: `/usr/bin/containerd-shim-runc-v2 -namespace ${namespace} -id ${id} -address ${SOCK}`});
		processes.push({pid: init, ppid: shim, user: 'root', state: 'S', command: `nginx: master process nginx -g daemon off; # ${i}`});
		containerd.push({id, namespace, image: `registry.example/app:${i}`, runtime: 'io.containerd.runc.v2', labels: {}, mounts: []});
		tasks.push({id, namespace, pid: init, status: 'running'});
		if (inMoby) docker.push({id, name: `app-${i}`, image: `registry.example/app:${i}`, state: 'running', labels: {}, mounts: []});
		else if (i % 4 === 1) sandboxes.push({id, name: `pod-${i}`, namespace: 'default', uid: `uid-${i}`, state: 'ready', labels: {}});
		else criContainers.push({id, podSandboxId: (i - 2).toString(16).padStart(64, '0'), name: `c-${i}`, image: `registry.example/app:${i}`, state: 'running', labels: {}});
	}
	while (processes.length < options.processes) processes.push({pid: pid++, ppid: 1, user: 'nobody', state: 'S', command: `sleep ${pid}`});
	if (options.hugeCommandBytes) processes[processes.length - 1] = {...processes.at(-1)!, command: `java ${'-Dx=y '.repeat(Math.ceil(options.hugeCommandBytes / 6))}`.slice(0, options.hugeCommandBytes)};
	if (options.hugeLabelBytes && containerd[0]) containerd[0].labels['huge'] = 'v'.repeat(options.hugeLabelBytes);
	return {
		name: 'big', target: 'local', reachable: true, errors: [], processes,
		containerd: {address: SOCK, version: '1.7.0', namespaces: ['k8s.io', 'moby'], containers: containerd, tasks},
		cri: {info: {endpoint: `unix://${SOCK}`, runtimeName: 'containerd', runtimeVersion: '1.7.0', apiVersion: 'v1'}, sandboxes, containers: criContainers},
		docker: {address: '/var/run/docker.sock', version: '24.0.0', containers: docker},
	};
}
