import {DockerApiError, dockerGet} from '../protocol/docker-http.js';
import {negotiateApiVersion, versionedPath} from '../protocol/docker-api-version.js';
import type {DockerFacts, DockerInspectFact} from '../schema/types.js';
import {dockerInspectPath, INSPECT_TTL_MS, inspectCandidates, parseDockerInspect} from './docker-inspect.js';
import type {Transport} from '../transport/transport.js';
import {DEFAULT_PODMAN_SOCKET, type CollectOptions} from './collect-options.js';
import {parseDockerContainers, parseDockerVersion} from './parse-docker.js';
import {forget, remember} from './session-memo.js';

/** Every path crimon asks Docker for; all are GETs. `/version` is sent as is, the others under `/v{negotiated}`. */
export const DOCKER_PATHS = {version: '/version', containers: '/containers/json?all=1'} as const;

export async function collectDocker(transport: Transport, options: CollectOptions): Promise<DockerFacts> {
	return collectDockerApi(transport, options, options.dockerSocket, 'docker');
}

/**
 * podman's Docker-compatible API on its own socket. A socket that is not there is no podman
 * on this node (podman is daemonless; the socket exists only where podman.socket is enabled),
 * so the caller treats `missing` as absence, not as an error.
 */
export async function collectPodman(transport: Transport, options: CollectOptions): Promise<DockerFacts> {
	const path = options.podmanSocket ?? DEFAULT_PODMAN_SOCKET;
	return collectDockerApi(transport, options, path, 'podman').catch((error: unknown) => {
		// systemd's podman.socket starts `podman system service`, which exits after a few idle
		// seconds: a connection that lands as it exits is dropped unanswered. A fresh one starts it again.
		if (error instanceof DockerApiError && error.status === null && /socket hang up|ECONNRESET/.test(error.message)) return collectDockerApi(transport, options, path, 'podman');
		throw error;
	});
}

/** Docker's Engine API wherever it is served: dockerd, or podman (which says so in /version). */
async function collectDockerApi(transport: Transport, options: CollectOptions, path: string, source: 'docker' | 'podman'): Promise<DockerFacts> {
	const get = async (apiPath: string, sentPath = apiPath) => {
		const stream = await transport.connectUnix(path, options.timeoutMs);
		const json = await dockerGet(stream, sentPath, {timeoutMs: options.timeoutMs, maxBytes: options.maxBytes});
		options.onRaw?.(source, apiPath, Buffer.from(JSON.stringify(json)));
		return json;
	};
	// Docker's /version holds while dockerd runs, and with it the API version negotiated from
	// it: asked once per connection; a failed call makes the next poll ask again.
	const key = `${source} ${path}`;
	const poll = async () => {
		const version = parseDockerVersion(await remember(options.memo, key, () => get(DOCKER_PATHS.version)));
		const containers = await get(DOCKER_PATHS.containers, versionedPath(negotiateApiVersion(version), DOCKER_PATHS.containers));
		return {version, containers};
	};
	const known = options.memo?.has(key) === true;
	const {version, containers} = await poll().catch((error: unknown) => {
		forget(options.memo, key);
		// A kept answer may be a daemon since replaced by one that speaks another range (it
		// refuses the version with HTTP 400): ask afresh once. A slow daemon is not asked twice.
		if (known && error instanceof DockerApiError && error.status === 400) return poll();
		throw error;
	}).catch((error: unknown) => {
		forget(options.memo, key);
		throw error;
	});
	const listed = parseDockerContainers(containers);
	// Restart counts and OOM flags, for the few containers where a loop would show; a failed inspect leaves the list as it was.
	const api = negotiateApiVersion(version);
	const inspected = new Map<string, DockerInspectFact>();
	const candidates = inspectCandidates(listed);
	const cache = options.dockerInspects;
	const now = Date.now();
	if (cache) {
		for (const [id, kept] of cache) if (now - kept.at >= INSPECT_TTL_MS) cache.delete(id);
	}
	const fresh = candidates.filter((c) => {
		const kept = cache?.get(c.id);
		if (kept?.fact) inspected.set(c.id, kept.fact);
		return !kept;
	});
	for (let i = 0; i < fresh.length; i += 4) {
		await Promise.all(fresh.slice(i, i + 4).map(async (c) => {
			const inspectPath = dockerInspectPath(c.id);
			const fact = await get(inspectPath, versionedPath(api, inspectPath)).then(parseDockerInspect, () => null);
			// A failed inspect is kept too: the list still shows, and the next try waits its turn.
			cache?.set(c.id, {fact, at: now});
			if (fact) inspected.set(c.id, fact);
		}));
	}
	return {
		address: path,
		version: version.version,
		containers: listed.map((c) => (inspected.has(c.id) ? {...c, inspect: inspected.get(c.id)!} : c)),
		...(version.podman ? {engine: 'podman' as const} : {}),
	};
}
