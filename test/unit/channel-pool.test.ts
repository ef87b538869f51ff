/** Kept gRPC sessions: one per socket across polls, replaced when one dies. */
import {afterEach, describe, expect, it} from 'vitest';
import {GrpcChannelPool} from '../../source/collect/channel-pool.js';
import {createNodeCollector} from '../../source/collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS} from '../../source/collect/collect-options.js';
import {fixture} from '../support/lab-fixtures.js';
import {labGrpcRoutes, startLabReplay} from '../support/lab-replay.js';
import {ReplayTransport} from '../support/replay-transport.js';

class CountingTransport extends ReplayTransport {
	readonly opened = new Map<string, number>();
	override connectUnix(path: string, timeoutMs: number) {
		this.opened.set(path, (this.opened.get(path) ?? 0) + 1);
		return super.connectUnix(path, timeoutMs);
	}
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
	await close?.();
	close = null;
});

describe('kept gRPC sessions', () => {
	it('open the containerd/CRI socket once over many polls, and share it between both', async () => {
		const servers = await startLabReplay();
		const transport = new CountingTransport(fixture('ps.txt'));
		const options = {...DEFAULT_COLLECT_OPTIONS, containerdSocket: servers.containerd.socket, criSocket: servers.containerd.socket, dockerSocket: servers.docker.socket};
		const collector = createNodeCollector('n', transport, options, true);
		close = async () => {
			collector.close();
			await servers.close();
		};
		for (let i = 0; i < 5; i++) expect((await collector.collect()).errors).toEqual([]);
		// One gRPC session for containerd and the CRI over five polls.
		expect(transport.opened.get(servers.containerd.socket)).toBe(1);
	});

	it('replace a session that died, on the next poll', async () => {
		const servers = await startLabReplay();
		const transport = new CountingTransport(fixture('ps.txt'));
		const socket = servers.containerd.socket;
		const options = {...DEFAULT_COLLECT_OPTIONS, containerdSocket: socket, criSocket: socket, dockerSocket: '/nonexistent'};
		const collector = createNodeCollector('n', transport, options, true);
		expect((await collector.collect()).containerd).not.toBeNull();
		// The runtime restarts: its sessions die with it.
		await servers.close();
		const {startGrpcServer} = await import('../support/replay-servers.js');
		const restarted = await startGrpcServer(labGrpcRoutes, socket);
		close = async () => {
			collector.close();
			await restarted.close();
		};
		const after = await collector.collect();
		expect(after.containerd?.containers.length).toBeGreaterThan(0);
		expect(after.errors.map((e) => e.source)).toEqual(['docker']);
		expect(transport.opened.get(socket)).toBe(2);
	});

	it('open one new session when two collectors find the kept one dead at once', async () => {
		const servers = await startLabReplay();
		const transport = new CountingTransport(fixture('ps.txt'));
		const socket = servers.containerd.socket;
		const pool = new GrpcChannelPool(transport);
		close = async () => {
			pool.close();
			await servers.close();
		};
		const first = await pool.get(socket, 1000);
		first.channel.close(); // as a runtime restart leaves it
		// containerd's and the CRI's collectors ask in the same tick, as a poll does.
		const [a, b] = await Promise.all([pool.get(socket, 1000), pool.get(socket, 1000)]);
		expect(a.channel).toBe(b.channel);
		expect(a.channel.isOpen()).toBe(true);
		expect(transport.opened.get(socket)).toBe(2);
	});

	it('keep nothing opened after close: a poll that ran out of time and goes on must not hold the process', async () => {
		const servers = await startLabReplay();
		const transport = new CountingTransport(fixture('ps.txt'));
		const socket = servers.containerd.socket;
		const pool = new GrpcChannelPool(transport);
		close = () => servers.close();
		// One opening while the pool closes (the expired poll's), one asked for after.
		const opening = pool.get(socket, 1000);
		pool.close();
		await expect(opening).rejects.toThrow(/closed while it opened/);
		await expect(pool.get(socket, 1000)).rejects.toThrow(/sessions are closed/);
		expect(transport.opened.get(socket)).toBe(1);
	});
});
