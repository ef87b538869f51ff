/**
 * Pure parsers for containerd's API answers (protobuf bytes) into crimon's facts.
 * Each throws ProtobufError on bytes that are not the message they claim to be.
 */
import * as api from '../protocol/containerd-api.js';
import {decode, type Decoded} from '../protocol/protobuf.js';
import type {ContainerdContainerFact, ContainerdTaskFact, Mount} from '../schema/types.js';

export function parseVersion(bytes: Uint8Array): {version: string; revision: string} {
	const decoded = decode(api.VersionResponse, bytes);
	return {version: decoded.version, revision: decoded.revision};
}

export function parseNamespaces(bytes: Uint8Array): string[] {
	const decoded = decode(api.ListNamespacesResponse, bytes);
	return decoded.namespaces.map((ns) => ns.name);
}

const SPEC_TYPE_SUFFIX = 'opencontainers/runtime-spec/1/Spec';

/** The OCI spec rides in an Any as JSON; its mounts say what the container can reach on the host. */
export function mountsFromSpec(spec: Decoded<typeof api.Any> | null): Mount[] {
	if (!spec) return [];
	if (!spec.typeUrl.endsWith(SPEC_TYPE_SUFFIX)) return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(spec.value).toString('utf8'));
	} catch {
		return [];
	}
	const mounts = (parsed as {mounts?: unknown})?.mounts;
	if (!Array.isArray(mounts)) return [];
	const out: Mount[] = [];
	for (const mount of mounts) {
		if (typeof mount !== 'object' || mount === null) continue;
		const {source, destination, type} = mount as Record<string, unknown>;
		if (typeof source !== 'string' || typeof destination !== 'string') continue;
		// Only bind mounts reach the host's files; proc, tmpfs and friends are the container's own.
		if (type !== undefined && type !== 'bind' && type !== 'rbind') continue;
		out.push({source, destination});
	}
	return out;
}

/**
 * Mounts already read from a container's spec, by namespace/id. A spec is kilobytes of
 * JSON that almost never changes; parsing it every poll was a tenth of a poll's CPU, while
 * comparing its bytes with the last ones is a memcmp.
 */
export type SpecMountCache = Map<string, {readonly spec: Uint8Array; readonly mounts: Mount[]}>;

function cachedMounts(cache: SpecMountCache | undefined, key: string, spec: Decoded<typeof api.Any> | null): Mount[] {
	const value = spec?.value;
	if (!cache || !value) return mountsFromSpec(spec);
	const hit = cache.get(key);
	if (hit && Buffer.compare(hit.spec, value) === 0) return hit.mounts;
	const mounts = mountsFromSpec(spec);
	cache.set(key, {spec: value, mounts});
	return mounts;
}

export function parseContainers(bytes: Uint8Array, namespace: string, cache?: SpecMountCache): ContainerdContainerFact[] {
	const decoded = decode(api.ListContainersResponse, bytes);
	return decoded.containers.map((container) => ({
		id: container.id,
		namespace,
		image: container.image,
		runtime: container.runtime?.name ?? '',
		labels: container.labels,
		mounts: cachedMounts(cache, `${namespace}/${container.id}`, container.spec),
	}));
}

/** A protobuf Timestamp in ms since the epoch; null when unset (Go's zero time is year 1: also unset). */
function timestampMs(timestamp: Decoded<typeof api.Timestamp> | null): number | null {
	if (!timestamp) return null;
	const seconds = Number(timestamp.seconds);
	if (!(seconds > 0)) return null;
	return seconds * 1000 + Math.floor(timestamp.nanos / 1e6);
}

export function parseTasks(bytes: Uint8Array, namespace: string): ContainerdTaskFact[] {
	const decoded = decode(api.ListTasksResponse, bytes);
	// containerd fills `id` (the task's, which is the container's) and leaves container_id empty.
	return decoded.tasks.map((task) => ({
		id: task.containerId || task.id,
		namespace,
		pid: task.pid,
		status: api.TASK_STATUS[task.status] ?? 'unknown',
		exitStatus: task.exitStatus,
		exitedAt: timestampMs(task.exitedAt),
	}));
}
