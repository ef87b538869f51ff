/**
 * Pure: what changed in a node between two polls, kind by kind (containers, processes,
 * shims, pods, namespaces, findings: added, removed, changed), and whether anything else
 * the node shows did (its errors, runtimes, host, the diagnosis beside its findings). The
 * UI rebuilds the panes whose kinds a change touches and no others.
 */
import type {Finding, NodeSnapshot, ProcessInfo} from '../schema/types.js';
import {containerKey} from '../util/container-key.js';
import {sameData} from './same-data.js';

interface Delta<K> {
	readonly added: readonly K[];
	readonly removed: readonly K[];
	readonly changed: readonly K[];
}

export interface ChangeSet {
	/** By containerKey. */
	readonly containers: Delta<string>;
	/** By pid. */
	readonly processes: Delta<number>;
	/** By the shim's pid. */
	readonly shims: Delta<number>;
	/** By pod id. */
	readonly pods: Delta<string>;
	/** By name. */
	readonly namespaces: Delta<string>;
	/** By code and subjects (findingKey). */
	readonly findings: Delta<string>;
	/** Anything else in the snapshot. */
	readonly node: boolean;
}

export type ListKind = Exclude<keyof ChangeSet, 'node'>;
export type ChangeKind = keyof ChangeSet;
export const CHANGE_KINDS: readonly ChangeKind[] = ['containers', 'processes', 'shims', 'pods', 'namespaces', 'findings', 'node'];

const NONE: Delta<never> = {added: [], removed: [], changed: []};

export const NO_CHANGES: ChangeSet = {containers: NONE, processes: NONE, shims: NONE, pods: NONE, namespaces: NONE, findings: NONE, node: false};

export function touched(changes: ChangeSet, kind: ChangeKind): boolean {
	if (kind === 'node') return changes.node;
	const delta = changes[kind];
	return delta.added.length > 0 || delta.removed.length > 0 || delta.changed.length > 0;
}

export function nothingChanged(changes: ChangeSet): boolean {
	return CHANGE_KINDS.every((kind) => !touched(changes, kind));
}

/** Every field of a process: a field added to ProcessInfo fails to compile here until it is compared below. */
const PROCESS_FIELDS = ['pid', 'ppid', 'user', 'state', 'command', 'cpuSeconds', 'rssBytes', 'cpuCores', 'readBytes', 'writeBytes'] as const;
const everyField: [Exclude<keyof ProcessInfo, (typeof PROCESS_FIELDS)[number]>] extends [never] ? true : never = true;
void everyField;

/** A process's fields, compared one by one without walking its keys: the list runs to tens of thousands. */
export function sameProcess(a: ProcessInfo, b: ProcessInfo): boolean {
	return a === b || (
		a.pid === b.pid && a.ppid === b.ppid && a.state === b.state && a.user === b.user && a.command === b.command &&
		a.cpuSeconds === b.cpuSeconds && a.rssBytes === b.rssBytes && a.cpuCores === b.cpuCores && a.readBytes === b.readBytes && a.writeBytes === b.writeBytes
	);
}

function diffBy<T, K>(
	before: readonly T[], after: readonly T[], keyOf: (item: T, at: number) => K, same: (a: T, b: T) => boolean = sameData, keyAfter: (item: T, at: number) => K = keyOf,
): Delta<K> {
	if (before === after) return NONE;
	const old = new Map<K, T>();
	before.forEach((item, i) => old.set(keyOf(item, i), item));
	const added: K[] = [];
	const changed: K[] = [];
	const seen = new Set<K>();
	after.forEach((item, i) => {
		const key = keyAfter(item, i);
		seen.add(key);
		const was = old.get(key);
		if (was === undefined) added.push(key);
		else if (!same(was, item)) changed.push(key);
	});
	const removed = [...old.keys()].filter((key) => !seen.has(key));
	return added.length + removed.length + changed.length === 0 ? NONE : {added, removed, changed};
}

/** A finding's identity: its code and whom it is about (a second finding alike is numbered). */
function findingKey(finding: Finding): string {
	return `${finding.code}:${finding.subjects.map((s) => `${s.kind}=${containerKey(s.namespace, s.id)}`).join(',')}`;
}

function findingKeys(findings: readonly Finding[]): (finding: Finding, at: number) => string {
	const keys = new Map<number, string>();
	const used = new Map<string, number>();
	findings.forEach((finding, i) => {
		const base = findingKey(finding);
		const n = used.get(base) ?? 0;
		used.set(base, n + 1);
		keys.set(i, n === 0 ? base : `${base}#${n}`);
	});
	return (_finding, at) => keys.get(at)!;
}

const LISTS = new Set(['processes', 'shims', 'containers', 'pods', 'namespaces', 'diagnosis']);

function sameRest(a: object, b: object, skip: ReadonlySet<string>): boolean {
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	for (const key of keys) {
		if (!skip.has(key) && !sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
	}
	return true;
}

const FINDINGS = new Set(['findings']);

/** What changed from `before` to `after`; everything is added when there is no `before`. */
export function diffSnapshots(before: NodeSnapshot | null, after: NodeSnapshot): ChangeSet {
	if (before === after) return NO_CHANGES;
	const was = before ?? {processes: [], shims: [], containers: [], pods: [], namespaces: [], diagnosis: null};
	const findingsBefore = was.diagnosis?.findings ?? [];
	const findingsAfter = after.diagnosis?.findings ?? [];
	const diagnosisSame = (was.diagnosis === null) === (after.diagnosis === null) &&
		(was.diagnosis === null || after.diagnosis === null || sameRest(was.diagnosis, after.diagnosis, FINDINGS));
	return {
		containers: diffBy(was.containers, after.containers, (c) => containerKey(c.namespace, c.id)),
		processes: diffBy(was.processes, after.processes, (p) => p.pid, sameProcess),
		shims: diffBy(was.shims, after.shims, (s) => s.pid),
		pods: diffBy(was.pods, after.pods, (p) => p.id),
		namespaces: diffBy(was.namespaces, after.namespaces, (n) => n.name),
		findings: diffBy(findingsBefore, findingsAfter, findingKeys(findingsBefore), sameData, findingKeys(findingsAfter)),
		node: before === null || !diagnosisSame || !sameRest(before, after, LISTS),
	};
}
