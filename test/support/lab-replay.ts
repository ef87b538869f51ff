/** The recorded lab, served by replay servers: the real collectors run against it. */
import {fixture} from './lab-fixtures.js';
import {startGrpcServer, startHttpServer, type GrpcRoutes, type HttpRoutes, type Running} from './replay-servers.js';

const CONTAINERD_FILES: Record<string, string> = {
	'/containerd.services.version.v1.Version/Version': 'containerd-version-version.pb',
	'/containerd.services.namespaces.v1.Namespaces/List': 'containerd-namespaces-list.pb',
	'/containerd.services.containers.v1.Containers/List': 'containerd-containers-list',
	'/containerd.services.tasks.v1.Tasks/List': 'containerd-tasks-list',
	'/containerd.services.tasks.v1.Tasks/Metrics': 'containerd-tasks-metrics',
};

/** containerd and its CRI plugin on one socket, as on a real node. */
export const labGrpcRoutes: GrpcRoutes = (route, namespace) => {
	const file = CONTAINERD_FILES[route];
	if (file) return {message: fixture(file.endsWith('.pb') ? file : `${file}.${namespace}.pb`)};
	const cri = /^\/runtime\.v1\.RuntimeService\/(Version|ListPodSandbox|ListContainers)$/.exec(route);
	if (cri) return {message: fixture(`cri-v1-${cri[1]}.pb`)};
	return undefined;
};

/** As the lab's dockerd (API 1.41, Docker 20.10): `/version` unversioned, the listing at any version it speaks. */
export const labHttpRoutes: HttpRoutes = (path) => {
	if (path === '/version') return {status: 200, body: fixture('docker-version.json')};
	const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
	if (versioned && versioned[2] === '/containers/json?all=1') {
		const [major, minor] = versioned[1]!.split('.').map(Number) as [number, number];
		if (major !== 1 || minor > 41) return {status: 400, body: `{"message":"client version ${versioned[1]} is too new. Maximum supported API version is 1.41"}`};
		return {status: 200, body: fixture('docker-containers-json.json')};
	}
	return undefined;
};

export async function startLabReplay(overrides: {grpc?: GrpcRoutes; http?: HttpRoutes} = {}): Promise<{containerd: Running; docker: Running; close(): Promise<void>}> {
	const containerd = await startGrpcServer(overrides.grpc ?? labGrpcRoutes);
	const docker = await startHttpServer(overrides.http ?? labHttpRoutes);
	return {containerd, docker, close: async () => void (await Promise.all([containerd.close(), docker.close()]))};
}
