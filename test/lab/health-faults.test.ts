/**
 * Runtime faults made for real (test/lab/faults-up.sh, on objects of its own: two private
 * containerds and labelled Docker containers), each named by its finding in
 * `crimon snapshot --json` and in the text, checked against what ctr, docker inspect, ps
 * and the cgroup files say.
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Finding, FindingCode, NodeSnapshot} from '../../source/schema/types.js';
import {CLI, readLab, REPO_ROOT, skipWithoutLab} from './lab-available.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

export interface Faults {
	readonly namespace: string;
	readonly leak: {socket: string; id: string; shimPid: number; killedInit: number; zombieId: string; zombieInit: number; zombieShim: number};
	readonly orphan: {socket: string; id: string; shimPid: number; init: number};
	readonly docker: {restart: {name: string; id: string}; oom: {name: string; id: string}};
}

const run = (file: string, args: string[]) => execFileSync(file, args, {encoding: 'utf8', timeout: 60_000});
export const faultsUp = (): Faults => JSON.parse(fs.readFileSync(run('bash', [path.join(REPO_ROOT, 'test/lab/faults-up.sh')]).trim(), 'utf8')) as Faults;
export const faultsDown = () => run('bash', [path.join(REPO_ROOT, 'test/lab/faults-down.sh')]);
const dockerInspect = (id: string) => (JSON.parse(run('/usr/bin/docker', ['inspect', id])) as {RestartCount: number; State: {ExitCode: number; OOMKilled: boolean; Pid: number}}[])[0]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function snapshotJson(...args: string[]): NodeSnapshot {
	const result = spawnSync('node', [CLI, 'snapshot', '--json', ...args], {encoding: 'utf8', timeout: 60_000});
	expect(result.status, result.stderr).toBe(0);
	return parseSavedSnapshot(result.stdout).nodes[0]!;
}

const findingsOf = (node: NodeSnapshot, code: FindingCode): Finding[] => node.diagnosis!.findings.filter((f) => f.code === code);
const aboutShim = (findings: readonly Finding[], pid: number) => findings.find((f) => f.subjects.some((s) => s.kind === 'shim' && s.id === String(pid)));
const aboutContainer = (findings: readonly Finding[], id: string) => findings.find((f) => f.subjects.some((s) => s.kind === 'container' && s.id === id));

const SKIP = skipWithoutLab('lab: health faults');
let faults: Faults;

/**
 * The faults have fixed places (/run/crimon-faults, their Docker names), and faults-up
 * clears what an earlier run left: two runs of this file at once (two checkouts' npm test)
 * would tear down each other's. A lock held by a `flock … cat` child serializes them; it is
 * released when the child's stdin closes, so also when this process dies.
 */
const FAULTS_LOCK = '/tmp/crimon-faults.lock';
let lockHolder: ChildProcess | null = null;

async function lockFaults(): Promise<void> {
	const holder = spawn('flock', ['-w', '600', FAULTS_LOCK, 'sh', '-c', 'echo locked; exec cat'], {stdio: ['pipe', 'pipe', 'inherit']});
	lockHolder = holder;
	await new Promise<void>((resolve, reject) => {
		holder.stdout!.once('data', () => resolve());
		holder.once('exit', (code) => reject(new Error(`could not take ${FAULTS_LOCK} (flock exit ${code})`)));
	});
}

beforeAll(async () => {
	if (SKIP) return;
	await lockFaults();
	faults = faultsUp();
}, 660_000);

