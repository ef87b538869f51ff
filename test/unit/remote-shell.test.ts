/**
 * The one place a fixed argv becomes the string SSH carries (quoteForRemoteShell), and how
 * a command is named in messages, checked against real shells.
 */
import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {SUDO_COMMANDS} from '../../source/collect/sudo-cli.js';
import {quoteForRemoteShell} from '../../source/transport/ssh-transport.js';
import {commandLabel, TransportError} from '../../source/transport/transport.js';

describe('commandLabel', () => {
	it('names the tool a command runs, past env assignments and sudo flags', () => {
		expect(commandLabel(['ps', '-eo', 'pid='])).toBe('ps');
		expect(commandLabel(SUDO_COMMANDS.dockerPs('unix:///var/run/docker.sock'))).toBe('sudo docker');
		expect(commandLabel(['env', 'A=1', 'B=2', 'ctr', 'version'])).toBe('ctr');
		expect(commandLabel(['sudo', '-n'])).toBe('sudo');
	});
});

describe('quoteForRemoteShell', () => {
	const hostile = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '; rm -rf /', '"quoted"', '\\', '*', '{{json .}}', '', '-n', '!x', 'é', "'", "''"];
	const shells = ['sh', 'bash', 'dash'].filter((shell) => {
		try {
			execFileSync('sh', ['-c', `command -v ${shell}`]);
			return true;
		} catch {
			return false;
		}
	});

	it.each(shells)('gives %s back every word exactly, nothing expanded or split', (shell) => {
		const command = quoteForRemoteShell(['printf', '%s\\0', ...hostile]);
		const out = execFileSync(shell, ['-c', command]);
		expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(hostile);
	});

	it('leaves plain words readable', () => {
		expect(quoteForRemoteShell(['ps', '-eo', 'pid=,ppid=,user:64=,stat=,args=', '-ww'])).toBe('ps -eo pid=,ppid=,user:64=,stat=,args= -ww');
		expect(quoteForRemoteShell(['docker', '--format', '{{json .}}'])).toBe("docker --format '{{json .}}'");
	});

	it('refuses words no fixed command has: NUL and line breaks', () => {
		expect(() => quoteForRemoteShell(['echo', 'a\nb'])).toThrow(TransportError);
		expect(() => quoteForRemoteShell(['echo', 'a\0b'])).toThrow(TransportError);
		expect(() => quoteForRemoteShell([])).toThrow(TransportError);
	});

	it('lets no node-given name into a sudo command unless containerd itself would allow it', () => {
		expect(SUDO_COMMANDS.ctrContainers('/run/containerd/containerd.sock', 'k8s.io')).toEqual(
			['env', 'LC_ALL=C', 'sudo', '-n', 'ctr', '--address', '/run/containerd/containerd.sock', '--namespace', 'k8s.io', 'containers', 'ls'],
		);
		for (const bad of ['$(id)', '-h', 'a b', 'a;b', '']) {
			expect(() => SUDO_COMMANDS.ctrTasks('/run/containerd/containerd.sock', bad)).toThrow(/not a containerd identifier/);
			expect(() => SUDO_COMMANDS.ctrInfo('/run/containerd/containerd.sock', 'k8s.io', bad)).toThrow(/not a containerd identifier/);
		}
	});
});
