/**
 * The health findings on the faults lab as recorded (test/fixtures/faults, made by
 * test/support/record-faults.ts from test/lab/faults-up.sh's real faults): a leaked shim,
 * a zombie, an orphaned shim, a Docker restart loop and an OOM-killing container. The
 * clean lab (test/fixtures/lab) must show none of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {inspectCandidates, parseDockerInspect} from '../../source/collect/docker-inspect.js';
import {parseContainers, parseTasks} from '../../source/collect/parse-containerd.js';
import {parsePs} from '../../source/collect/parse-processes.js';
import {containerdEvent} from '../../source/events/decode-containerd-event.js';
import {EventTally} from '../../source/model/event-tally.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {healthFindings, healthMarks} from '../../source/model/health-findings.js';
import {findShims} from '../../source/collect/shims.js';
import type {DockerContainerFact, Finding, FindingCode, HealthFacts, NodeFacts, NodeSnapshot} from '../../source/schema/types.js';
import {recordedEnvelopes} from '../support/faults-fixtures.js';
import {labFacts} from '../support/lab-fixtures.js';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'faults');
const read = (name: string) => fs.readFileSync(path.join(DIR, name));
const faults = JSON.parse(read('faults.json').toString('utf8')) as {
	namespace: string;
	leak: {socket: string; id: string; shimPid: number; killedInit: number; zombieId: string; zombieInit: number; zombieShim: number};
	orphan: {socket: string; id: string; shimPid: number; init: number};
	docker: {restart: {name: string; id: string}; oom: {name: string; id: string}};
};

function dockerFact(name: string, id: string, inspectFile: string): DockerContainerFact {
	return {id, name, image: 'crimon-lab/busybox:1', state: 'running', labels: {}, mounts: [], status: 'Up 2 seconds', inspect: parseDockerInspect(JSON.parse(read(inspectFile).toString('utf8'))) ?? undefined};
}

function faultFacts(health: Partial<HealthFacts> = {}): NodeFacts {
	return {
		name: 'faults', target: 'local', reachable: true, errors: [],
		processes: parsePs(read('ps.txt').toString('utf8')),
		containerd: {
			address: faults.leak.socket, version: '1.6.20', namespaces: [faults.namespace],
			containers: parseContainers(read('leak-containers-list.pb'), faults.namespace),
			tasks: parseTasks(read('leak-tasks-list.pb'), faults.namespace),
		},
		cri: null,
		docker: {
			address: '/var/run/docker.sock', version: '20.10.24',
			containers: [dockerFact(faults.docker.restart.name, faults.docker.restart.id, 'docker-inspect-restart.json'), dockerFact(faults.docker.oom.name, faults.docker.oom.id, 'docker-inspect-oom.json')],
		},
		health: {
			previous: null,
			shimAddresses: [
				{address: faults.leak.socket, answers: true, message: null},
				{address: faults.orphan.socket, answers: false, message: `nothing is listening on ${faults.orphan.socket}`},
				{address: '/run/containerd/containerd.sock', answers: true, message: null},
			],
			events: [],
			...health,
		},
	};
}

const all = (node: NodeSnapshot, code: FindingCode): Finding[] => node.diagnosis!.findings.filter((f) => f.code === code);
const one = (node: NodeSnapshot, code: FindingCode): Finding => {
	const found = all(node, code);
	expect(found, `${code} in ${node.diagnosis!.findings.map((f) => f.code).join(', ')}`).toHaveLength(1);
	return found[0]!;
};

describe('health findings on the recorded faults lab', () => {
	const node = buildNodeSnapshot(faultFacts());

	it('names the leaked shim of a stopped task, with the command that removes it', () => {
		const leaked = one(node, 'shim-leaked');
		expect(leaked.severity).toBe('warn');
		expect(leaked.subjects[0]).toMatchObject({kind: 'shim', id: String(faults.leak.shimPid)});
		expect(leaked.subjects[1]).toMatchObject({kind: 'container', id: faults.leak.id, namespace: faults.namespace});
		expect(leaked.message).toContain(`ctr --address ${faults.leak.socket} -n ${faults.namespace} tasks rm -f ${faults.leak.id}`);
	});

	it('shows the stopped container with the shim that still runs', () => {
		const container = node.containers.find((c) => c.id === faults.leak.id)!;
		expect(container).toMatchObject({state: 'stopped', pid: null, shimPid: faults.leak.shimPid});
	});

	it('names the shim whose containerd is gone', () => {
		const orphaned = one(node, 'shim-orphaned');
		expect(orphaned.subjects.map((s) => [s.kind, s.id])).toEqual([['shim', String(faults.orphan.shimPid)], ['socket', faults.orphan.socket]]);
		// An orphan is not called leaked as well: its containerd cannot be asked.
		expect(all(node, 'shim-leaked').flatMap((f) => f.subjects).map((s) => s.id)).not.toContain(String(faults.orphan.shimPid));
	});

	it('counts the zombie under the container whose init does not reap', () => {
		const zombie = one(node, 'zombie-processes');
		expect(zombie.severity).toBe('info');
		expect(zombie.subjects[0]).toMatchObject({kind: 'container', id: faults.leak.zombieId});
		const zombies = node.processes.filter((p) => p.state.startsWith('Z') && p.ppid === faults.leak.zombieInit).map((p) => String(p.pid));
		expect(zombies.length).toBeGreaterThan(0);
		expect(zombie.subjects.filter((s) => s.kind === 'process').map((s) => s.id)).toEqual(zombies);
	});

	it("takes Docker's RestartCount and last exit for a restart loop", () => {
		const loop = one(node, 'restart-loop');
		const inspect = JSON.parse(read('docker-inspect-restart.json').toString('utf8')) as {RestartCount: number; State: {ExitCode: number}};
		expect(inspect.RestartCount).toBeGreaterThanOrEqual(3);
		expect(loop.subjects[0]).toMatchObject({kind: 'container', id: faults.docker.restart.id});
		expect(loop.message).toContain(`restarted ${inspect.RestartCount} times`);
		expect(loop.message).toContain(`last exit status ${inspect.State.ExitCode}`);
	});

	it('reports no OOM kill from the list alone: Docker says OOMKilled false for a live init', () => {
		expect(all(node, 'oom-killed')).toEqual([]);
	});

	it('counts OOMs and exits from the recorded event stream', () => {
		const tally = new EventTally();
		for (const envelope of recordedEnvelopes('events-system.bin')) tally.record(containerdEvent(envelope, 0));
		const ooms = tally.list().find((c) => c.id === faults.docker.oom.id)!;
		expect(ooms.ooms).toBeGreaterThan(0);
		const withEvents = buildNodeSnapshot(faultFacts({events: tally.list()}));
		const oom = one(withEvents, 'oom-killed');
		expect(oom.subjects[0]).toMatchObject({kind: 'container', id: faults.docker.oom.id});
		expect(oom.message).toContain(`${ooms.ooms} /tasks/oom event`);
	});

	it('counts a cgroup oom_kill when the usage reader filled it in', () => {
		const facts = faultFacts();
		const snapshot = buildNodeSnapshot(facts);
		const containers = snapshot.containers.map((c) => (c.id === faults.docker.oom.id ? {...c, usage: {oomKills: 4}} : c));
		const findings = healthFindings(facts, {shims: snapshot.shims, containers}).filter((f) => f.code === 'oom-killed');
		expect(findings).toHaveLength(1);
		expect(findings[0]!.message).toContain('cgroup oom_kill 4');
	});
});

describe('two polls in a row', () => {
	it('calls a childless shim leaked only when it was childless the poll before too', () => {
		const facts = faultFacts();
		const shims = findShims(facts.processes!);
		// Drop the zombie container's processes: its shim now has no child.
		const zombieShim = faults.leak.zombieShim;
		const childless = facts.processes!.filter((p) => p.ppid !== zombieShim);
		const withoutChildren = {...facts, processes: childless};
		const first = buildNodeSnapshot(withoutChildren);
		expect(all(first, 'shim-leaked').map((f) => f.subjects[0]!.id)).not.toContain(String(zombieShim));
		const marks = healthMarks(withoutChildren, findShims(childless));
		expect(marks.childlessShims).toContain(zombieShim);
		expect(shims.find((s) => s.pid === zombieShim)!.children.length).toBeGreaterThan(0);
		const second = buildNodeSnapshot({...withoutChildren, health: {...withoutChildren.health!, previous: marks}});
		const leaked = all(second, 'shim-leaked').find((f) => f.subjects[0]!.id === String(zombieShim));
		expect(leaked?.message).toContain('no child process for more than one poll');
	});

	it('calls a running task without its init an error on a first poll, and later only when the poll before saw it too', () => {
		const facts = faultFacts();
		const withoutInit = {...facts, processes: facts.processes!.filter((p) => p.pid !== faults.leak.zombieInit)};
		const first = buildNodeSnapshot(withoutInit);
		const finding = one(first, 'task-without-shim');
		expect(finding.severity).toBe('error');
		expect(finding.subjects[0]).toMatchObject({id: faults.leak.zombieId});
		expect(finding.message).toContain(`its init pid ${faults.leak.zombieInit} is gone`);
		const unconfirmed = buildNodeSnapshot({...withoutInit, health: {...withoutInit.health!, previous: {childlessShims: [], suspectTasks: []}}});
		expect(all(unconfirmed, 'task-without-shim')).toEqual([]);
		const confirmed = buildNodeSnapshot({...withoutInit, health: {...withoutInit.health!, previous: healthMarks(withoutInit, findShims(withoutInit.processes))}});
		expect(all(confirmed, 'task-without-shim')).toHaveLength(1);
	});
});

describe('duplicates', () => {
	it('names two shims for one namespace/id', () => {
		const facts = faultFacts();
		const original = facts.processes!.find((p) => p.pid === faults.leak.zombieShim)!;
		const twin = {...original, pid: 999_999};
		const node = buildNodeSnapshot({...facts, processes: [...facts.processes!, twin]});
		const duplicate = one(node, 'shim-duplicate');
		expect(duplicate.subjects.map((s) => s.id)).toEqual([String(faults.leak.zombieShim), '999999']);
		expect(duplicate.message).toContain(`${faults.namespace}/${faults.leak.zombieId}`);
	});
});

describe("the CRI's attempt", () => {
	it('calls a container the kubelet re-created 3 times a restart loop, from the recorded lab', () => {
		const facts = labFacts();
		const cri = facts.cri!;
		const [first, ...rest] = cri.containers;
		const looping = {...facts, cri: {...cri, containers: [{...first!, attempt: 3}, ...rest]}};
		const node = buildNodeSnapshot(looping);
		const loop = node.diagnosis!.findings.filter((f) => f.code === 'restart-loop');
		expect(loop).toHaveLength(1);
		expect(loop[0]!.subjects[0]).toMatchObject({kind: 'container', id: first!.id});
		expect(loop[0]!.message).toContain("restarted 3 times (the CRI's attempt)");
		expect(loop[0]!.message).toContain(`crictl logs ${first!.id}`);
		expect(buildNodeSnapshot({...facts, cri: {...cri, containers: [{...first!, attempt: 2}, ...rest]}}).diagnosis!.findings.map((f) => f.code)).not.toContain('restart-loop');
	});
});

describe('a healthy node', () => {
	it('has none of these findings on the clean lab as recorded', () => {
		const node = buildNodeSnapshot(labFacts());
		const codes = node.diagnosis!.findings.map((f) => f.code);
		for (const code of ['shim-leaked', 'shim-orphaned', 'shim-duplicate', 'task-without-shim', 'zombie-processes', 'restart-loop', 'oom-killed'] as const) expect(codes).not.toContain(code);
	});
});

describe('Docker inspect', () => {
	it('picks only containers where a loop shows, and reads restart count, OOM flag and exit code', () => {
		const base = {image: '', labels: {}, mounts: [], state: 'running'};
		const picked = inspectCandidates([
			{...base, id: 'a'.repeat(64), name: 'a', status: 'Up 3 seconds'},
			{...base, id: 'b'.repeat(64), name: 'b', status: 'Up 2 hours'},
			{...base, id: 'c'.repeat(64), name: 'c', status: 'Restarting (3) 1 second ago', state: 'restarting'},
			{...base, id: 'd'.repeat(64), name: 'd', status: 'Exited (3) 5 seconds ago', state: 'exited'},
			{...base, id: 'e'.repeat(64), name: 'e', status: 'Exited (0) 3 days ago', state: 'exited'},
		]);
		expect(picked.map((c) => c.name)).toEqual(['a', 'c', 'd']);
		expect(parseDockerInspect(JSON.parse(read('docker-inspect-oom.json').toString('utf8')))).toMatchObject({restartCount: 0, oomKilled: false});
		expect(parseDockerInspect({State: 'x'})).toBeNull();
		expect(parseDockerInspect([])).toBeNull();
	});
});
