/**
 * Two nodes side by side in one `crimon snapshot`: this machine (`local`, where the main lab
 * has Docker's containers in `moby`) and the SSH lab node (its own pid namespace and
 * containerd, one CRI pod in `k8s.io` under one shim), each node's facts checked against
 * its own runtimes: the node's are read with nsenter, never through crimon.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {NodeSnapshot} from '../../source/schema/types.js';
import {LAB_JSON} from './lab-available.js';
import {inNode, makeHome, nodeKnownHostsLine, readSshNode, runCrimon, skipWithoutSshNode, type SshNode} from './ssh-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

interface NodeTruth {
	readonly namespaces: string[];
	readonly ids: string[];
	readonly taskPid: Map<string, number>;
	readonly parent: Map<number, number>;
	readonly commands: Map<number, string>;
}

function nodeTruth(node: SshNode): NodeTruth {
	const namespaces = inNode(node, ['ctr', 'namespaces', 'ls', '-q']).trim().split('\n').filter(Boolean).sort();
	const ids: string[] = [];
	const taskPid = new Map<string, number>();
	for (const ns of namespaces) {
		ids.push(...inNode(node, ['ctr', '-n', ns, 'containers', 'ls', '-q']).trim().split('\n').filter(Boolean));
		for (const line of inNode(node, ['ctr', '-n', ns, 'tasks', 'ls']).trim().split('\n').slice(1)) {
			const [id, pid] = line.trim().split(/\s+/);
			if (id && pid) taskPid.set(id, Number(pid));
		}
	}
	const parent = new Map<number, number>();
	const commands = new Map<number, string>();
	for (const line of inNode(node, ['ps', '-eo', 'pid=,ppid=,args=', '-ww']).split('\n')) {
		const match = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
		if (!match) continue;
		parent.set(Number(match[1]), Number(match[2]));
		commands.set(Number(match[1]), match[3]!);
	}
	return {namespaces, ids: ids.sort(), taskPid, parent, commands};
}

function expectNodeMatchesItsRuntimes(snapshot: NodeSnapshot, node: SshNode, truth: NodeTruth, viaCri: boolean): void {
	expect(snapshot.ok).toBe(true);
	expect(snapshot.runtimes.containerd?.version).toBe(node.containerd.version);
	expect(snapshot.namespaces.map((n) => n.name).sort()).toEqual(truth.namespaces);
	expect(snapshot.containers.map((c) => c.id).sort()).toEqual(truth.ids);
	for (const container of snapshot.containers) {
		expect(container.namespace).toBe('k8s.io');
		expect(container.seenBy.containerd).toBe(true);
		expect(container.seenBy.docker).toBe(false);
		expect(container.seenBy.cri).toBe(viaCri);
		expect(container.pid).toBe(truth.taskPid.get(container.id));
		expect(container.shimPid).toBe(truth.parent.get(container.pid!));
		expect(container.pod).toEqual({name: node.cri.sandbox.name, namespace: node.cri.sandbox.namespace, uid: node.cri.sandbox.uid});
		expect(container.sandbox).toBe(container.id === node.cri.sandbox.id);
	}
	// One v2 shim for the whole pod, found in the node's own process table.
	const shimPid = truth.parent.get(truth.taskPid.get(node.cri.sandbox.id)!)!;
	expect(snapshot.shims).toHaveLength(1);
	const shim = snapshot.shims[0]!;
	expect(shim).toMatchObject({pid: shimPid, version: 'v2', namespace: 'k8s.io', id: node.cri.sandbox.id, address: node.containerd.socket});
	expect(new Set(shim.children)).toEqual(new Set([...truth.taskPid.values()]));
	expect(truth.commands.get(shimPid)).toContain('containerd-shim-runc-v2');
	// The node's own pid 1 and containerd, not this machine's.
	const pid1 = snapshot.processes.find((p) => p.pid === 1);
	expect(pid1?.command).toBe(truth.commands.get(1));
	expect(pid1?.command).toContain('ssh-node-init.sh');
	const containerd = snapshot.processes.find((p) => /^containerd --config .*crimon-ssh-lab/.test(p.command));
	expect(containerd).toBeDefined();
	expect(truth.commands.get(containerd!.pid)).toBe(containerd!.command);
	expect(snapshot.processes.some((p) => /^dockerd\b/.test(p.command))).toBe(false);
	// No Docker on this node.
	expect(snapshot.runtimes.docker).toBeNull();
}

describe.skipIf(skipWithoutSshNode('lab: ssh snapshot'))('lab: crimon snapshot of local and an SSH node', () => {
	let node: SshNode;
	let truth: NodeTruth;
	let home: string;

	beforeAll(() => {
		node = readSshNode();
		truth = nodeTruth(node);
		home = makeHome(node, [
			{alias: node.alias, port: node.port},
			{alias: 'node2-via-jump', port: node.port, extra: [`ProxyJump ${node.alias}`, 'ServerAliveInterval 15', 'ConnectTimeout 5']},
		], [nodeKnownHostsLine(node)]);
	});

	afterAll(() => {
		if (home) fs.rmSync(home, {recursive: true, force: true});
	});

	it('reads both nodes in one run, each against its own runtimes (stream-local forwarding, no sudo)', () => {
		const run = runCrimon(home, ['snapshot', '--json', '--node', 'local', '--node', `ssh://${node.alias}`]);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const snapshot = parseSavedSnapshot(run.stdout);
		expect(snapshot.nodes.map((n) => n.target)).toEqual(['local', `ssh://${node.alias}`]);
		const [local, remote] = snapshot.nodes as [NodeSnapshot, NodeSnapshot];

		expect(remote.name).toBe(node.alias);
		expectNodeMatchesItsRuntimes(remote, node, truth, true);
		expect(remote.runtimes.cri).toMatchObject({endpoint: `unix://${node.containerd.socket}`, runtimeName: 'containerd', runtimeVersion: node.cri.runtime.version});
		expect(remote.errors.map((e) => e.source)).toEqual(['docker']);
		expect(remote.errors[0]!.message).toMatch(/no socket at \/var\/run\/docker\.sock/);
		const names = Object.fromEntries(remote.containers.map((c) => [c.id, c.name]));
		expect(names[node.cri.sandbox.id]).toBe(node.cri.sandbox.name);
		for (const [name, {id}] of Object.entries(node.cri.containers)) expect(names[id]).toBe(name);
		expect(remote.pods).toEqual([expect.objectContaining({
			id: node.cri.sandbox.id, name: 'api', namespace: 'shop', source: 'cri',
			containers: expect.arrayContaining(Object.values(node.cri.containers).map((c) => c.id)),
		})]);

		// The other node is this machine, with its own process table and runtimes.
		expect(local.ok).toBe(true);
		expect(local.processes.find((p) => p.pid === 1)?.command).not.toContain('ssh-node-init.sh');
		const localIds = new Set(local.containers.map((c) => c.id));
		for (const id of truth.ids) expect(localIds.has(id)).toBe(false);
		if (fs.existsSync(LAB_JSON)) {
			expect(local.namespaces.map((n) => n.name)).toContain('moby');
			expect(local.containers.some((c) => c.seenBy.docker && c.namespace === 'moby')).toBe(true);
		}
	});

	it('reads the kubelet\'s --config file over SFTP: a stand-in kubelet inside the node', async () => {
		// No kubelet can run here; fake-kubelet.sh is a process whose cmdline is a real kubelet's.
		const config = path.join(path.dirname(node.knownHosts), "kubelet-config.yaml");
		fs.writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n');
		const kubelet = spawn('nsenter', ['--target', String(node.initPid), '--mount', '--uts', '--pid', '--', 'bash', path.resolve(import.meta.dirname, 'fake-kubelet.sh'), `--config=${config}`, '--v=2'], {stdio: 'ignore', detached: true});
		try {
			await new Promise((resolve) => setTimeout(resolve, 500));
			const run = runCrimon(home, ['snapshot', '--json', '--node', `ssh://${node.alias}`]);
			expect(run.status).toBe(0);
			const remote = parseSavedSnapshot(run.stdout).nodes[0]!;
			expect(remote.diagnosis?.kubelet).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'config', configFile: config});
			expect(remote.diagnosis?.cri).toMatchObject({runtime: 'containerd', how: 'kubelet'});
		} finally {
			try {
				process.kill(-kubelet.pid!, 'SIGKILL');
			} catch {
				// Already gone.
			}
			fs.rmSync(config, {force: true});
		}
	});

	it('reads the node through a ProxyJump hop with the same facts', () => {
		const run = runCrimon(home, ['snapshot', '--json', '--node', 'node2-via-jump']);
		expect(run.status).toBe(0);
		const remote = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(remote.target).toBe('ssh://node2-via-jump');
		expectNodeMatchesItsRuntimes(remote, node, truth, true);
	});

	it('--sudo: a non-root user reads containerd through sudo -n ctr, labels and all', () => {
		const run = runCrimon(home, ['snapshot', '--json', '--sudo', '--node', `ssh://${node.users.sudo}@${node.alias}`]);
		expect(run.status).toBe(0);
		const remote = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(remote.target).toBe(`ssh://${node.users.sudo}@${node.alias}`);
		// The lab has no crictl (Debian packages none): the CRI is reported missing, containerd's
		// own labels still place every container in its pod.
		expectNodeMatchesItsRuntimes(remote, node, truth, false);
		expect(remote.runtimes.cri).toBeNull();
		const errors = Object.fromEntries(remote.errors.map((e) => [e.source, e.message]));
		expect(errors.cri).toMatch(/crictl is not installed/);
		expect(errors.docker).toMatch(/docker/i);
	});

	it('the login user without --sudo is told the socket is there but not open to it', () => {
		const run = runCrimon(home, ['snapshot', '--json', '--node', `ssh://${node.users.sudo}@${node.alias}`]);
		const remote = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(remote.ok).toBe(true);
		const errors = Object.fromEntries(remote.errors.map((e) => [e.source, e.message]));
		expect(errors.containerd).toMatch(/cannot open \/run\/containerd\/containerd\.sock .* as crimon: the socket is there.*--sudo/);
		expect(remote.processes.length).toBeGreaterThan(3);
	});
});
