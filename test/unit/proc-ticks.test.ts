/**
 * CPU ticks in the SSH process-table command: recorded on the SSH lab node
 * (test/fixtures/ssh-ticks/README.md), read with the local /proc/PID/stat parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {splitPsNetns} from '../../source/collect/netns-script.js';
import {parsePs} from '../../source/collect/parse-processes.js';
import {ProcessTableReader} from '../../source/collect/process-table.js';
import {splitProcTicks, TICKS_MARK} from '../../source/collect/proc-ticks-script.js';
import type {ExecResult, Transport} from '../../source/transport/transport.js';

const RECORDED = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'ssh-ticks', 'ps-netns-ticks.txt'), 'utf8');

describe('the CPU ticks after the SSH process table', () => {
	it('reads the node uptime and every process CPU time to the tick, and leaves ps and the namespaces as they were', () => {
		const {before, ticks} = splitProcTicks(RECORDED);
		// The mark is a line of its own (ps shows it inside the script's own command line, too).
		expect(before.split('\n')).not.toContain(TICKS_MARK);
		expect(ticks!.uptimeMs).toBe(13_731_550);
		// containerd: utime 1594 + stime 1184 ticks; ps says 00:00:27 for it.
		expect(ticks!.byPid.get(15)).toBeCloseTo(27.78, 6);
		expect(ticks!.byPid.get(90)).toBe(0);
		const {ps, netns} = splitPsNetns(before, 0);
		const listed = parsePs(ps);
		expect(listed.find((p) => p.pid === 15)?.cpuSeconds).toBe(27);
		// Every process ps listed has its stat line, but ps itself (gone before cat ran).
		expect(listed.filter((p) => !ticks!.byPid.has(p.pid)).map((p) => p.command)).toEqual(['ps -eo pid=,ppid=,user:64=,stat=,cputime=,rss=,args= -ww']);
		expect(netns!.byPid.get(15)).toBe('4026531833');
	});

	it('has no ticks without its mark or with an uptime that is not a number', () => {
		const {before} = splitProcTicks(RECORDED);
		expect(splitProcTicks(before)).toEqual({before, ticks: null});
		expect(splitProcTicks(`${before}${TICKS_MARK}\ngarbage\n1 (x) S 0 0 0 0 -1 0 0 0 0 0 5 5\n`).ticks).toBeNull();
		// No uptime line at all: a stat line is no clock.
		expect(splitProcTicks(`${before}${TICKS_MARK}\n1 (x) S 0 0 0 0 -1 0 0 0 0 0 5 5\n`).ticks).toBeNull();
	});

	it('takes a rate over SSH only between two answers of the same precision', async () => {
		const {before} = splitProcTicks(RECORDED);
		// The second answer: the same node 2.5 s of uptime later, containerd 0.75 s of CPU further on.
		const later = RECORDED.replace('13731.55 10048.13', '13734.05 10049.00').replace(/^15 \(containerd\) (.*) 1594 1184 /m, '15 (containerd) $1 1632 1221 ');
		const answers = [before, RECORDED, later];
		const transport: Transport = {
			kind: 'ssh', target: 'ssh://recorded',
			connect: async () => {},
			hostname: async () => 'recorded',
			connectUnix: async () => {
				throw new Error('not here');
			},
			exec: async (): Promise<ExecResult> => ({stdout: Buffer.from(answers.shift()!), stderr: '', exitCode: 0}),
			readFile: async () => Buffer.alloc(0),
			close: async () => {},
		};
		let now = 0;
		const reader = new ProcessTableReader(transport, 30_000, () => (now += 2000));
		await reader.read({timeoutMs: 1000, maxBytes: 1 << 20});
		// ps's whole seconds, then ticks: no rate between the two.
		const second = await reader.read({timeoutMs: 1000, maxBytes: 1 << 20});
		expect(second.find((p) => p.pid === 15)).toMatchObject({cpuSeconds: 27.78, cpuCores: null});
		const third = await reader.read({timeoutMs: 1000, maxBytes: 1 << 20});
		// On the node's own clock: 0.75 s of CPU over 2.5 s of uptime, whatever this machine's clock said.
		expect(third.find((p) => p.pid === 15)?.cpuCores).toBeCloseTo(0.3, 6);
	});
});
