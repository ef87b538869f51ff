/** Parsers and the model on the real lab's recorded answers. */
import {describe, expect, it} from 'vitest';
import {parseContainers, parseNamespaces, parseTasks} from '../../source/collect/parse-containerd.js';
import {parseCriContainers, parseSandboxes} from '../../source/collect/parse-cri.js';
import {parseDockerContainers} from '../../source/collect/parse-docker.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {fixture, labFacts, recordedLab} from '../support/lab-fixtures.js';

const lab = recordedLab();
const c = lab.containers;

describe('parsers on recorded lab answers', () => {
	it('containerd: namespaces, containers with runtime and bind mounts, tasks with pids', () => {
		expect(parseNamespaces(fixture('containerd-namespaces-list.pb')).sort()).toEqual(['k8s.io', 'lab-other', 'moby']);
		const other = parseContainers(fixture('containerd-containers-list.lab-other.pb'), 'lab-other');
		expect(other.find((x) => x.id === 'lab-v1-box')?.runtime).toBe('io.containerd.runtime.v1.linux');
		expect(other.find((x) => x.id === 'lab-other-box')?.runtime).toBe('io.containerd.runc.v2');
		const moby = parseContainers(fixture('containerd-containers-list.moby.pb'), 'moby');
		expect(moby.find((x) => x.id === c.dockerSock!.id)?.mounts).toContainEqual({source: '/var/run/docker.sock', destination: '/var/run/docker.sock'});
		const tasks = parseTasks(fixture('containerd-tasks-list.lab-other.pb'), 'lab-other');
		expect(tasks).toContainEqual(expect.objectContaining({id: 'lab-v1-box', namespace: 'lab-other', pid: c.ctrV1!.pid, status: 'running', exitedAt: null}));
	});
	it('CRI: the pod sandbox and its two containers', () => {
		const sandboxes = parseSandboxes(fixture('cri-v1-ListPodSandbox.pb'));
		expect(sandboxes).toEqual([expect.objectContaining({id: c.criSandbox!.id, name: 'api', namespace: 'shop', uid: lab.pods.cri!.uid, state: 'ready'})]);
		const containers = parseCriContainers(fixture('cri-v1-ListContainers.pb'));
		expect(containers.map((x) => x.name).sort()).toEqual(['app', 'sidecar']);
		expect(new Set(containers.map((x) => x.podSandboxId))).toEqual(new Set([c.criSandbox!.id]));
	});
	it('Docker: names without the slash, kubelet labels kept', () => {
		const containers = parseDockerContainers(JSON.parse(fixture('docker-containers-json.json').toString('utf8')));
		const app = containers.find((x) => x.id === c.dockershimApp!.id);
		expect(app?.name).toBe(c.dockershimApp!.name);
		expect(app?.labels['io.kubernetes.sandbox.id']).toBe(c.dockershimSandbox!.id);
	});
});

