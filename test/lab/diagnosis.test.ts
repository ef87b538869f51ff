/**
 * The diagnosis on the real lab, through the built CLI as a user runs it. The lab has no
 * real kubelet (none can run here): test/lab/fake-kubelet.sh starts a stand-in whose
 * /proc/PID/cmdline carries a real kubelet's flags, one at a time, and this file kills
 * each one it started (by its pid) after its test. crimon itself never starts or stops
 * anything. What the diagnosis must name is checked against the runtimes' own tools:
 * docker inspect and ctr for the mounts, ps for the v1 shims.
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Diagnosis, NodeSnapshot} from '../../source/schema/types.js';
import {makeHome, nodeKnownHostsLine, readSshNode, runCrimon, skipWithoutSshNode} from './ssh-lab.js';
import {CLI, readLab, REPO_ROOT, skipWithoutLab} from './lab-available.js';
import {parseComparison, parseSavedSnapshot} from '../support/schema-check.js';

const FAKE_KUBELET = path.join(REPO_ROOT, 'test', 'lab', 'fake-kubelet.sh');
const FLAGS_ENV = '/var/lib/kubelet/kubeadm-flags.env';
const CONTAINERD = 'unix:///run/containerd/containerd.sock';
const run = (file: string, args: string[]) => execFileSync(file, args, {encoding: 'utf8', timeout: 30_000});

interface Lab {
	readonly containers: Record<string, {id: string; name: string; namespace: string}>;
	readonly pods: Record<string, {name: string; namespace: string}>;
}

/** The CLI must be the code under test: rebuild when any source is newer than dist (npm test builds first, so this rarely runs). */
function ensureBuilt(): void {
	const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
	let newest = 0;
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (/\.tsx?$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
		}
	};
	for (const dir of ['source', 'views', 'hooks']) if (fs.existsSync(path.join(REPO_ROOT, dir))) walk(path.join(REPO_ROOT, dir));
	newest = Math.max(newest, fs.statSync(path.join(REPO_ROOT, 'cli.tsx')).mtimeMs);
	if (newest > built) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], {cwd: REPO_ROOT, stdio: 'inherit', timeout: 180_000});
}

function kubeletPids(): number[] {
	return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
		try {
			const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/)[0] ?? '';
			return path.basename(argv0) === 'kubelet';
		} catch {
			return false;
		}
	});
}

function snapshotJson(): {node: NodeSnapshot; status: number | null} {
	const result = spawnSync('node', [CLI, 'snapshot', '--json'], {encoding: 'utf8', timeout: 60_000});
	if (result.status === null) throw new Error(`crimon snapshot did not finish: ${result.stderr}`);
	const snapshot = parseSavedSnapshot(result.stdout);
	return {node: snapshot.nodes[0]!, status: result.status};
}

const codes = (d: Diagnosis) => d.findings.map((f) => f.code);
const findingOf = (d: Diagnosis, code: string) => {
	const found = d.findings.find((f) => f.code === code);
	if (!found) throw new Error(`no ${code} finding; got ${codes(d).join(', ') || 'none'}`);
	return found;
};

/** Every container whose mounts reach docker.sock, by the runtimes' own accounts. */
function containersMountingDockerSock(): Set<string> {
	const reaches = (source: string) => {
		const p = source.replace(/\/+$/, '').replace(/^\/var\/run(?=\/|$)/, '/run');
		return p === '/run/docker.sock' || p === '/run';
	};
	const ids = new Set<string>();
	const dockerIds = run('/usr/bin/docker', ['ps', '-aq', '--no-trunc']).trim().split('\n').filter(Boolean);
	for (const id of dockerIds) {
		const mounts = JSON.parse(run('/usr/bin/docker', ['inspect', '--format', '{{json .Mounts}}', id])) as {Source: string}[];
		if (mounts.some((m) => reaches(m.Source))) ids.add(id);
	}
	for (const ns of run('ctr', ['namespaces', 'ls', '-q']).trim().split('\n').filter(Boolean)) {
		for (const id of run('ctr', ['-n', ns, 'containers', 'ls', '-q']).trim().split('\n').filter(Boolean)) {
			const info = JSON.parse(run('ctr', ['-n', ns, 'containers', 'info', id])) as {Spec?: {mounts?: {source?: string; type?: string}[]}};
			if ((info.Spec?.mounts ?? []).some((m) => m.type === 'bind' || m.type === undefined ? reaches(m.source ?? '') : false)) ids.add(id);
		}
	}
	return ids;
}

