/**
 * Every SSH fault on a real sshd, each next to healthy nodes (this machine and the SSH lab
 * node): the faulty node gets its clear error and no data, the healthy ones are reported in
 * full, and `crimon snapshot` exits 1. The faulty sshd instances are throwaway ones on this
 * machine (startSshd), so stopping or mistrusting them never disturbs the lab node.
 */
import fs from 'node:fs';
import path from 'node:path';
import {callTimeout} from '../../source/util/deadline.js';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {NodeSnapshot, Snapshot} from '../../source/schema/types.js';
import {fingerprint} from '../../source/targets/known-hosts.js';
import {createTransportFactory, openNode, type NodeHandle} from '../../source/session/open-node.js';
import {
	freePort, makeHome, nodeKnownHostsLine, readSshNode, runCrimon, skipWithoutSshNode, startSshd, type HostEntry, type Sshd, type SshNode,
} from './ssh-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const keyOf = (line: string) => Buffer.from(line.trim().split(/\s+/)[2]!, 'base64');

describe.skipIf(skipWithoutSshNode('lab: ssh faults'))('lab: SSH faults, each next to healthy nodes', () => {
	let node: SshNode;
	let sshd: Sshd;
	const homes: string[] = [];
	const handles: NodeHandle[] = [];

	const home = (entries: readonly HostEntry[], knownHosts: readonly string[]) => {
		const dir = makeHome(node, [{alias: node.alias, port: node.port}, ...entries], [nodeKnownHostsLine(node), ...knownHosts]);
		homes.push(dir);
		return dir;
	};

	/** The snapshot with the healthy nodes first and the faulty one last. */
	const snapshotWith = (dir: string, faulty: string, extra: readonly string[] = []) => {
		const run = runCrimon(dir, ['snapshot', '--json', '--node', 'local', '--node', node.alias, '--node', faulty, ...extra]);
		const snapshot = parseSavedSnapshot(run.stdout);
		return {run, snapshot, bad: snapshot.nodes[2]!};
	};

	const expectHealthy = (snapshot: Snapshot) => {
		const [local, remote] = snapshot.nodes as [NodeSnapshot, NodeSnapshot];
		expect(local.ok).toBe(true);
		expect(local.processes.length).toBeGreaterThan(0);
		expect(remote.ok).toBe(true);
		expect(remote.runtimes.containerd?.version).toBe(node.containerd.version);
		expect(remote.containers.map((c) => c.id)).toContain(node.cri.sandbox.id);
		expect(remote.pods.map((p) => p.id)).toEqual([node.cri.sandbox.id]);
	};

	const expectRefused = (bad: NodeSnapshot, message: RegExp) => {
		expect(bad.ok).toBe(false);
		expect(bad.errors[0]?.source).toBe('node');
		expect(bad.errors[0]?.message).toMatch(message);
		// A refused node shows no data.
		expect(bad.processes).toEqual([]);
		expect(bad.containers).toEqual([]);
	};

	const open = (dir: string, target: string, timeoutMs: number) => {
		const factory = createTransportFactory({ssh: {home: dir, systemConfig: null}, timeoutMs});
		const handle = openNode({target}, {timeoutMs}, factory);
		handles.push(handle);
		return handle;
	};

	beforeAll(async () => {
		node = readSshNode();
		sshd = await startSshd();
	});

	afterEach(async () => {
		sshd.resume();
		await Promise.all(handles.splice(0).map((h) => h.close()));
	});

	afterAll(async () => {
		await sshd?.stop();
		for (const dir of homes) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('a wrong host key is refused, naming both fingerprints', () => {
		const impostor = nodeKnownHostsLine(node).replace(/^\S+/, `[127.0.0.1]:${sshd.port}`);
		const dir = home([{alias: 'faulty', port: sshd.port}], [impostor]);
		const {run, snapshot, bad} = snapshotWith(dir, 'faulty');
		expect(run.status).toBe(1);
		expectHealthy(snapshot);
		expectRefused(bad, /host key for \[127\.0\.0\.1\]:\d+ has CHANGED/);
		expect(bad.errors[0]!.message).toContain(fingerprint(keyOf(sshd.knownHostsLine)));
		expect(bad.errors[0]!.message).toContain(fingerprint(keyOf(impostor)));
		// --accept-new never accepts a changed key.
		const again = snapshotWith(dir, 'faulty', ['--accept-new']);
		expect(again.run.status).toBe(1);
		expectRefused(again.bad, /host key .* has CHANGED/);
	});

	it('an unknown host is refused with its fingerprint and the way to accept it; --accept-new adds it', () => {
		const dir = home([{alias: 'fresh', port: sshd.port}], []);
		const {run, snapshot, bad} = snapshotWith(dir, 'fresh');
		expect(run.status).toBe(1);
		expectHealthy(snapshot);
		expectRefused(bad, /host key for \[127\.0\.0\.1\]:\d+ is not known/);
		expect(bad.errors[0]!.message).toContain(fingerprint(keyOf(sshd.knownHostsLine)));
		expect(bad.errors[0]!.message).toContain('--accept-new');

		const accepted = snapshotWith(dir, 'fresh', ['--accept-new']);
		expect(accepted.run.status).toBe(0);
		expect(accepted.bad.ok).toBe(true);
		const knownHosts = fs.readFileSync(path.join(dir, '.ssh', 'known_hosts'), 'utf8');
		expect(knownHosts).toContain(sshd.knownHostsLine.split(' ').slice(1).join(' '));
		// Now known: no flag needed.
		expect(snapshotWith(dir, 'fresh').run.status).toBe(0);
	});

	it('an authentication failure says so, and a passphrase-protected key is named, never prompted for', () => {
		const dir = home([
			{alias: 'stranger', port: sshd.port, identityFile: node.keys.stranger},
			{alias: 'locked', port: sshd.port, identityFile: node.keys.encrypted},
		], [sshd.knownHostsLine]);
		const stranger = snapshotWith(dir, 'stranger');
		expect(stranger.run.status).toBe(1);
		expectHealthy(stranger.snapshot);
		expectRefused(stranger.bad, /authentication failed for root@127\.0\.0\.1:\d+; tried .*stranger_ed25519/);

		const locked = snapshotWith(dir, 'locked');
		expect(locked.run.status).toBe(1);
		expectHealthy(locked.snapshot);
		expectRefused(locked.bad, /client_encrypted is passphrase-protected and no ssh-agent is running/);

		// No key material in what crimon prints, on either stream: not the PEM armour, not a
		// line of the keys' bodies.
		for (const run of [stranger.run, locked.run]) {
			const printed = run.stdout + run.stderr;
			expect(printed).not.toMatch(/PRIVATE KEY|BEGIN OPENSSH/);
			for (const file of [node.keys.stranger, node.keys.encrypted]) {
				const body = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
				for (const line of body) expect(printed).not.toContain(line);
			}
		}
	});

	it('a closed port fails in under a second', async () => {
		const port = await freePort();
		const dir = home([{alias: 'closed', port}], []);
		const started = Date.now();
		const snapshot = await open(dir, 'closed', 5000).poll();
		expect(Date.now() - started).toBeLessThan(1000);
		expectRefused(snapshot, /connection refused by 127\.0\.0\.1 port \d+/);

		const {run, snapshot: full, bad} = snapshotWith(dir, 'closed');
		expect(run.status).toBe(1);
		expectHealthy(full);
		expectRefused(bad, /connection refused/);
	});

	it('a node that stops answering (sshd SIGSTOPped) times out at the bound; the others are not held up', async () => {
		const dir = home([{alias: 'frozen', port: sshd.port}], [sshd.knownHostsLine]);
		const bound = 2000;
		const frozen = open(dir, 'frozen', bound);
		const healthy = open(dir, node.alias, bound);
		expect((await frozen.poll()).ok).toBe(true);

		sshd.pause();
		const started = Date.now();
		let healthyMs = 0;
		const [stalled, fine] = await Promise.all([
			frozen.poll(),
			healthy.poll().then((s) => {
				healthyMs = Date.now() - started;
				return s;
			}),
		]);
		const stalledMs = Date.now() - started;
		expect(stalledMs).toBeGreaterThanOrEqual(bound - 100);
		// The poll's bound, then the liveness question's own (three quarters of it): a node is
		// called down only when that too goes unanswered, never on what the poll left over.
		expect(stalledMs).toBeLessThan(bound + callTimeout(bound) + 1000);
		expectRefused(stalled, /stopped answering over SSH: no reply within 2000 ms/);
		expect(fine.ok).toBe(true);
		expect(fine.containers.map((c) => c.id)).toContain(node.cri.sandbox.id);
		expect(healthyMs).toBeLessThan(bound / 2);

		// Still stopped on the next poll: the new connection's handshake times out at its bound, twice the poll's.
		const again = Date.now();
		expectRefused(await frozen.poll(), /no SSH answer from 127\.0\.0\.1 port \d+ within \d+ ms/);
		expect(Date.now() - again).toBeLessThan(2 * bound + 1000);

		// The CLI, with the node stopped from the start: exit 1, the others in full.
		const {run, snapshot, bad} = snapshotWith(dir, 'frozen', ['--timeout', '2s']);
		expect(run.status).toBe(1);
		expectHealthy(snapshot);
		expectRefused(bad, /within \d+ ms/);

		// Answering again: the next poll reconnects.
		sshd.resume();
		expect((await frozen.poll()).ok).toBe(true);
	});

	it('after sshd restarts, crimon reconnects on the next poll', async () => {
		const dir = home([{alias: 'restarted', port: sshd.port}], [sshd.knownHostsLine]);
		const handle = open(dir, 'restarted', 5000);
		const first = await handle.poll();
		expect(first.ok).toBe(true);
		const before = first.processes.filter((p) => /^sshd: root@notty/.test(p.command)).map((p) => p.pid);
		expect(before.length).toBeGreaterThan(0);

		await sshd.restart();
		// The old session's sshd process can outlive its connection for a moment on a busy
		// machine: wait until it has gone, so the table below tells old from new.
		for (let waited = 0; waited < 3000 && before.some((pid) => fs.existsSync(`/proc/${pid}`)); waited += 50) {
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
		const second = await handle.poll();
		expect(second.ok).toBe(true);
		// A new session: the old one's sshd is gone from the table.
		const after = second.processes.filter((p) => /^sshd: root@notty/.test(p.command)).map((p) => p.pid);
		for (const pid of before) expect(after).not.toContain(pid);
	});

	it('sudo -n refused: the error says so at once, no password prompt', () => {
		const dir = home([], []);
		const started = Date.now();
		const run = runCrimon(dir, ['snapshot', '--json', '--node', 'local', '--node', node.alias, '--node', `ssh://${node.users.nosudo}@${node.alias}`, '--sudo']);
		expect(Date.now() - started).toBeLessThan(15_000);
		expect(run.status).toBe(1);
		const snapshot = parseSavedSnapshot(run.stdout);
		// --sudo applies to every SSH node: the healthy one is read as root, sudo or not.
		const bad = snapshot.nodes[2]!;
		expect(bad.ok).toBe(false);
		expect(bad.errors[0]).toEqual({source: 'node', message: expect.stringMatching(/^sudo -n was refused on .*a password is required.*never types a password/)});
		const [local, remote] = snapshot.nodes as [NodeSnapshot, NodeSnapshot];
		expect(local.ok).toBe(true);
		expect(remote.ok).toBe(true);
		expect(remote.containers.map((c) => c.id)).toContain(node.cri.sandbox.id);
	});
});
