import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {parseArgs} from '../../source/cli/parse-args.js';
import {ConfigError, defaultConfigPath, loadConfig, parseConfig} from '../../source/config/config-file.js';
import {UsageError} from '../../source/util/usage-error.js';
import {resolveNodes} from '../../source/cli/resolve-nodes.js';

const EXAMPLE = `
interval: 3s
timeout: 4s
concurrency: 4
sudo: false
nodes:
  - local
  - ssh://node01
  - name: edge-3
    target: ssh://ops@node03.example.net:2222
    sudo: true
    interval: 10s
    timeout: 8s
    containerd-socket: /run/k3s/containerd/containerd.sock
    cri-socket: unix:///run/k3s/containerd/containerd.sock
    docker-socket: /var/run/docker.sock
`;

describe('parseConfig', () => {
	it('reads nodes and settings', () => {
		expect(parseConfig(EXAMPLE, 'c.yaml')).toEqual({
			file: 'c.yaml', intervalMs: 3000, timeoutMs: 4000, concurrency: 4, sudo: false,
			nodes: [
				{target: 'local'},
				{target: 'ssh://node01'},
				{
					name: 'edge-3', target: 'ssh://ops@node03.example.net:2222', sudo: true, intervalMs: 10_000, timeoutMs: 8000,
					containerdSocket: '/run/k3s/containerd/containerd.sock', criSocket: 'unix:///run/k3s/containerd/containerd.sock', dockerSocket: '/var/run/docker.sock',
				},
			],
		});
		expect(parseConfig('', 'empty.yaml')).toMatchObject({nodes: [], intervalMs: null});
		expect(parseConfig('interval: 2', 'c.yaml').intervalMs).toBe(2000);
	});

	it.each([
		['intervall: 2s', /^c\.yaml:1: intervall: unknown key "intervall"/],
		['nodes:\n  - target: local\n    sudoo: true', /^c\.yaml:3: nodes\[0\]\.sudoo: unknown key "sudoo"/],
		['nodes:\n  - name: x', /^c\.yaml:2: nodes\[0\] has no target/],
		['nodes:\n  - ssh://a b', /^c\.yaml:2: nodes\[0\]: .*whitespace/],
		['nodes:\n  - http://x', /^c\.yaml:2: .*only ssh:\/\//],
		['nodes: local', /^c\.yaml:1: nodes wants a list/],
		['interval: soon', /^c\.yaml:1: interval .*duration/],
		['interval: 2s\ntimeout: 100000', /^c\.yaml:2: timeout must be at most 1h/],
		['nodes:\n  - target: local\n    timeout: 2d', /^c\.yaml:3: nodes\[0\]\.timeout .*duration/],
		['concurrency: 0', /^c\.yaml:1: concurrency/],
		['sudo: yes please', /^c\.yaml:1: sudo wants true or false/],
		['nodes:\n  - target: local\n    docker-socket: docker.sock', /^c\.yaml:3: .*absolute socket path/],
		['- just\n- a list', /^c\.yaml:1: the top level must be a mapping/],
		['a: [unclosed', /^c\.yaml:1: not valid YAML/],
		['interval: 2s\ninterval: 3s', /^c\.yaml:2: not valid YAML/],
	])('refuses %j with the file and line it is on', (source, message) => {
		expect(() => parseConfig(source, 'c.yaml')).toThrow(ConfigError);
		expect(() => parseConfig(source, 'c.yaml')).toThrow(message);
	});

	it('config errors are usage errors (exit status 2)', () => {
		expect(() => parseConfig('bogus: 1', 'c.yaml')).toThrow(UsageError);
	});
});

describe('finding and applying the config file', () => {
	let home: string;
	beforeEach(() => {
		home = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-config-'));
	});
	afterEach(() => {
		fs.rmSync(home, {recursive: true, force: true});
	});
	const writeDefault = (text: string) => {
		const file = path.join(home, '.config', 'crimon', 'config.yaml');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, text);
		return file;
	};

	it('looks in $XDG_CONFIG_HOME, else ~/.config', () => {
		expect(defaultConfigPath({XDG_CONFIG_HOME: '/xdg'}, '/home/op')).toBe('/xdg/crimon/config.yaml');
		expect(defaultConfigPath({}, '/home/op')).toBe('/home/op/.config/crimon/config.yaml');
		expect(defaultConfigPath({XDG_CONFIG_HOME: 'relative'}, '/home/op')).toBe('/home/op/.config/crimon/config.yaml');
	});

	it('reads the default file only when it exists; --config must exist', () => {
		expect(loadConfig(null, {}, home)).toBeNull();
		expect(() => loadConfig(path.join(home, 'nope.yaml'), {}, home)).toThrow(/no config file at/);
		writeDefault(EXAMPLE);
		expect(loadConfig(null, {}, home)?.nodes).toHaveLength(3);
	});

	it('watches the config\'s nodes when no --node is given, flags winning over its settings', async () => {
		writeDefault(EXAMPLE);
		const resolved = await resolveNodes(parseArgs(['--interval', '5s']), {}, home);
		expect(resolved.specs.map((s) => s.target)).toEqual(['local', 'ssh://node01', 'ssh://ops@node03.example.net:2222']);
		expect(resolved).toMatchObject({intervalMs: 5000, timeoutMs: 4000, concurrency: 4});
		expect(resolved.specs[2]).toMatchObject({name: 'edge-3', sudo: true, intervalMs: 10_000});
		expect(resolved.specs[1]!.sudo).toBeUndefined();
	});

	it('gives a --node naming a config node that node\'s settings', async () => {
		writeDefault(EXAMPLE);
		const resolved = await resolveNodes(parseArgs(['--node', 'edge-3', '--node', 'ssh://node01', '--node', 'ssh://other']), {}, home);
		expect(resolved.specs).toEqual([
			expect.objectContaining({name: 'edge-3', target: 'ssh://ops@node03.example.net:2222', sudo: true}),
			{target: 'ssh://node01', sudo: undefined},
			{target: 'ssh://other', sudo: undefined},
		]);
	});

	it('watches local with neither --node nor a config; --sudo reaches every node', async () => {
		expect((await resolveNodes(parseArgs([]), {}, home)).specs).toEqual([{target: 'local'}]);
		const flagged = await resolveNodes(parseArgs(['--sudo', '--node', 'ssh://a']), {}, home);
		expect(flagged.specs).toEqual([{target: 'ssh://a', sudo: true}]);
	});
});
