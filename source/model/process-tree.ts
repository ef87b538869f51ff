/**
 * Pure: the process table as a tree, like `ps axf`, with the runtime made legible:
 * each shim sits under the containerd it serves (tied by its -address, since v2 shims
 * are re-parented to pid 1), a conmon where the kernel put it, and container processes
 * carry their container.
 */
import {flagValue, splitCommand} from '../collect/shims.js';
import type {Container, NodeSnapshot, ProcessInfo, Shim} from '../schema/types.js';

export type ProcessRole = 'containerd' | 'dockerd' | 'kubelet' | 'shim' | 'container' | 'process';

export interface ProcessRow {
	readonly process: ProcessInfo;
	readonly depth: number;
	/** Tree guides for this row, e.g. "│  ├─ ". */
	readonly guide: string;
	readonly role: ProcessRole;
	readonly shim: Shim | null;
	/** The container this process is the init of. */
	readonly container: Container | null;
	/** The container this process belongs to (itself or an ancestor's). */
	readonly inContainer: Container | null;
	readonly childCount: number;
	readonly collapsed: boolean;
}

export interface TreeOptions {
	/** Only containerd, dockerd, the kubelet and everything under the shims. */
	readonly runtimeOnly: boolean;
	/** Pids whose subtrees are folded. */
	readonly collapsed?: ReadonlySet<number>;
}

export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';

/** The socket a containerd process serves: its --address flag, else where its config lives says. */
export function containerdAddress(process: ProcessInfo): string {
	const args = splitCommand(process.command);
	const explicit = flagValue(args, 'address', 'a');
	if (explicit) return explicit;
	const config = flagValue(args, 'config', 'c');
	// dockerd's own managed containerd (Docker ≤ 19.03) keeps its config and socket together.
	if (config?.startsWith('/var/run/docker/containerd/')) return '/var/run/docker/containerd/containerd.sock';
	return DEFAULT_CONTAINERD_ADDRESS;
}

const RUNTIME_NAMES = ['containerd', 'dockerd', 'kubelet'] as const;

export function roleOf(process: ProcessInfo): ProcessRole {
	// Only argv[0]'s base name matters. Asked of every process whenever a tree is built (10,000
	// at a time), so it is read in place: no slice, no split, no allocation.
	const command = process.command;
	const space = command.indexOf(' ');
	const end = space === -1 ? command.length : space;
	for (const name of RUNTIME_NAMES) {
		const start = end - name.length;
		if (start < 0 || !command.startsWith(name, start)) continue;
		if (start === 0 || command.charCodeAt(start - 1) === 47 /* / */) return name;
	}
	return 'process';
}

/**
 * Which containerd process a shim serves. Several containerds can serve the same socket path
 * from different mount namespaces (a node inside a container, a second pid namespace). A
 * re-parented v2 shim hangs off the subreaper of its own pid namespace, so the containerd
 * sharing the deepest ancestry with it is its own; between equals, the shallower containerd
 * (the host's) wins.
 */
export function shimOwner(processes: readonly ProcessInfo[], byPid: ReadonlyMap<number, ProcessInfo> = new Map(processes.map((p) => [p.pid, p]))): (shim: Shim) => ProcessInfo | undefined {
	const containerds = processes.filter((p) => roleOf(p) === 'containerd');
	const ancestors = (pid: number): number[] => {
		const chain: number[] = [];
		const seen = new Set<number>();
		for (let cursor = byPid.get(pid)?.ppid; cursor !== undefined && byPid.has(cursor) && !seen.has(cursor); cursor = byPid.get(cursor)?.ppid) {
			seen.add(cursor);
			chain.unshift(cursor);
		}
		return chain;
	};
	const commonDepth = (a: readonly number[], b: readonly number[]) => {
		let depth = 0;
		while (depth < a.length && depth < b.length && a[depth] === b[depth]) depth++;
		return depth;
	};
	// Per socket path, the containerds serving it and their ancestry: asked once, not per shim.
	const byAddress = new Map<string, {readonly candidates: readonly ProcessInfo[]; readonly lines: readonly (readonly number[])[]}>();
	const servingAt = (address: string) => {
		let found = byAddress.get(address);
		if (!found) {
			const matches = containerds.filter((p) => containerdAddress(p) === address);
			const candidates = matches.length > 0 ? matches : containerds.length === 1 ? containerds : [];
			found = {candidates, lines: candidates.length > 1 ? candidates.map((c) => [...ancestors(c.pid), c.pid]) : []};
			byAddress.set(address, found);
		}
		return found;
	};
	return (shim) => {
		// conmon serves no containerd: it stays where the kernel put it (re-parented to pid 1).
		if (shim.kind === 'conmon') return undefined;
		const {candidates, lines} = servingAt(shim.address);
		if (candidates.length <= 1) return candidates[0];
		const shimLine = [...ancestors(shim.pid), shim.pid];
		let best: ProcessInfo | undefined;
		let bestScore: [number, number] = [-1, 0];
		candidates.forEach((candidate, i) => {
			const line = lines[i]!;
			const score: [number, number] = [commonDepth(shimLine, line), -(line.length - 1)];
			if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
				best = candidate;
				bestScore = score;
			}
		});
		return best;
	};
}

