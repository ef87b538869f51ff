/**
 * Pure: one line of Docker's `/events` (JSON) → a RuntimeEvent, checked field by field.
 * Container events only: `start`, `die` (with its exitCode), `oom`, `restart`, `create`,
 * `destroy`; others are kept by topic. null for a line that is not an event object.
 */
import {isRecord, stringMap} from '../collect/json-shape.js';
import type {EventKind, RuntimeEvent} from './runtime-event.js';

/** The filter sent with GET /events: container events only, the actions crimon shows. */
const DOCKER_EVENT_ACTIONS = ['create', 'start', 'die', 'oom', 'restart', 'destroy'] as const;

/** With `sinceSeconds` (Docker's clock), Docker first replays what it kept from then on. */
export function dockerEventsPath(sinceSeconds?: number): string {
	const filters = JSON.stringify({type: ['container'], event: DOCKER_EVENT_ACTIONS});
	return `/events?filters=${encodeURIComponent(filters)}${sinceSeconds === undefined ? '' : `&since=${sinceSeconds}`}`;
}

const KINDS: Readonly<Record<string, EventKind>> = {
	create: 'create', start: 'start', die: 'exit', oom: 'oom', restart: 'restart', destroy: 'container-delete',
};

export function dockerEvent(line: string, receivedAt: number): RuntimeEvent | null {
	let json: unknown;
	try {
		json = JSON.parse(line);
	} catch {
		return null;
	}
	if (!isRecord(json)) return null;
	const type = typeof json.Type === 'string' ? json.Type : typeof json.Type === 'undefined' && typeof json.status === 'string' ? 'container' : '';
	const action = typeof json.Action === 'string' ? json.Action : typeof json.status === 'string' ? json.status : '';
	if (!type || !action) return null;
	const actor = isRecord(json.Actor) ? json.Actor : {};
	const attributes = stringMap(actor.Attributes);
	const id = typeof actor.ID === 'string' && actor.ID ? actor.ID : typeof json.id === 'string' ? json.id : null;
	const nanos = typeof json.timeNano === 'number' ? json.timeNano : null;
	const seconds = typeof json.time === 'number' ? json.time : null;
	const at = nanos !== null ? Math.floor(nanos / 1e6) : seconds !== null ? seconds * 1000 : receivedAt;
	// "exec_die: sh" and friends carry their command after the colon.
	const verb = action.split(':')[0]!.trim();
	const kind = type === 'container' ? KINDS[verb] ?? 'other' : 'other';
	const exitCode = attributes.exitCode !== undefined && /^-?\d+$/.test(attributes.exitCode) ? Number(attributes.exitCode) : null;
	return {
		at, namespace: null, topic: `${type}/${verb}`, kind,
		id: type === 'container' ? id : null, execId: null, pid: null,
		exitStatus: kind === 'exit' ? exitCode : null,
		name: attributes.name ?? null,
		source: 'docker',
	};
}
