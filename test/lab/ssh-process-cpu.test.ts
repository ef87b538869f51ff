/**
 * Per-process %CPU over SSH has its fractions, as locally: a process on the SSH lab node
 * that burns about a third of a core (busy 30 ms, asleep 70 ms) is measured by crimon's
 * SSH process table within a few hundredths of a core of what this machine's kernel counts
 * for it over the same polls. ps alone (whole seconds of CPU) could only say 0 or 0.5 over
 * a 2 s interval.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProcessTableReader} from '../../source/collect/process-table.js';
import {createTransportFactory} from '../../source/session/open-node.js';
import type {Transport} from '../../source/transport/transport.js';
import {makeHome, nodeKnownHostsLine, processTree, readSshNode, skipWithoutSshNode} from './ssh-lab.js';

const BURN = 'use Time::HiRes qw(time sleep); $0 = "crimon-ssh-cpu-burner"; for (;;) { my $until = time + 0.03; 1 while time < $until; sleep 0.07 }';

/** utime + stime of a process as this machine's kernel counts it, in seconds. */
function hostCpuSeconds(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe.skipIf(skipWithoutSshNode('lab: ssh process cpu'))('lab: per-process CPU over a real sshd, to the tick', () => {
	let home: string;
	let burner: ChildProcess;
	let hostPid: number;
	let nodePid: number;
	let transport: Transport;

	beforeAll(async () => {
		const node = readSshNode();
		home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
		burner = spawn('nsenter', ['--target', String(node.initPid), '--pid', '--mount', '--', 'perl', '-e', BURN], {stdio: 'ignore'});
		for (let i = 0; i < 50 && !nodePid; i++) {
			for (const pid of processTree(burner.pid!)) {
				const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
				const nspids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
				if (nspids.length > 1 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('crimon-ssh-cpu-burner')) {
					hostPid = pid;
					nodePid = Number(nspids[nspids.length - 1]);
				}
			}
			if (!nodePid) await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const factory = createTransportFactory({ssh: {home, userConfig: path.join(home, '.ssh', 'config'), systemConfig: null, env: {}}, timeoutMs: 10_000});
		transport = factory({target: node.alias}).transport;
		await transport.connect();
	});

	afterAll(async () => {
		await transport?.close();
		if (burner?.pid) for (const pid of processTree(burner.pid).reverse()) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Gone already.
			}
		}
		if (home) fs.rmSync(home, {recursive: true, force: true});
	});

	it('shows a fractional share of a core, close to what the kernel counts', async () => {
		expect(nodePid).toBeGreaterThan(0);
		const reader = new ProcessTableReader(transport);
		const options = {timeoutMs: 10_000, maxBytes: 64 * 1024 * 1024};
		await reader.read(options);
		const startCpu = hostCpuSeconds(hostPid);
		const startAt = performance.now();
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const table = await reader.read(options);
		const truth = (hostCpuSeconds(hostPid) - startCpu) / ((performance.now() - startAt) / 1000);
		const seen = table.find((p) => p.pid === nodePid);
		expect(seen?.command).toContain('crimon-ssh-cpu-burner');
		// Its CPU time to the tick, not ps's whole seconds.
		expect(seen?.cpuSeconds).toBeCloseTo(hostCpuSeconds(hostPid), 0);
		expect(truth).toBeGreaterThan(0.05);
		expect(truth).toBeLessThan(0.45);
		expect(Math.abs(seen!.cpuCores! - truth)).toBeLessThan(0.05);
	});
});
