/**
 * conmon as a shim kind and podman as a source, on output recorded from the cgroup v2 VM node
 * (test/fixtures/vm/, see its README), and CRI-O's conmon from a real CRI-O ps line
 * (test/fixtures/crio/, whose README says what is recorded and what is not).
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseCrictlContainers, parseCrictlPods, parseCrictlVersion, parsePodmanCliPs, parsePodmanCliVersion} from '../../source/collect/parse-cli-output.js';
import {parseDockerContainers, parseDockerVersion} from '../../source/collect/parse-docker.js';
import {parsePs} from '../../source/collect/parse-processes.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {healthMarks} from '../../source/model/health-findings.js';
import {buildProcessTree} from '../../source/model/process-tree.js';
import {findShims} from '../../source/collect/shims.js';
import type {DockerFacts, NodeFacts, ProcessInfo} from '../../source/schema/types.js';
import {namespaceItems} from '../../source/ui/namespace-rows.js';
import {processItems} from '../../source/ui/process-rows.js';
import {validateSnapshot} from '../../source/snapshot-file/validate-snapshot.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const vm = (name: string) => fs.readFileSync(path.join(FIXTURES, 'vm', name), 'utf8');
const crio = (name: string) => fs.readFileSync(path.join(FIXTURES, 'crio', name), 'utf8');
const lab = JSON.parse(vm('lab.json')) as {podman: {box: {name: string; id: string; pid: number; conmonPid: number}}};
const box = lab.podman.box;

function podmanFacts(): DockerFacts {
	const version = parseDockerVersion(JSON.parse(vm('podman/compat/version.json')));
	return {address: '/run/podman/podman.sock', version: version.version, containers: parseDockerContainers(JSON.parse(vm('podman/compat/containers-json.json'))), engine: 'podman'};
}

function vmFacts(extra: Partial<NodeFacts> = {}): NodeFacts {
	return {
		name: 'vm', target: 'ssh://root@127.0.0.1:10222', reachable: true, errors: [],
		processes: parsePs(vm('ps.txt')), containerd: null, cri: null, docker: null, podman: podmanFacts(),
		...extra,
	};
}

describe('conmon on the VM node (podman 5.8, conmon 2.1, crun 1.28)', () => {
	it('is a shim of kind conmon: its -c is the container, -r the OCI runtime, podman started it', () => {
		const shims = findShims(parsePs(vm('ps.txt')));
		const conmon = shims.find((s) => s.pid === box.conmonPid)!;
		expect(conmon).toMatchObject({kind: 'conmon', binary: 'conmon', version: 'v2', id: box.id, ociRuntime: 'crun', engine: 'podman', namespace: '', address: ''});
		expect(conmon.children).toEqual([box.pid]);
		// containerd's shims on the same node stay what they were.
		expect(shims.filter((s) => s.kind === 'containerd').map((s) => s.namespace).sort()).toEqual(['crimon-vm', 'moby', 'moby', 'moby']);
	});

	it("reads conmon's argv as /proc has it, the same as ps shows it", () => {
		const argv = vm('conmon/cmdline.txt').split('\n').filter((w) => w !== '');
		const shim = findShims([{pid: 7, ppid: 1, user: 'root', state: 'S', command: argv.join(' ')}])[0]!;
		expect(shim).toMatchObject({kind: 'conmon', id: box.id, ociRuntime: 'crun', engine: 'podman'});
	});

	it("names podman's API podman: its /version lists a Podman Engine; dockerd's does not", () => {
		expect(parseDockerVersion(JSON.parse(vm('podman/compat/version.json')))).toMatchObject({version: '5.8.6', podman: true});
		const docker = parseDockerVersion(JSON.parse(vm('docker/version.json')));
		expect(docker.version).toBe('28.5.2+dfsg4');
		expect(docker.podman).toBeUndefined();
	});

	it("puts podman's container under its conmon, seen by podman and named as podman names it", () => {
		const node = buildNodeSnapshot(vmFacts());
		expect(node.runtimes.podman).toEqual({address: '/run/podman/podman.sock', version: '5.8.6'});
		const container = node.containers.find((c) => c.id === box.id)!;
		expect(container).toMatchObject({name: box.name, namespace: null, pid: box.pid, shimPid: box.conmonPid, state: 'running'});
		expect(container.seenBy).toEqual({cri: false, containerd: false, docker: false, podman: true});
		const shim = node.shims.find((s) => s.pid === box.conmonPid)!;
		expect(shim.rssBytes).toBe(2220 * 1024);
		// A snapshot with conmon in it reads back as written.
		expect(() => validateSnapshot(JSON.parse(JSON.stringify({schema: 'crimon.snapshot/v1', takenAt: new Date(0).toISOString(), nodes: [node]})))).not.toThrow();
	});

	it('shows conmon in the process tree where the kernel put it, with the container under it, not under containerd', () => {
		const node = buildNodeSnapshot(vmFacts());
		const rows = buildProcessTree(node, {runtimeOnly: true});
		const conmon = rows.find((r) => r.process.pid === box.conmonPid)!;
		expect(conmon.role).toBe('shim');
		expect(conmon.depth).toBe(0);
		const init = rows.find((r) => r.process.pid === box.pid)!;
		expect(init.role).toBe('container');
		expect(init.container?.name).toBe(box.name);
		expect(rows.indexOf(init)).toBe(rows.indexOf(conmon) + 1);
	});

	it('labels the conmon row in the Processes view with its runtime and engine, not a containerd namespace', () => {
		const node = buildNodeSnapshot(vmFacts());
		const texts = processItems(node, true).map((item) => item.segments.map((s) => s.text).join(''));
		const row = texts.find((t) => t.startsWith('conmon crun podman'));
		expect(row).toBeDefined();
		expect(row).toContain(box.name);
		expect(texts.some((t) => t.startsWith('shim v2 moby'))).toBe(true);
	});

	it('shows conmon and its container outside containerd in the Namespaces view', () => {
		const node = buildNodeSnapshot(vmFacts());
		const items = namespaceItems(node);
		const texts = items.map((item) => item.segments.map((s) => s.text).join(''));
		const group = texts.findIndex((t) => t.startsWith('(outside containerd)'));
		expect(group).toBeGreaterThanOrEqual(0);
		expect(texts[group]).toContain('1 conmon');
		expect(texts[group + 1]).toMatch(new RegExp(`^conmon crun ${box.conmonPid} conmon ${box.name}`));
		expect(texts[group + 2]).toContain(box.name);
	});

	it('a podman-docker docker.sock is podman: named podman, not Docker', () => {
		const asDocker: DockerFacts = {...podmanFacts(), address: '/var/run/docker.sock'};
		const node = buildNodeSnapshot(vmFacts({podman: asDocker}));
		expect(node.runtimes.docker).toBeNull();
		expect(node.runtimes.podman).toEqual({address: '/var/run/docker.sock', version: '5.8.6'});
	});

	it('calls a conmon with no child over two polls leaked, with podman commands, not ctr', () => {
		const processes = parsePs(vm('ps.txt')).filter((p) => p.pid !== box.pid && p.ppid !== box.pid);
		const first = vmFacts({processes});
		const marks = healthMarks(first, findShims(processes));
		expect(marks.childlessShims).toContain(box.conmonPid);
		const once = buildNodeSnapshot(first).diagnosis!.findings.filter((f) => f.code === 'shim-leaked');
		expect(once).toEqual([]);
		const twice = buildNodeSnapshot(vmFacts({processes, health: {previous: marks, shimAddresses: [], events: []}})).diagnosis!.findings.filter((f) => f.code === 'shim-leaked');
		expect(twice).toHaveLength(1);
		expect(twice[0]!.message).toContain(`conmon pid ${box.conmonPid} serves container ${box.id} (${box.name})`);
		expect(twice[0]!.message).toContain(`podman ps -a --filter id=${box.id}`);
		expect(twice[0]!.message).not.toContain('ctr ');
	});
});

/** `ps aux` columns (no ppid: conmon daemonizes to pid 1, see the fixture README). */
function fromPsAux(text: string): ProcessInfo[] {
	return text.split('\n').filter((l) => l.trim() !== '').map((line) => {
		const f = line.trim().split(/\s+/);
		return {pid: Number(f[1]), ppid: 1, user: f[0]!, state: f[7]!, command: f.slice(10).join(' ')};
	});
}

