/**
 * 50 SSH nodes, as issue #11 sets them: one sshd (the SSH lab node, 127.0.0.1:42022) under
 * 50 ~/.ssh/config aliases in a temporary HOME, so each alias is its own connection.
 *
 * 1. `crimon snapshot --json` of all 50 against the manual way run 8 at a time:
 *    `xargs -P 8 ssh ALIAS 'ps axf; ctr … per namespace; docker ps'`. Goal ≤ 0.25×.
 * 2. The monitor's poller over the 50 at a 2 s interval: crimon's CPU as a share of one
 *    core and per node-poll, and whether every node was reached every round.
 *    Goal ≤ 10 % of a core (2 ms a node-poll).
 * 3. RSS with the 50 nodes open and polled: stated, with its growth over the run.
 * 4. The first round (connect: TCP, key exchange, host key, login) by --concurrency.
 *
 *   npm run bench -- ssh-fifty        # as root, lab and SSH lab node up
 *   CRIMON_BENCH_SECONDS=60 CRIMON_BENCH_ALIASES=50 npm run bench -- ssh-fifty
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createTransportFactory, openNode, type NodeHandle} from '../source/session/open-node.js';
import {DEFAULT_CONCURRENCY} from '../source/cli/resolve-nodes.js';
import {Poller} from '../source/session/poller.js';
import {createCrimonStore} from '../source/store/store.js';
import {SshTransport} from '../source/transport/ssh-transport.js';
import {nodeKnownHostsLine, readSshNode, SSH_NODE_JSON} from '../test/lab/ssh-lab.js';
import {median} from './_timing.js';

const ALIASES = Number(process.env.CRIMON_BENCH_ALIASES ?? 50);
const SECONDS = Number(process.env.CRIMON_BENCH_SECONDS ?? 30);
const RUNS = Number(process.env.CRIMON_BENCH_RUNS ?? 3);
const CONCURRENCY = Number(process.env.CRIMON_BENCH_CONCURRENCY ?? DEFAULT_CONCURRENCY);
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 10_000;
const CLI = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function skip(reason: string): never {
	console.log(`skipped: ${reason}`);
	process.exit(0);
}

interface Lab {
	readonly home: string;
	readonly config: string;
	readonly aliases: readonly string[];
}

function makeLab(): Lab {
	const node = readSshNode();
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-bench-fifty-'));
	const sshDir = path.join(home, '.ssh');
	fs.mkdirSync(sshDir, {mode: 0o700});
	const aliases = Array.from({length: ALIASES}, (_, i) => `node${String(i + 1).padStart(2, '0')}`);
	const knownHosts = path.join(sshDir, 'known_hosts');
	fs.writeFileSync(knownHosts, `${nodeKnownHostsLine(node)}\n`, {mode: 0o600});
	const config = path.join(sshDir, 'config');
	fs.writeFileSync(config, aliases.map((alias) => [
		`Host ${alias}`, '\tHostName 127.0.0.1', `\tPort ${node.port}`, '\tUser root', `\tIdentityFile ${node.keys.client}`,
		'\tIdentitiesOnly yes', `\tUserKnownHostsFile ${knownHosts}`, '\tStrictHostKeyChecking yes', '\tBatchMode yes', '\tLogLevel ERROR',
	].join('\n')).join('\n') + '\n', {mode: 0o600});
	return {home, config, aliases};
}

/** The environment both sides run in: the lab HOME, no agent, no CA bundle (crimon speaks no TLS). */
function envFor(lab: Lab): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: lab.home, NO_COLOR: '1'};
	delete env.NODE_EXTRA_CA_CERTS;
	delete env.SSH_AUTH_SOCK;
	return env;
}

const MANUAL_SCRIPT = 'ps axf; for ns in $(ctr namespaces ls -q); do ctr -n "$ns" containers ls; ctr -n "$ns" tasks ls; done; docker ps -a';

function timeMs(run: () => void): number {
	const started = performance.now();
	run();
	return performance.now() - started;
}

function snapshotVsManual(lab: Lab): void {
	const env = envFor(lab);
	const manual = () => {
		const result = spawnSync('xargs', ['-P', '8', '-I', '{}', 'ssh', '-F', lab.config, '{}', MANUAL_SCRIPT], {input: lab.aliases.join('\n') + '\n', env, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024});
		if (result.error) throw result.error;
	};
	const crimon = () => {
		const result = spawnSync(process.execPath, [CLI, 'snapshot', '--json', ...(process.env.CRIMON_BENCH_CONCURRENCY ? ['--concurrency', process.env.CRIMON_BENCH_CONCURRENCY] : []), ...lab.aliases.flatMap((a) => ['--node', a])], {env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024});
		if (result.status !== 0) throw new Error(`crimon snapshot exited ${result.status}: ${result.stderr.toString().slice(0, 300)}`);
		const doc = JSON.parse(result.stdout.toString()) as {nodes: {ok: boolean}[]};
		const reached = doc.nodes.filter((n) => n.ok).length;
		if (reached !== lab.aliases.length) throw new Error(`crimon reached ${reached} of ${lab.aliases.length} nodes`);
	};
	manual();
	crimon();
	const crimonMs: number[] = [];
	const manualMs: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		manualMs.push(timeMs(manual));
		crimonMs.push(timeMs(crimon));
	}
	const ratio = median(crimonMs) / median(manualMs);
	console.log(`snapshot of ${lab.aliases.length} SSH nodes: crimon ${median(crimonMs).toFixed(0)} ms, manual (xargs -P 8 ssh …) ${median(manualMs).toFixed(0)} ms: ${ratio.toFixed(2)}× (goal ≤ 0.25×), median of ${RUNS}`);
}