describe('the model on the recorded lab', () => {
	const node = buildNodeSnapshot(labFacts());
	const byId = (id: string) => node.containers.find((x) => x.id === id)!;

	it('finds every shim, with the v1 shim under containerd', () => {
		// One per Docker container (5), the CRI pod's one, and one each for the three ctr containers.
		expect(node.shims).toHaveLength(9);
		const v1 = node.shims.find((s) => s.version === 'v1')!;
		expect(v1).toMatchObject({binary: 'containerd-shim', namespace: 'lab-other', id: 'lab-v1-box'});
		expect(v1.children).toEqual([c.ctrV1!.pid]);
		expect(byId('lab-v1-box')).toMatchObject({pid: c.ctrV1!.pid, shimPid: v1.pid, runtime: 'io.containerd.runtime.v1.linux'});
	});

	it('puts the CRI pod under one v2 shim: pause and both containers', () => {
		const shim = node.shims.find((s) => s.namespace === 'k8s.io' && s.id === c.criSandbox!.id)!;
		expect(shim.version).toBe('v2');
		expect(shim.children.sort()).toEqual([c.criSandbox!.pid, c.criApp!.pid, c.criSidecar!.pid].sort());
		const pod = node.pods.find((p) => p.source === 'cri')!;
		expect(pod).toMatchObject({id: c.criSandbox!.id, name: 'api', namespace: 'shop', sandboxPid: c.criSandbox!.pid});
		expect([...pod.containers].sort()).toEqual([c.criApp!.id, c.criSidecar!.id].sort());
		expect(byId(c.criApp!.id)).toMatchObject({name: 'app', namespace: 'k8s.io', sandbox: false, seenBy: {cri: true, containerd: true, docker: false}, pod: {name: 'api', namespace: 'shop'}, shimPid: shim.pid});
		expect(byId(c.criSandbox!.id)).toMatchObject({sandbox: true, seenBy: {cri: true, containerd: true, docker: false}});
	});

	it('rebuilds the dockershim pod from labels, one shim per container in moby', () => {
		const pod = node.pods.find((p) => p.source === 'docker-labels')!;
		expect(pod).toMatchObject({id: c.dockershimSandbox!.id, name: 'web', namespace: 'default', sandboxPid: c.dockershimSandbox!.pid, containers: [c.dockershimApp!.id]});
		const app = byId(c.dockershimApp!.id);
		expect(app).toMatchObject({namespace: 'moby', seenBy: {cri: false, containerd: true, docker: true}, podId: c.dockershimSandbox!.id});
		expect(node.shims.find((s) => s.id === c.dockershimApp!.id)?.pid).toBe(app.shimPid);
	});

	it('does not call a k8s.io container the CRI does not list a Kubernetes container', () => {
		expect(byId('lab-ctr-k8s')).toMatchObject({namespace: 'k8s.io', pod: null, sandbox: false, seenBy: {cri: false, containerd: true, docker: false}});
	});

	it('shows the third namespace as what it is', () => {
		expect(node.namespaces.map((n) => n.name)).toEqual(['k8s.io', 'lab-other', 'moby']);
		expect([...node.namespaces.find((n) => n.name === 'lab-other')!.containers].sort()).toEqual(['lab-other-box', 'lab-v1-box']);
		expect(node.namespaces.find((n) => n.name === 'moby')!.containers).toHaveLength(5);
	});

	it('names Docker containers by their Docker name and keeps every task pid', () => {
		for (const expected of Object.values(c)) {
			const got = byId(expected.id);
			expect(got.name).toBe(expected.name);
			expect(got.pid).toBe(expected.pid);
			expect(got.namespace).toBe(expected.namespace);
		}
	});
});

describe('hostile text in the recorded answers', () => {
	it('is kept whole by the parsers, for JSON and details', () => {
		const hostile = '\u001b]0;OWNED\u0007\u001b[2J\u202eevil';
		const docker = parseDockerContainers(JSON.parse(fixture('docker-containers-json.json').toString('utf8')));
		expect(docker.find((x) => x.name === 'lab-hostile')?.labels['io.crimon.lab.hostile']).toBe(hostile);
	});
});

describe('spec mounts kept across polls', () => {
	it('reuses the parsed mounts while a spec is unchanged and re-reads them when it changes', () => {
		const cache = new Map();
		const bytes = fixture('containerd-containers-list.moby.pb');
		const first = parseContainers(bytes, 'moby', cache);
		const second = parseContainers(bytes, 'moby', cache);
		expect(first.length).toBeGreaterThan(0);
		for (const [i, container] of first.entries()) expect(second[i]!.mounts).toBe(container.mounts);
		expect(cache.size).toBe(first.length);
		// A changed spec (same id) is parsed again.
		const key = `moby/${first[0]!.id}`;
		cache.set(key, {spec: Buffer.from('{}'), mounts: []});
		expect(parseContainers(bytes, 'moby', cache)[0]!.mounts).toEqual(first[0]!.mounts);
		expect(cache.get(key).mounts).toEqual(first[0]!.mounts);
	});
});
