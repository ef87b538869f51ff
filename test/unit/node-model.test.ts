/**
 * The model's change set on the recorded lab (test/support/lab-fixtures.ts: the real lab's
 * containerd, CRI and Docker answers): what one poll added, removed and changed since the
 * one before, and a poll that changed nothing, which keeps the previous snapshot object.
 */
import {describe, expect, it} from 'vitest';
import {diffSnapshots, nothingChanged, touched} from '../../source/model/change-set.js';
import {build, modelOfSnapshot} from '../../source/model/node-model.js';
import type {Finding, NodeFacts, NodeSnapshot} from '../../source/schema/types.js';
import {containerKey} from '../../source/util/container-key.js';
import {labFacts} from '../support/lab-fixtures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
/** A fresh parse of the same answers: equal data, new objects, as each poll hands over. */
const poll = (change: (facts: NodeFacts) => NodeFacts = (f) => f): NodeFacts => change(structuredClone({...labFacts(), polledAt: NOW}));

describe('build(facts, previous): the change set', () => {
	it('the first poll adds everything', () => {
		const first = build(poll(), null, NOW);
		expect(first.changes.containers.added).toHaveLength(first.snapshot.containers.length);
		expect(first.changes.processes.added).toHaveLength(first.snapshot.processes.length);
		expect(first.changes.shims.added).toEqual(first.snapshot.shims.map((s) => s.pid));
		expect(first.changes.node).toBe(true);
		expect(first.changedIn.containers).toBe(first.snapshot);
		expect(first.index.processByPid.size).toBe(first.snapshot.processes.length);
	});

	it('nothing changed: the same snapshot and index, no changes, marks carried on', () => {
		const first = build(poll(), null, NOW);
		const again = build(poll((f) => ({...f, polledAt: NOW + 2000})), first, NOW + 2000);
		expect(nothingChanged(again.changes)).toBe(true);
		expect(again.snapshot).toBe(first.snapshot);
		expect(again.index).toBe(first.index);
		expect(again.changedIn).toEqual(first.changedIn);
		expect(again.marks).toEqual(first.marks);
	});

	it('a process that changed state: one changed pid, the containers untouched', () => {
		const first = build(poll(), null, NOW);
		const pid = first.snapshot.processes[3]!.pid;
		const next = build(poll((f) => ({...f, processes: f.processes!.map((p) => (p.pid === pid ? {...p, state: 'D'} : p))})), first, NOW);
		expect(next.snapshot).not.toBe(first.snapshot);
		expect(next.changes.processes).toEqual({added: [], removed: [], changed: [pid]});
		expect(touched(next.changes, 'containers')).toBe(false);
		expect(touched(next.changes, 'shims')).toBe(false);
		expect(next.changedIn.containers).toBe(first.snapshot);
		expect(next.changedIn.processes).toBe(next.snapshot);
		expect(next.index.processByPid.get(pid)?.state).toBe('D');
	});

	it('a container that went away is removed, and one that came back is added', () => {
		const first = build(poll(), null, NOW);
		const gone = first.snapshot.containers.find((c) => c.seenBy.docker && !c.seenBy.cri && !c.sandbox)!;
		const key = containerKey(gone.namespace, gone.id);
		const without = (f: NodeFacts): NodeFacts => ({...f, docker: f.docker && {...f.docker, containers: f.docker.containers.filter((c) => c.id !== gone.id)}});
		const removed = build(poll(without), first, NOW);
		// containerd still lists it in moby, so it stays a container, changed (no longer seen by Docker).
		expect(removed.changes.containers.changed).toContain(key);
		const dropped = build(poll((f) => {
			const w = without(f);
			return {...w, containerd: w.containerd && {...w.containerd, containers: w.containerd.containers.filter((c) => c.id !== gone.id), tasks: w.containerd.tasks.filter((t) => t.id !== gone.id)}};
		}), removed, NOW);
		expect(dropped.changes.containers.removed).toEqual([key]);
		expect(dropped.changes.containers.added).toEqual([]);
		const back = build(poll(), dropped, NOW);
		expect(back.changes.containers.added).toEqual([key]);
	});

	it('a poll on another day is built again: the end-of-life findings are dated by it (the lab runs containerd 1.6, which ended on 2025-08-23)', () => {
		const before = Date.parse('2025-08-22T23:59:00Z');
		const first = build(poll((f) => ({...f, polledAt: before})), null, before);
		// A later moment of the same day gives what the first gave: not built again.
		expect(build(poll((f) => ({...f, polledAt: before + 30_000})), first, before + 30_000).snapshot).toBe(first.snapshot);
		const after = Date.parse('2025-08-24T00:01:00Z');
		const next = build(poll((f) => ({...f, polledAt: after})), first, after);
		expect(touched(next.changes, 'findings')).toBe(true);
		expect(next.snapshot).not.toBe(first.snapshot);
	});
});

describe('diffSnapshots: findings and the rest of the node', () => {
	const first = build(poll(), null, NOW).snapshot;
	const finding = (code: Finding['code'], id: string, message = 'm'): Finding => ({code, severity: 'warn', message, subjects: [{kind: 'container', id, name: id, namespace: 'moby', pod: null, detail: null}]});
	const withFindings = (snapshot: NodeSnapshot, findings: readonly Finding[]): NodeSnapshot => ({...snapshot, diagnosis: {...snapshot.diagnosis!, findings}});

	it('a finding added, one removed, one whose message changed', () => {
		const before = withFindings(first, [finding('oom-killed', 'a'), finding('restart-loop', 'b')]);
		const after = withFindings(first, [finding('oom-killed', 'a', 'now twice'), finding('zombies', 'c')]);
		const changes = diffSnapshots(before, after);
		expect(changes.findings.added).toEqual(['zombies:container=moby/c']);
		expect(changes.findings.removed).toEqual(['restart-loop:container=moby/b']);
		expect(changes.findings.changed).toEqual(['oom-killed:container=moby/a']);
		expect(changes.node).toBe(false);
		expect(touched(changes, 'containers')).toBe(false);
	});

	it('an error on a source is a change of the node, not of its lists', () => {
		const changes = diffSnapshots(first, {...first, errors: [{source: 'docker', message: 'permission denied'}]});
		expect(changes.node).toBe(true);
		expect(touched(changes, 'processes')).toBe(false);
	});

	it('a snapshot read back equal to the last keeps the last (a file, a test)', () => {
		const model = modelOfSnapshot(first, null);
		const again = modelOfSnapshot(structuredClone(first), model);
		expect(again.snapshot).toBe(first);
		expect(nothingChanged(again.changes)).toBe(true);
	});
});
