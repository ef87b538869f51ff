/**
 * `crimon snapshot` against the real lab, run as a user would, every fact checked against
 * what the runtimes' own tools report: ctr for containerd, the CRI's own answer for what
 * the CRI lists, docker for Docker, ps for the kernel.
 *
 * The machine may run other containers than the lab's (test/lab/bystanders.sh makes some,
 * and CI always has them): facts are asserted on the lab's own containers by their ids
 * (lab.json). Whole-machine comparisons take each tool's listing just before and just
 * after crimon's poll, so a container that came or went meanwhile is neither required
 * nor forbidden.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {beforeAll, describe, expect, it} from 'vitest';
import type {Container, NodeSnapshot} from '../../source/schema/types.js';
import {DOCKER_API_VERSION, negotiateApiVersion} from '../../source/protocol/docker-api-version.js';
import {dockerGet} from '../../source/protocol/docker-http.js';
import {GrpcChannel} from '../../source/protocol/grpc-client.js';
import * as cri from '../../source/protocol/cri-api.js';
import {connectLocalUnix} from '../../source/transport/local-transport.js';
import {CLI, readLab, skipWithoutLab} from './lab-available.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const run = (file: string, args: string[]) => execFileSync(file, args, {encoding: 'utf8', timeout: 30_000});
const ctr = (...args: string[]) => run('ctr', args);
const docker = (...args: string[]) => run('/usr/bin/docker', args);
const CONTAINERD = '/run/containerd/containerd.sock';
const BYSTANDER = 'io.crimon.bystander';

interface LabContainer {
	readonly id: string;
	readonly name: string;
	readonly namespace: string;
	readonly shim: 'v1' | 'v2';
	readonly source: 'docker' | 'cri' | 'ctr';
	readonly image: string;
}

interface Lab {
	readonly containers: Record<string, LabContainer>;
	readonly pods: Record<string, {name: string; namespace: string; uid: string; source: string}>;
}

/** What the runtimes' own tools say, at one moment. */
interface Observed {
	readonly namespaces: Set<string>;
	readonly ctr: Map<string, Set<string>>;
	readonly docker: Map<string, {name: string; image: string}>;
	readonly shims: Set<number>;
	/** Container and sandbox ids the CRI lists. */
	readonly cri: Set<string>;
}

async function criIds(): Promise<Set<string>> {
	const channel = new GrpcChannel(await connectLocalUnix(CONTAINERD, 5000));
	try {
		const options = {timeoutMs: 10_000, maxBytes: 64 << 20};
		const sandboxes = await channel.call(cri.criMethod('v1', 'ListPodSandbox'), cri.ListPodSandboxRequest, {}, cri.ListPodSandboxResponse, options);
		const containers = await channel.call(cri.criMethod('v1', 'ListContainers'), cri.ListContainersRequest, {}, cri.ListContainersResponse, options);
		return new Set([...sandboxes.items, ...containers.containers].map((item) => item.id));
	} finally {
		channel.close();
	}
}

async function observe(): Promise<Observed> {
	const namespaces = new Set(ctr('namespaces', 'ls', '-q').trim().split('\n').filter(Boolean));
	const ids = new Map([...namespaces].map((ns) => [ns, new Set(ctr('-n', ns, 'containers', 'ls', '-q').trim().split('\n').filter(Boolean))]));
	const dockerList = new Map<string, {name: string; image: string}>();
	for (const line of docker('ps', '-a', '--no-trunc', '--format', '{{json .}}').trim().split('\n').filter(Boolean)) {
		const entry = JSON.parse(line) as {ID: string; Names: string; Image: string};
		dockerList.set(entry.ID, {name: entry.Names, image: entry.Image});
	}
	// Live shims only: a shim's short-lived `start` process lingers as a zombie
	// (`[containerd-shim] <defunct>`) until its parent reaps it, and is no shim.
	const shims = new Set(run('ps', ['-eo', 'pid=,stat=,args=', '-ww']).split('\n')
		.map((l) => l.trim().split(/\s+/))
		.filter(([, stat, ...args]) => stat !== undefined && !stat.startsWith('Z') && /containerd-shim/.test(args.join(' ')) && args[0] !== 'ps')
		.map(([pid]) => Number(pid)));
	return {namespaces, ctr: ids, docker: dockerList, shims, cri: await criIds()};
}

