import {dockerGet} from '../protocol/docker-http.js';
import type {DockerFacts} from '../model/types.js';
import type {Transport} from '../transport/transport.js';
import type {CollectOptions} from './collect-options.js';
import {parseDockerContainers, parseDockerVersion} from './parse-docker.js';
import {forget, remember} from './session-memo.js';

/** Every path crimon asks Docker for; all are GETs. */
export const DOCKER_PATHS = {version: '/version', containers: '/containers/json?all=1'} as const;

export async function collectDocker(transport: Transport, options: CollectOptions): Promise<DockerFacts> {
	const path = options.dockerSocket;
	const get = async (apiPath: string) => {
		const stream = await transport.connectUnix(path, options.timeoutMs);
		const json = await dockerGet(stream, apiPath, {timeoutMs: options.timeoutMs, maxBytes: options.maxBytes});
		options.onRaw?.('docker', apiPath, Buffer.from(JSON.stringify(json)));
		return json;
	};
	// Docker's /version holds while dockerd runs; a failed call makes the next poll ask again.
	const key = `docker ${path}`;
	const [version, containers] = await Promise.all([
		remember(options.memo, key, () => get(DOCKER_PATHS.version)),
		get(DOCKER_PATHS.containers),
	]).catch((error: unknown) => {
		forget(options.memo, key);
		throw error;
	});
	return {
		address: path,
		version: parseDockerVersion(version).version,
		containers: parseDockerContainers(containers),
	};
}
