/**
 * Docker Engine API version negotiation, as the docker CLI does it: ask `/version`
 * (the one call that must stay unversioned), then send every other request under
 * `/v{version}/`. Unversioned paths are deprecated, and Docker Engine 29 refuses
 * versioned calls below API 1.44.
 */

/**
 * The version crimon speaks. Every field crimon reads (`/version`'s Version and
 * ApiVersion; `/containers/json`'s Id, Names, Image, State, Labels, Mounts) is in API
 * 1.44 (Docker 25) unchanged, and 1.44 is the oldest Docker Engine 29 accepts.
 */
export const DOCKER_API_VERSION = '1.44';

class DockerVersionError extends Error {
	override readonly name = 'DockerVersionError';
}

const VERSION = /^(\d{1,3})\.(\d{1,3})$/;

function parts(version: string): [number, number] | null {
	const match = VERSION.exec(version);
	return match ? [Number(match[1]), Number(match[2])] : null;
}

export function compareApiVersions(a: string, b: string): number {
	const [am, an] = parts(a) ?? [0, 0];
	const [bm, bn] = parts(b) ?? [0, 0];
	return am - bm || an - bn;
}

/**
 * The version to call a server at: the lower of its ApiVersion and ours, raised to its
 * MinAPIVersion when it has dropped that (the listings crimon reads have not changed
 * shape, so speaking the server's oldest is better than being refused).
 */
export function negotiateApiVersion(server: {readonly apiVersion: string; readonly minApiVersion?: string}, ours: string = DOCKER_API_VERSION): string {
	if (!parts(server.apiVersion)) {
		const shown = server.apiVersion === '' ? 'no ApiVersion' : `ApiVersion ${JSON.stringify(server.apiVersion.slice(0, 40))}`;
		throw new DockerVersionError(`Docker's /version answered with ${shown}, so crimon cannot pick an API version to speak`);
	}
	let chosen = compareApiVersions(server.apiVersion, ours) < 0 ? server.apiVersion : ours;
	const min = server.minApiVersion;
	if (min !== undefined && parts(min) && compareApiVersions(min, chosen) > 0 && compareApiVersions(min, server.apiVersion) <= 0) chosen = min;
	return chosen;
}

/** `/v1.41/containers/json?all=1` from `/containers/json?all=1`. */
export function versionedPath(version: string, apiPath: string): string {
	return `/v${version}${apiPath}`;
}
