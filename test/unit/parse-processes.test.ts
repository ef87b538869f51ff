import {describe, expect, it} from 'vitest';
import {commandFromCmdline, parsePasswd, parseProcStat, parsePs, ProcessTableError} from '../../source/collect/parse-processes.js';

describe('parsePs', () => {
	it('reads pid, ppid, user, state and the full command line', () => {
		const out = [
			'      1       0 root                             Ss   /sbin/init splash',
			'   2931       1 root                             Sl   /usr/bin/containerd-shim-runc-v2 -namespace moby -id b958 -address /run/containerd/containerd.sock',
			'      2       0 root                             S    [kthreadd]',
			'', // trailing newline
		].join('\n');
		expect(parsePs(out)).toEqual([
			{pid: 1, ppid: 0, user: 'root', state: 'Ss', command: '/sbin/init splash'},
			{pid: 2931, ppid: 1, user: 'root', state: 'Sl', command: '/usr/bin/containerd-shim-runc-v2 -namespace moby -id b958 -address /run/containerd/containerd.sock'},
			{pid: 2, ppid: 0, user: 'root', state: 'S', command: '[kthreadd]'},
		]);
	});
	it('refuses lines that are not a process', () => {
		expect(() => parsePs('garbage here\n')).toThrow(ProcessTableError);
		expect(() => parsePs('')).toThrow(/no processes/);
	});
});

describe('parseProcStat', () => {
	it('finds ppid and state after a comm holding spaces and parentheses', () => {
		expect(parseProcStat('42 (evil) (x) 1) S 7 42 42 0 -1')).toEqual({pid: 42, comm: 'evil) (x) 1', state: 'S', ppid: 7, cpuTicks: 0, rssPages: 0});
	});
	it('gives null for garbage', () => {
		expect(parseProcStat('nonsense')).toBeNull();
		expect(parseProcStat('12 (x) ')).toBeNull();
	});
});

describe('commandFromCmdline', () => {
	it('joins NUL-separated argv and drops the trailing NUL', () => {
		expect(commandFromCmdline(Buffer.from('sleep\u00002147483647\u0000'), 'sleep')).toBe('sleep 2147483647');
	});
	it('shows a kernel thread as [comm]', () => {
		expect(commandFromCmdline(Buffer.alloc(0), 'kworker/0:1')).toBe('[kworker/0:1]');
	});
});

describe('parsePasswd', () => {
	it('maps uids to names, first entry wins', () => {
		const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\ntoor:x:0:0::/:/bin/sh\n#junk\n');
		expect(users.get(0)).toBe('root');
		expect(users.get(65534)).toBe('nobody');
	});
});
