/**
 * Helpers for the SSH lab suites and the SSH benchmark: the second node that
 * test/lab/ssh-node-up.sh brings up, throwaway sshd instances on loopback ports (each with
 * its own host key, killed by pid), and a private HOME whose ~/.ssh/config and known_hosts
 * say how to reach them, so crimon reads them exactly as it reads an operator's.
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {CLI} from './lab-available.js';

export const SSH_LAB_DIR = process.env.CRIMON_SSH_LAB_DIR ?? '/tmp/crimon-ssh-lab';
export const SSH_NODE_JSON = path.join(SSH_LAB_DIR, 'node.json');

export interface SshNode {
	readonly host: string;
	readonly port: number;
	readonly alias: string;
	readonly hostname: string;
	readonly initPid: number;
	readonly users: {readonly root: string; readonly sudo: string; readonly nosudo: string};
	readonly keys: {readonly client: string; readonly encrypted: string; readonly stranger: string; readonly hostPublic: string};
	readonly knownHosts: string;
	readonly containerd: {readonly version: string; readonly socket: string};
	readonly cri: {
		readonly runtime: {readonly name: string; readonly version: string};
		readonly sandbox: {readonly id: string; readonly name: string; readonly namespace: string; readonly uid: string};
		readonly containers: Record<string, {readonly id: string}>;
	};
}

export function sshNodeStatus(): {up: boolean; reason: string} {
	if (process.getuid?.() !== 0) return {up: false, reason: 'the SSH lab needs root'};
	if (!fs.existsSync(SSH_NODE_JSON)) return {up: false, reason: `no ${SSH_NODE_JSON}: run bash test/lab/ssh-node-up.sh (as root)`};
	const node = readSshNode();
	if (!fs.existsSync(`/proc/${node.initPid}`)) return {up: false, reason: `the SSH node (pid ${node.initPid}) is gone: run bash test/lab/ssh-node-up.sh`};
	if (!fs.existsSync(CLI)) return {up: false, reason: `${CLI} is not built: run npx tsc -p tsconfig.json`};
	return {up: true, reason: ''};
}

/** For describe.skipIf; under CI (CRIMON_LAB_REQUIRED=1) a missing node fails instead. */
export function skipWithoutSshNode(suite: string): boolean {
	const status = sshNodeStatus();
	if (status.up) return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`${suite}: the SSH lab node is required here but ${status.reason}`);
	console.warn(`skipped ${suite}: ${status.reason}`);
	return true;
}

export function readSshNode(): SshNode {
	return JSON.parse(fs.readFileSync(SSH_NODE_JSON, 'utf8')) as SshNode;
}

/** Runs a command inside the node (its mount and pid namespaces): the node's own view. */
export function inNode(node: SshNode, argv: readonly string[]): string {
	return execFileSync('nsenter', ['--target', String(node.initPid), '--mount', '--uts', '--pid', '--', ...argv], {encoding: 'utf8', timeout: 30_000});
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

function childrenOf(pid: number): number[] {
	const out: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === pid) out.push(Number(entry));
		} catch {
			// Gone meanwhile.
		}
	}
	return out;
}

/** A pid and everything under it, parents first. */
export function processTree(pid: number): number[] {
	const out: number[] = [];
	const queue = [pid];
	while (queue.length > 0) {
		const next = queue.shift()!;
		if (!fs.existsSync(`/proc/${next}`)) continue;
		out.push(next);
		queue.push(...childrenOf(next));
	}
	return out;
}

export interface Sshd {
	readonly port: number;
	readonly dir: string;
	/** `[127.0.0.1]:port type base64`: the line known_hosts needs for this sshd. */
	readonly knownHostsLine: string;
	pid(): number;
	/** SIGSTOP the listener and every connection it serves: the node stops answering. */
	pause(): void;
	resume(): void;
	/** Kill the listener and its connections, then start again on the same port and key. */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

function waitForBanner(port: number, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const attempt = () => {
			const socket = net.connect({host: '127.0.0.1', port});
			let text = '';
			socket.on('data', (chunk) => {
				text += chunk.toString('latin1');
				if (text.startsWith('SSH-')) {
					socket.destroy();
					resolve();
				}
			});
			socket.on('error', () => {
				socket.destroy();
				if (Date.now() > deadline) reject(new Error(`sshd on port ${port} did not come up`));
				else setTimeout(attempt, 50);
			});
		};
		attempt();
	});
}

/**
 * An sshd on 127.0.0.1 of this machine (not in the node): root logs in with a key from
 * `authorizedKeys` (by default the lab node's, so the lab's client key works). The fault suites stop, restart and mistrust these; the node stays healthy.
 */
