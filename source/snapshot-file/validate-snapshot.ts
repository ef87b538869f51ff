/**
 * Pure: a parsed JSON value → a crimon.snapshot/v1 document every renderer and pane can
 * take, or a SnapshotProblem saying in one line what is wrong and where (the JSON path of
 * the first problem).
 *
 * A saved file is input like any node's answer: it is checked against the contract's one
 * schema (schema/snapshot-schema.ts, published as schema/snapshot.schema.json), by the
 * code ajv generates for it (snapshot-check.ts, written by `npm run schema`).
 * The values crimon writes from fixed sets (severities, shim versions, pod sources, finding
 * codes as words…) must be one of them, since the text output prints those as they are;
 * free text (names, command lines, messages) is escaped wherever it is shown, as it is for
 * a live node. Fields added within v1 after a file was saved get their fill (ajv's
 * useDefaults); fields this crimon does not know are kept as they are, for the JSON output.
 *
 * load-snapshot.ts imports this only when a file is read.
 */
import type {ErrorObject} from 'ajv';
import {escapeText, truncateText} from '../render/terminal-text.js';
import {SNAPSHOT_SCHEMA, type Snapshot} from '../schema/types.js';
import {checkSnapshot} from './snapshot-check.js';
import {SnapshotProblem} from './snapshot-problem.js';

const kind = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

/** What crimon says it wants, by JSON Schema type. */
const WANT: Readonly<Record<string, string>> = {
	string: 'a string', boolean: 'true or false', number: 'a number', integer: 'a whole number', object: 'an object', array: 'a list', null: 'null',
};

/** What the schema field says, quoted and made safe to print (a file chose it). */
function quoted(text: string): string {
	return `"${truncateText(escapeText(text), 60)}"`;
}

const safeKey = (key: string): string => truncateText(escapeText(key), 40);

/** `/nodes/1/containers/0/pid` → `nodes[1].containers[0].pid` and the value there, walking the document to tell a list's index from a key. */
function locate(pointer: string, document: unknown): {readonly path: string; readonly value: unknown} {
	let path = '';
	let at: unknown = document;
	for (const raw of pointer.split('/').slice(1)) {
		const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
		path += Array.isArray(at) ? `[${key}]` : `${path === '' ? '' : '.'}${safeKey(key)}`;
		at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
	}
	return {path, value: at};
}

function want(error: ErrorObject): string {
	const params = error.params as Record<string, unknown>;
	switch (error.keyword) {
		case 'type': {
			const types = String(params['type']).split(',').filter((type) => type !== 'null');
			return types.map((type) => WANT[type] ?? type).join(' or ');
		}
		case 'minimum':
		case 'maximum':
			return 'a whole number';
		case 'enum':
			return `one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`;
		case 'pattern':
			return 'a word of letters, digits, . _ + -';
		default:
			return `a value that ${error.message ?? 'fits the schema'}`;
	}
}

/**
 * ajv's errors for the first failing field, one line. Under a union (a field that may be
 * null) every branch reports: the deepest error says most, and a field that is not null is
 * told what it should have been, not that it could have been null.
 */
function describe(errors: readonly ErrorObject[], document: unknown): string {
	const depth = (e: ErrorObject) => e.instancePath.split('/').length;
	const candidates = errors.filter((e) => e.keyword !== 'anyOf');
	const notNull = candidates.filter((e) => !(e.keyword === 'type' && (e.params as {type?: unknown}).type === 'null'));
	const pool = notNull.length > 0 ? notNull : candidates;
	if (pool.length === 0) return `does not fit ${SNAPSHOT_SCHEMA}`;
	const first = pool.reduce((best, e) => (depth(e) > depth(best) ? e : best), pool[0]!);
	const {path, value} = locate(first.instancePath, document);
	if (first.keyword === 'required') return `${path === '' ? '' : `${path}.`}${safeKey(String((first.params as {missingProperty?: unknown}).missingProperty))} is missing`;
	return `${path}: want ${want(first)}, not ${kind(value)}`;
}

const SCHEMA_PREFIX = 'crimon.snapshot/v';
const OUR_VERSION = 1;

/** Which document this is, before its shape: another crimon document, an unknown version, a newer one. */
function checkVersion(value: unknown): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new SnapshotProblem(`not a crimon snapshot: the JSON is ${kind(value)}, not a crimon.snapshot/v1 document`);
	}
	const schema = (value as Record<string, unknown>)['schema'];
	if (typeof schema !== 'string') throw new SnapshotProblem(`not a crimon snapshot: no "schema": "${SNAPSHOT_SCHEMA}" in it`);
	if (!schema.startsWith(SCHEMA_PREFIX)) {
		const what = schema.startsWith('crimon.') ? `a ${quoted(schema)} document` : `schema ${quoted(schema)}`;
		throw new SnapshotProblem(`not a crimon snapshot: ${what}, where ${SNAPSHOT_SCHEMA} was expected`);
	}
	const version = /^[1-9]\d{0,5}$/.test(schema.slice(SCHEMA_PREFIX.length)) ? Number(schema.slice(SCHEMA_PREFIX.length)) : null;
	if (version === null) throw new SnapshotProblem(`unknown snapshot schema ${quoted(schema)}; this crimon reads ${SNAPSHOT_SCHEMA}`);
	if (version > OUR_VERSION) throw new SnapshotProblem(`schema ${quoted(schema)} is newer than this crimon reads (${SNAPSHOT_SCHEMA}); use a newer crimon`);
	return value as Record<string, unknown>;
}

/** takenAt as the hand-written check read it, before the rest: any date Date.parse takes (crimon writes RFC 3339, as the published schema says). */
function checkTakenAt(value: Record<string, unknown>): void {
	const takenAt = value['takenAt'];
	if (typeof takenAt === 'string' && Number.isNaN(Date.parse(takenAt))) throw new SnapshotProblem(`takenAt: want a date and time (ISO 8601), not ${quoted(takenAt)}`);
}

/** Checks `value` (and fills the fields added within v1 in it, in place). */
export function validateSnapshot(value: unknown): Snapshot {
	const document = checkVersion(value);
	checkTakenAt(document);
	if (checkSnapshot(document)) return document;
	throw new SnapshotProblem(describe(checkSnapshot.errors ?? [], document));
}
