/**
 * crimon only reads. This lists every RPC, HTTP request and command crimon can send and
 * fails if one is not a read; it also watches a full poll on the wire (gRPC paths, HTTP
 * methods, argv) and scans the source for request strings outside those lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createNodeCollector} from '../../source/collect/collect-node.js';
import {DOCKER_PATHS} from '../../source/collect/collect-docker.js';
import {dockerInspectPath, MAX_INSPECTS} from '../../source/collect/docker-inspect.js';
import {DEFAULT_COLLECT_OPTIONS} from '../../source/collect/collect-options.js';
import {PS_ARGV} from '../../source/collect/parse-processes.js';
import {PS_NETNS_ARGV} from '../../source/collect/netns-script.js';
import {CONTAINERD_METHODS} from '../../source/protocol/containerd-api.js';
import {METRICS_METHOD} from '../../source/protocol/containerd-metrics.js';
import {EVENTS_SUBSCRIBE} from '../../source/protocol/containerd-events-api.js';
import {CRI_API_VERSIONS, criMethod} from '../../source/protocol/cri-api.js';
import {SUDO_COMMANDS} from '../../source/collect/sudo-cli.js';
import {fixture} from '../support/lab-fixtures.js';
import {labGrpcRoutes, labHttpRoutes} from '../support/lab-replay.js';
import {startGrpcServer, startHttpServer, type Running} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';

const READ_RPC = /\/(List\w*|Version|Status|Info|Get|Subscribe|Metrics)$/;

export const EVERY_RPC: readonly string[] = [
	...Object.values(CONTAINERD_METHODS),
	// containerd's event stream: it tells what happens and changes nothing.
	EVENTS_SUBSCRIBE,
	// Every task's cgroup counters: a read.
	METRICS_METHOD,
	...CRI_API_VERSIONS.flatMap((api) => (['Version', 'ListPodSandbox', 'ListContainers'] as const).map((m) => criMethod(api, m))),
];
// --sudo mode's commands, built with sample arguments; the ssh transport's own `uname -n`.
const SUDO_ARGV: readonly (readonly string[])[] = [
	SUDO_COMMANDS.ctrVersion('/run/containerd/containerd.sock'),
	SUDO_COMMANDS.ctrNamespaces('/run/containerd/containerd.sock'),
	SUDO_COMMANDS.ctrContainers('/run/containerd/containerd.sock', 'k8s.io'),
	SUDO_COMMANDS.ctrTasks('/run/containerd/containerd.sock', 'k8s.io'),
	SUDO_COMMANDS.ctrInfo('/run/containerd/containerd.sock', 'k8s.io', 'abc'),
	SUDO_COMMANDS.crictl('unix:///run/containerd/containerd.sock', 5, 'version'),
	SUDO_COMMANDS.crictl('unix:///run/containerd/containerd.sock', 5, 'pods', '-o', 'json'),
	SUDO_COMMANDS.crictl('unix:///run/containerd/containerd.sock', 5, 'ps', '-a', '-o', 'json'),
	SUDO_COMMANDS.dockerVersion('unix:///var/run/docker.sock'),
	SUDO_COMMANDS.dockerPs('unix:///var/run/docker.sock'),
	SUDO_COMMANDS.podmanVersion(),
	SUDO_COMMANDS.podmanPs(),
];
export const EVERY_COMMAND: readonly (readonly string[])[] = [PS_ARGV, PS_NETNS_ARGV, ['uname', '-n'], ...SUDO_ARGV];

/** The verbs that only read, per tool, after its global flags. */
function isRead(argv: readonly string[]): boolean {
	const words = argv[0] === 'env' ? argv.slice(argv.indexOf('-n') + 1) : argv;
	const [tool, ...rest] = words;
	const verbs = rest.filter((w, i) => !w.startsWith('-') && !(rest[i - 1] ?? '').match(/^--(address|namespace|runtime-endpoint|host)$/));
	switch (tool) {
		case 'ps': return true;
		// One fixed script, the only shell crimon runs: ps, then ls of /proc/*/ns/net and awk reading /proc/PID/net/dev, then one cat of /proc/uptime and /proc/*/stat through an awk that only prints.
		case 'sh': return argv.length === 3 && argv[2] === PS_NETNS_ARGV[2] && /^ps -eo .*; echo [-a-z]+; cd \/proc \|\| exit 0; ls -l \[0-9\]\*\/ns\/net 2>\/dev\/null \| awk '[^']*'; echo [-a-z]+; cat uptime \[0-9\]\*\/stat 2>\/dev\/null \| awk '[^']*'; exit 0$/.test(argv[2]) && !/[>|] *\/(?!dev\/null)|system\(|print[^;]*>/.test(argv[2]);
		case 'uname': return rest.join(' ') === '-n';
		case 'ctr': return ['version', 'namespaces ls', 'containers ls', 'tasks ls'].includes(verbs.join(' ')) || (verbs[0] === 'containers' && verbs[1] === 'info');
		case 'crictl': return ['version', 'pods', 'ps'].includes(verbs[0] ?? '');
		case 'docker': return ['version', 'ps'].includes(verbs[0] ?? '');
		case 'podman': return ['version', 'ps'].includes(verbs[0] ?? '');
		default: return false;
	}
}

describe('crimon only reads', () => {
	it('every RPC it knows is a List, Version, Status, Info, Get, Metrics or the event Subscribe', () => {
		for (const rpc of EVERY_RPC) expect(rpc).toMatch(READ_RPC);
	});
	it('every Docker path is a listing or a version, fetched with GET', () => {
		// Sent as is (/version) or under the negotiated /v1.NN prefix (the rest).
		expect(DOCKER_PATHS.version).toBe('/version');
		for (const apiPath of Object.values(DOCKER_PATHS)) expect(apiPath).toMatch(/^\/(version|containers\/json)(\?|$)/);
		// One container's inspect answer (restart count, OOM flag), for a bounded few; its id is checked hex.
		expect(dockerInspectPath('a'.repeat(64))).toBe(`/containers/${'a'.repeat(64)}/json`);
		expect(() => dockerInspectPath('../../x')).toThrow();
		const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../source/protocol/docker-http.ts'), 'utf8');
		expect(source.match(/method: '(\w+)'/g)).toEqual(["method: 'GET'"]);
	});
	it('every command it runs lists or reports something', () => {
		for (const argv of EVERY_COMMAND) expect(isRead(argv), argv.join(' ')).toBe(true);
		// The check itself refuses writes.
		expect(isRead(['env', 'LC_ALL=C', 'sudo', '-n', 'ctr', '--address', '/x', 'tasks', 'kill', 'a'])).toBe(false);
		expect(isRead(['env', 'LC_ALL=C', 'sudo', '-n', 'docker', '--host', 'unix:///x', 'rm', '-f', 'a'])).toBe(false);
		expect(isRead(['env', 'LC_ALL=C', 'sudo', '-n', 'crictl', '--runtime-endpoint', 'unix:///x', 'stopp', 'a'])).toBe(false);
	});
	it('has no other command in the sudo module than the listed ones', () => {
		expect(Object.keys(SUDO_COMMANDS).sort()).toEqual(['crictl', 'ctrContainers', 'ctrInfo', 'ctrNamespaces', 'ctrTasks', 'ctrVersion', 'dockerPs', 'dockerVersion', 'podmanPs', 'podmanVersion']);
		const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../source/collect/sudo-cli.ts'), 'utf8');
		// crictl is the one builder that takes its verb as an argument: every call passes a read.
		for (const match of source.matchAll(/SUDO_COMMANDS\.crictl\([^,]+,[^,]+,\s*'(\w+)'/g)) expect(['version', 'pods', 'ps']).toContain(match[1]);
	});

	describe('on the wire, a full poll sends only those', () => {
		const seenRpc: string[] = [];
		const seenHttp: string[] = [];
		let grpc: Running;
		let http: Running;
		beforeAll(async () => {
			grpc = await startGrpcServer((route, ns) => {
				seenRpc.push(route);
				return labGrpcRoutes(route, ns);
			});
			http = await startHttpServer((apiPath, method) => {
				seenHttp.push(`${method} ${apiPath}`);
				return labHttpRoutes(apiPath, method);
			});
		});
		afterAll(async () => {
			await grpc.close();
			await http.close();
		});
		it('records each request and finds nothing else', async () => {
			const transport = new ReplayTransport(fixture('ps.txt'));
			const options = {...DEFAULT_COLLECT_OPTIONS, containerdSocket: grpc.socket, criSocket: grpc.socket, dockerSocket: http.socket, timeoutMs: 2000};
			const facts = await createNodeCollector('n', transport, options).collect();
			expect(facts.errors).toEqual([]);
			expect(seenRpc.length).toBeGreaterThan(5);
			for (const rpc of seenRpc) expect(EVERY_RPC).toContain(rpc);
			// The replayed dockerd is the lab's 20.10 (API 1.41): the listing goes out under /v1.41,
			// and so do the inspects of the few containers where a restart loop would show.
			const inspects = seenHttp.filter((r) => /^GET \/v1\.41\/containers\/[0-9a-f]{64}\/json$/.test(r));
			expect(inspects.length).toBeLessThanOrEqual(MAX_INSPECTS);
			expect(seenHttp.filter((r) => !inspects.includes(r)).sort()).toEqual(['GET /v1.41/containers/json?all=1', 'GET /version']);
			for (const argv of transport.execLog) expect(EVERY_COMMAND).toContainEqual(argv);
		});
	});

	it('has no RPC path or HTTP method in its source outside the lists above', () => {
		const root = path.resolve(import.meta.dirname, '../../source');
		const files = fs.readdirSync(root, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.ts'));
		for (const file of files) {
			const text = fs.readFileSync(path.join(root, file), 'utf8');
			for (const match of text.matchAll(/['"`]\/(?:containerd\.services|runtime\.v1)[\w.]*\/(\w+)/g)) expect(match[1], file).toMatch(file.endsWith('containerd-events-api.ts') ? /^Subscribe$/ : /^(List\w*|Version|Metrics)$/);
			// gRPC is always an HTTP POST by its own spec; what it does is the method path, checked above.
			if (file.endsWith('grpc-client.ts') || file.endsWith('grpc-stream.ts')) continue;
			for (const match of text.matchAll(/\b(?:method|:method)['"]?:\s*['"](GET|POST|PUT|PATCH|DELETE|HEAD)['"]/gi)) expect(match[1], file).toBe('GET');
		}
	});
});
