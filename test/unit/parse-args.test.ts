import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../source/cli/parse-args.js';
import {parseDuration} from '../../source/util/duration.js';
import {ArgsError} from '../../source/util/usage-error.js';
import {helpText} from '../../source/cli/help-text.js';

describe('parseArgs', () => {
	it('defaults to the app on no nodes (local is resolved later)', () => {
		expect(parseArgs([])).toMatchObject({command: 'app', nodes: [], json: false});
	});
	it('reads snapshot with repeated nodes and sockets', () => {
		const args = parseArgs(['snapshot', '--json', '--node', 'local', '-n', 'ssh://ops@n3:2222', '--cri-socket=/var/run/crio/crio.sock']);
		expect(args).toMatchObject({command: 'snapshot', json: true, nodes: ['local', 'ssh://ops@n3:2222'], criSocket: '/var/run/crio/crio.sock'});
	});
	it('reads compare operands', () => {
		expect(parseArgs(['compare', 'local', 'ssh://n2', '--json'])).toMatchObject({command: 'compare', operands: ['local', 'ssh://n2'], json: true});
	});
	it('routes help for subcommands', () => {
		expect(parseArgs(['snapshot', '--help'])).toMatchObject({command: 'help', helpFor: 'snapshot'});
		expect(parseArgs(['--help'])).toMatchObject({command: 'help', helpFor: 'app'});
		expect(parseArgs(['help', 'compare'])).toMatchObject({command: 'help', helpFor: 'compare'});
	});
	it('gives one-line usage errors', () => {
		expect(() => parseArgs(['--bogus'])).toThrow(ArgsError);
		expect(() => parseArgs(['snapshot', '--node'])).toThrow('--node needs a value');
		expect(() => parseArgs(['compare', 'a'])).toThrow(/two nodes/);
		expect(() => parseArgs(['--json'])).toThrow(/snapshot/);
		expect(() => parseArgs(['--interval', 'soon'])).toThrow(/duration/);
		expect(() => parseArgs(['--concurrency', '0'])).toThrow(/at least 1/);
		expect(() => parseArgs(['snapshot', 'extra'])).toThrow(/unexpected argument/);
	});
	it('reads durations', () => {
		expect(parseDuration('2', '--interval')).toBe(2000);
		expect(parseDuration('500ms', '--interval')).toBe(500);
		expect(parseDuration('1.5s', '--interval')).toBe(1500);
		expect(parseDuration('1m', '--interval')).toBe(60000);
		expect(parseDuration('60m', '--timeout')).toBe(3_600_000);
		// As users write them (Go's and Prometheus's form), up to the 1h the help names.
		expect(parseDuration('1h', '--timeout')).toBe(3_600_000);
		expect(parseDuration('1m30s', '--timeout')).toBe(90_000);
		expect(parseDuration('250ms', '--timeout')).toBe(250);
		expect(parseDuration('2s500ms', '--timeout')).toBe(2500);
		expect(() => parseDuration('1h1s', '--timeout')).toThrow('--timeout must be at most 1h (60m), not "1h1s"');
		for (const bad of ['1d', 'h', '1 m', 'm30s', '30s1', '-1s']) expect(() => parseDuration(bad, '--timeout'), bad).toThrow(/wants a duration like 2s, 250ms, 1m30s or 1h/);
	});
	it('refuses absurd durations as a usage error: they would overflow timers and grpc-timeout', () => {
		for (const absurd of ['61m', '3601s', '100000000ms', '99999999999999999999', '1e9']) {
			expect(() => parseArgs(['snapshot', '--timeout', absurd]), absurd).toThrow(ArgsError);
		}
		expect(() => parseArgs(['--timeout', '2000m'])).toThrow('--timeout must be at most 1h (60m), not "2000m"');
		expect(() => parseArgs(['--interval', '90m'])).toThrow('--interval must be at most 1h (60m), not "90m"');
	});
	it('reads --format, --output, --from, --watch and serve --listen', () => {
		expect(parseArgs(['snapshot', '--format', 'prometheus', '-o', '/var/lib/node_exporter/crimon.prom'])).toMatchObject({command: 'snapshot', format: 'prometheus', output: '/var/lib/node_exporter/crimon.prom'});
		expect(parseArgs(['snapshot', '--json'])).toMatchObject({format: 'json', json: true});
		expect(parseArgs(['snapshot', '--format=json'])).toMatchObject({format: 'json'});
		expect(parseArgs(['snapshot', '--from', 'a.json', '--from', '-'])).toMatchObject({from: ['a.json', '-']});
		expect(parseArgs(['--from', 'a.json'])).toMatchObject({command: 'app', from: ['a.json']});
		expect(parseArgs(['snapshot', '--watch', '--json', '--interval', '5s'])).toMatchObject({watch: true, format: 'json', intervalMs: 5000});
		expect(parseArgs(['snapshot', '--watch', '--format', 'prometheus', '--output', 'x.prom'])).toMatchObject({watch: true, format: 'prometheus', output: 'x.prom'});
		expect(parseArgs(['serve', '--listen', '0.0.0.0:10274', '-n', 'local'])).toMatchObject({command: 'serve', listen: '0.0.0.0:10274', nodes: ['local']});
		expect(parseArgs(['serve', '--help'])).toMatchObject({command: 'help', helpFor: 'serve'});
	});
	it('refuses output flags where they do not apply', () => {
		expect(() => parseArgs(['snapshot', '--format', 'yaml'])).toThrow(/text, json or prometheus/);
		expect(() => parseArgs(['snapshot', '--json', '--format', 'text'])).toThrow(/contradict/);
		expect(() => parseArgs(['--format', 'json'])).toThrow(/for crimon snapshot/);
		expect(() => parseArgs(['compare', 'a', 'b', '--output', 'x'])).toThrow(/for crimon snapshot/);
		expect(() => parseArgs(['snapshot', '--watch'])).toThrow(/--json/);
		expect(() => parseArgs(['snapshot', '--watch', '--format', 'prometheus'])).toThrow(/--json|--output/);
		expect(() => parseArgs(['snapshot', '--watch', '--from', 'a.json', '--json'])).toThrow(/does not change/);
		expect(() => parseArgs(['snapshot', '--listen', ':1'])).toThrow(/for crimon serve/);
		expect(() => parseArgs(['serve', 'extra'])).toThrow(/unexpected argument/);
		expect(() => parseArgs(['--from', '-', '--from', '-'])).toThrow(/once/);
	});
	it('reads crimon events [--json] [--node …], and refuses what it does not take', () => {
		expect(parseArgs(['events'])).toMatchObject({command: 'events', json: false, nodes: []});
		expect(parseArgs(['events', '--json', '-n', 'local', '--node', 'ssh://n1'])).toMatchObject({command: 'events', json: true, nodes: ['local', 'ssh://n1']});
		expect(parseArgs(['events', '--help'])).toMatchObject({command: 'help', helpFor: 'events'});
		expect(helpText('events')).toContain('{node, at, namespace, topic, id, name, pod, pid, exitStatus, source}');
		expect(() => parseArgs(['events', 'extra'])).toThrow(/unexpected argument/);
		expect(() => parseArgs(['events', '--watch'])).toThrow(/for crimon snapshot/);
	});
});
