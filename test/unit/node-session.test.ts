/**
 * One poll path for every node: a NodeSession over this machine's transport and over a
 * remote-kind transport costs the same opens per poll — one gRPC session for containerd
 * and the CRI, kept across polls — and applies the same deadline and liveness policy.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {NodeSession} from '../../source/session/node-session.js';
import {openNode, type TransportFactory} from '../../source/session/open-node.js';
import {LocalTransport} from '../../source/transport/local-transport.js';
import type {Transport} from '../../source/transport/transport.js';
import {countOpens} from '../support/counting.js';
import {fixture} from '../support/lab-fixtures.js';
import {labGrpcRoutes, startLabReplay} from '../support/lab-replay.js';
import {startGrpcServer} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	await Promise.all(cleanup.splice(0).map((c) => c()));
});

async function replay(grpc?: Parameters<typeof startLabReplay>[0]) {
	const servers = await startLabReplay(grpc);
	cleanup.push(servers.close);
	const options: CollectOptions = {
		...DEFAULT_COLLECT_OPTIONS,
		containerdSocket: servers.containerd.socket,
		criSocket: servers.containerd.socket,
		dockerSocket: servers.docker.socket,
		timeoutMs: 2000,
	};
	return {servers, options};
}

function session(transport: Transport, options: CollectOptions, name = 'n'): NodeSession {
	const node = new NodeSession({spec: {target: transport.target}, transport, name, options});
	cleanup.push(() => node.close());
	return node;
}

const kinds: [string, () => Transport][] = [
	['this machine (LocalTransport)', () => new LocalTransport()],
	['a remote node (kind ssh)', () => new ReplayTransport(fixture('ps.txt'))],
];

describe.each(kinds)('a NodeSession over %s', (_kind, makeTransport) => {
	it('opens the containerd/CRI socket once over five polls; each later poll opens only what cannot be kept', async () => {
		const {servers, options} = await replay();
		const transport = makeTransport();
		const opens = countOpens(transport);
		const node = session(transport, options);
		const first = await node.poll();
		expect(first.ok).toBe(true);
		expect(first.errors.filter((e) => e.source !== 'kubelet')).toEqual([]);
		expect(first.containers.length).toBeGreaterThan(0);
		expect(opens.sockets.get(servers.containerd.socket)).toBe(1);
		const perPoll: number[] = [];
		for (let i = 0; i < 4; i++) {
			opens.reset();
			const again = await node.poll();
			expect(again.ok).toBe(true);
			expect(again.containers.map((c) => c.id)).toEqual(first.containers.map((c) => c.id));
			// The kept HTTP/2 session carries containerd and the CRI: no new stream to that socket.
			expect(opens.sockets.get(servers.containerd.socket) ?? 0).toBe(0);
			perPoll.push(opens.sockets.get(servers.docker.socket) ?? 0);
		}
		// Docker answers on a stream per request; /version is asked once per session.
		expect(perPoll).toEqual([1, 1, 1, 1]);
	});

	it('opens a fresh session on the next poll after the runtime restarted', async () => {
		const {servers, options} = await replay();
		const transport = makeTransport();
		const opens = countOpens(transport);
		const node = session(transport, options);
		expect((await node.poll()).runtimes.containerd).not.toBeNull();
		await servers.containerd.close();
		const {labGrpcRoutes} = await import('../support/lab-replay.js');
		const restarted = await startGrpcServer(labGrpcRoutes, servers.containerd.socket);
		cleanup.push(restarted.close);
		const after = await node.poll();
		expect(after.runtimes.containerd).not.toBeNull();
		expect(opens.sockets.get(servers.containerd.socket)).toBe(2);
	});
});

describe('the poll policy, the same for every node', () => {
	it('holds each call to less than the poll, so a stalled source is that source\'s error', async () => {
		const {options} = await replay({grpc: (route, ns) => (route.includes('Tasks/List') ? {silent: true} : labGrpcRoutes(route, ns))});
		const transport = new ReplayTransport(fixture('ps.txt'));
		const node = session(transport, {...options, criSocket: null, timeoutMs: 800});
		const started = Date.now();
		const snapshot = await node.poll();
		expect(Date.now() - started).toBeLessThan(1500);
		expect(snapshot.ok).toBe(true);
		expect(snapshot.errors.find((e) => e.source === 'containerd')?.message).toMatch(/no answer within 600 ms/);
		// A source failed, so the node was asked whether it still answers: it does.
		expect(transport.livenessChecks).toBe(1);
	});

	it('reports the node unreachable when a poll fails and the node no longer answers', async () => {
		const {servers, options} = await replay();
		const transport = new ReplayTransport(fixture('ps.txt'), new Set([servers.docker.socket]));
		transport.alive = false;
		const node = session(transport, options);
		const snapshot = await node.poll();
		expect(snapshot.ok).toBe(false);
		// The first poll on a connection is held to twice the 2 s timeout (it opens every channel).
		expect(snapshot.errors).toEqual([{source: 'node', message: 'replay stopped answering: no reply within 4000 ms'}]);
	});

	it('gives the liveness question its own bound, never what an overrun poll left of its own', async () => {
		// Every containerd list stalls past the poll's bound: the poll runs out of time.
		const {options} = await replay({grpc: (route, ns) => (route.includes('List') ? {silent: true} : labGrpcRoutes(route, ns))});
		const transport = new ReplayTransport(fixture('ps.txt'));
		const node = session(transport, {...options, criSocket: null, timeoutMs: 400});
		const first = await node.poll();
		// The node answers, so it is not called down: the stalled source is that source's error.
		expect(first.ok).toBe(true);
		expect(first.errors.map((e) => e.source)).toContain('containerd');
		expect(transport.livenessBounds.length).toBeGreaterThan(0);
		// Three quarters of the first poll's 800 ms (twice the 400 ms timeout), however little the poll left.
		expect(Math.min(...transport.livenessBounds)).toBe(600);
	});

	it('does not ask a node without Docker whether it answers: its process table and "no such socket" are answers', async () => {
		const {options} = await replay();
		const transport = new ReplayTransport(fixture('ps.txt'));
		transport.alive = false;
		const node = session(transport, {...options, dockerSocket: '/nonexistent/docker.sock'});
		const snapshot = await node.poll();
		expect(snapshot.ok).toBe(true);
		expect(snapshot.errors.map((e) => e.source)).toContain('docker');
		expect(transport.livenessChecks).toBe(0);
	});

	it('asks nothing more of a node whose poll went cleanly', async () => {
		const {options} = await replay();
		const transport = new ReplayTransport(fixture('ps.txt'));
		const node = session(transport, options);
		expect((await node.poll()).errors.filter((e) => e.source !== 'kubelet')).toEqual([]);
		expect(transport.livenessChecks).toBe(0);
	});

	it('is what openNode gives for local and for remote targets alike', () => {
		const factory: TransportFactory = (spec) => ({transport: spec.target === 'local' ? new LocalTransport() : new ReplayTransport(fixture('ps.txt')), name: ''});
		const local = openNode({target: 'local'}, {}, factory);
		const remote = openNode({target: 'ssh://replay'}, {}, factory);
		expect(local).toBeInstanceOf(NodeSession);
		expect(remote).toBeInstanceOf(NodeSession);
		expect(local.collectOptions.timeoutMs).toBe(remote.collectOptions.timeoutMs);
	});
});

describe('runBounded after a poll that ran out of time', () => {
	it('gives the liveness probe a bound of its own: a slow node that still answers keeps its connection', async () => {
		const {runBounded} = await import('../../source/session/node-session.js');
		const {TransportError} = await import('../../source/transport/transport.js');
		const given: number[] = [];
		const transport = Object.assign(new ReplayTransport(fixture('ps.txt')), {
			// sshd answers, given any time at all (the old probe got 1 ms after an expired poll).
			async checkAlive(timeoutMs: number, boundMs: number) {
				given.push(timeoutMs);
				return timeoutMs >= 50 ? null : new TransportError(`no reply within ${boundMs} ms`, 'timeout');
			},
		});
		const never = new Promise<never>(() => undefined);
		await expect(runBounded(transport, 1_000, () => never, () => false, 'slow')).rejects.toThrow('slow answers, but its runtimes did not all answer within 2000 ms');
		expect(given[0]).toBeGreaterThanOrEqual(100);
	});
});
