/**
 * Pure: one poll's facts → the node's model: its snapshot, the index the panes read, and
 * what changed since the model before. Built once a poll by the node's session; what is
 * remembered between polls is that previous model, passed in, and nothing else.
 *
 * A poll whose facts equal the last ones (a quiet node) is not built again: its model is
 * the previous one with no changes, the same snapshot object, so nothing downstream
 * rebuilds. The snapshot is a function of the facts except for two clocks, which the
 * comparison heeds: the end-of-life findings are dated by the poll's day, and a stopped
 * task's shim is called leaked once its grace runs out.
 */
import type {HealthMarks, NodeFacts, NodeSnapshot} from '../schema/types.js';
import {buildNodeSnapshot} from './build-snapshot.js';
import {CHANGE_KINDS, diffSnapshots, NO_CHANGES, nothingChanged, sameProcess, touched, type ChangeKind, type ChangeSet} from './change-set.js';
import {healthContext} from './health-context.js';
import {graceRunning, healthMarks} from './health-findings.js';
import {sameData} from './same-data.js';
import {indexSnapshot, type SnapshotIndex} from './snapshot-index.js';

export interface NodeModel {
	readonly snapshot: NodeSnapshot;
	readonly index: SnapshotIndex;
	/** Since the previous model; everything is added in the first. */
	readonly changes: ChangeSet;
	/**
	 * For each kind, the snapshot in which it last changed: what the UI keeps a pane's rows
	 * against (rows built when their kinds were as they are now are still right).
	 */
	readonly changedIn: Readonly<Record<ChangeKind, NodeSnapshot>>;
	/** The facts it was built from, for the next poll to compare; null for a snapshot read back. */
	readonly facts: NodeFacts | null;
	/** What the next poll's health findings compare against; null without a process table. */
	readonly marks: HealthMarks | null;
}

const DAY_MS = 86_400_000;

function sameProcesses(a: NodeFacts['processes'], b: NodeFacts['processes']): boolean {
	if (a === b) return true;
	if (!a || !b || a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (!sameProcess(a[i]!, b[i]!)) return false;
	return true;
}

/** Whether a build from `next` would give what `last` gave (see the header for the clocks). */
function sameFacts(last: NodeFacts, next: NodeFacts, now: number): boolean {
	const dayOf = (at: number | undefined) => (at === undefined ? undefined : Math.floor(at / DAY_MS));
	if (dayOf(last.polledAt) !== dayOf(next.polledAt) || graceRunning(next, now)) return false;
	if (!sameProcesses(last.processes, next.processes)) return false;
	const keys = new Set([...Object.keys(last), ...Object.keys(next)] as (keyof NodeFacts)[]);
	for (const key of keys) {
		if (key === 'processes' || key === 'polledAt') continue;
		if (!sameData(last[key], next[key])) return false;
	}
	return true;
}

function unchanged(previous: NodeModel, facts: NodeFacts | null, marks: HealthMarks | null): NodeModel {
	return {...previous, changes: NO_CHANGES, facts: facts ?? previous.facts, marks: marks ?? previous.marks};
}

function next(previous: NodeModel | null, snapshot: NodeSnapshot, facts: NodeFacts | null, marks: HealthMarks | null): NodeModel {
	const changes = diffSnapshots(previous?.snapshot ?? null, snapshot);
	if (previous && nothingChanged(changes)) return unchanged(previous, facts, marks);
	const changedIn = {} as Record<ChangeKind, NodeSnapshot>;
	for (const kind of CHANGE_KINDS) changedIn[kind] = !previous || touched(changes, kind) ? snapshot : previous.changedIn[kind];
	return {snapshot, index: indexSnapshot(snapshot), changes, changedIn, facts, marks};
}

/** The model of one poll. `now`: the clock the health findings date stopped tasks by. */
export function build(facts: NodeFacts, previous: NodeModel | null, now: number = Date.now()): NodeModel {
	if (previous?.facts && sameFacts(previous.facts, facts, now)) return unchanged(previous, facts, null);
	const health = healthContext(facts);
	const snapshot = buildNodeSnapshot(facts, health);
	const marks = facts.processes !== null ? healthMarks(facts, facts.shims ?? [], health) : null;
	return next(previous, snapshot, facts, marks);
}

/** The model of a snapshot with no facts behind it: one read back from a file, or a node that did not answer. */
export function modelOfSnapshot(snapshot: NodeSnapshot, previous: NodeModel | null): NodeModel {
	return next(previous, snapshot, null, null);
}
