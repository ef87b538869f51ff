import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {hostPatternsMatch, parseProxyJump, resolveSshConfig, SshConfigError, tokenizeLine, wildcardMatch} from '../../source/targets/ssh-config.js';

let home: string;
const write = (rel: string, text: string) => {
	const file = path.join(home, rel);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, text);
	return file;
};
const resolve = (host: string, overrides: {user?: string | null; port?: number | null} = {}, system: string | null = null) =>
	resolveSshConfig(host, overrides, {home, systemConfig: system, localUser: 'me', env: {HOME: home, SSH_AUTH_SOCK: '/tmp/agent.sock', LAB: 'lab'}});

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-sshcfg-'));
});
afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('tokenizeLine', () => {
	it('reads Keyword value, Keyword=value, quoted arguments and comments', () => {
		expect(tokenizeLine('  HostName node01.example.net')).toEqual({keyword: 'hostname', args: ['node01.example.net']});
		expect(tokenizeLine('Port=2222')).toEqual({keyword: 'port', args: ['2222']});
		expect(tokenizeLine('User = ops')).toEqual({keyword: 'user', args: ['ops']});
		expect(tokenizeLine('IdentityFile "~/keys/my key"')).toEqual({keyword: 'identityfile', args: ['~/keys/my key']});
		expect(tokenizeLine('Host a b # trailing comment')).toEqual({keyword: 'host', args: ['a', 'b']});
		expect(tokenizeLine('# just a comment')).toBeNull();
		expect(tokenizeLine('   ')).toBeNull();
	});
});

describe('Host patterns', () => {
	it('match with * and ? case-insensitively', () => {
		expect(wildcardMatch('node*', 'node01')).toBe(true);
		expect(wildcardMatch('node??', 'node01')).toBe(true);
		expect(wildcardMatch('node?', 'node01')).toBe(false);
		expect(wildcardMatch('*.EXAMPLE.net', 'a.example.NET')).toBe(true);
		expect(wildcardMatch('*', '')).toBe(true);
		expect(wildcardMatch('a*b*c', 'aXXbYYc')).toBe(true);
		expect(wildcardMatch('a*b*c', 'aXXbYY')).toBe(false);
	});

	it('let any negated match veto the line', () => {
		expect(hostPatternsMatch(['*.example.net', '!bastion.example.net'], 'node.example.net')).toBe(true);
		expect(hostPatternsMatch(['*.example.net', '!bastion.example.net'], 'bastion.example.net')).toBe(false);
		expect(hostPatternsMatch(['!bastion'], 'node')).toBe(false);
	});
});