describe.skipIf(skipWithoutLab('lab: diagnosis'))('lab: which runtime really runs this node', () => {
	let lab: Lab;
	let tmp: string;
	let kubelet: ChildProcess | null = null;
	const cleanups: (() => void)[] = [];

	beforeAll(() => {
		ensureBuilt();
		lab = readLab<Lab>();
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-diagnosis-'));
		fs.writeFileSync(path.join(tmp, 'config.yaml'), 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\n');
		const others = kubeletPids();
		if (others.length > 0) throw new Error(`a kubelet already runs here (pid ${others.join(', ')}); these tests need a node whose only kubelet is the stand-in they start`);
	});

	afterEach(async () => {
		if (kubelet) {
			const child = kubelet;
			kubelet = null;
			if (child.exitCode === null && child.signalCode === null) {
				const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
				child.kill('SIGTERM');
				await exited;
			}
		}
		while (cleanups.length > 0) cleanups.pop()!();
	});

	afterAll(() => {
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
	});

	/** Starts the stand-in and waits until its cmdline reads as a kubelet's. */
	async function startKubelet(flags: string[]): Promise<number> {
		const child = spawn('bash', [FAKE_KUBELET, ...flags], {stdio: 'ignore'});
		kubelet = child;
		const pid = child.pid!;
		for (let i = 0; i < 100; i++) {
			const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
			if (cmdline.startsWith('/usr/bin/kubelet ')) return pid;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		throw new Error('the stand-in kubelet did not come up');
	}

	const kubeadmBase = () => ['--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf', `--config=${path.join(tmp, 'config.yaml')}`];

	it('without a kubelet: the probed CRI, kubeadm\'s two picks, every Docker-socket mount and every v1 shim', () => {
		const {node, status} = snapshotJson();
		expect(status).toBe(0);
		const d = node.diagnosis!;
		expect(d.kubelet).toBeNull();
		expect(d.cri).toMatchObject({endpoint: CONTAINERD, runtime: 'containerd', how: 'probe', answers: true, answering: [CONTAINERD]});
		expect(d.cri.kubeadm!.map((p) => [p.rules, p.runtime])).toEqual([['1.14-1.23', 'dockershim'], ['1.24+', 'containerd']]);

		const mounted = findingOf(d, 'docker-sock-mounted');
		const named = new Set(mounted.subjects.filter((s) => s.kind === 'container').map((s) => s.id));
		expect(named).toEqual(containersMountingDockerSock());
		expect(named).toContain(lab.containers.dockerSock!.id);
		expect(named).toContain(lab.containers.criSidecar!.id);
		expect(mounted.subjects).toContainEqual(expect.objectContaining({kind: 'pod', name: lab.pods.cri!.name, namespace: lab.pods.cri!.namespace}));

		const v1FromPs = run('ps', ['-eo', 'args=', '-ww']).split('\n')
			.filter((line) => /^(\S*\/)?containerd-shim\s/.test(line))
			.map((line) => /-workdir\s+(\S+)/.exec(line)![1]!.split('/').pop());
		expect(v1FromPs).toContain('lab-v1-box');
		expect(findingOf(d, 'shim-v1').subjects.map((s) => s.id).sort()).toEqual([...v1FromPs].sort());
		expect(findingOf(d, 'kubernetes-in-moby').subjects).toContainEqual(expect.objectContaining({kind: 'pod', name: lab.pods.dockershim!.name}));
		expect(codes(d)).not.toContain('dockershim-in-use');
	});

	it('a dockershim kubelet of 1.20 (--container-runtime=docker): dockershim, and its socket does not answer', async () => {
		const pid = await startKubelet([...kubeadmBase(), '--container-runtime=docker', '--network-plugin=cni', '--pod-infra-container-image=k8s.gcr.io/pause:3.2']);
		const {node, status} = snapshotJson();
		expect(status).toBe(0);
		const d = node.diagnosis!;
		expect(d.kubelet).toMatchObject({pid, containerRuntime: 'docker', endpoint: 'unix:///var/run/dockershim.sock', configFile: path.join(tmp, 'config.yaml'), version: null});
		// The stand-in is perl, not a packaged kubelet: no version, and crimon says why.
		expect(d.kubelet!.versionNote).toMatch(/dpkg/);
		expect(d.cri).toMatchObject({runtime: 'dockershim', how: 'kubelet', answers: false});
		expect(findingOf(d, 'dockershim-in-use')).toMatchObject({severity: 'warn', subjects: [expect.objectContaining({kind: 'kubelet', id: String(pid)})]});
		expect(findingOf(d, 'dockershim-in-use').message).toMatch(/gone from Kubernetes 1\.24/);
		expect(findingOf(d, 'cri-unreachable').severity).toBe('error');
		// The pods still come from the socket that answers; no source failed.
		expect(node.runtimes.cri?.endpoint).toBe(CONTAINERD);
		expect(node.errors).toEqual([]);

		const text = spawnSync('node', [CLI, 'snapshot'], {encoding: 'utf8', timeout: 60_000}).stdout;
		expect(text).toContain('Diagnosis — dockershim (from the kubelet)');
		expect(text).toMatch(/WARN {2}dockershim-in-use/);
	});

	it('a containerd kubelet (--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock)', async () => {
		const pid = await startKubelet([...kubeadmBase(), '--container-runtime=remote', '--container-runtime-endpoint=unix:///run/containerd/containerd.sock']);
		const d = snapshotJson().node.diagnosis!;
		expect(d.kubelet).toMatchObject({pid, containerRuntime: 'remote', endpoint: CONTAINERD, endpointSource: 'flags'});
		expect(d.cri).toMatchObject({runtime: 'containerd', how: 'kubelet', endpoint: CONTAINERD, answers: true});
		expect(codes(d)).not.toContain('dockershim-in-use');
		expect(codes(d)).not.toContain('cri-unreachable');
		expect(findingOf(d, 'kubernetes-in-moby').message).toMatch(/no kubelet manages/);
		expect(codes(d)).toEqual(expect.arrayContaining(['docker-sock-mounted', 'shim-v1']));
	});

	it('the endpoint from /var/lib/kubelet/kubeadm-flags.env', async (ctx) => {
		if (fs.existsSync(FLAGS_ENV)) {
			console.warn(`skipped: ${FLAGS_ENV} already exists here and is not this test's to replace`);
			ctx.skip();
		}
		if (!fs.existsSync(path.dirname(FLAGS_ENV))) {
			fs.mkdirSync(path.dirname(FLAGS_ENV), {recursive: true});
			cleanups.push(() => fs.rmSync(path.dirname(FLAGS_ENV), {recursive: true, force: true}));
		}
		fs.writeFileSync(FLAGS_ENV, 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock --pod-infra-container-image=k8s.gcr.io/pause:3.6"\n');
		cleanups.push(() => fs.rmSync(FLAGS_ENV, {force: true}));
		const pid = await startKubelet(kubeadmBase());
		const d = snapshotJson().node.diagnosis!;
		expect(d.kubelet).toMatchObject({pid, endpoint: CONTAINERD, endpointSource: 'kubeadm-flags.env', containerRuntime: 'remote'});
		expect(d.cri).toMatchObject({runtime: 'containerd', answers: true});
	});

	it('kubeadm-flags.env already switched to containerd while the running kubelet is still on docker: restart pending', async (ctx) => {
		if (fs.existsSync(FLAGS_ENV)) ctx.skip();
		if (!fs.existsSync(path.dirname(FLAGS_ENV))) {
			fs.mkdirSync(path.dirname(FLAGS_ENV), {recursive: true});
			cleanups.push(() => fs.rmSync(path.dirname(FLAGS_ENV), {recursive: true, force: true}));
		}
		fs.writeFileSync(FLAGS_ENV, 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n');
		cleanups.push(() => fs.rmSync(FLAGS_ENV, {force: true}));
		await startKubelet([...kubeadmBase(), '--container-runtime=docker', '--network-plugin=cni']);
		const d = snapshotJson().node.diagnosis!;
		expect(d.cri.runtime).toBe('dockershim');
		expect(findingOf(d, 'kubelet-restart-pending').message).toMatch(/restart/);
	});

	it('the endpoint from containerRuntimeEndpoint in the --config file', async () => {
		const config = path.join(tmp, 'kubelet-config.yaml');
		fs.writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n');
		const pid = await startKubelet(['--kubeconfig=/etc/kubernetes/kubelet.conf', `--config=${config}`]);
		const d = snapshotJson().node.diagnosis!;
		expect(d.kubelet).toMatchObject({pid, endpoint: CONTAINERD, endpointSource: 'config', configFile: config});
		expect(d.cri).toMatchObject({runtime: 'containerd', how: 'kubelet', answers: true});
	});

	it('crimon compare local local: both reached, the same runtime, nothing on one side only', () => {
		const result = spawnSync('node', [CLI, 'compare', 'local', 'local', '--json'], {encoding: 'utf8', timeout: 60_000});
		expect(result.status).toBe(0);
		const doc = parseComparison(result.stdout);
		expect(doc.schema).toBe('crimon.compare/v1');
		expect(doc.headline).toMatch(/ \(A\) on containerd \(no kubelet\) vs .* \(B\) on containerd \(no kubelet\)$/);
		expect(doc.pods.onlyA).toEqual([]);
		expect(doc.pods.onlyB).toEqual([]);
		expect(doc.pods.both).toBeGreaterThanOrEqual(2);
		expect(doc.shims.find((s) => s.namespace === 'lab-other')).toMatchObject({a: {v1: 1}, b: {v1: 1}});
		const text = spawnSync('node', [CLI, 'compare', 'local', 'local'], {encoding: 'utf8', timeout: 60_000});
		expect(text.status).toBe(0);
		expect(text.stdout).toMatch(/only on .* \(A\) \(0\)/);
	});

	// The second lab node (test/lab/ssh-node-up.sh: its own containerd with a CRI pod of
	// its own, no Docker) against this one, over a real sshd.
	it.skipIf(skipWithoutSshNode('lab: compare over ssh'))('crimon compare local vs the SSH lab node: names what runs on one side only', () => {
		const node2 = readSshNode();
		const home = makeHome(node2, [{alias: node2.alias, port: node2.port}], [nodeKnownHostsLine(node2)]);
		try {
			const result = runCrimon(home, ['compare', 'local', `ssh://${node2.alias}`, '--json']);
			expect(result.status).toBe(0);
			const doc = parseComparison(result.stdout);
			expect(doc.b).toMatchObject({name: node2.alias, ok: true, docker: null, runtime: 'containerd'});
			// Docker's containers and the dockershim-style pod exist only on this machine.
			expect(doc.pods.onlyA.map((p) => p.key)).toContain(`${lab.pods.dockershim!.namespace}/${lab.pods.dockershim!.name}`);
			expect(doc.containers.onlyA.map((c) => c.key)).toContain(`moby · ${lab.containers.dockerSock!.name}`);
			expect(doc.shims.find((s) => s.namespace === 'moby')).toMatchObject({b: {v1: 0, v2: 0}});
			const text = runCrimon(home, ['compare', 'local', `ssh://${node2.alias}`]);
			expect(text.status).toBe(0);
			expect(text.stdout).toContain(`vs ${node2.alias} on containerd`);
		} finally {
			fs.rmSync(home, {recursive: true, force: true});
		}
	});
});