const both = <T>(a: Iterable<T>, b: ReadonlySet<T>) => [...a].filter((x) => b.has(x));
const either = <T>(a: Iterable<T>, b: Iterable<T>) => new Set([...a, ...b]);
const sorted = <T>(values: Iterable<T>) => [...values].sort();

describe.skipIf(skipWithoutLab('lab: snapshot'))('lab: crimon snapshot on real containerd, CRI and Docker', () => {
	let node: NodeSnapshot;
	let exitCode: number | null;
	let lab: Lab;
	let before: Observed;
	let after: Observed;

	beforeAll(async () => {
		lab = readLab<Lab>();
		before = await observe();
		const result = spawnSync('node', [CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 30_000});
		exitCode = result.status;
		after = await observe();
		const snapshot = parseSavedSnapshot(result.stdout);
		expect(snapshot.schema).toBe('crimon.snapshot/v1');
		node = snapshot.nodes[0]!;
	});

	const byId = (id: string): Container => {
		const found = node.containers.find((c) => c.id === id);
		if (!found) throw new Error(`crimon does not list ${id}`);
		return found;
	};
	const labContainers = () => Object.values(lab.containers);

	it('reaches the node with every source answering', () => {
		expect(exitCode).toBe(0);
		expect(node.ok).toBe(true);
		expect(node.errors).toEqual([]);
		expect(node.runtimes.containerd?.version).toBe(ctr('version').match(/Server:\s+Version:\s+(\S+)/)![1]);
		expect(node.runtimes.docker?.version).toBe(docker('version', '--format', '{{.Server.Version}}').trim());
		expect(node.runtimes.cri).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', runtimeName: 'containerd', apiVersion: 'v1'});
	});

	it("speaks Docker at the daemon's API version: the lab's dockerd refuses crimon's own 1.44", async () => {
		const maxApi = docker('version', '--format', '{{.Server.APIVersion}}').trim();
		const get = async (apiPath: string) => dockerGet(await connectLocalUnix('/var/run/docker.sock', 5000), apiPath, {timeoutMs: 10_000, maxBytes: 64 << 20});
		if (maxApi === '1.41') await expect(get(`/v${DOCKER_API_VERSION}/containers/json`)).rejects.toThrow(/HTTP 400: client version 1\.44 is too new/);
		// What crimon asked (the negotiated version) answers, and crimon listed all of it.
		const listed = (await get(`/v${negotiateApiVersion({apiVersion: maxApi})}/containers/json?all=1`)) as {Id: string}[];
		// Those there before and after crimon's poll: a bystander may come or go meanwhile.
		const stable = listed.filter(({Id}) => before.docker.has(Id) && after.docker.has(Id));
		expect(stable.length).toBeGreaterThanOrEqual(labContainers().filter((c) => c.source === 'docker').length);
		for (const {Id} of stable) expect(byId(Id).seenBy.docker, Id).toBe(true);
	});

	it("lists the namespaces and their containers as ctr does, the lab's in theirs", () => {
		const names = new Set(node.namespaces.map((n) => n.name));
		for (const ns of Object.values(lab.containers).map((c) => c.namespace)) expect(names.has(ns), ns).toBe(true);
		expect(sorted(both(before.namespaces, after.namespaces).filter((ns) => !names.has(ns)))).toEqual([]);
		for (const ns of names) expect(either(before.namespaces, after.namespaces).has(ns), ns).toBe(true);
		for (const {name, containers} of node.namespaces) {
			const stable = both(before.ctr.get(name) ?? [], after.ctr.get(name) ?? new Set());
			const seen = either(before.ctr.get(name) ?? [], after.ctr.get(name) ?? []);
			expect(sorted(stable.filter((id) => !containers.includes(id))), `${name}: listed by ctr, not by crimon`).toEqual([]);
			expect(sorted(containers.filter((id) => !seen.has(id))), `${name}: listed by crimon, not by ctr`).toEqual([]);
		}
		for (const container of labContainers()) expect(byId(container.id).namespace, container.name).toBe(container.namespace);
	});

	it("gives each lab container its task's pid, and the shim is that pid's parent", () => {
		for (const container of labContainers()) {
			const line = ctr('-n', container.namespace, 'tasks', 'ls').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)).find(([id]) => id === container.id);
			expect(line?.[2], container.name).toBe('RUNNING');
			const pid = Number(line![1]);
			const seen = byId(container.id);
			expect(seen.pid, container.name).toBe(pid);
			const ppid = Number(run('ps', ['-o', 'ppid=', '-p', String(pid)]).trim());
			expect(seen.shimPid, container.name).toBe(ppid);
			expect(node.shims.find((s) => s.pid === ppid), `shim of ${container.name}`).toMatchObject({version: container.shim, namespace: container.namespace});
		}
	});

	it('sees every shim process, v1 and v2, with the namespace and id on its command line', () => {
		const pids = new Set(node.shims.map((s) => s.pid));
		expect(sorted(both(before.shims, after.shims).filter((pid) => !pids.has(pid)))).toEqual([]);
		const seen = either(before.shims, after.shims);
		expect(sorted([...pids].filter((pid) => !seen.has(pid)))).toEqual([]);
		// The lab's v1 container keeps its containerd-shim, a child of containerd itself.
		const v1 = node.shims.find((s) => s.id === lab.containers.ctrV1!.id)!;
		expect(v1).toMatchObject({version: 'v1', binary: 'containerd-shim', namespace: lab.containers.ctrV1!.namespace});
		const v1Ppid = Number(run('ps', ['-o', 'ppid=', '-p', String(v1.pid)]).trim());
		expect(run('ps', ['-o', 'comm=', '-p', String(v1Ppid)]).trim()).toBe('containerd');
		for (const shim of node.shims) expect(shim.binary, String(shim.pid)).toMatch(shim.version === 'v1' ? /^containerd-shim$/ : /^containerd-shim-runc-v[12]$/);
	});

	it("marks what Docker lists, under Docker's names and images", () => {
		for (const container of labContainers().filter((c) => c.source === 'docker')) {
			const seen = byId(container.id);
			expect(seen.seenBy.docker, container.name).toBe(true);
			expect(seen.name).toBe(container.name);
			expect(seen.image).toBe(after.docker.get(container.id)?.image);
		}
		const marked = new Set(node.containers.filter((c) => c.seenBy.docker).map((c) => c.id));
		for (const id of both(before.docker.keys(), new Set(after.docker.keys()))) {
			expect(marked.has(id), id).toBe(true);
			expect(byId(id).name).toBe(after.docker.get(id)!.name);
			expect(byId(id).image).toBe(after.docker.get(id)!.image);
		}
		const seen = either(before.docker.keys(), after.docker.keys());
		expect(sorted([...marked].filter((id) => !seen.has(id)))).toEqual([]);
	});

	it('marks what the CRI lists, and only that, as seen by the CRI', () => {
		for (const key of ['criSandbox', 'criApp', 'criSidecar']) {
			const container = byId(lab.containers[key]!.id);
			expect(container.seenBy.cri, key).toBe(true);
			expect(container.sandbox, key).toBe(key === 'criSandbox');
			expect(container.pod?.name, key).toBe(lab.pods.cri!.name);
		}
		expect(byId(lab.containers.ctrK8s!.id)).toMatchObject({seenBy: {cri: false}, pod: null});
		// Every k8s.io container whose CRI membership held across the poll. A container that
		// carries the CRI's labels while the CRI does not list it (a bystander does) is no pod.
		const k8s = node.namespaces.find((n) => n.name === 'k8s.io')!.containers;
		for (const id of k8s) {
			if (before.cri.has(id) !== after.cri.has(id)) continue;
			const container = byId(id);
			expect(container.seenBy.cri, id).toBe(after.cri.has(id));
			if (!after.cri.has(id)) expect(container.pod, id).toBeNull();
		}
	});

	it("shows the lab's two pods: the CRI's and the one rebuilt from dockershim's labels", () => {
		const criPod = node.pods.find((p) => p.id === lab.containers.criSandbox!.id)!;
		expect(criPod).toMatchObject({source: 'cri', name: lab.pods.cri!.name, namespace: lab.pods.cri!.namespace, uid: lab.pods.cri!.uid});
		expect(sorted(criPod.containers)).toEqual(sorted([lab.containers.criApp!.id, lab.containers.criSidecar!.id]));
		expect(criPod.sandboxPid).toBe(byId(lab.containers.criSandbox!.id).pid);
		const shim = node.shims.find((s) => s.id === criPod.id)!;
		expect(shim.children).toHaveLength(3);
		const web = node.pods.find((p) => p.id === lab.containers.dockershimSandbox!.id)!;
		expect(web).toMatchObject({source: 'docker-labels', name: 'web', namespace: 'default', containers: [lab.containers.dockershimApp!.id]});
	});

	it("lists the bystanders too (other containers on the machine), each as what it is", (context) => {
		const bystanders = node.containers.filter((c) => c.labels?.[BYSTANDER] === '1');
		if (bystanders.length === 0) {
			// CI's lab-up always makes them (test/lab/bystanders.sh); by hand they are optional.
			if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error('no bystander containers: lab-up.sh should have made them');
			context.skip();
		}
		const named = (name: string) => node.containers.find((c) => c.name === name);
		expect(node.shims.find((s) => s.id === 'crimon-bystander-v1')).toMatchObject({version: 'v1', namespace: 'default'});
		expect(named('crimon-bystander-cri-like')).toMatchObject({namespace: 'k8s.io', seenBy: {cri: false}, pod: null});
		expect(named('crimon-bystander-exited')).toMatchObject({namespace: null, pid: null, seenBy: {docker: true, containerd: false}});
		expect(node.pods.filter((p) => p.name === 'bystander').map((p) => p.source).sort()).toEqual(['cri', 'docker-labels']);
	});

	it('prints plain text with no control bytes when piped', () => {
		const result = spawnSync('node', [CLI, 'snapshot'], {encoding: 'utf8', timeout: 30_000, env: {...process.env, NO_COLOR: ''}});
		expect(result.status).toBe(0);
		expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
		for (const name of ['lab-v1-box', 'lab-ctr-k8s', 'lab-other-box', 'shop/api', 'default/web', 'containerd-shim-runc-v2']) expect(result.stdout).toContain(name);
	});
});

