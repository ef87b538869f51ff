/**
 * The one poll path over a real sshd: polling the SSH lab node keeps its connection, its
 * forwarded channel to containerd (one HTTP/2 session for containerd and the CRI) and its
 * answers about versions across polls, exactly as a local node keeps its sockets. Each poll
 * after the first opens one channel for `ps` and nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {NodeSession} from '../../source/session/node-session.js';
import {createTransportFactory, openNode, type NodeHandle} from '../../source/session/open-node.js';
import {SshTransport} from '../../source/transport/ssh-transport.js';
import {makeHome, nodeKnownHostsLine, readSshNode, skipWithoutSshNode, type SshNode} from './ssh-lab.js';

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