type TreeInput = Pick<NodeSnapshot, 'processes' | 'shims' | 'containers'>;

/**
 * Who hangs under whom: the part of a tree that does not depend on the view. The snapshot's
 * index holds one (SnapshotIndex.tree), so the runtime-only tree and the whole one share it.
 */
export interface ProcessTreeShape {
	readonly byPid: ReadonlyMap<number, ProcessInfo>;
	readonly shimByPid: ReadonlyMap<number, Shim>;
	readonly containerByPid: ReadonlyMap<number, Container>;
	readonly containerdFor: (shim: Shim) => ProcessInfo | undefined;
	readonly parentOf: ReadonlyMap<number, number>;
	readonly children: ReadonlyMap<number, number[]>;
	readonly roots: readonly number[];
}

export function processTreeShape(snapshot: TreeInput): ProcessTreeShape {
	const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
	const shimByPid = new Map(snapshot.shims.map((s) => [s.pid, s]));
	const containerByPid = new Map<number, Container>();
	for (const c of snapshot.containers) if (c.pid !== null) containerByPid.set(c.pid, c);

	const containerdFor = shimOwner(snapshot.processes, byPid);

	// Logical parent: the kernel's, except a shim belongs under its containerd.
	const parentOf = new Map<number, number>();
	for (const p of snapshot.processes) {
		const shim = shimByPid.get(p.pid);
		const owner = shim ? containerdFor(shim) : undefined;
		parentOf.set(p.pid, owner ? owner.pid : p.ppid);
	}
	const children = new Map<number, number[]>();
	const roots: number[] = [];
	for (const p of snapshot.processes) {
		const parent = parentOf.get(p.pid)!;
		if (parent === p.pid || !byPid.has(parent)) {
			roots.push(p.pid);
			continue;
		}
		let list = children.get(parent);
		if (!list) children.set(parent, (list = []));
		list.push(p.pid);
	}
	for (const list of children.values()) list.sort((a, b) => a - b);
	roots.sort((a, b) => a - b);

	return {byPid, shimByPid, containerByPid, containerdFor, parentOf, children, roots};
}

/** `shape`: the snapshot's, from its index; worked out here when none is given. */
export function buildProcessTree(snapshot: TreeInput, options: TreeOptions, shape: ProcessTreeShape = processTreeShape(snapshot)): ProcessRow[] {
	const {byPid, shimByPid, containerByPid, containerdFor, parentOf, children, roots} = shape;

	let starts = roots;
	if (options.runtimeOnly) {
		const runtimeRoots = snapshot.processes.filter((p) => roleOf(p) !== 'process').map((p) => p.pid);
		// A runtime process inside another's subtree (a containerd under dockerd) is shown there.
		const inside = new Set<number>();
		for (const pid of runtimeRoots) {
			let cursor = parentOf.get(pid);
			const seen = new Set<number>();
			while (cursor !== undefined && byPid.has(cursor) && !seen.has(cursor)) {
				seen.add(cursor);
				if (runtimeRoots.includes(cursor)) {
					inside.add(pid);
					break;
				}
				cursor = parentOf.get(cursor);
			}
		}
		// Shims whose containerd is not in the table (another pid namespace) still show.
		const orphanShims = snapshot.shims.filter((s) => !containerdFor(s)).map((s) => s.pid);
		starts = [...runtimeRoots.filter((pid) => !inside.has(pid)), ...orphanShims].sort((a, b) => a - b);
	}

	const rows: ProcessRow[] = [];
	const visited = new Set<number>();
	const walk = (pid: number, depth: number, prefix: string, last: boolean, inherited: Container | null) => {
		if (visited.has(pid)) return;
		visited.add(pid);
		const process = byPid.get(pid)!;
		const shim = shimByPid.get(pid) ?? null;
		const container = containerByPid.get(pid) ?? null;
		const inContainer = container ?? (shim ? null : inherited);
		const kids = children.get(pid) ?? [];
		const collapsed = options.collapsed?.has(pid) ?? false;
		rows.push({
			process,
			depth,
			guide: depth === 0 ? '' : prefix + (last ? '└─ ' : '├─ '),
			role: shim ? 'shim' : container ? 'container' : roleOf(process),
			shim,
			container,
			inContainer,
			childCount: kids.length,
			collapsed,
		});
		if (collapsed) return;
		const childPrefix = depth === 0 ? '' : prefix + (last ? '   ' : '│  ');
		kids.forEach((kid, i) => walk(kid, depth + 1, childPrefix, i === kids.length - 1, inContainer));
	};
	for (const pid of starts) walk(pid, 0, '', true, null);
	return rows;
}