async function openAll(lab: Lab): Promise<NodeHandle[]> {
	const factory = createTransportFactory({ssh: {home: lab.home, userConfig: lab.config, systemConfig: null, env: {}}, timeoutMs: TIMEOUT_MS});
	return lab.aliases.map((alias) => openNode({target: alias}, {timeoutMs: TIMEOUT_MS}, factory));
}

async function firstRound(lab: Lab, concurrency: number): Promise<{ms: number; cpuMs: number}> {
	const handles = await openAll(lab);
	const store = createCrimonStore(handles.map((h) => ({name: h.name, target: h.target})), INTERVAL_MS);
	const poller = new Poller(store, handles, {concurrency});
	const cpu = process.cpuUsage();
	const started = performance.now();
	await poller.pollAll();
	const ms = performance.now() - started;
	const used = process.cpuUsage(cpu);
	const failed = store.getState().nodes.filter((n) => !n.snapshot?.ok);
	await Promise.all(handles.map((h) => h.close()));
	if (failed.length > 0) throw new Error(`${failed.length} node(s) not reached: ${failed[0]!.snapshot?.errors[0]?.message}`);
	return {ms, cpuMs: (used.user + used.system) / 1000};
}

async function monitor(lab: Lab): Promise<void> {
	const rssBefore = process.memoryUsage().rss;
	const handles = await openAll(lab);
	const store = createCrimonStore(handles.map((h) => ({name: h.name, target: h.target})), INTERVAL_MS);
	const poller = new Poller(store, handles, {concurrency: CONCURRENCY});
	try {
		await poller.pollAll();
		const sample = store.getState().nodes[0]!.snapshot!;
		const rounds: number[] = [];
		let roundsAllReached = 0;
		let rssMax = 0;
		const cpuBefore = process.cpuUsage();
		const wallBefore = performance.now();
		const end = wallBefore + SECONDS * 1000;
		while (performance.now() < end) {
			const tick = performance.now();
			await poller.pollAll();
			rounds.push(performance.now() - tick);
			if (store.getState().nodes.every((n) => n.snapshot?.ok)) roundsAllReached++;
			rssMax = Math.max(rssMax, process.memoryUsage().rss);
			const wait = INTERVAL_MS - (performance.now() - tick);
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		}
		const wallS = (performance.now() - wallBefore) / 1000;
		const cpu = process.cpuUsage(cpuBefore);
		const cpuS = (cpu.user + cpu.system) / 1e6;
		const polls = rounds.length * handles.length;
		const rss = process.memoryUsage().rss;
		const connections = handles.reduce((n, h) => n + (h.transport instanceof SshTransport ? h.transport.connectionsOpened : 0), 0);
		console.log(`monitor, ${handles.length} SSH nodes every ${INTERVAL_MS / 1000} s for ${wallS.toFixed(0)} s, --concurrency ${CONCURRENCY}; a node: ${sample.processes.length} processes, ${sample.containers.length} containers`);
		console.log(`  CPU: ${(cpuS / wallS * 100).toFixed(1)} % of one core (goal ≤ 10 %), ${(cpuS / polls * 1000).toFixed(2)} ms a node-poll (goal ≤ 2 ms)`);
		console.log(`  every node reached every round: ${roundsAllReached === rounds.length ? 'yes' : 'no'} (${roundsAllReached} of ${rounds.length} rounds); round median ${median(rounds).toFixed(0)} ms, max ${Math.max(...rounds).toFixed(0)} ms; SSH connections opened: ${connections} for ${handles.length} nodes`);
		console.log(`  RSS with ${handles.length} nodes: ${mb(rss)} (max ${mb(rssMax)}; ${mb(rssBefore)} before opening them: ${((rssMax - rssBefore) / handles.length / 1024).toFixed(0)} kB a node at most)`);
	} finally {
		await Promise.all(handles.map((h) => h.close()));
	}
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) skip('needs root');
	if (!fs.existsSync(SSH_NODE_JSON)) skip(`no ${SSH_NODE_JSON}: run bash test/lab/ssh-node-up.sh`);
	if (!fs.existsSync(CLI)) skip(`${CLI} is not built`);
	const lab = makeLab();
	try {
		const part = process.env.CRIMON_BENCH_PART ?? 'all';
		if (part === 'all' || part === 'snapshot') snapshotVsManual(lab);
		if (part === 'all' || part === 'monitor') await monitor(lab);
		if (part === 'all' || part === 'connect') {
			const levels = (process.env.CRIMON_BENCH_LEVELS ?? '4,8,16,50').split(',').map(Number);
			const parts: string[] = [];
			for (const level of levels) {
				const runs: {ms: number; cpuMs: number}[] = [];
				for (let i = 0; i < RUNS; i++) runs.push(await firstRound(lab, level));
				parts.push(`${level}: ${median(runs.map((r) => r.ms)).toFixed(0)} ms (CPU ${(median(runs.map((r) => r.cpuMs)) / lab.aliases.length).toFixed(1)} ms a node)`);
			}
			console.log(`first round of ${lab.aliases.length} nodes (connect + poll) by --concurrency, median of ${RUNS}: ${parts.join(', ')}`);
		}
	} finally {
		fs.rmSync(lab.home, {recursive: true, force: true});
	}
}

main().then(() => process.exit(0), (error: unknown) => {
	console.error(`ssh-fifty bench failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
