/** The real collectors against replayed and broken runtimes: each failure stays on its source. */
import {afterEach, describe, expect, it} from 'vitest';
import {createNodeCollector} from '../../source/collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {fixture, labFacts} from '../support/lab-fixtures.js';
import {labGrpcRoutes, startLabReplay} from '../support/lab-replay.js';
import {ReplayTransport} from '../support/replay-transport.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
	await Promise.all(cleanup.map((c) => c()));
	cleanup = [];
});

async function replay(overrides: Parameters<typeof startLabReplay>[0] = {}) {
	const servers = await startLabReplay(overrides);
	cleanup.push(servers.close);
	const options: CollectOptions = {
		...DEFAULT_COLLECT_OPTIONS,
		containerdSocket: servers.containerd.socket,
		criSocket: servers.containerd.socket,
		dockerSocket: servers.docker.socket,
		timeoutMs: 1000,
	};
	return {servers, options};
}

describe('collecting a node', () => {
	it('gathers the same facts from the replayed lab as its recorded answers hold', async () => {
		const {options} = await replay();
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.errors).toEqual([]);
		const got = buildNodeSnapshot(facts);
		const want = buildNodeSnapshot(labFacts());
		// Usage comes from the replayed Tasks.Metrics (recorded apart, so only some ids match): compared on its own below.
		const withoutUsage = <T extends {usage?: unknown}>(list: readonly T[]) => list.map(({usage: _usage, ...rest}) => rest);
		expect(withoutUsage(got.containers)).toEqual(withoutUsage(want.containers));
		expect(withoutUsage(got.pods)).toEqual(withoutUsage(want.pods));
		expect(got.shims).toEqual(want.shims);
		expect(got.containers.find((c) => c.id === 'lab-ctr-k8s')?.usage).toMatchObject({pids: 1, memoryLimitBytes: null, cpuCores: null});
		expect(got.runtimes.cri).toMatchObject({runtimeName: 'containerd', apiVersion: 'v1'});
		// One shim scan a poll: the collector's, which the model takes as it is.
		expect(facts.shims?.map((s) => s.pid)).toEqual(want.shims.map((s) => s.pid));
		expect(buildNodeSnapshot({...facts, shims: facts.shims!.slice(1)}).shims.map((s) => s.pid)).toEqual(want.shims.slice(1).map((s) => s.pid));
		expect(got.runtimeStates).toEqual({containerd: 'answering', cri: 'answering', docker: 'answering', podman: 'absent'});
	});

	it('reports a missing Docker socket on docker alone', async () => {
		const {options} = await replay();
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), {...options, dockerSocket: '/nonexistent/docker.sock'}).collect();
		expect(facts.errors).toEqual([{source: 'docker', message: 'no socket at /nonexistent/docker.sock (is the service running?)'}]);
		// Not there is not down: Docker is absent, not failing.
		expect(facts.runtimeStates).toEqual({containerd: 'answering', cri: 'answering', docker: 'absent', podman: 'absent'});
		expect(facts.containerd?.containers.length).toBeGreaterThan(0);
		expect(facts.cri?.sandboxes).toHaveLength(1);
	});

	it('reports permission denied on containerd while the CRI and Docker still report', async () => {
		const {options, servers} = await replay();
		const second = await startLabReplay();
		cleanup.push(second.close);
		const transport = new ReplayTransport(fixture('ps.txt'), new Set([servers.containerd.socket]));
		const facts = await createNodeCollector('lab', transport, {...options, criSocket: second.containerd.socket}).collect();
		expect(facts.errors).toEqual([{source: 'containerd', message: `permission denied on ${servers.containerd.socket} (run as root, or as a member of the socket's group)`}]);
		expect(facts.containerd).toBeNull();
		expect(facts.docker?.containers.length).toBe(5);
		const node = buildNodeSnapshot(facts);
		// Without containerd, what the CRI and Docker list is still shown, with no namespace.
		expect(node.containers.filter((c) => c.seenBy.docker).every((c) => c.namespace === null && !c.seenBy.containerd)).toBe(true);
	});

	it('turns garbage from containerd into an error, not a crash or a wrong fact', async () => {
		const {options} = await replay({
			grpc: (route, ns) => (route.endsWith('Containers/List') ? {message: Buffer.from([0x0a, 0xff, 0x01, 0x02])} : labGrpcRoutes(route, ns)),
		});
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.containerd).toBeNull();
		expect(facts.errors).toEqual([{source: 'containerd', message: expect.stringMatching(/^answered with bytes that are not a valid message/)}]);
		expect(facts.cri).not.toBeNull();
	});

	it('falls back to runtime.v1alpha2 for an old runtime', async () => {
		const {options} = await replay({
			grpc: (route, ns) => {
				if (route.startsWith('/runtime.v1.')) return {status: 12, detail: 'unknown service runtime.v1.RuntimeService'};
				const old = /^\/runtime\.v1alpha2\.RuntimeService\/(\w+)$/.exec(route);
				return old ? labGrpcRoutes(`/runtime.v1.RuntimeService/${old[1]}`, ns) : labGrpcRoutes(route, ns);
			},
		});
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.errors).toEqual([]);
		expect(facts.cri?.containers).toHaveLength(2);
	});

	it('says so when a socket serves neither CRI version', async () => {
		const {options} = await replay({grpc: (route, ns) => (route.startsWith('/runtime.') ? {status: 12} : labGrpcRoutes(route, ns))});
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.errors).toEqual([{source: 'cri', message: expect.stringContaining('does not serve the CRI (neither runtime.v1 nor runtime.v1alpha2)')}]);
	});

	it('reports Docker answering an HTTP error', async () => {
		const {options} = await replay({http: (path) => (path === '/version' ? {status: 500, body: '{"message":"daemon is sick"}'} : {status: 200, body: '[]'})});
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.errors).toEqual([{source: 'docker', message: 'GET /version answered HTTP 500: daemon is sick'}]);
	});

	it('times out a runtime that never answers, at the bound', async () => {
		const {options} = await replay({grpc: (route, ns) => (route.includes('Tasks') ? {silent: true} : labGrpcRoutes(route, ns))});
		const started = Date.now();
		const facts = await createNodeCollector('lab', new ReplayTransport(fixture('ps.txt')), {...options, timeoutMs: 300}).collect();
		expect(Date.now() - started).toBeLessThan(1500);
		expect(facts.errors).toEqual([{source: 'containerd', message: 'no answer within 300 ms'}]);
	});
});
