/**
 * Pure: what several health findings, the shims of stopped tasks and the marks for the
 * next poll all ask of one poll's process table. Worked out once by the build and handed
 * to each of them (HealthInput.health), not kept in a cache keyed by the facts.
 */
import {canonicalRunPath} from '../collect/kubelet-flags.js';
import {containerdAddress, roleOf, shimOwner} from './process-tree.js';
import type {NodeFacts, ProcessInfo, Shim} from '../schema/types.js';

export interface HealthContext {
	readonly byPid: ReadonlyMap<number, ProcessInfo>;
	/** The containerd process a shim serves. */
	readonly owner: (shim: Shim) => ProcessInfo | undefined;
	/** Whether a shim serves the containerd crimon read (its socket, and in its own pid namespace). */
	readonly serves: (shim: Shim) => boolean;
}

export function healthContext(facts: NodeFacts): HealthContext {
	const processes = facts.processes ?? [];
	const byPid = new Map(processes.map((p) => [p.pid, p]));
	const owner = shimOwner(processes, byPid);
	const address = facts.containerd ? canonicalRunPath(facts.containerd.address) : null;
	const depth = (pid: number) => {
		let d = 0;
		for (let cursor = byPid.get(pid)?.ppid; cursor !== undefined && d < 4096; cursor = byPid.get(cursor)?.ppid) d++;
		return d;
	};
	// Of several containerds on one path (other mount namespaces), crimon reaches the outermost.
	const candidates = address === null ? [] : processes.filter((p) => roleOf(p) === 'containerd' && canonicalRunPath(containerdAddress(p)) === address);
	const read = candidates.sort((a, b) => depth(a.pid) - depth(b.pid) || a.pid - b.pid)[0] ?? null;
	const serves = (shim: Shim) => {
		if (address === null || canonicalRunPath(shim.address) !== address) return false;
		const served = owner(shim);
		return !served || !read || served.pid === read.pid;
	};
	return {byPid, owner, serves};
}
