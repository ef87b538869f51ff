/**
 * What an idle event subscription costs: `crimon events` held on nodes where nothing
 * happens, its CPU read from /proc over a window after start-up. Locally against a private
 * containerd with no containers (the lab's shared one is rarely idle), with 1 and with 8
 * subscriptions to it, so the cost per node is the difference over 7; and over SSH to the
 * SSH lab node when it is up. Docker is left out (--docker-socket to nowhere).
 *
 *   npm run bench -- event-idle        CRIMON_BENCH_SECONDS=30 (default)
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {makeHome, nodeKnownHostsLine, readSshNode, sshNodeStatus} from '../test/lab/ssh-lab.js';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const SECONDS = Number(process.env['CRIMON_BENCH_SECONDS'] ?? 30);
const WARMUP_MS = 4_000;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100);
const DIRS = {CRIMON_FAULTS_DIR: '/run/crimon-bench-events', CRIMON_FAULTS_ROOT: '/var/lib/crimon-bench-events'};
const SOCKET = `${DIRS.CRIMON_FAULTS_DIR}/idle/containerd.sock`;

function skip(reason: string): never {
	console.log(`event-idle: skipped: ${reason}`);
	process.exit(0);
}

if (process.getuid?.() !== 0) skip('needs root (a private containerd)');
if (!fs.existsSync(CLI)) skip(`${CLI} is not built (npx tsc -p tsconfig.json)`);
if (spawnSync('sh', ['-c', 'command -v containerd && command -v ctr']).status !== 0) skip('containerd is not installed');

function cpuTicks(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function privateContainerd(action: 'start_private' | 'stop_private'): void {
	const script = `source ${JSON.stringify(path.join(REPO, 'test/lab/faults-common.sh'))}; ${action} idle${action === 'stop_private' ? ' TERM' : ''}`;
	const result = spawnSync('bash', ['-c', script], {env: {...process.env, ...DIRS}, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit']});
	if (result.status !== 0) throw new Error(`${action} failed`);
}

interface Measured {
	readonly cpuMs: number;
	readonly seconds: number;
	readonly live: boolean;
}

async function measure(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
	const child: ChildProcess = spawn(process.execPath, [CLI, 'events', ...args], {env, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	try {
		const end = Date.now() + 20_000;
		while (!/watching events on/.test(stderr)) {
			if (Date.now() > end || child.exitCode !== null) return {cpuMs: NaN, seconds: 0, live: false};
			await sleep(50);
		}
		await sleep(WARMUP_MS);
		const before = cpuTicks(child.pid!);
		const started = Date.now();
		await sleep(SECONDS * 1000);
		const ticks = cpuTicks(child.pid!) - before;
		return {cpuMs: (ticks * 1000) / TICKS, seconds: (Date.now() - started) / 1000, live: true};
	} finally {
		child.kill('SIGINT');
	}
}

const perMinute = (m: Measured, nodes = 1) => (m.cpuMs / m.seconds) * 60 / nodes;
const share = (m: Measured, nodes = 1) => ((m.cpuMs / m.seconds) / 10 / nodes).toFixed(3);

const local = (n: number) => [...Array.from({length: n}, () => ['--node', 'local']).flat(), '--containerd-socket', SOCKET, '--docker-socket', '/nonexistent/docker.sock'];

privateContainerd('start_private');
try {
	const one = await measure(local(1));
	const eight = await measure(local(8));
	if (!one.live || !eight.live) skip('the subscriptions did not come up');
	const perNode = Math.max(0, (eight.cpuMs / eight.seconds - one.cpuMs / one.seconds) / 7);
	console.log(`event-idle: 1 local node: ${perMinute(one).toFixed(1)} ms CPU a minute (${share(one)}% of a core) for the whole process`);
	console.log(`event-idle: 8 local nodes: ${perMinute(eight).toFixed(1)} ms CPU a minute (${share(eight)}% of a core)`);
	console.log(`event-idle: each further idle subscription: ${(perNode * 60).toFixed(1)} ms CPU a minute (${(perNode / 10).toFixed(4)}% of a core)`);
	if (sshNodeStatus().up) {
		const node = readSshNode();
		const home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
		const env: NodeJS.ProcessEnv = {...process.env, HOME: home};
		delete env['SSH_AUTH_SOCK'];
		const ssh = await measure(['--node', `ssh://${node.alias}`, '--docker-socket', '/nonexistent/docker.sock'], env);
		if (ssh.live) console.log(`event-idle: 1 SSH node (the SSH lab node): ${perMinute(ssh).toFixed(1)} ms CPU a minute (${share(ssh)}% of a core)`);
	} else {
		console.log(`event-idle: no SSH figure: ${sshNodeStatus().reason}`);
	}
} finally {
	privateContainerd('stop_private');
	spawnSync('rm', ['-rf', DIRS.CRIMON_FAULTS_DIR, DIRS.CRIMON_FAULTS_ROOT]);
}
