/**
 * Docker's restart count and OOM flag are only in a container's inspect answer
 * (GET /containers/{id}/json), not in the list. Inspecting every container every poll
 * would cost a request each, so crimon inspects only those the list shows restarting,
 * or started or exited within about a minute — where a restart loop shows — at most
 * MAX_INSPECTS a poll. Only GET is sent, and the id in the path is the list's own,
 * checked to be hex.
 */
import type {DockerContainerFact, DockerInspectFact} from '../schema/types.js';
import {isRecord} from './json-shape.js';

export const MAX_INSPECTS = 32;
/** How long an inspect answer is reused: a restart count may lag this much, and a node's poll costs no request per poll. */
export const INSPECT_TTL_MS = 10_000;

/** Inspect answers kept across polls of one node, by container id. */
export type InspectCache = Map<string, {readonly fact: DockerInspectFact | null; readonly at: number}>;

/** The one inspect path; ids are checked hex before they get here. */
export function dockerInspectPath(id: string): string {
	if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`not a Docker container id: ${JSON.stringify(id)}`);
	return `/containers/${id}/json`;
}

const RECENT = /^(Restarting\b|Up (Less than a second|\d+ seconds?|About a minute)\b|Exited \(-?\d+\) (Less than a second|\d+ seconds?|About a minute) ago)/;

/** Pure: which listed containers to inspect this poll. */
export function inspectCandidates(containers: readonly DockerContainerFact[]): DockerContainerFact[] {
	return containers.filter((c) => c.state === 'restarting' || RECENT.test(c.status ?? '')).slice(0, MAX_INSPECTS);
}

/** Pure: the parts of an inspect answer the health findings use; null when it is not one. */
export function parseDockerInspect(json: unknown): DockerInspectFact | null {
	if (!isRecord(json) || !isRecord(json.State)) return null;
	const state = json.State;
	const int = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : null);
	return {
		restartCount: Math.max(0, int(json.RestartCount) ?? 0),
		oomKilled: state.OOMKilled === true,
		// A running container's ExitCode is 0 again: only a stopped or restarting one says how it last ended.
		exitCode: state.Running === true && state.Restarting !== true ? null : int(state.ExitCode),
		pid: int(state.Pid) || null,
	};
}
