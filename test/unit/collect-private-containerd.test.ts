/**
 * dockerd started without --containerd runs its own containerd on
 * /var/run/docker/containerd/containerd.sock: where the standard socket is absent, crimon reads
 * that one. containerd is replayed from the lab's recorded answers; the transport places the
 * replay server at the private path and reports the standard one missing, as such a node does.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {collectContainerd} from '../../source/collect/collect-containerd.js';
import {DEFAULT_COLLECT_OPTIONS, DOCKER_PRIVATE_CONTAINERD_SOCKET} from '../../source/collect/collect-options.js';
import {TransportError} from '../../source/transport/transport.js';
import {fixture} from '../support/lab-fixtures.js';
import {labGrpcRoutes} from '../support/lab-replay.js';
import {startGrpcServer, type Running} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';

let server: Running | null = null;
afterEach(async () => {
	await server?.close();
	server = null;
});

class PrivateContainerdNode extends ReplayTransport {
	constructor(private readonly replaySocket: string, private readonly privateThere: boolean) {
		super(fixture('ps.txt'));
	}

	override connectUnix(path: string, timeoutMs: number) {
		if (path === DOCKER_PRIVATE_CONTAINERD_SOCKET && this.privateThere) return super.connectUnix(this.replaySocket, timeoutMs);
		return Promise.reject(new TransportError(`no socket at ${path}`, 'missing'));
	}
}

describe("Docker's private containerd", () => {
	it('is read where the standard socket is absent, and named by its own address', async () => {
		server = await startGrpcServer(labGrpcRoutes);
		const facts = await collectContainerd(new PrivateContainerdNode(server.socket, true), {...DEFAULT_COLLECT_OPTIONS, timeoutMs: 1000});
		expect(facts.address).toBe(DOCKER_PRIVATE_CONTAINERD_SOCKET);
		expect(facts.namespaces).toContain('moby');
		expect(facts.containers.length).toBeGreaterThan(0);
	});

	it('with neither socket, the error names the standard one', async () => {
		server = await startGrpcServer(labGrpcRoutes);
		await expect(collectContainerd(new PrivateContainerdNode(server.socket, false), {...DEFAULT_COLLECT_OPTIONS, timeoutMs: 1000})).rejects.toThrow(/\/run\/containerd\/containerd\.sock/);
	});

	it('is not tried when another socket was asked for', async () => {
		server = await startGrpcServer(labGrpcRoutes);
		await expect(collectContainerd(new PrivateContainerdNode(server.socket, true), {...DEFAULT_COLLECT_OPTIONS, containerdSocket: '/srv/containerd.sock', timeoutMs: 1000})).rejects.toThrow(/\/srv\/containerd\.sock/);
	});
});
