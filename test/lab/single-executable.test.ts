/**
 * The single executable (npm run build:sea → build/crimon-linux-x64) on a node with no
 * Node.js: a chroot holding only the binary, the shared libraries `ldd` names, and what a
 * node has anyway (its /proc, /sys, the runtimes' sockets, an ~/.ssh of its own). Inside it
 * `crimon snapshot --json` reads this machine's real containerd, CRI and Docker, and the SSH
 * lab node over sshd. Mounts are made in a private mount namespace (unshare), so they end
 * with the command and never touch the host's.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {labStatus, readLab, REPO_ROOT} from './lab-available.js';
import {readSshNode, sshNodeStatus} from './ssh-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const SEA = path.join(REPO_ROOT, 'build', 'crimon-linux-x64');

function skip(): boolean {
	const lab = labStatus();
	const reason = !lab.up ? lab.reason : !fs.existsSync(SEA) ? `no ${SEA}: run npm run build:sea` : spawnSync('sh', ['-c', 'command -v unshare chroot ldd']).status !== 0 ? 'unshare, chroot or ldd missing' : '';
	if (reason === '') return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`lab: single executable: required here but ${reason}`);
	console.warn(`skipped lab: single executable: ${reason}`);
	return true;
}

describe.skipIf(skip())('lab: the single executable on a node without Node.js', () => {
	let root = '';
	beforeAll(() => {
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-door-sea-'));
		fs.copyFileSync(SEA, path.join(root, 'crimon'));
		fs.chmodSync(path.join(root, 'crimon'), 0o755);
		// Exactly the libraries the binary links (and the loader), at the paths it asks for.
		for (const line of execFileSync('ldd', [SEA], {encoding: 'utf8'}).split('\n')) {
			const lib = /(\/\S+) \(0x/.exec(line)?.[1];
			if (!lib) continue;
			fs.mkdirSync(path.join(root, path.dirname(lib)), {recursive: true});
			fs.copyFileSync(lib, path.join(root, lib));
		}
		for (const dir of ['proc', 'sys', 'run/containerd', 'var/run', 'tmp', 'root/.ssh', 'etc']) fs.mkdirSync(path.join(root, dir), {recursive: true});
		fs.writeFileSync(path.join(root, 'var/run/docker.sock'), '');
		fs.writeFileSync(path.join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
		if (sshNodeStatus().up) {
			const node = readSshNode();
			fs.copyFileSync(node.keys.client, path.join(root, 'root/.ssh/id_ed25519'));
			fs.chmodSync(path.join(root, 'root/.ssh/id_ed25519'), 0o600);
			fs.copyFileSync(node.knownHosts, path.join(root, 'root/.ssh/known_hosts'));
			fs.writeFileSync(path.join(root, 'root/.ssh/config'), `Host node01\n\tHostName ${node.host}\n\tPort ${node.port}\n\tUser root\n\tIdentityFile /root/.ssh/id_ed25519\n\tIdentitiesOnly yes\n`);
		}
	});
	afterAll(() => {
		if (root) fs.rmSync(root, {recursive: true, force: true});
	});

	/** Runs the binary inside the chroot, with the node's own /proc, /sys and sockets bound in. */
	function inChroot(args: readonly string[]): {status: number | null; stdout: string; stderr: string} {
		const mounts = [
			'mount --bind /proc "$R/proc"',
			'mount --rbind /sys "$R/sys"',
			'mount --bind /run/containerd "$R/run/containerd"',
			'mount --bind /var/run/docker.sock "$R/var/run/docker.sock"',
		].join(' && ');
		const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && exec chroot "$R" /crimon "$@"`, 'sh', ...args], {
			encoding: 'utf8',
			// PATH is for unshare, mount and chroot outside; inside the chroot none of it exists.
			env: {R: root, PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root'},
			timeout: 60_000,
		});
		return {status: run.status, stdout: run.stdout, stderr: run.stderr};
	}

	it('has nothing of Node.js beside it: one file and the libraries it links', () => {
		const files = execFileSync('find', [root, '-type', 'f'], {encoding: 'utf8'}).split('\n').filter(Boolean).map((f) => path.relative(root, f));
		expect(files.filter((f) => /node/.test(path.basename(f)))).toEqual([]);
		expect(files.filter((f) => !f.startsWith('lib') && !f.startsWith('usr/lib') && !f.startsWith('root/.ssh') && f !== 'crimon' && f !== 'etc/hosts' && f !== 'var/run/docker.sock')).toEqual([]);
		const version = inChroot(['--version']);
		expect(version.stdout).toBe(`crimon ${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
	});

	it('crimon snapshot --json reads the node: its processes and the lab\'s containers through containerd, the CRI and Docker', () => {
		const run = inChroot(['snapshot', '--json']);
		expect(run.status, run.stderr).toBe(0);
		const node = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(node).toMatchObject({ok: true, target: 'local', errors: []});
		expect(node.processes.length).toBeGreaterThan(10);
		const lab = readLab<{containerd: {version: string}; containers: Record<string, {id: string}>}>();
		expect(node.runtimes.containerd?.version).toBe(lab.containerd.version);
		const ids = new Set(node.containers.map((c) => c.id));
		for (const key of ['plain', 'criApp', 'ctrV1']) expect(ids.has(lab.containers[key]!.id), key).toBe(true);
	});

	it.skipIf(!sshNodeStatus().up)('crimon snapshot --node node01 reaches an SSH node from it (ssh2 without its native binding)', () => {
		const run = inChroot(['snapshot', '--json', '--node', 'node01']);
		expect(run.status, run.stderr).toBe(0);
		const node = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(node).toMatchObject({ok: true, target: 'ssh://node01', name: 'node01'});
		expect(node.containers.map((c) => c.id)).toContain(readSshNode().cri.containers.app!.id);
	});

	it('says the monitor is not in the single file, with what to run instead, and exits 2', () => {
		const run = inChroot([]);
		expect(run.status).toBe(2);
		expect(run.stderr).toMatch(/^crimon: the monitor is not in this single-file build: .*crimon snapshot/);
	});
});
