/**
 * Pure: a parsed JSON value → a crimon.snapshot/v1 document every renderer and pane can
 * take, or a SnapshotProblem saying in one line what is wrong and where.
 *
 * A saved file is input like any node's answer: every field the renderers read is checked
 * for its type, the values crimon itself writes from fixed sets (severities, shim
 * versions, pod sources, finding codes…) must be one of them, since the text output prints
 * those as they are; free text (names, command lines, messages) is escaped wherever it is
 * shown, as it is for a live node. Fields added within v1 after a file was saved get their
 * empty value; fields this crimon does not know are kept as they are, for the JSON output.
 */
import {escapeText, truncateText} from '../render/terminal-text.js';
import {SNAPSHOT_SCHEMA, type Snapshot} from '../schema/types.js';

export class SnapshotProblem extends Error {
	override readonly name = 'SnapshotProblem';
}

type Check<T> = (value: unknown, path: string) => T;

const kind = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);
const fail = (path: string, want: string, value: unknown): never => {
	throw new SnapshotProblem(`${path}: want ${want}, not ${kind(value)}`);
};

const str: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v));
const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'true or false', v));
const num: Check<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a number', v));
const whole: Check<number> = (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(p, 'a whole number', v));
/** Words crimon writes itself (finding codes, runtime names): printed as they are, so nothing else may pass. */
const token: Check<string> = (v, p) => (typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(v) ? v : fail(p, 'a word of letters, digits, . _ + -', v));

function oneOf<T extends string>(values: readonly T[]): Check<T> {
	return (v, p) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fail(p, `one of ${values.join(', ')}`, v));
}

function nullable<T>(check: Check<T>): Check<T | null> {
	return (v, p) => (v === null ? null : check(v, p));
}

function list<T>(check: Check<T>): Check<T[]> {
	return (v, p) => {
		if (!Array.isArray(v)) return fail(p, 'a list', v);
		return v.map((item, i) => check(item, `${p}[${i}]`));
	};
}

const stringMap: Check<Record<string, string>> = (v, p) => {
	if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
	const out: Record<string, string> = {};
	for (const [key, item] of Object.entries(v)) out[key] = str(item, `${p}.${safeKey(key)}`);
	return out;
};

function safeKey(key: string): string {
	return truncateText(escapeText(key), 40);
}

type Fields = Record<string, Check<unknown>>;
/** [check, value when the field is missing] for fields added within v1. */
type Optional = Record<string, readonly [Check<unknown>, unknown]>;

function record<T>(required: Fields, optional: Optional = {}): Check<T> {
	return (v, p) => {
		if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
		const input = v as Record<string, unknown>;
		const out: Record<string, unknown> = {...input};
		for (const [key, check] of Object.entries(required)) {
			if (!(key in input)) throw new SnapshotProblem(`${p}.${key} is missing`);
			out[key] = check(input[key], `${p}.${key}`);
		}
		for (const [key, [check, missing]] of Object.entries(optional)) {
			out[key] = key in input && input[key] !== undefined ? check(input[key], `${p}.${key}`) : missing;
		}
		return out as T;
	};
}

const SOURCES = ['processes', 'containerd', 'cri', 'docker', 'kubelet', 'node', 'usage', 'podman'] as const;
const CRI_KINDS = ['dockershim', 'containerd', 'cri-dockerd', 'cri-o', 'unknown'] as const;

/** Usage and sizes planned within v1: numbers or null, whichever fields are there. */
const usage = nullable(record({}, Object.fromEntries(
	[
		...['cpuSeconds', 'cpuCores', 'memoryBytes', 'memoryLimitBytes', 'pids', 'throttledPeriods', 'throttledSeconds', 'oomKills'].map((k) => [k, [nullable(num), null]] as const),
		// Beside the eight: the CFS quota, where the cgroup files told it.
		['cpuLimitCores', [nullable(num), undefined]] as const,
	],
)));

const RUNTIME_STATES = ['answering', 'failing', 'absent'] as const;

