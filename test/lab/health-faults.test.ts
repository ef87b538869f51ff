/**
 * Runtime faults made for real (test/lab/faults-up.sh, on objects of its own: two private
 * containerds and labelled Docker containers), each named by its finding in
 * `crimon snapshot --json` and in the text, checked against what ctr, docker inspect, ps
 * and the cgroup files say.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Finding, FindingCode, NodeSnapshot, Snapshot} from '../../source/model/types.js';
import {CLI, REPO_ROOT, skipWithoutLab} from './lab-available.js';

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
	return (JSON.parse(result.stdout) as Snapshot).nodes[0]!;
}

const findingsOf = (node: NodeSnapshot, code: FindingCode): Finding[] => node.diagnosis!.findings.filter((f) => f.code === code);
const aboutShim = (findings: readonly Finding[], pid: number) => findings.find((f) => f.subjects.some((s) => s.kind === 'shim' && s.id === String(pid)));
const aboutContainer = (findings: readonly Finding[], id: string) => findings.find((f) => f.subjects.some((s) => s.kind === 'container' && s.id === id));

describe.skipIf(skipWithoutLab('lab: health faults'))('lab: runtime faults made for real, named by crimon snapshot', () => {
	let faults: Faults;
	let node: NodeSnapshot;
	let text: string;

	beforeAll(async () => {
		faults = faultsUp();
		// Three restarts take about ten seconds of Docker's backoff.
		for (let i = 0; i < 120 && dockerInspect(faults.docker.restart.id).RestartCount < 3; i++) await sleep(250);
		node = snapshotJson('--containerd-socket', faults.leak.socket);
		text = spawnSync('node', [CLI, 'snapshot', '--containerd-socket', faults.leak.socket], {encoding: 'utf8', timeout: 60_000}).stdout;
		// The restart loop churns Docker's containers: stop it as soon as it was seen.
		run('/usr/bin/docker', ['update', '--restart', 'no', faults.docker.restart.id]);
	}, 120_000);
	afterAll(() => {
		faultsDown();
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

	it('says nothing wrong about the lab\'s own healthy containers', () => {
		const flagged = node.diagnosis!.findings
			.filter((f) => ['shim-leaked', 'task-without-shim', 'shim-duplicate', 'zombie-processes', 'restart-loop'].includes(f.code))
			.flatMap((f) => f.subjects.filter((s) => s.kind === 'container').map((s) => s.name));
		for (const name of flagged) expect(name).toMatch(/^(faults-|crimon-faults-)/);
	});

	it('sees the OOM kills the cgroup counts while Docker says OOMKilled false', () => {
		const inspect = dockerInspect(faults.docker.oom.id);
		expect(inspect.State.OOMKilled).toBe(false);
		const cgroup = fs.readFileSync(`/proc/${inspect.State.Pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l))!.split(':')[2]!;
		const oomKills = Number(/oom_kill (\d+)/.exec(fs.readFileSync(`/sys/fs/cgroup/memory${cgroup}/memory.oom_control`, 'utf8'))![1]);
		expect(oomKills).toBeGreaterThan(0);
		const container = node.containers.find((c) => c.id === faults.docker.oom.id) as (NodeSnapshot['containers'][number] & {usage?: {oomKills?: number | null} | null}) | undefined;
		// One snapshot has no event stream: the count comes from the cgroup reader (containers[].usage.oomKills) where it exists.
		if (container?.usage?.oomKills == null) return;
		const finding = aboutContainer(findingsOf(node, 'oom-killed'), faults.docker.oom.id)!;
		expect(finding.message).toContain('cgroup oom_kill');
	});
});