describe('resolveSshConfig', () => {
	it('honours what ssh honours, the first value obtained winning', () => {
		write('.ssh/config', `
Host node01
	HostName 10.0.0.1
	User ops
	Port 2222
	IdentityFile ~/.ssh/node01_ed25519
	UserKnownHostsFile ~/.ssh/lab_known_hosts /etc/ssh/lab_known_hosts
	ProxyJump bastion
	ConnectTimeout 7
	ServerAliveInterval 15
	ServerAliveCountMax 2

Host node*
	User someone-else
	Port 22
	IdentityFile ~/.ssh/fleet

Host *
	User fallback
	IdentityFile %d/.ssh/id_%r_%h
`);
		const config = resolve('node01');
		expect(config).toMatchObject({
			alias: 'node01', hostname: '10.0.0.1', user: 'ops', port: 2222,
			proxyJump: [{host: 'bastion', user: null, port: null}],
			connectTimeoutMs: 7000, serverAliveIntervalMs: 15_000, serverAliveCountMax: 2, identityFilesExplicit: true,
		});
		// IdentityFile accumulates, in order; tokens use the final user and host name.
		expect(config.identityFiles).toEqual([
			path.join(home, '.ssh/node01_ed25519'), path.join(home, '.ssh/fleet'), path.join(home, '.ssh/id_ops_10.0.0.1'),
		]);
		expect(config.userKnownHostsFiles).toEqual([path.join(home, '.ssh/lab_known_hosts'), '/etc/ssh/lab_known_hosts']);
		expect(config.identityAgent).toBe('/tmp/agent.sock');
	});

	it('lets the target\'s own user and port win, as ssh user@host and -p do', () => {
		write('.ssh/config', 'Host node01\n\tUser ops\n\tPort 2222\n');
		expect(resolve('node01', {user: 'root', port: 22})).toMatchObject({user: 'root', port: 22});
	});

	it('falls back to ssh\'s defaults', () => {
		const config = resolve('plain.example.net');
		expect(config).toMatchObject({
			hostname: 'plain.example.net', user: 'me', port: 22, proxyJump: [], connectTimeoutMs: null,
			serverAliveIntervalMs: 0, serverAliveCountMax: 3, identityFilesExplicit: false, hashKnownHosts: false, acceptNew: false,
		});
		expect(config.identityFiles).toContain(path.join(home, '.ssh/id_ed25519'));
		expect(config.userKnownHostsFiles).toEqual([path.join(home, '.ssh/known_hosts'), path.join(home, '.ssh/known_hosts2')]);
		expect(config.globalKnownHostsFiles).toEqual(['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
	});

	it('matches Host against the name as typed, not the HostName it maps to', () => {
		write('.ssh/config', 'Host web\n\tHostName %h.internal.example.net\nHost *.internal.example.net\n\tUser wrong\n');
		expect(resolve('web')).toMatchObject({hostname: 'web.internal.example.net', user: 'me'});
	});

	it('skips a negated host', () => {
		write('.ssh/config', 'Host * !bastion\n\tProxyJump bastion\n');
		expect(resolve('node01').proxyJump).toEqual([{host: 'bastion', user: null, port: null}]);
		expect(resolve('bastion').proxyJump).toEqual([]);
	});

	it('reads Include files where they stand, relative to ~/.ssh, with globs', () => {
		write('.ssh/conf.d/10-lab.conf', 'Host lab-*\n\tUser labber\n\tPort 42022\n');
		write('.ssh/conf.d/20-other.conf', 'Host lab-1\n\tUser too-late\n');
		write('.ssh/config', 'Include conf.d/*.conf\nHost *\n\tUser default\n');
		expect(resolve('lab-1')).toMatchObject({user: 'labber', port: 42022});
		expect(resolve('elsewhere')).toMatchObject({user: 'default'});
	});

	it('reads an Include inside a Host block only for that host', () => {
		write('.ssh/special.conf', 'User special\n');
		write('.ssh/config', 'Host special\n\tInclude special.conf\n');
		expect(resolve('special').user).toBe('special');
		expect(resolve('other').user).toBe('me');
	});

	it('reads the system config after the user\'s', () => {
		write('.ssh/config', 'Host a\n\tUser mine\n');
		const system = write('etc/ssh_config', 'Host *\n\tUser system\n\tPort 2200\n\tHashKnownHosts yes\n\tStrictHostKeyChecking accept-new\n');
		expect(resolve('a', {}, system)).toMatchObject({user: 'mine', port: 2200, hashKnownHosts: true, acceptNew: true});
	});

	it('expands ${VAR}, IdentityAgent and HostKeyAlias', () => {
		write('.ssh/config', 'Host a\n\tIdentityFile ${HOME}/${LAB}/key\n\tIdentityAgent none\n\tHostKeyAlias shared-name\n');
		expect(resolve('a')).toMatchObject({identityFiles: [path.join(home, 'lab/key')], identityAgent: null, hostKeyAlias: 'shared-name'});
	});

	it('does not evaluate Match blocks, and says so', () => {
		write('.ssh/config', 'Match host a exec "true"\n\tUser matched\nHost *\n\tUser normal\n');
		const config = resolve('a');
		expect(config.user).toBe('normal');
		expect(config.notes[0]).toMatch(/Match blocks are not evaluated/);
	});

	it('refuses ProxyCommand rather than connecting some other way', () => {
		write('.ssh/config', 'Host a\n\tProxyCommand nc %h %p\n');
		expect(() => resolve('a')).toThrow(SshConfigError);
		expect(() => resolve('a')).toThrow(/ProxyCommand/);
	});

	it('refuses bad values with the keyword named', () => {
		write('.ssh/config', 'Host a\n\tPort ssh\nHost b\n\tConnectTimeout soon\nHost c\n\tIdentitiesOnly maybe\n');
		expect(() => resolve('a')).toThrow(/Port "ssh"/);
		expect(() => resolve('b')).toThrow(/ConnectTimeout/);
		expect(() => resolve('c')).toThrow(/IdentitiesOnly/);
	});
});

describe('parseProxyJump', () => {
	it('reads hops in order, with users, ports, ssh:// and brackets', () => {
		expect(parseProxyJump('ops@bastion:2222,ssh://root@[fd00::1]:22,inner')).toEqual([
			{host: 'bastion', user: 'ops', port: 2222},
			{host: 'fd00::1', user: 'root', port: 22},
			{host: 'inner', user: null, port: null},
		]);
		expect(parseProxyJump('none')).toEqual([]);
	});

	it('refuses hops that look like options', () => {
		expect(() => parseProxyJump('-oProxyCommand=evil')).toThrow(SshConfigError);
		expect(() => parseProxyJump('a:b')).toThrow(SshConfigError);
	});
});
