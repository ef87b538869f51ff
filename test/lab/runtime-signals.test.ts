/**
 * Signals that tell the truth, from the built CLI on this machine: a reached node whose
 * runtimes all fail is said to be so (a finding, runtimeStates in the JSON, exit 1,
 * crimon_runtime_up 0), a runtime not there at all has no series, and a saved snapshot
 * read back with --from exits as the live run that saved it did. The failing runtimes are
 * a real unix socket that accepts and hangs up at once (what a wedged daemon's socket does),
 * given with the socket flags, so the shared lab's daemons are left alone.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, skipWithoutLab} from './lab-available.js';

const cli = (args: readonly string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 60_000, input});

describe.skipIf(skipWithoutLab('lab: runtime signals'))('signals that tell the truth (built CLI)', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-fleet-signals-'));
	const dead = path.join(dir, 'dead.sock');
	const server = net.createServer((socket) => socket.destroy());
	const deadFlags = ['--containerd-socket', dead, '--cri-socket', dead, '--docker-socket', dead];

	beforeAll(() => new Promise<void>((resolve) => server.listen(dead, resolve)));
	afterAll(() => {
		server.close();
		fs.rmSync(dir, {recursive: true, force: true});
	});

	it('a reached node with no runtime answering: exit 1, a finding, runtimeStates, and --from exits the same', () => {
		const live = cli(['snapshot', '--json', ...deadFlags]);
		expect(live.status, live.stderr).toBe(1);
		const document = JSON.parse(live.stdout) as {nodes: {ok: boolean; runtimeStates: unknown; diagnosis: {findings: {code: string; severity: string}[]}}[]};
		const [node] = document.nodes;
		expect(node!.ok).toBe(true);
		expect(node!.runtimeStates).toMatchObject({containerd: 'failing', cri: 'failing', docker: 'failing'});
		expect(node!.diagnosis.findings[0]).toMatchObject({code: 'no-runtime-answering', severity: 'error'});
		const text = cli(['snapshot', '--no-color', ...deadFlags]);
		expect(text.status).toBe(1);
		expect(text.stdout).toMatch(/ERROR no-runtime-answering: The node answers but none of its runtimes does \(containerd, cri and docker failing; see errors\)/);
		const file = path.join(dir, 'dead.json');
		fs.writeFileSync(file, live.stdout);
		expect(cli(['snapshot', '--from', file]).status).toBe(1);
	});

	it('crimon_runtime_up: 1 answering, 0 failing, no series for a runtime not installed', () => {
		const answering = cli(['snapshot', '--format', 'prometheus']);
		expect(answering.status, answering.stderr).toBe(0);
		for (const runtime of ['containerd', 'cri', 'docker']) expect(answering.stdout).toMatch(new RegExp(`^crimon_runtime_up\\{node="[^"]+",runtime="${runtime}"\\} 1$`, 'm'));
		const mixed = cli(['snapshot', '--format', 'prometheus', '--containerd-socket', dead, '--docker-socket', path.join(dir, 'no-such.sock')]);
		expect(mixed.stdout).toMatch(/^crimon_runtime_up\{node="[^"]+",runtime="containerd"\} 0$/m);
		expect(mixed.stdout).toMatch(/^crimon_runtime_up\{node="[^"]+",runtime="cri"\} 1$/m);
		expect(mixed.stdout).not.toMatch(/runtime="docker"\} /);
		expect(mixed.stdout).toMatch(/^crimon_node_up\{node="[^"]+"\} 1$/m);
		// The CRI answers, so something on the node can be seen: not the no-runtime case.
		expect(mixed.status).toBe(0);
	});

	it('a saved snapshot holding an unreachable node exits 1 when read back, as the live run did', () => {
		const live = cli(['snapshot', '--json', '--node', 'local', '--node', 'ssh://127.0.0.1:1']);
		expect(live.status).toBe(1);
		const file = path.join(dir, 'down.json');
		fs.writeFileSync(file, live.stdout);
		expect(cli(['snapshot', '--from', file]).status).toBe(1);
		expect(cli(['snapshot', '--from', '-', '--format', 'prometheus'], live.stdout).status).toBe(1);
		const ok = cli(['snapshot', '--json']);
		expect(ok.status).toBe(0);
		fs.writeFileSync(file, ok.stdout);
		expect(cli(['snapshot', '--from', file]).status).toBe(0);
	});
});
