/** Pure parsers for the Docker Engine API's JSON answers, checked field by field. */
import type {DockerContainerFact, Mount} from '../schema/types.js';
import {isRecord, stringMap} from './json-shape.js';

export class DockerShapeError extends Error {
	override readonly name = 'DockerShapeError';
}

export interface DockerVersion {
	readonly version: string;
	readonly apiVersion: string;
	readonly minApiVersion?: string;
	/** podman's Docker-compatible API (podman.sock, or podman-docker's docker.sock) lists a "Podman Engine" component. */
	readonly podman?: boolean;
}

function podmanComponent(json: Record<string, unknown>): Record<string, unknown> | null {
	if (!Array.isArray(json.Components)) return null;
	const found = json.Components.find((c) => isRecord(c) && c.Name === 'Podman Engine');
	return isRecord(found) ? found : null;
}

export function parseDockerVersion(json: unknown): DockerVersion {
	if (!isRecord(json) || typeof json.Version !== 'string') throw new DockerShapeError('/version answered without a Version');
	const apiVersion = typeof json.ApiVersion === 'string' ? json.ApiVersion : '';
	const podman = podmanComponent(json);
	// podman's own version is its component's; the top-level one may be the API's Docker level.
	const version = podman && typeof podman.Version === 'string' ? podman.Version : json.Version;
	const base = typeof json.MinAPIVersion === 'string' ? {version, apiVersion, minApiVersion: json.MinAPIVersion} : {version, apiVersion};
	return podman ? {...base, podman: true} : base;
}

function parseMounts(value: unknown): Mount[] {
	if (!Array.isArray(value)) return [];
	const out: Mount[] = [];
	for (const mount of value) {
		if (!isRecord(mount)) continue;
		if (typeof mount.Source === 'string' && typeof mount.Destination === 'string') out.push({source: mount.Source, destination: mount.Destination});
	}
	return out;
}

export function parseDockerContainers(json: unknown): DockerContainerFact[] {
	if (!Array.isArray(json)) throw new DockerShapeError('/containers/json did not answer with a list');
	return json.map((item, index) => {
		if (!isRecord(item) || typeof item.Id !== 'string' || !/^[0-9a-f]{12,64}$/.test(item.Id)) {
			throw new DockerShapeError(`/containers/json entry ${index} has no valid Id`);
		}
		const names = Array.isArray(item.Names) ? item.Names.filter((n): n is string => typeof n === 'string') : [];
		const name = (names[0] ?? item.Id.slice(0, 12)).replace(/^\//, '');
		return {
			id: item.Id,
			name,
			image: typeof item.Image === 'string' ? item.Image : '',
			state: typeof item.State === 'string' ? item.State : 'unknown',
			labels: stringMap(item.Labels),
			mounts: parseMounts(item.Mounts),
			status: typeof item.Status === 'string' ? item.Status : '',
		};
	});
}
