/**
 * crimon's CPU while watching this node, against htop's in the same run: 2,000 extra
 * sleeping processes, crimon at a 2 s interval and `htop -d 20` (also 2 s), each in its
 * own tmux session of the same size, measured over the same window from /proc/PID/stat.
 * Goal: crimon at most 0.25× htop.
 *
 *   npm run bench -- app-cpu      CRIMON_BENCH_SECONDS=60 (default 40), CRIMON_BENCH_SIZE=120x40
 *   CRIMON_BENCH_NODES="--node local" to change what crimon watches.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const SECONDS = Number(process.env['CRIMON_BENCH_SECONDS'] ?? 40);
const WARMUP_SECONDS = 8;
const EXTRA = 2000;
const [COLUMNS, ROWS] = (process.env['CRIMON_BENCH_SIZE'] ?? '120x40').split('x');
const NODES = process.env['CRIMON_BENCH_NODES'] ?? '--node local';
const SOCKET = `crimon-bench-${process.pid}`;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim() || 100);

function skip(reason: string): never {
	console.log(`app-cpu: skipped: ${reason}`);
	process.exit(0);
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
if (!has('tmux')) skip('tmux is not installed (apt-get install tmux)');
if (!has('htop')) skip('htop is not installed (apt-get install htop)');
if (!fs.existsSync(CLI)) skip(`${CLI} is not built (npx tsc -p tsconfig.json)`);

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'}).trim();

/** utime + stime of a process and its threads, in clock ticks. */
function cpuTicks(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

/**
 * How many direct children a process has, in one read per check: the kernel's
 * /proc/PID/task/PID/children, else one pass over /proc/*\/stat. (Spawning `ps` per child
 * on every check, as this did, never finished waiting for 2,000 sleepers.)
 */
function childCount(pid: number): number {
	try {
		return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter((w) => w.trim() !== '').length;
	} catch {
		// A kernel without CONFIG_PROC_CHILDREN: count parents in /proc instead.
	}
	let count = 0;
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) count++;
		} catch {
			// gone since the listing
		}
	}
	return count;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The extra processes: children of one shell in a group of their own, killed together at the end.
const sleepers = spawn('sh', ['-c', `i=0; while [ $i -lt ${EXTRA} ]; do sleep 3600 & i=$((i+1)); done; wait`], {detached: true, stdio: 'ignore'});
sleepers.unref();
let cleaned = false;
const cleanup = () => {
	if (cleaned) return;
	cleaned = true;
	spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	// tmux leaves its socket file behind after kill-server here; it is ours to remove.
	fs.rmSync(path.join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), {force: true});
	try {
		process.kill(-sleepers.pid!, 'SIGTERM');
	} catch {
		// already gone
	}
};
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130));

async function main() {
	const startedAt = Date.now();
	for (let have = 0; (have = childCount(sleepers.pid!)) < EXTRA; await sleep(100)) {
		if (Date.now() - startedAt > 120_000) throw new Error(`only ${have} of ${EXTRA} sleepers started within 120 s`);
	}
	console.log(`${EXTRA} sleepers up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
	const total = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;

	// `exec` so the pane's pid is the program itself.
	tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'crimon', '-x', COLUMNS!, '-y', ROWS!, '-e', 'TERM=xterm-256color', `exec env -u CI node ${CLI} ${NODES} --interval 2s`);
	tmux('new-session', '-d', '-s', 'htop', '-x', COLUMNS!, '-y', ROWS!, '-e', 'TERM=xterm-256color', 'exec htop -d 20');
	const crimonPid = Number(tmux('display-message', '-p', '-t', 'crimon', '#{pane_pid}'));
	const htopPid = Number(tmux('display-message', '-p', '-t', 'htop', '#{pane_pid}'));
	await sleep(WARMUP_SECONDS * 1000);
	const screen = tmux('capture-pane', '-p', '-t', 'crimon');
	if (!/— /.test(screen)) throw new Error(`crimon did not start; its pane shows:\n${screen}`);

	const before = {crimon: cpuTicks(crimonPid), htop: cpuTicks(htopPid), at: Date.now()};
	await sleep(SECONDS * 1000);
	const after = {crimon: cpuTicks(crimonPid), htop: cpuTicks(htopPid), at: Date.now()};
	const wall = (after.at - before.at) / 1000;
	const percent = (ticks: number) => (100 * ticks) / TICKS / wall;
	const crimon = percent(after.crimon - before.crimon);
	const htop = percent(after.htop - before.htop);
	const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${crimonPid}/status`, 'utf8'))?.[1] ?? 0);

	console.log(`${total} processes on this node (${EXTRA} extra sleeping), both at a 2 s interval in ${COLUMNS}×${ROWS} tmux sessions, ${wall.toFixed(0)} s after ${WARMUP_SECONDS} s warm-up`);
	console.log(`crimon ${NODES}: ${crimon.toFixed(2)}% CPU, RSS ${(rss / 1024).toFixed(0)} MiB`);
	console.log(`htop -d 20:      ${htop.toFixed(2)}% CPU`);
	const ratio = htop > 0 ? crimon / htop : Infinity;
	console.log(`ratio: ${ratio.toFixed(2)}× htop (goal ≤ 0.25×)${ratio <= 0.25 ? '' : '  over goal'}`);
	tmux('send-keys', '-t', 'crimon', 'q');
	await sleep(500);
}

try {
	await main();
} finally {
	cleanup();
}