export async function startSshd(authorizedKeys: string = path.join(SSH_LAB_DIR, 'authorized_keys'), port?: number, insideNode?: number): Promise<Sshd> {
	const chosen = port ?? await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-sshd-'));
	execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'crimon-throwaway', '-f', path.join(dir, 'host_ed25519')]);
	fs.copyFileSync(authorizedKeys, path.join(dir, 'authorized_keys'));
	fs.writeFileSync(path.join(dir, 'sshd_config'), [
		`Port ${chosen}`,
		'ListenAddress 127.0.0.1',
		`HostKey ${path.join(dir, 'host_ed25519')}`,
		'PidFile none',
		`AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
		'StrictModes no',
		'PubkeyAuthentication yes',
		'PasswordAuthentication no',
		'KbdInteractiveAuthentication no',
		'PermitRootLogin prohibit-password',
		'UsePAM no',
		'AllowStreamLocalForwarding yes',
		'Subsystem sftp internal-sftp',
		'MaxStartups 100:30:200',
		'LogLevel ERROR',
		'',
	].join('\n'));
	// sshd's privilege separation directory; Debian's service makes it at boot.
	fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const hostKey = fs.readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
	// root logs in with /bin/sh and a home of its own, in a private mount namespace: this
	// machine's root profile (pyenv and friends) would add a tenth of a second to every
	// command, which no node crimon watches should be charged for.
	const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n')
		.map((line) => (line.startsWith('root:') ? `root:x:0:0:root:${dir}:/bin/sh` : line)).join('\n');
	fs.writeFileSync(path.join(dir, 'passwd'), passwd, {mode: 0o644});
	let child: ChildProcess;
	const launch = async () => {
		const argv = ['unshare', '--mount', '--', 'sh', '-c', 'mount --bind "$1" /etc/passwd && exec /usr/sbin/sshd -D -e -f "$2"', 'sh', path.join(dir, 'passwd'), path.join(dir, 'sshd_config')];
		// insideNode: the sshd runs in the lab node's namespaces, so it serves that node.
		const [file, ...args] = insideNode ? ['nsenter', '--target', String(insideNode), '--mount', '--pid', '--', ...argv] : argv;
		child = spawn(file!, args, {stdio: ['ignore', 'ignore', 'pipe']});
		child.stderr!.resume();
		await waitForBanner(chosen, 10_000);
	};
	const kill = async () => {
		const pids = processTree(child.pid!);
		for (const pid of pids) {
			try {
				process.kill(pid, 'SIGCONT');
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
		if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
	};
	await launch();
	return {
		port: chosen,
		dir,
		knownHostsLine: `[127.0.0.1]:${chosen} ${hostKey}`,
		pid: () => child.pid!,
		pause() {
			for (const pid of processTree(child.pid!)) process.kill(pid, 'SIGSTOP');
		},
		resume() {
			for (const pid of processTree(child.pid!)) process.kill(pid, 'SIGCONT');
		},
		async restart() {
			await kill();
			await launch();
		},
		async stop() {
			await kill();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

export interface HostEntry {
	readonly alias: string;
	readonly port: number;
	readonly user?: string;
	readonly identityFile?: string;
	readonly extra?: readonly string[];
}

/** A HOME with ~/.ssh/config naming `entries` (all on 127.0.0.1) and the given known_hosts lines. */
export function makeHome(node: SshNode, entries: readonly HostEntry[], knownHosts: readonly string[]): string {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-home-'));
	const sshDir = path.join(home, '.ssh');
	fs.mkdirSync(sshDir, {mode: 0o700});
	const lines: string[] = [];
	for (const entry of entries) {
		lines.push(`Host ${entry.alias}`, '\tHostName 127.0.0.1', `\tPort ${entry.port}`, `\tUser ${entry.user ?? 'root'}`);
		lines.push(`\tIdentityFile ${entry.identityFile ?? node.keys.client}`, '\tIdentitiesOnly yes');
		for (const extra of entry.extra ?? []) lines.push(`\t${extra}`);
	}
	fs.writeFileSync(path.join(sshDir, 'config'), lines.join('\n') + '\n');
	fs.writeFileSync(path.join(sshDir, 'known_hosts'), knownHosts.map((l) => `${l}\n`).join(''), {mode: 0o600});
	return home;
}

export function nodeKnownHostsLine(node: SshNode): string {
	return fs.readFileSync(node.knownHosts, 'utf8').trim().split('\n')[0]!;
}

export interface CliRun {
	readonly status: number | null;
	readonly stdout: string;
	readonly stderr: string;
	readonly ms: number;
}

/** `crimon ARGS` as a user runs it, with HOME pointing at a lab home and no ssh-agent. */
export function runCrimon(home: string, args: readonly string[], timeoutMs = 60_000): CliRun {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: home, NO_COLOR: '1'};
	delete env.SSH_AUTH_SOCK;
	const started = Date.now();
	// A snapshot of this machine can run to megabytes when it has thousands of processes.
	const result = spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: timeoutMs, env, maxBuffer: 256 * 1024 * 1024});
	return {status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started};
}

/**
 * A pid and mount namespace of the test's own (pid 1 a sleep), to serve with
 * startSshd(…, insideNode): a node whose process table holds only what the test starts
 * there, so a kubelet stand-in in it is seen by no other suite. Stopping it kills pid 1,
 * which ends everything inside.
 */
export async function startPrivateNamespace(): Promise<{pid: number; stop(): void}> {
	const child = spawn('unshare', ['--pid', '--mount', '--fork', '--mount-proc', '--', 'sleep', '2147483647'], {stdio: 'ignore'});
	let pid: number | undefined;
	for (let i = 0; i < 100 && pid === undefined; i++) {
		pid = processTree(child.pid!)[1];
		if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
	}
	if (pid === undefined) throw new Error('unshare started no namespace');
	const init = pid;
	return {
		pid: init,
		stop() {
			try {
				process.kill(init, 'SIGKILL');
			} catch {
				// Gone already.
			}
		},
	};
}