describe("CRI-O's conmon (ps from cri-o/cri-o#6189, crictl shapes)", () => {
	const ID = '0eb77e3614f6dca1b13a1f57ad21168f38bc226c1cdad438346fa666468f3add';
	const processes: ProcessInfo[] = [
		{pid: 1, ppid: 0, user: 'root', state: 'Ss', command: '/sbin/init'},
		...fromPsAux(crio('ps-aux-cri-o-6189.txt')),
		{pid: 4230, ppid: 4202, user: 'root', state: 'Ssl', command: 'kube-scheduler --kubeconfig=/etc/kubernetes/scheduler.conf'},
	];
	const version = parseCrictlVersion(crio('crictl-version.txt'));
	const facts: NodeFacts = {
		name: 'crio-node', target: 'local', reachable: true, errors: [], processes, containerd: null, docker: null,
		cri: {
			info: {endpoint: 'unix:///var/run/crio/crio.sock', runtimeName: version.runtimeName, runtimeVersion: version.runtimeVersion, apiVersion: version.runtimeApiVersion},
			sandboxes: parseCrictlPods(crio('crictl-pods.json')),
			containers: parseCrictlContainers(crio('crictl-ps.json')),
		},
	};

	it('is a conmon started by CRI-O, driving crun', () => {
		const shim = findShims(processes).find((s) => s.pid === 4202)!;
		expect(shim).toMatchObject({kind: 'conmon', id: ID, engine: 'cri-o', ociRuntime: 'crun', children: [4230]});
	});

	it("joins the CRI's container to its conmon by id; the pod without a pause process has no sandbox pid", () => {
		const node = buildNodeSnapshot(facts);
		const container = node.containers.find((c) => c.id === ID)!;
		expect(container).toMatchObject({name: 'kube-scheduler', pid: 4230, shimPid: 4202, namespace: null, pod: {name: 'kube-scheduler-d', namespace: 'kube-system'}});
		expect(container.seenBy.cri).toBe(true);
		const pod = node.pods.find((p) => p.name === 'kube-scheduler-d')!;
		expect(pod.sandboxPid).toBeNull();
		expect(pod.containers).toEqual([ID]);
		// No pause process is no fault: no health finding about the sandbox or the conmon.
		expect(node.diagnosis!.findings.filter((f) => ['shim-leaked', 'task-without-shim', 'shim-duplicate'].includes(f.code))).toEqual([]);
		expect(node.diagnosis!.cri).toMatchObject({runtime: 'cri-o', how: 'probe'});
	});
});

describe("podman's CLI under --sudo (recorded on the VM node: podman version/ps --format json)", () => {
	it('reads the version and the containers as the API does', () => {
		expect(parsePodmanCliVersion(vm('podman/cli/podman-version.json'))).toEqual({version: '5.8.6'});
		const [container] = parsePodmanCliPs(vm('podman/cli/podman-ps.json'));
		const api = parseDockerContainers(JSON.parse(vm('podman/compat/containers-json.json')))[0]!;
		expect(container).toMatchObject({id: api.id, name: api.name, state: api.state, labels: api.labels});
		expect(parsePodmanCliPs('[]\n')).toEqual([]);
		expect(() => parsePodmanCliPs('{"Id": 1}')).toThrow(/JSON list/);
	});
});
