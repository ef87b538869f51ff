/**
 * Many SSH nodes: N sshd instances on loopback ports (20 by default), each a node crimon
 * watches over its own connection, polled every 2 s for a minute by the real poller at the
 * default concurrency. Prints crimon's own CPU seconds per poll per node, its CPU as a
 * share of one core, and the wall time of one round over every node.
 * Goals: a round of 20 nodes under 1 s; crimon under 2 % of one core.
 *
 *   npm run bench -- ssh-nodes          # as root, with openssh-server installed
 *   CRIMON_BENCH_SSH_NODES=5 CRIMON_BENCH_SECONDS=20 CRIMON_BENCH_CONCURRENCY=20 npm run bench -- ssh-nodes
 *   CRIMON_BENCH_SSH_IN_NODE=1 npm run bench -- ssh-nodes   # nodes the size of the SSH lab node
 *
 * Every node is this machine seen through its own sshd, so each poll does a node's real
 * work: `ps` over SSH, containerd and the CRI over stream-local channels (the main lab's,
 * when it is up), Docker's API likewise. The sshd processes' CPU is the nodes', not crimon's.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createTransportFactory, openNode, type NodeHandle} from '../source/session/open-node.js';
import {DEFAULT_CONCURRENCY} from '../source/cli/resolve-nodes.js';
import {Poller} from '../source/session/poller.js';
import {createCrimonStore} from '../source/store/store.js';
import {readSshNode, SSH_NODE_JSON, startSshd, type Sshd} from '../test/lab/ssh-lab.js';

const NODES = Number(process.env.CRIMON_BENCH_SSH_NODES ?? 20);
const CONCURRENCY = Number(process.env.CRIMON_BENCH_CONCURRENCY ?? DEFAULT_CONCURRENCY);
/** 1: the sshd instances serve the SSH lab node (a small node: its own ps, one CRI pod). */
const IN_NODE = process.env.CRIMON_BENCH_SSH_IN_NODE === '1';
const SECONDS = Number(process.env.CRIMON_BENCH_SECONDS ?? 60);
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 5000;

function skip(reason: string): never {
	console.log(`skipped: ${reason}`);
	process.exit(0);
}

const percentile = (values: readonly number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) skip('needs root (sshd logins as root)');
	if (!fs.existsSync('/usr/sbin/sshd')) skip('no /usr/sbin/sshd (apt-get install openssh-server)');

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-bench-ssh-'));
	const servers: Sshd[] = [];
	let handles: NodeHandle[] = [];
	try {
		const key = path.join(dir, 'id_ed25519');
		execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'crimon-bench', '-f', key]);
		let insideNode: number | undefined;
		if (IN_NODE) {
			if (!fs.existsSync(SSH_NODE_JSON)) skip(`no ${SSH_NODE_JSON}: run bash test/lab/ssh-node-up.sh`);
			insideNode = readSshNode().initPid;
		}
		for (let i = 0; i < NODES; i++) servers.push(await startSshd(`${key}.pub`, undefined, insideNode));

		const config = servers.map((s, i) => [
			`Host bench${String(i + 1).padStart(2, '0')}`,
			'\tHostName 127.0.0.1', `\tPort ${s.port}`, '\tUser root', `\tIdentityFile ${key}`, `\tUserKnownHostsFile ${dir}/known_hosts`,
		].join('\n')).join('\n');
		fs.writeFileSync(path.join(dir, 'config'), config + '\n');
		fs.writeFileSync(path.join(dir, 'known_hosts'), servers.map((s) => `${s.knownHostsLine}\n`).join(''));

		const factory = createTransportFactory({ssh: {home: dir, userConfig: path.join(dir, 'config'), systemConfig: null, env: {}}, timeoutMs: TIMEOUT_MS});
		handles = servers.map((_, i) => openNode({target: `bench${String(i + 1).padStart(2, '0')}`}, {timeoutMs: TIMEOUT_MS}, factory));
		const store = createCrimonStore(handles.map((h) => ({name: h.name, target: h.target})), INTERVAL_MS);
		const poller = new Poller(store, handles, {concurrency: CONCURRENCY});

		const round = async () => {
			const started = performance.now();
			await poller.pollAll();
			return performance.now() - started;
		};

		const firstMs = await round();
		const failed = store.getState().nodes.filter((n) => !n.snapshot?.ok);
		if (failed.length > 0) throw new Error(`${failed.length} node(s) not reached: ${failed[0]!.snapshot?.errors[0]?.message}`);
		const sample = store.getState().nodes[0]!.snapshot!;

		const rounds: number[] = [];
		const cpuBefore = process.cpuUsage();
		const wallBefore = performance.now();
		const end = wallBefore + SECONDS * 1000;
		while (performance.now() < end) {
			const tickStart = performance.now();
			rounds.push(await round());
			const wait = INTERVAL_MS - (performance.now() - tickStart);
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		}
		const wallS = (performance.now() - wallBefore) / 1000;
		const cpu = process.cpuUsage(cpuBefore);
		const cpuS = (cpu.user + cpu.system) / 1e6;
		const polls = rounds.length * NODES;
		const notOk = store.getState().nodes.filter((n) => !n.snapshot?.ok).length;

		console.log(`${NODES} SSH nodes (sshd on 127.0.0.1, one connection each), polled every ${INTERVAL_MS / 1000} s for ${wallS.toFixed(0)} s, concurrency ${CONCURRENCY}${IN_NODE ? ', every sshd serving the SSH lab node' : ', every sshd serving this machine'}`);
		console.log(`  each poll: ${sample.processes.length} processes, ${sample.containers.length} containers, ${sample.errors.length} source error(s)${sample.errors.length ? ` (${sample.errors.map((e) => `${e.source}: ${e.message}`).join('; ')})` : ''}`);
		console.log(`  first round (connect + handshake + poll): ${firstMs.toFixed(0)} ms`);
		console.log(`  round over all ${NODES} nodes: median ${percentile(rounds, 50).toFixed(0)} ms, p95 ${percentile(rounds, 95).toFixed(0)} ms, max ${Math.max(...rounds).toFixed(0)} ms (goal < 1000 ms)`);
		console.log(`  crimon CPU: ${cpuS.toFixed(2)} s over ${polls} polls = ${(cpuS / polls * 1000).toFixed(2)} ms per poll per node`);
		console.log(`  crimon CPU share of one core while polling: ${(cpuS / wallS * 100).toFixed(2)} % (goal < 2 %)`);
		console.log(`  nodes not reached at the end: ${notOk}`);
	} finally {
		await Promise.all(handles.map((h) => h.close()));
		await Promise.all(servers.map((s) => s.stop()));
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

main().then(() => process.exit(0), (error: unknown) => {
	console.error(`ssh-nodes bench failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
