/**
 * podman as a source, through the real collectors: its Docker-compatible API replayed from the
 * VM node's recordings (test/fixtures/vm/podman/compat), on podman's own socket or on a
 * docker.sock that is podman (podman-docker).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {collectPodman} from '../../source/collect/collect-docker.js';
import {createNodeCollector} from '../../source/collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {labGrpcRoutes} from '../support/lab-replay.js';
import {startGrpcServer, startHttpServer, tempSocket, type HttpRoutes} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';

const vm = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'vm', name));
const lab = JSON.parse(vm('lab.json').toString('utf8')) as {podman: {box: {name: string; id: string; pid: number; conmonPid: number}}};

/** As podman 5.8's compat API: `/version` at any version, the listing at the versions it speaks. */
const podmanRoutes: HttpRoutes = (url) => {
	const bare = url.replace(/^\/v\d+\.\d+/, '');
	if (bare === '/version') return {status: 200, body: vm('podman/compat/version.json')};
	if (bare === '/containers/json?all=1') return {status: 200, body: vm('podman/compat/containers-json.json')};
	return undefined;
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	await Promise.all(cleanup.map((c) => c()));
	cleanup = [];
});

async function collect(sockets: {podman: boolean; dockerIsPodman: boolean}) {
	const containerd = await startGrpcServer(labGrpcRoutes);
	cleanup.push(containerd.close);
	const podman = sockets.podman ? await startHttpServer(podmanRoutes, tempSocket('podman.sock')) : null;
	if (podman) cleanup.push(podman.close);
	const docker = sockets.dockerIsPodman ? await startHttpServer(podmanRoutes, tempSocket('docker.sock')) : null;
	if (docker) cleanup.push(docker.close);
	const options: CollectOptions = {
		...DEFAULT_COLLECT_OPTIONS,
		containerdSocket: containerd.socket, criSocket: containerd.socket, timeoutMs: 1000,
		dockerSocket: docker?.socket ?? '/nonexistent/docker.sock',
		podmanSocket: podman?.socket ?? '/nonexistent/podman.sock',
	};
	const facts = await createNodeCollector('vm', new ReplayTransport(vm('ps.txt')), options).collect();
	return {facts, options, node: buildNodeSnapshot(facts)};
}

describe("collecting podman's API", () => {
	it("reads podman's own socket: runtimes.podman, the container under its conmon", async () => {
		const {node, options} = await collect({podman: true, dockerIsPodman: false});
		expect(node.runtimes.podman).toEqual({address: options.podmanSocket, version: '5.8.6'});
		expect(node.containers.find((c) => c.id === lab.podman.box.id)).toMatchObject({name: lab.podman.box.name, pid: lab.podman.box.pid, shimPid: lab.podman.box.conmonPid, seenBy: {podman: true}});
		expect(node.errors.filter((e) => e.source === 'podman')).toEqual([]);
	});

	it('names a docker.sock that is podman podman, and once when podman.sock answers too', async () => {
		const both = await collect({podman: true, dockerIsPodman: true});
		expect(both.node.runtimes.docker).toBeNull();
		expect(both.node.runtimes.podman?.address).toBe(both.options.podmanSocket);
		expect(both.node.containers.filter((c) => c.id === lab.podman.box.id)).toHaveLength(1);
		const onlyDocker = await collect({podman: false, dockerIsPodman: true});
		expect(onlyDocker.node.runtimes.docker).toBeNull();
		expect(onlyDocker.node.runtimes.podman).toEqual({address: onlyDocker.options.dockerSocket, version: '5.8.6'});
	});

	it('no podman socket is no podman, not an error', async () => {
		const {node} = await collect({podman: false, dockerIsPodman: false});
		expect(node.runtimes.podman).toBeNull();
		expect(node.errors.map((e) => e.source)).not.toContain('podman');
		// The conmon is still a shim, its container known by id only.
		expect(node.shims.find((s) => s.pid === lab.podman.box.conmonPid)?.kind).toBe('conmon');
	});
});

describe('podman.socket between two services', () => {
	it('asks once more when the connection is dropped unanswered (podman system service exiting idle)', async () => {
		const socket = tempSocket('podman-idle.sock');
		let requests = 0;
		const server = http.createServer((req, res) => {
			requests++;
			if (requests === 1) {
				req.socket.destroy();
				return;
			}
			const answer = podmanRoutes(req.url ?? '', req.method ?? 'GET');
			res.writeHead(answer?.status ?? 404, {'content-type': 'application/json'});
			res.end(answer?.body ?? '{}');
		});
		await new Promise<void>((resolve) => server.listen(socket, resolve));
		cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
		const facts = await collectPodman(new ReplayTransport(vm('ps.txt')), {...DEFAULT_COLLECT_OPTIONS, podmanSocket: socket, timeoutMs: 1000});
		expect(facts.version).toBe('5.8.6');
		expect(requests).toBeGreaterThanOrEqual(3);
	});
});
