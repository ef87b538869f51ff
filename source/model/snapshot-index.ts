/**
 * Pure: the lookups every pane and the details need, made once a poll by the model's build
 * (model/node-model.ts) and handed to the panes with the snapshot: no pane builds its own,
 * and nothing keeps one in a cache keyed by the snapshot.
 */
import type {Container, NodeSnapshot, Pod, ProcessInfo, Shim} from '../schema/types.js';
import {processTreeShape, type ProcessTreeShape} from './process-tree.js';

export interface SnapshotIndex {
	readonly processByPid: ReadonlyMap<number, ProcessInfo>;
	/** Kernel children, ascending pid. */
	readonly childrenOf: ReadonlyMap<number, readonly number[]>;
	readonly shimByPid: ReadonlyMap<number, Shim>;
	/** Containers by their init pid. */
	readonly containerByPid: ReadonlyMap<number, Container>;
	readonly containersByShim: ReadonlyMap<number, readonly Container[]>;
	readonly containersById: ReadonlyMap<string, readonly Container[]>;
	readonly podById: ReadonlyMap<string, Pod>;
	/** Who hangs under whom in the process tree. */
	readonly tree: ProcessTreeShape;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** A value worked out on first use and kept by the index that asked for it. */
function once<T>(make: () => T): () => T {
	let value: T | undefined;
	return () => (value ??= make());
}

/**
 * Each lookup is built when first asked for and kept by this index: the details of one
 * process need no child lists, the Containers pane no process map.
 */
export function indexSnapshot(snapshot: NodeSnapshot): SnapshotIndex {
	const processByPid = once(() => new Map(snapshot.processes.map((p) => [p.pid, p])));
	const childrenOf = once(() => {
		const children = new Map<number, number[]>();
		for (const process of snapshot.processes) if (process.ppid !== process.pid) push(children, process.ppid, process.pid);
		for (const list of children.values()) list.sort((a, b) => a - b);
		return children;
	});
	const containers = once(() => {
		const byPid = new Map<number, Container>();
		const byShim = new Map<number, Container[]>();
		const byId = new Map<string, Container[]>();
		for (const container of snapshot.containers) {
			if (container.pid !== null) byPid.set(container.pid, container);
			if (container.shimPid !== null) push(byShim, container.shimPid, container);
			push(byId, container.id, container);
		}
		return {byPid, byShim, byId};
	});
	const shimByPid = once(() => new Map(snapshot.shims.map((shim) => [shim.pid, shim])));
	const podById = once(() => new Map(snapshot.pods.map((pod) => [pod.id, pod])));
	const tree = once(() => processTreeShape(snapshot));
	return {
		get processByPid() {
			return processByPid();
		},
		get childrenOf() {
			return childrenOf();
		},
		get shimByPid() {
			return shimByPid();
		},
		get containerByPid() {
			return containers().byPid;
		},
		get containersByShim() {
			return containers().byShim;
		},
		get containersById() {
			return containers().byId;
		},
		get podById() {
			return podById();
		},
		get tree() {
			return tree();
		},
	};
}

/** The container a pod lists by id: the one its source knows, when an id is in two namespaces. */
export function podMember(index: SnapshotIndex, pod: Pod, id: string): Container | null {
	const candidates = index.containersById.get(id) ?? [];
	const preferred = candidates.find((c) => (pod.source === 'cri' ? c.seenBy.cri : c.seenBy.docker));
	return preferred ?? candidates[0] ?? null;
}

/** The container a process runs in: its own, or the nearest ancestor's below a shim. */
export function containerOfProcess(index: SnapshotIndex, pid: number): Container | null {
	const seen = new Set<number>();
	let cursor: number | undefined = pid;
	while (cursor !== undefined && !seen.has(cursor)) {
		seen.add(cursor);
		const own = index.containerByPid.get(cursor);
		if (own) return own;
		if (index.shimByPid.has(cursor)) return null;
		cursor = index.processByPid.get(cursor)?.ppid;
	}
	return null;
}

/** The pod a shim serves (a CRI shim's id is its sandbox's), else the pod its containers share. */
export function podOfShim(index: SnapshotIndex, shim: Shim): Pod | null {
	const direct = index.podById.get(shim.id);
	if (direct) return direct;
	for (const container of index.containersByShim.get(shim.pid) ?? []) {
		if (container.podId) {
			const pod = index.podById.get(container.podId);
			if (pod) return pod;
		}
	}
	return null;
}

/** The pod a shim serves whole: under the CRI one shim runs a pod, and its id is the sandbox's. */
export function podShimOf(index: SnapshotIndex, shim: Shim): Pod | null {
	const pod = index.podById.get(shim.id);
	return pod && pod.source === 'cri' ? pod : null;
}