describe.skipIf(SKIP)('lab: runtime faults made for real, named by crimon snapshot', () => {
	let node: NodeSnapshot;
	let text: string;

	beforeAll(async () => {
		// Three restarts take about ten seconds of Docker's backoff.
		for (let i = 0; i < 120 && dockerInspect(faults.docker.restart.id).RestartCount < 3; i++) await sleep(250);
		node = snapshotJson('--containerd-socket', faults.leak.socket);
		text = spawnSync('node', [CLI, 'snapshot', '--containerd-socket', faults.leak.socket], {encoding: 'utf8', timeout: 60_000}).stdout;
		// The restart loop churns Docker's containers: stop it as soon as it was seen.
		run('/usr/bin/docker', ['update', '--restart', 'no', faults.docker.restart.id]);
	}, 120_000);

	it('names the shim leaked as in containerd#6771: ctr says STOPPED, ps says the shim runs with no child', () => {
		const ctrLine = run('ctr', ['--address', faults.leak.socket, '-n', faults.namespace, 'tasks', 'ls']).split('\n').find((l) => l.startsWith(`${faults.leak.id} `))!;
		expect(ctrLine.trim().split(/\s+/)[2]).toBe('STOPPED');
		expect(run('ps', ['-o', 'args=', '-p', String(faults.leak.shimPid)])).toContain(`-id ${faults.leak.id}`);
		expect(spawnSync('ps', ['--ppid', String(faults.leak.shimPid), '-o', 'pid='], {encoding: 'utf8'}).stdout.trim()).toBe('');
		const leaked = aboutShim(findingsOf(node, 'shim-leaked'), faults.leak.shimPid)!;
		expect(leaked.severity).toBe('warn');
		expect(leaked.message).toContain(`tasks rm -f ${faults.leak.id}`);
		const container = node.containers.find((c) => c.id === faults.leak.id)!;
		expect(container).toMatchObject({namespace: faults.namespace, state: 'stopped', pid: null, shimPid: faults.leak.shimPid});
		expect(text).toMatch(new RegExp(`WARN {2}shim-leaked: containerd-shim-runc-v2 pid ${faults.leak.shimPid} `));
	});

	it('names the shim whose containerd is gone: its socket refuses, ps shows the shim and its container', () => {
		expect(run('ps', ['-o', 'args=', '-p', String(faults.orphan.shimPid)])).toContain(`-address ${faults.orphan.socket}`);
		expect(run('ps', ['-o', 'ppid=', '-p', String(faults.orphan.init)]).trim()).toBe(String(faults.orphan.shimPid));
		expect(spawnSync('ctr', ['--address', faults.orphan.socket, 'version'], {encoding: 'utf8', timeout: 10_000}).status).not.toBe(0);
		const orphaned = aboutShim(findingsOf(node, 'shim-orphaned'), faults.orphan.shimPid)!;
		expect(orphaned.subjects).toContainEqual(expect.objectContaining({kind: 'socket', id: faults.orphan.socket}));
		expect(text).toMatch(new RegExp(`WARN {2}shim-orphaned: containerd-shim-runc-v2 pid ${faults.orphan.shimPid} `));
		// The default snapshot (the lab's containerd) names it too: any containerd's orphans are this node's problem.
		expect(aboutShim(findingsOf(snapshotJson(), 'shim-orphaned'), faults.orphan.shimPid)).toBeDefined();
	});

	it('counts the zombies ps shows under the container whose init does not reap', () => {
		const zombies = run('ps', ['-o', 'pid=,stat=', '--ppid', String(faults.leak.zombieInit)]).trim().split('\n')
			.map((l) => l.trim().split(/\s+/)).filter(([, stat]) => stat!.startsWith('Z')).map(([pid]) => pid!);
		expect(zombies.length).toBeGreaterThan(0);
		const finding = aboutContainer(findingsOf(node, 'zombie-processes'), faults.leak.zombieId)!;
		expect(finding.subjects.filter((s) => s.kind === 'process').map((s) => s.id).sort()).toEqual(zombies.sort());
		expect(finding.severity).toBe('info');
		expect(text).toMatch(/INFO {2}zombie-processes: 1 defunct process under container faults-zombie/);
	});

	it("names the restart loop with docker inspect's RestartCount and last exit status", () => {
		const inspect = dockerInspect(faults.docker.restart.id);
		const loop = aboutContainer(findingsOf(node, 'restart-loop'), faults.docker.restart.id)!;
		// The loop goes on while crimon looks: its count is at least what it was then, and at least 3.
		const count = Number(/restarted (\d+) times/.exec(loop.message)![1]);
		expect(count).toBeGreaterThanOrEqual(3);
		expect(count).toBeLessThanOrEqual(inspect.RestartCount);
		// Docker tells the last exit only while the container is down between runs.
		if (/last exit status/.test(loop.message)) expect(loop.message).toContain('last exit status 3');
		expect(text).toContain(`restart-loop: ${faults.docker.restart.name} restarted`);
	});

	it('says nothing wrong about the lab\'s own healthy containers (others on the machine may well be unhealthy)', () => {
		const labIds = new Set(Object.values(readLab<{containers: Record<string, {id: string}>}>().containers).map((c) => c.id));
		expect(labIds.size).toBeGreaterThan(5);
		const flagged = snapshotJson().diagnosis!.findings
			.filter((f) => ['shim-leaked', 'task-without-shim', 'shim-duplicate', 'zombie-processes', 'restart-loop', 'oom-killed', 'shim-orphaned'].includes(f.code))
			.flatMap((f) => f.subjects.filter((s) => s.kind === 'container').map((s) => s.id));
		for (const id of flagged) expect(labIds.has(id), id).toBe(false);
	});

	it('sees the OOM kills the cgroup counts while Docker says OOMKilled false', () => {
		const inspect = dockerInspect(faults.docker.oom.id);
		expect(inspect.State.OOMKilled).toBe(false);
		const cgroup = fs.readFileSync(`/proc/${inspect.State.Pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l))!.split(':')[2]!;
		const oomKills = Number(/oom_kill (\d+)/.exec(fs.readFileSync(`/sys/fs/cgroup/memory${cgroup}/memory.oom_control`, 'utf8'))![1]);
		expect(oomKills).toBeGreaterThan(0);
		// One snapshot has no event stream: the count is the cgroup's, read by crimon's usage reader
		// from the task's pid, so on the containerd that runs it (the lab's, not the private one).
		const lab = snapshotJson();
		const container = lab.containers.find((c) => c.id === faults.docker.oom.id)!;
		expect(container.usage?.oomKills).toBeGreaterThanOrEqual(oomKills);
		const finding = aboutContainer(findingsOf(lab, 'oom-killed'), faults.docker.oom.id)!;
		expect(finding.message).toContain(`cgroup oom_kill ${container.usage!.oomKills}`);
		const labText = spawnSync('node', [CLI, 'snapshot'], {encoding: 'utf8', timeout: 60_000}).stdout;
		expect(labText).toMatch(/WARN {2}oom-killed: The kernel OOM-killed .* in crimon-faults-oom's cgroup/);
	});
});

// ---- live: crimon events, and the app re-polling on events ----------------------------------

interface Spawned {
	readonly child: ChildProcess;
	readonly lines: {readonly at: number; readonly text: string}[];
	stderr: string;
}

function spawnCrimon(args: string[]): Spawned {
	const child = spawn('node', [CLI, ...args], {stdio: ['ignore', 'pipe', 'pipe']});
	const spawned: Spawned = {child, lines: [], stderr: ''};
	let pending = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		pending += chunk;
		let newline: number;
		while ((newline = pending.indexOf('\n')) !== -1) {
			spawned.lines.push({at: Date.now(), text: pending.slice(0, newline)});
			pending = pending.slice(newline + 1);
		}
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (spawned.stderr += chunk));
	return spawned;
}

async function until<T>(what: string, get: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = get();
		if (value) return value;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(25);
	}
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => {
	if (child.exitCode !== null) resolve(child.exitCode);
	else child.once('exit', (code) => resolve(code));
});

interface EventJson {
	node: string; at: string; namespace: string | null; topic: string; id: string | null; name: string | null;
	pod: unknown; pid: number | null; exitStatus: number | null; source: string;
}

describe.skipIf(SKIP)('lab: crimon events, live', () => {
	it("prints a task's exit with its status within a second, and exits 130 on Ctrl-C", async () => {
		const events = spawnCrimon(['events', '--json', '--containerd-socket', faults.leak.socket]);
		try {
			await until('the subscription', () => /watching events on 1 of 1 node/.test(events.stderr), 15_000);
			const id = `faults-exit-${process.pid}`;
			const ran = spawnSync('ctr', ['--address', faults.leak.socket, '-n', faults.namespace, 'run', '--rm', 'docker.io/crimon-lab/busybox:1', id, 'sh', '-c', 'sleep 0.3; exit 7'], {encoding: 'utf8', timeout: 30_000});
			expect(ran.status, `${ran.signal ?? ''} ${ran.stderr}`).toBe(7);
			const exit = await until('the exit event', () => events.lines.find((l) => {
				const e = JSON.parse(l.text) as EventJson;
				return e.topic === '/tasks/exit' && e.id === id;
			}), 5_000);
			const event = JSON.parse(exit.text) as EventJson;
			expect(event).toMatchObject({namespace: faults.namespace, exitStatus: 7, source: 'containerd', pod: null});
			expect(event.pid).toBeGreaterThan(0);
			// containerd stamps the exit; the line was printed less than a second later.
			console.log(`lab: crimon events printed the exit ${exit.at - Date.parse(event.at)} ms after containerd stamped it`);
			expect(exit.at - Date.parse(event.at)).toBeLessThan(1_000);
			const topics = events.lines.map((l) => JSON.parse(l.text) as EventJson).filter((e) => e.id === id).map((e) => e.topic);
			expect(topics).toEqual(expect.arrayContaining(['/containers/create', '/tasks/start', '/tasks/exit', '/tasks/delete', '/containers/delete']));
			for (const line of events.lines) expect(Object.keys(JSON.parse(line.text) as object)).toEqual(['node', 'at', 'namespace', 'topic', 'id', 'name', 'pod', 'pid', 'exitStatus', 'source']);
			// Docker's stream too: the OOM container's child is killed every few seconds.
			const oom = await until("Docker's oom event", () => events.lines.map((l) => JSON.parse(l.text) as EventJson).find((e) => e.source === 'docker' && e.topic === 'container/oom' && e.id === faults.docker.oom.id), 15_000);
			expect(oom.name).toBe(faults.docker.oom.name);
		} finally {
			events.child.kill('SIGINT');
		}
		expect(await exitOf(events.child)).toBe(130);
	}, 60_000);

	it('exits 1 when no node could be subscribed', () => {
		const result = spawnSync('node', [CLI, 'events', '--containerd-socket', faults.orphan.socket, '--docker-socket', '/nonexistent/docker.sock'], {encoding: 'utf8', timeout: 30_000});
		expect(result.status).toBe(1);
		expect(result.stderr).toContain("no node's event stream could be had");
		expect(result.stderr).toContain(faults.orphan.socket);
	});
});

describe.skipIf(SKIP || spawnSync('tmux', ['-V']).status !== 0)('lab: the app re-polls on events', () => {
	const SOCKET = `crimon-health-${process.pid}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'});
	const screen = () => tmux('capture-pane', '-p', '-t', 'app');
	afterAll(() => {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	});

	it('shows a container started while it polls every 30 s within 2 s, and names the faults on the Node pane', async () => {
		tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'app', '-x', '160', '-y', '40', '-e', 'NO_COLOR=1', '-e', 'TERM=xterm-256color',
			'node', CLI, '--interval', '30s', '--containerd-socket', faults.leak.socket);
		await until('the first poll', () => /every 30s · polled/.test(screen()), 15_000);
		await until('the event streams', () => /events live/.test(screen()), 10_000);
		tmux('send-keys', '-t', 'app', 'Tab', 'Tab');
		await until('the Containers pane', () => (screen().split('\n')[1] ?? '').startsWith('Containers — '));
		const id = `faults-live-${process.pid}`;
		expect(screen()).not.toContain(id);
		const started = Date.now();
		run('ctr', ['--address', faults.leak.socket, '-n', faults.namespace, 'run', '-d', 'docker.io/crimon-lab/busybox:1', id, 'sleep', '600']);
		const shown = await until('the new container on screen', () => screen().split('\n').find((l) => l.includes(id) && /running/.test(l)), 5_000);
		const tookMs = Date.now() - started;
		console.log(`lab: a container started under --interval 30s showed on the Containers pane after ${tookMs} ms`);
		expect(tookMs).toBeLessThan(2_000);
		expect(shown).toMatch(/running/);

		// The Events pane has it; the Node pane names every fault, OOM kills from the event stream included.
		tmux('send-keys', '-t', 'app', 'Tab', 'Tab');
		await until('the Events pane', () => (screen().split('\n')[1] ?? '').startsWith('Events — '));
		await until('the start event', () => screen().split('\n').some((l) => l.includes(id) && / started/.test(l)), 5_000);
		tmux('send-keys', '-t', 'app', 'Tab');
		await until('the Node pane', () => (screen().split('\n')[1] ?? '').startsWith('Node — '));
		for (const code of ['shim-leaked', 'shim-orphaned', 'zombie-processes']) await until(code, () => screen().includes(code), 5_000);
		// One OOM event (every ~5 s) and the re-poll it makes bring oom-killed.
		await until('oom-killed', () => screen().includes('oom-killed'), 20_000);
		tmux('send-keys', '-t', 'app', 'q');
		run('ctr', ['--address', faults.leak.socket, '-n', faults.namespace, 'tasks', 'kill', '-s', 'KILL', id]);
	}, 90_000);
});

afterAll(() => {
	try {
		if (!SKIP) faultsDown();
	} finally {
		lockHolder?.stdin?.end();
	}
}, 120_000);
