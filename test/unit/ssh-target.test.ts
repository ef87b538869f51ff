import {describe, expect, it} from 'vitest';
import {parseTarget, TargetError} from '../../source/targets/target.js';

describe('parseTarget', () => {
	it('reads local, ssh:// URLs and bare aliases', () => {
		expect(parseTarget('local')).toEqual({kind: 'local', canonical: 'local'});
		expect(parseTarget('ssh://node01')).toEqual({kind: 'ssh', host: 'node01', user: null, port: null, canonical: 'ssh://node01'});
		expect(parseTarget('ssh://ops@node03.example.net:2222')).toEqual({
			kind: 'ssh', host: 'node03.example.net', user: 'ops', port: 2222, canonical: 'ssh://ops@node03.example.net:2222',
		});
		expect(parseTarget('SSH://node01/')).toMatchObject({host: 'node01', canonical: 'ssh://node01'});
		expect(parseTarget('crimon-node2')).toMatchObject({kind: 'ssh', host: 'crimon-node2', canonical: 'ssh://crimon-node2'});
		expect(parseTarget('ops@node01')).toMatchObject({host: 'node01', user: 'ops', canonical: 'ssh://ops@node01'});
	});

	it('reads IPv6 addresses in brackets', () => {
		expect(parseTarget('ssh://[fd00::1]:2222')).toMatchObject({host: 'fd00::1', port: 2222, canonical: 'ssh://[fd00::1]:2222'});
		expect(parseTarget('ssh://root@[::1]')).toMatchObject({host: '::1', user: 'root', port: null});
	});

	it.each([
		['', /empty/],
		['http://node01', /only ssh:\/\//],
		['ssh://node01/path', /no path/],
		['ssh://node01:0', /port/],
		['ssh://node01:65536', /port/],
		['ssh://node01:ssh', /port/],
		['ssh://fd00::1', /brackets/],
		['ssh://-oProxyCommand=evil', /not a host/],
		['ssh://-l@node01', /not a user/],
		['-node01', /not a host/],
		['node01:2222', /ssh:\/\/host:port/],
		['node 01', /whitespace/],
		['ssh://node\n01', /whitespace/],
		['ssh://@node01', /not a user/],
		['ssh://ops@', /names no host/],
	])('refuses %j', (text, message) => {
		expect(() => parseTarget(text)).toThrow(TargetError);
		expect(() => parseTarget(text)).toThrow(message);
	});
});
