/**
 * The monitor over a fleet, as a user runs it: the built crimon in tmux at 150×45, polling
 * N SSH nodes every 2 s (aliases of the SSH lab node's sshd, each its own connection), its
 * own CPU and RSS read from /proc/PID. For N = 50, 100, 200, printed as a curve beside the
 * goals (≤ 10 % of a core at 50 nodes, 2 ms a node-poll; growth linear or better, RSS
 * bounded), with the load average, since other work shares this machine.
 *
 * The TUI does not print its rounds, so for each N the same nodes are then polled by the
 * poller in this process for as long: every node up every round, and the round p95.
 *
 *   npm run bench -- fleet-curve      CRIMON_BENCH_FLEET=50,100,200 CRIMON_BENCH_SECONDS=30
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createTransportFactory, openNode} from '../source/session/open-node.js';
import {Poller} from '../source/session/poller.js';
import {createCrimonStore} from '../source/store/store.js';
import {nodeKnownHostsLine, readSshNode, SSH_NODE_JSON} from '../test/lab/ssh-lab.js';

const SIZES = (process.env.CRIMON_BENCH_FLEET ?? '50,100,200').split(',').map(Number);
const SECONDS = Number(process.env.CRIMON_BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = 15;
const INTERVAL_MS = 2000;
const CLI = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');
const SOCKET = `crimon-fleet-${process.pid}`;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const p95 = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;

function skip(reason: string): never {
	console.log(`fleet-curve: skipped: ${reason}`);
	process.exit(0);
}

if (process.getuid?.() !== 0) skip('needs root');
if (!fs.existsSync(SSH_NODE_JSON)) skip(`no ${SSH_NODE_JSON}: run bash test/lab/ssh-node-up.sh`);
if (!fs.existsSync(CLI)) skip(`${CLI} is not built (npm run build)`);
if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) skip('tmux is not installed');

interface Fleet {
	readonly home: string;
	readonly config: string;
	readonly aliases: readonly string[];
}

/** A HOME whose ~/.ssh/config has N aliases of the lab sshd and whose crimon config lists them. */
function makeFleet(size: number): Fleet {
	const node = readSshNode();
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-bench-fleet-'));
	const sshDir = path.join(home, '.ssh');
	fs.mkdirSync(sshDir, {mode: 0o700});
	const aliases = Array.from({length: size}, (_, i) => `fleet${String(i + 1).padStart(3, '0')}`);
	const knownHosts = path.join(sshDir, 'known_hosts');
	fs.writeFileSync(knownHosts, `${nodeKnownHostsLine(node)}\n`, {mode: 0o600});
	const config = path.join(sshDir, 'config');
	fs.writeFileSync(config, aliases.map((alias) => [
		`Host ${alias}`, '\tHostName 127.0.0.1', `\tPort ${node.port}`, '\tUser root', `\tIdentityFile ${node.keys.client}`,
		'\tIdentitiesOnly yes', `\tUserKnownHostsFile ${knownHosts}`, '\tStrictHostKeyChecking yes', '\tBatchMode yes',
	].join('\n')).join('\n') + '\n', {mode: 0o600});
	fs.mkdirSync(path.join(home, '.config', 'crimon'), {recursive: true});
	fs.writeFileSync(path.join(home, '.config', 'crimon', 'config.yaml'), `interval: 2s\nnodes:\n${aliases.map((a) => `  - ${a}\n`).join('')}`);
	return {home, config, aliases};
}

