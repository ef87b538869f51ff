/**
 * `crimon snapshot` against the real lab, run as a user would, every fact checked against
 * what the runtimes' own tools report: ctr for containerd (and for what the CRI made:
 * containerd's CRI labels its containers io.cri-containerd.kind), docker for Docker, ps
 * for the kernel.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {beforeAll, describe, expect, it} from 'vitest';
import type {Container, NodeSnapshot, Snapshot} from '../../source/model/types.js';
import {CLI, readLab, skipWithoutLab} from './lab-available.js';

const run = (file: string, args: string[]) => execFileSync(file, args, {encoding: 'utf8', timeout: 30_000});
const ctr = (...args: string[]) => run('ctr', args);
const docker = (...args: string[]) => run('/usr/bin/docker', args);

interface Lab {
	readonly containers: Record<string, {id: string; name: string; namespace: string}>;
	readonly pods: Record<string, {name: string; namespace: string; uid: string; source: string}>;
}

describe.skipIf(skipWithoutLab('lab: snapshot'))('lab: crimon snapshot on real containerd, CRI and Docker', () => {
	let node: NodeSnapshot;
	let exitCode: number | null;
	let lab: Lab;

	beforeAll(() => {
		const result = spawnSync('node', [CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 30_000});
		exitCode = result.status;
		const snapshot = JSON.parse(result.stdout) as Snapshot;
		expect(snapshot.schema).toBe('crimon.snapshot/v1');
		node = snapshot.nodes[0]!;
		lab = readLab<Lab>();
	});

	const byId = (id: string): Container => {
		const found = node.containers.find((c) => c.id === id);
		if (!found) throw new Error(`crimon does not list ${id}`);
		return found;
	};

	it('reaches the node with every source answering', () => {
		expect(exitCode).toBe(0);
		expect(node.ok).toBe(true);
		expect(node.errors).toEqual([]);
		expect(node.runtimes.containerd?.version).toBe(ctr('version').match(/Server:\s+Version:\s+(\S+)/)![1]);
		expect(node.runtimes.docker?.version).toBe(docker('version', '--format', '{{.Server.Version}}').trim());
		expect(node.runtimes.cri).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', runtimeName: 'containerd', apiVersion: 'v1'});
	});

	it('lists the namespaces and, per namespace, exactly the containers ctr lists', () => {
		const namespaces = ctr('namespaces', 'ls', '-q').trim().split('\n').sort();
		expect(node.namespaces.map((n) => n.name)).toEqual(namespaces);
		for (const ns of namespaces) {
			const ids = ctr('-n', ns, 'containers', 'ls', '-q').trim().split('\n').filter(Boolean).sort();
			expect([...node.namespaces.find((n) => n.name === ns)!.containers].sort(), ns).toEqual(ids);
			for (const id of ids) expect(byId(id).namespace).toBe(ns);
		}
	});

	it('gives every task its pid, and the shim is that pid\'s parent', () => {
		for (const ns of node.namespaces.map((n) => n.name)) {
			const lines = ctr('-n', ns, 'tasks', 'ls').trim().split('\n').slice(1);
			for (const line of lines) {
				const [id, pid, status] = line.trim().split(/\s+/) as [string, string, string];
				const container = byId(id);
				expect(container.state === 'running' || container.seenBy.docker || container.seenBy.cri, id).toBe(true);
				if (status !== 'RUNNING') continue;
				expect(container.pid, id).toBe(Number(pid));
				const ppid = Number(run('ps', ['-o', 'ppid=', '-p', pid]).trim());
				expect(container.shimPid, id).toBe(ppid);
				expect(node.shims.some((s) => s.pid === ppid), `shim of ${id}`).toBe(true);
			}
		}
	});

	it('sees every shim process, v1 and v2, with the namespace and id on its command line', () => {
		const ps = run('ps', ['-eo', 'pid=,args=', '-ww']).split('\n').filter((l) => /containerd-shim/.test(l) && !/\bps\b/.test(l));
		const shimPids = ps.map((l) => Number(l.trim().split(/\s+/)[0])).sort((a, b) => a - b);
		expect(node.shims.map((s) => s.pid).sort((a, b) => a - b)).toEqual(shimPids);
		const v1 = node.shims.filter((s) => s.version === 'v1');
		expect(v1.map((s) => s.id)).toEqual(['lab-v1-box']);
		const v1Ppid = Number(run('ps', ['-o', 'ppid=', '-p', String(v1[0]!.pid)]).trim());
		expect(run('ps', ['-o', 'comm=', '-p', String(v1Ppid)]).trim()).toBe('containerd');
	});

	it('marks what Docker lists, under Docker\'s names and images', () => {
		const lines = docker('ps', '-a', '--no-trunc', '--format', '{{json .}}').trim().split('\n');
		const dockerIds = new Set<string>();
		for (const line of lines) {
			const entry = JSON.parse(line) as {ID: string; Names: string; Image: string};
			dockerIds.add(entry.ID);
			const container = byId(entry.ID);
			expect(container.seenBy.docker).toBe(true);
			expect(container.name).toBe(entry.Names);
			expect(container.image).toBe(entry.Image);
		}
		expect(node.containers.filter((c) => c.seenBy.docker).map((c) => c.id).sort()).toEqual([...dockerIds].sort());
	});

	it('marks what the CRI made, and only that, as seen by the CRI', () => {
		const ids = ctr('-n', 'k8s.io', 'containers', 'ls', '-q').trim().split('\n');
		for (const id of ids) {
			const info = JSON.parse(ctr('-n', 'k8s.io', 'containers', 'info', id)) as {Labels?: Record<string, string>};
			const kind = info.Labels?.['io.cri-containerd.kind'];
			const container = byId(id);
			expect(container.seenBy.cri, id).toBe(kind !== undefined);
			expect(container.sandbox, id).toBe(kind === 'sandbox');
			if (kind) expect(container.pod?.name).toBe(info.Labels?.['io.kubernetes.pod.name']);
			else expect(container.pod).toBeNull();
		}
	});

	it('shows both pods: the CRI\'s and the one rebuilt from dockershim\'s labels', () => {
		const cri = node.pods.find((p) => p.source === 'cri')!;
		expect(cri).toMatchObject({id: lab.containers.criSandbox!.id, name: lab.pods.cri!.name, namespace: lab.pods.cri!.namespace, uid: lab.pods.cri!.uid});
		expect([...cri.containers].sort()).toEqual([lab.containers.criApp!.id, lab.containers.criSidecar!.id].sort());
		expect(cri.sandboxPid).toBe(byId(lab.containers.criSandbox!.id).pid);
		const shim = node.shims.find((s) => s.id === cri.id)!;
		expect(shim.children).toHaveLength(3);
		const web = node.pods.find((p) => p.source === 'docker-labels')!;
		expect(web).toMatchObject({id: lab.containers.dockershimSandbox!.id, name: 'web', namespace: 'default', containers: [lab.containers.dockershimApp!.id]});
	});

	it('prints plain text with no control bytes when piped', () => {
		const result = spawnSync('node', [CLI, 'snapshot'], {encoding: 'utf8', timeout: 30_000, env: {...process.env, NO_COLOR: ''}});
		expect(result.status).toBe(0);
		expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
		for (const name of ['lab-v1-box', 'lab-ctr-k8s', 'lab-other-box', 'shop/api', 'default/web', 'containerd-shim-runc-v2']) expect(result.stdout).toContain(name);
	});
});

describe.skipIf(skipWithoutLab('lab: permissions'))('lab: crimon as a user who may not open the sockets', () => {
	it('reports permission denied per source and still shows the process table', () => {
		const readable = spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', CLI]);
		if (readable.status !== 0) {
			console.warn(`skipped: nobody cannot read ${CLI} in this checkout`);
			return;
		}
		const result = spawnSync('runuser', ['-u', 'nobody', '--', 'node', CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 30_000});
		expect(result.status).toBe(0);
		const node = (JSON.parse(result.stdout) as Snapshot).nodes[0]!;
		expect(node.ok).toBe(true);
		expect(node.errors.map((e) => e.source)).toEqual(['containerd', 'cri', 'docker']);
		for (const error of node.errors) expect(error.message).toMatch(/permission denied on \/(var\/)?run\/(containerd\/containerd|docker)\.sock/);
		expect(node.processes.length).toBeGreaterThan(10);
		expect(result.stderr).toBe('');
	});
});