describe.skipIf(skipWithoutLab('lab: permissions'))('lab: crimon as a user who may not open the sockets', () => {
	it('reports permission denied per source and still shows the process table', () => {
		const readable = spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', CLI]);
		if (readable.status !== 0) {
			console.warn(`skipped: nobody cannot read ${CLI} in this checkout`);
			return;
		}
		const result = spawnSync('runuser', ['-u', 'nobody', '--', 'node', CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 30_000});
		// Reached, but no runtime answers crimon: nothing on the node can be seen, and the exit status says so.
		expect(result.status).toBe(1);
		const node = parseSavedSnapshot(result.stdout).nodes[0]!;
		expect(node.ok).toBe(true);
		expect(node.runtimeStates).toMatchObject({containerd: 'failing', cri: 'failing', docker: 'failing'});
		expect(node.diagnosis?.findings[0]?.message).toMatch(/^The node answers but none of its runtimes does \(containerd, cri and docker failing; see errors\).* and that crimon may open their sockets\.$/);
		expect(node.errors.map((e) => e.source)).toEqual(['containerd', 'cri', 'docker']);
		for (const error of node.errors) expect(error.message).toMatch(/permission denied on \/(var\/)?run\/(containerd\/containerd|docker)\.sock/);
		expect(node.processes.length).toBeGreaterThan(10);
		expect(result.stderr).toBe('');
	});
});