const node = record({
	name: str,
	target: str,
	ok: bool,
	errors: list(record({source: oneOf(SOURCES), message: str})),
	runtimes: record({
		cri: nullable(record({endpoint: str, runtimeName: str, runtimeVersion: str, apiVersion: str})),
		containerd: nullable(record({address: str, version: str})),
		docker: nullable(record({address: str, version: str})),
	}, {podman: [nullable(record({address: str, version: str})), undefined]}),
	processes: list(record({pid: whole, ppid: whole, user: str, state: str, command: str}, {cpuSeconds: [nullable(num), undefined], rssBytes: [nullable(num), undefined], cpuCores: [nullable(num), undefined]})),
	shims: list(record({pid: whole, version: oneOf(['v1', 'v2']), binary: token, namespace: str, id: str, address: str, children: list(whole)}, {
		rssBytes: [nullable(num), undefined],
		// A file from before conmon was a shim kind holds containerd's shims only.
		kind: [oneOf(['containerd', 'conmon']), undefined], ociRuntime: [nullable(str), undefined], engine: [nullable(oneOf(['podman', 'cri-o'])), undefined],
	})),
	namespaces: list(record({name: str, containers: list(str)}, {usage: [usage, undefined], shimRssBytes: [nullable(num), undefined]})),
	containers: list(record({
		id: str, name: str, image: str, state: str, namespace: nullable(str), pid: nullable(whole), shimPid: nullable(whole), sandbox: bool,
		pod: nullable(record({name: str, namespace: str, uid: str})),
		seenBy: record({cri: bool, containerd: bool, docker: bool}, {podman: [bool, undefined]}),
	}, {
		podId: [nullable(str), null], runtime: [nullable(str), null], labels: [stringMap, {}], mounts: [list(record({source: str, destination: str})), []],
		// Planned within v1 as `{…} | null`: a file saved before it says null (not measured).
		usage: [usage, null],
	})),
	pods: list(record({
		id: str, name: str, namespace: str, uid: str, source: oneOf(['cri', 'docker-labels']), sandboxPid: nullable(whole), containers: list(str),
	}, {state: [str, ''], usage: [usage, null]})),
}, {
	host: [nullable(record({cpus: whole, cpuCores: nullable(num), memoryBytes: nullable(num), memoryTotalBytes: nullable(num)})), undefined],
	runtimeStates: [nullable(record({containerd: oneOf(RUNTIME_STATES), cri: oneOf(RUNTIME_STATES), docker: oneOf(RUNTIME_STATES)}, {podman: [oneOf(RUNTIME_STATES), undefined]})), undefined],
	diagnosis: [nullable(record({
		kubelet: nullable(record({
			pid: whole, binary: str, version: nullable(str), versionNote: str, containerRuntime: nullable(str), endpoint: nullable(str),
			endpointSource: nullable(oneOf(['flags', 'kubeadm-flags.env', 'config', 'default'])), configFile: nullable(str),
		})),
		cri: record({
			endpoint: nullable(str), runtime: oneOf(CRI_KINDS), how: oneOf(['kubelet', 'probe', 'forced', 'none']), why: str,
			answers: nullable(bool), answering: list(str),
			kubeadm: nullable(list(record({
				rules: oneOf(['1.14-1.23', '1.24+']), endpoint: nullable(str), runtime: oneOf(CRI_KINDS), found: list(str), answers: nullable(bool), reason: str,
			}))),
		}),
		findings: list(record({
			code: token, severity: oneOf(['error', 'warn', 'info']), message: str,
			subjects: list(record({
				kind: token, id: str, name: str, namespace: nullable(str),
				pod: nullable(record({name: str, namespace: str})), detail: nullable(str),
			})),
		})),
	})), null],
});

const SCHEMA_PREFIX = 'crimon.snapshot/v';
const OUR_VERSION = 1;

/** What the schema field says, quoted and made safe to print (a file chose it). */
function quoted(text: string): string {
	return `"${truncateText(escapeText(text), 60)}"`;
}

export function validateSnapshot(value: unknown): Snapshot {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new SnapshotProblem(`not a crimon snapshot: the JSON is ${kind(value)}, not a crimon.snapshot/v1 document`);
	}
	const input = value as Record<string, unknown>;
	const schema = input['schema'];
	if (typeof schema !== 'string') throw new SnapshotProblem(`not a crimon snapshot: no "schema": "${SNAPSHOT_SCHEMA}" in it`);
	if (!schema.startsWith(SCHEMA_PREFIX)) {
		const what = schema.startsWith('crimon.') ? `a ${quoted(schema)} document` : `schema ${quoted(schema)}`;
		throw new SnapshotProblem(`not a crimon snapshot: ${what}, where ${SNAPSHOT_SCHEMA} was expected`);
	}
	const version = /^[1-9]\d{0,5}$/.test(schema.slice(SCHEMA_PREFIX.length)) ? Number(schema.slice(SCHEMA_PREFIX.length)) : null;
	if (version === null) throw new SnapshotProblem(`unknown snapshot schema ${quoted(schema)}; this crimon reads ${SNAPSHOT_SCHEMA}`);
	if (version > OUR_VERSION) throw new SnapshotProblem(`schema ${quoted(schema)} is newer than this crimon reads (${SNAPSHOT_SCHEMA}); use a newer crimon`);
	const takenAt = str(input['takenAt'], 'takenAt');
	if (Number.isNaN(Date.parse(takenAt))) throw new SnapshotProblem(`takenAt: want a date and time (ISO 8601), not ${quoted(takenAt)}`);
	const nodes = list(node)(input['nodes'], 'nodes');
	return {...input, schema: SNAPSHOT_SCHEMA, takenAt, nodes} as unknown as Snapshot;
}
