/**
 * `crimon snapshot --json` on this node against the manual way an operator gathers the same
 * facts: `ps axf`, `ctr namespaces ls`, then `containers ls` and `tasks ls` per namespace,
 * then `docker ps -a`. Wall time, median of several runs in one go. Goal: crimon ≤ 0.5×.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import path from 'node:path';
import {median} from './_timing.js';

const CLI = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function time(fn: () => void): number {
	const started = process.hrtime.bigint();
	fn();
	return Number(process.hrtime.bigint() - started) / 1e6;
}


function manual(): void {
	execFileSync('ps', ['axf'], {stdio: 'pipe'});
	const namespaces = execFileSync('ctr', ['namespaces', 'ls', '-q'], {encoding: 'utf8'}).trim().split('\n').filter(Boolean);
	for (const ns of namespaces) {
		execFileSync('ctr', ['-n', ns, 'containers', 'ls'], {stdio: 'pipe'});
		execFileSync('ctr', ['-n', ns, 'tasks', 'ls'], {stdio: 'pipe'});
	}
	execFileSync('docker', ['ps', '-a'], {stdio: 'pipe'});
}

// This workplace sets NODE_EXTRA_CA_CERTS, which makes every Node process parse a CA bundle
// at start (about 50 ms here) though crimon never speaks TLS; measure both ways.
const WITHOUT_CA_BUNDLE = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_EXTRA_CA_CERTS'));
let crimonEnv: NodeJS.ProcessEnv = process.env;

function crimon(): void {
	const result = spawnSync('node', [CLI, 'snapshot', '--json'], {stdio: 'pipe', env: crimonEnv});
	if (result.status !== 0) throw new Error(`crimon snapshot exited ${result.status}: ${result.stderr}`);
}

export function benchSnapshotVsManual(): {crimonMs: number; manualMs: number; ratio: number} {
	// One warm-up each: the first run pays for cold caches on both sides.
	manual();
	crimon();
	const crimonTimes: number[] = [];
	const manualTimes: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		manualTimes.push(time(manual));
		crimonTimes.push(time(crimon));
	}
	const crimonMs = median(crimonTimes);
	const manualMs = median(manualTimes);
	return {crimonMs, manualMs, ratio: crimonMs / manualMs};
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const containers = execFileSync('ctr', ['namespaces', 'ls', '-q'], {encoding: 'utf8'}).trim().split('\n')
		.reduce((n, ns) => n + execFileSync('ctr', ['-n', ns, 'containers', 'ls', '-q'], {encoding: 'utf8'}).trim().split('\n').filter(Boolean).length, 0);
	console.log(`node: ${containers} containerd containers`);
	for (const [label, env] of [['as this environment is', process.env], ['without NODE_EXTRA_CA_CERTS', WITHOUT_CA_BUNDLE]] as const) {
		crimonEnv = env;
		const r = benchSnapshotVsManual();
		console.log(`snapshot vs manual (${label}): crimon ${r.crimonMs.toFixed(1)} ms, manual ${r.manualMs.toFixed(1)} ms, ratio ${r.ratio.toFixed(2)}× (goal ≤ 0.5×), median of ${RUNS}`);
	}
}
