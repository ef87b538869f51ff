/**
 * The one poll path over a real sshd: polling the SSH lab node keeps its connection, its
 * forwarded channel to containerd (one HTTP/2 session for containerd and the CRI) and its
 * answers about versions across polls, exactly as a local node keeps its sockets. Each poll
 * after the first opens one channel for `ps` and nothing else.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {NodeSession} from '../../source/session/node-session.js';
import {createTransportFactory, openNode, type NodeHandle} from '../../source/session/open-node.js';
import {SshTransport} from '../../source/transport/ssh-transport.js';
import {REPO_ROOT} from './lab-available.js';
import {makeHome, nodeKnownHostsLine, processTree, readSshNode, skipWithoutSshNode, startPrivateNamespace, startSshd, type Sshd, type SshNode} from './ssh-lab.js';

describe.skipIf(skipWithoutSshNode('lab: ssh session'))('lab: one poll path over a real sshd', () => {
	let node: SshNode;
	let home: string;
	let handle: NodeHandle | null = null;

	beforeAll(() => {
		node = readSshNode();
		home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
	});

	afterAll(async () => {
		await handle?.close();
		if (home) fs.rmSync(home, {recursive: true, force: true});
	});

	it('keeps one connection and one containerd channel over five polls; later polls open only ps', async () => {
		const factory = createTransportFactory({ssh: {home, userConfig: path.join(home, '.ssh', 'config'), systemConfig: null, env: {}}, timeoutMs: 10_000});
		handle = openNode({target: node.alias}, {timeoutMs: 10_000}, factory);
		expect(handle).toBeInstanceOf(NodeSession);
		const transport = handle.transport as SshTransport;
		expect(transport).toBeInstanceOf(SshTransport);

		const first = await handle.poll();
		expect(first.ok).toBe(true);
		expect(first.runtimes.containerd?.version).toBe(node.containerd.version);
		expect(first.runtimes.cri?.runtimeName).toBe(node.cri.runtime.name);
		expect(transport.channelsOpened.get(`socket ${node.containerd.socket}`)).toBe(1);

		for (let i = 0; i < 4; i++) {
			transport.channelsOpened.clear();
			const again = await handle.poll();
			expect(again.ok).toBe(true);
			expect(again.containers.map((c) => c.id).sort()).toEqual(first.containers.map((c) => c.id).sort());
			expect(again.runtimes.containerd?.version).toBe(node.containerd.version);
			// No socket is reopened: containerd and the CRI ride the kept channel; the missing
			// candidates and Docker's socket are remembered as missing (re-checked by SFTP stat
			// once their answer is old). What is left is the process table, with the network
			// namespaces in the same command (sh -c 'ps …; ls … | awk …').
			expect(Object.fromEntries(transport.channelsOpened)).toEqual({'exec sh': 1});
		}
		expect(transport.connectionsOpened).toBe(1);
	});

	it('runs a burst of 300 short commands on one connection without one refusal (sshd counts closed sessions until its loop collects them)', async () => {
		// With MaxSessions 10 and crimon's 6 channels, sshd still answered "no more sessions"
		// to 7 of these 300 before crimon asked again after a refusal: the --sudo snapshot's
		// burst of `ctr` calls lost a source to it now and then.
		const factory = createTransportFactory({ssh: {home, userConfig: path.join(home, '.ssh', 'config'), systemConfig: null, env: {}}, timeoutMs: 10_000});
		const {transport} = factory({target: node.alias});
		try {
			await transport.connect();
			const results = await Promise.allSettled(Array.from({length: 300}, () => transport.exec(['true'], {timeoutMs: 10_000, maxBytes: 100})));
			const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
			expect(failures).toEqual([]);
			expect(results).toHaveLength(300);
		} finally {
			await transport.close();
		}
	});
});

describe.skipIf(skipWithoutSshNode('lab: ssh kubelet files'))("lab: the kubelet's files over a real sshd are read only when they change", () => {
	let namespace: {pid: number; stop(): void} | null = null;
	let sshd: Sshd | null = null;
	let home: string;
	let dir: string;
	let config: string;
	let handle: NodeHandle | null = null;

	beforeAll(async () => {
		// A node of its own (a private pid namespace behind its own sshd): no other suite sees this kubelet.
		const node = readSshNode();
		namespace = await startPrivateNamespace();
		sshd = await startSshd(undefined, undefined, namespace.pid);
		home = makeHome(node, [{alias: 'crimon-ssh-kubelet-files', port: sshd.port}], [sshd.knownHostsLine]);
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-ssh-kubelet-files-'));
		config = path.join(dir, 'config.yaml');
		fs.writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n');
		spawn('nsenter', ['--target', String(namespace.pid), '--pid', '--mount', '--', 'bash', path.join(REPO_ROOT, 'test', 'lab', 'fake-kubelet.sh'), `--config=${config}`], {stdio: 'ignore'});
		for (let i = 0; i < 50; i++) {
			if (processTree(namespace.pid).some((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/kubelet'))) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	});

	afterAll(async () => {
		await handle?.close();
		await sshd?.stop();
		namespace?.stop();
		if (home) fs.rmSync(home, {recursive: true, force: true});
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('stats them on one kept SFTP session each poll and reads the config again only once it changed', async () => {
		const factory = createTransportFactory({ssh: {home, userConfig: path.join(home, '.ssh', 'config'), systemConfig: null, env: {}}, timeoutMs: 10_000});
		handle = openNode({target: 'crimon-ssh-kubelet-files'}, {timeoutMs: 10_000}, factory);
		const transport = handle.transport as SshTransport;
		const first = await handle.poll();
		expect(first.ok).toBe(true);
		expect(first.diagnosis?.kubelet).toMatchObject({configFile: config, endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'config'});
		// The first poll stats the files and reads the config; the next, over a second later,
		// reads it once more to trust its stamp (SFTP's mtime has whole seconds).
		await new Promise((resolve) => setTimeout(resolve, 1200));
		await handle.poll();
		const reads = () => transport.sftpRequests.get('read') ?? 0;
		for (let i = 0; i < 3; i++) {
			transport.channelsOpened.clear();
			const before = {stats: transport.sftpRequests.get('stat') ?? 0, reads: reads()};
			const again = await handle.poll();
			expect(again.diagnosis?.kubelet?.endpoint).toBe('unix:///run/containerd/containerd.sock');
			// Before: four SFTP channels a poll (cmdline, kubeadm-flags.env, the config,
			// instance-config.yaml), each a session opened for one read. Now the kept session
			// opens none, the argv stands while ps shows the same command, and the three files
			// are three stats and no read.
			expect(transport.channelsOpened.get('sftp') ?? 0).toBe(0);
			expect(transport.channelsOpened.get('exec sh')).toBe(1);
			expect((transport.sftpRequests.get('stat') ?? 0) - before.stats).toBe(3);
			expect(reads() - before.reads).toBe(0);
		}
		// The config changes: the next poll reads it, and says what it now names.
		fs.writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/k3s/containerd/containerd.sock\n');
		const readsBefore = reads();
		const changed = await handle.poll();
		expect(reads() - readsBefore).toBe(1);
		expect(changed.diagnosis?.kubelet).toMatchObject({configFile: config, endpoint: 'unix:///run/k3s/containerd/containerd.sock'});
		expect(transport.connectionsOpened).toBe(1);
	});
});