function cpuTicks(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'}).trim();

interface TuiFigures {
	readonly cpuPercent: number;
	readonly cpuS: number;
	readonly wall: number;
	readonly rssMiB: number;
	readonly rssMaxMiB: number;
	readonly tabsUp: string;
}

async function tui(fleet: Fleet): Promise<TuiFigures> {
	tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'crimon', '-x', '150', '-y', '45', '-e', 'TERM=xterm-256color', `exec env -u CI HOME=${fleet.home} node ${CLI}`);
	try {
		const pid = Number(tmux('display-message', '-p', '-t', 'crimon', '#{pane_pid}'));
		await sleep(WARMUP_SECONDS * 1000);
		const before = {ticks: cpuTicks(pid), at: Date.now()};
		let rssMax = 0;
		for (const end = Date.now() + SECONDS * 1000; Date.now() < end; await sleep(1000)) rssMax = Math.max(rssMax, rssKb(pid));
		const after = {ticks: cpuTicks(pid), at: Date.now()};
		const wall = (after.at - before.at) / 1000;
		const cpuS = (after.ticks - before.ticks) / TICKS;
		const screen = tmux('capture-pane', '-p', '-t', 'crimon');
		// The node tabs on the first line: ✓ reached, ✗ not.
		const tabs = screen.split('\n')[0] ?? '';
		const up = (tabs.match(/✓/g) ?? []).length;
		const down = (tabs.match(/✗/g) ?? []).length;
		const rssNow = rssKb(pid);
		tmux('send-keys', '-t', 'crimon', 'q');
		await sleep(500);
		return {cpuPercent: (100 * cpuS) / wall, cpuS, wall, rssMiB: rssNow / 1024, rssMaxMiB: rssMax / 1024, tabsUp: `${up} ✓ / ${down} ✗ of the tabs on screen`};
	} finally {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	}
}

interface RoundFigures {
	readonly rounds: number;
	readonly medianMs: number;
	readonly allUp: number;
	readonly p95Ms: number;
	readonly content: string;
}

async function rounds(fleet: Fleet): Promise<RoundFigures> {
	const factory = createTransportFactory({ssh: {home: fleet.home, userConfig: fleet.config, systemConfig: null, env: {}}, timeoutMs: 5000});
	const handles = fleet.aliases.map((alias) => openNode({target: alias}, {timeoutMs: 5000}, factory));
	const store = createCrimonStore(handles.map((h) => ({name: h.name, target: h.target})), INTERVAL_MS);
	const poller = new Poller(store, handles, {concurrency: 32});
	try {
		await poller.pollAll();
		const times: number[] = [];
		let allUp = 0;
		for (const end = performance.now() + SECONDS * 1000; performance.now() < end;) {
			const tick = performance.now();
			await poller.pollAll();
			times.push(performance.now() - tick);
			if (store.getState().nodes.every((n) => n.snapshot?.ok)) allUp++;
			const wait = INTERVAL_MS - (performance.now() - tick);
			if (wait > 0) await sleep(wait);
		}
		const sample = store.getState().nodes[0]!.snapshot!;
		const content = `${sample.processes.length} processes, ${sample.containers.length} containers in ${sample.namespaces.length} namespace(s), ${sample.pods.length} CRI pod(s), ${sample.shims.length} shim(s)`;
		const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
		return {rounds: times.length, medianMs: median, allUp, p95Ms: p95(times), content};
	} finally {
		await Promise.all(handles.map((h) => h.close()));
	}
}

console.log(`${os.availableParallelism()} cores; load average before: ${load()}`);
const rows: string[] = [];
let content = '';
for (const size of SIZES) {
	const fleet = makeFleet(size);
	try {
		const loadBefore = load();
		const t = await tui(fleet);
		const r = await rounds(fleet);
		content = r.content;
		const goal = size === 50 ? ' (goal ≤ 10 %, ≤ 2 ms)' : '';
		// A node is polled every 2 s, or as often as a round takes when that is longer: the
		// TUI does not print its rounds, so the poller's median round stands in for it.
		const polls = (t.wall * 1000 / Math.max(INTERVAL_MS, r.medianMs)) * size;
		rows.push(`${String(size).padStart(4)} nodes: TUI ${t.cpuPercent.toFixed(1).padStart(5)} % of a core${goal}, ${(t.cpuS * 1000 / polls).toFixed(2)} ms a node-poll (a poll every ${(Math.max(INTERVAL_MS, r.medianMs) / 1000).toFixed(1)} s), RSS ${t.rssMiB.toFixed(0)} MiB (max ${t.rssMaxMiB.toFixed(0)}), ${t.tabsUp}; poller: every node up in ${r.allUp} of ${r.rounds} rounds, round p95 ${r.p95Ms.toFixed(0)} ms; load ${loadBefore} → ${load()}`);
		console.log(rows.at(-1));
	} finally {
		fs.rmSync(fleet.home, {recursive: true, force: true});
	}
}
console.log(`each node: ${content} at the largest N (the SSH lab node; its process table holds the sshd sessions of every alias, so it grows with N)`);
console.log('goal: CPU per node-poll flat or falling as N grows (linear or better), RSS bounded');
