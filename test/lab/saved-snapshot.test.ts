/**
 * Saved snapshots against live nodes, and the NDJSON stream, on the real lab: a snapshot
 * saved with --output compared against this machine after a container of the test's own
 * appeared (and against the SSH lab node, another machine), and `snapshot --watch` read
 * line by line from the built CLI until it is interrupted.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {isTerminalSafe} from '../../source/render/terminal-text.js';
import {CLI, skipWithoutLab} from './lab-available.js';
import {mkTemp, waitFor} from './prometheus-lab.js';
import {makeHome, nodeKnownHostsLine, readSshNode, sshNodeStatus} from './ssh-lab.js';
import {parseComparison, parseSavedSnapshot} from '../support/schema-check.js';

const crimon = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 60_000, env: {...env, NO_COLOR: '1'}, maxBuffer: 64 * 1024 * 1024});
const ctr = (...args: string[]) => execFileSync('ctr', args, {encoding: 'utf8', timeout: 30_000});

// The lab's image in the lab's third namespace; the container is this test's own.
const NS = 'lab-other';
const IMAGE = 'docker.io/crimon-lab/busybox:1';
const ID = `crimon-saved-test-${process.pid}`;

function removeOwnContainer(): void {
	spawnSync('ctr', ['-n', NS, 'tasks', 'kill', '-s', 'SIGKILL', ID]);
	for (let i = 0; i < 20; i++) {
		if (spawnSync('ctr', ['-n', NS, 'tasks', 'rm', '-f', ID]).status !== 0) break;
	}
	spawnSync('ctr', ['-n', NS, 'containers', 'rm', ID]);
}

describe.skipIf(skipWithoutLab('lab: saved snapshots'))('lab: saved snapshots and the stream', () => {
	let dir: string;
	let before: string;

	beforeAll(() => {
		dir = mkTemp('crimon-saved-');
		before = path.join(dir, 'before.json');
		const save = crimon(['snapshot', '--json', '--output', before]);
		expect(save.stderr).toBe('');
		expect(save.status).toBe(0);
		ctr('-n', NS, 'run', '-d', IMAGE, ID, '/bin/sh', '-c', 'while :; do sleep 3600; done');
	});
	afterAll(() => {
		removeOwnContainer();
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('compares the saved file against this machine now: only the new container differs', () => {
		const saved = parseSavedSnapshot(fs.readFileSync(before, 'utf8'));
		const run = crimon(['compare', before, 'local', '--json']);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const doc = parseComparison(run.stdout);
		expect(doc.a.name).toBe(`${saved.nodes[0]!.name} @ before.json ${saved.takenAt.slice(0, 16).replace('T', ' ')}Z`);
		expect(doc.a.target).toBe(`file:${before}`);
		expect(doc.b.target).toBe('local');
		expect(doc.containers.onlyB.map((c) => c.key)).toContain(`${NS} · ${ID}`);
		expect(doc.containers.onlyA.map((c) => c.key)).not.toContain(`${NS} · ${ID}`);
		const shims = doc.shims.find((s) => s.namespace === NS)!;
		expect(shims.b.v2).toBe(shims.a.v2 + 1);
		expect(shims.b.v1).toBe(shims.a.v1);
		const text = crimon(['compare', before, 'local']);
		expect(text.status).toBe(0);
		expect(text.stdout).toMatch(/ @ before\.json \d{4}-\d\d-\d\d \d\d:\d\dZ on containerd/);
		expect(text.stdout).toContain(`only on ${saved.nodes[0]!.name}`);
		expect(text.stdout).toContain(`details: crimon snapshot --from ${before}; crimon snapshot --node local\n`);
		expect(isTerminalSafe(text.stdout.replace(/\n/g, ''))).toBe(true);
	});

	it.skipIf(!sshNodeStatus().up)('compares the saved file against another node, the SSH lab node', () => {
		const node = readSshNode();
		const home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
		try {
			const env: NodeJS.ProcessEnv = {...process.env, HOME: home};
			delete env.SSH_AUTH_SOCK;
			const run = crimon(['compare', before, `ssh://${node.alias}`, '--json'], env);
			expect(run.stderr).toBe('');
			expect(run.status).toBe(0);
			const doc = parseComparison(run.stdout);
			expect(doc.b.name).toBe(node.hostname);
			expect(doc.b.docker).toBeNull();
			expect(doc.a.docker).not.toBeNull();
			// dockershim's pod (from Docker's labels) is only in the saved picture of this machine.
			expect(doc.pods.onlyA.map((p) => p.key)).toContain('default/web');
			// The SSH node's CRI pod has the same namespace/name as this machine's: matched, on both.
			const shared = `${node.cri.sandbox.namespace}/${node.cri.sandbox.name}`;
			expect([...doc.pods.onlyA, ...doc.pods.onlyB].map((p) => p.key)).not.toContain(shared);
			expect(doc.pods.both).toBe(1);
			// The test's own container exists only now, so the saved side lacks it, and so does the other node.
			expect(doc.containers.onlyA.map((c) => c.key)).not.toContain(`${NS} · ${ID}`);
			expect(doc.containers.onlyB.map((c) => c.key)).not.toContain(`${NS} · ${ID}`);
		} finally {
			fs.rmSync(home, {recursive: true, force: true});
		}
	});

	it('--watch --json prints one whole document a line, a line a round, until interrupted', async () => {
		const child = spawn(process.execPath, [CLI, 'snapshot', '--watch', '--json', '--interval', '1500ms'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
		let stderr = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		try {
			const lines: string[] = [];
			const reader = readline.createInterface({input: child.stdout});
			reader.on('line', (line) => lines.push(line));
			await waitFor(`two lines (stderr: ${stderr})`, 20_000, () => (lines.length >= 2 ? true : undefined));
			const docs = lines.slice(0, 2).map((l) => parseSavedSnapshot(l));
			for (const doc of docs) {
				expect(doc.schema).toBe('crimon.snapshot/v1');
				expect(doc.nodes).toHaveLength(1);
				expect(doc.nodes[0]!.ok).toBe(true);
				expect(doc.nodes[0]!.containers.some((c) => c.id === ID)).toBe(true);
			}
			const gap = Date.parse(docs[1]!.takenAt) - Date.parse(docs[0]!.takenAt);
			// Rounds start --interval apart; takenAt is when a round's polls ended, so allow their jitter.
			expect(gap).toBeGreaterThanOrEqual(1000);
			expect(gap).toBeLessThan(4000);
			child.kill('SIGINT');
			expect(await exited).toBe(0);
			expect(stderr).toBe('');
		} finally {
			child.kill('SIGKILL');
		}
	});

	it('--watch --format prometheus --output rewrites the file atomically every round', async () => {
		const textfiles = path.join(dir, 'textfile');
		fs.mkdirSync(textfiles);
		const out = path.join(textfiles, 'crimon.prom');
		const child = spawn(process.execPath, [CLI, 'snapshot', '--watch', '--format', 'prometheus', '--output', out, '--interval', '300ms'], {stdio: ['ignore', 'pipe', 'pipe']});
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		try {
			const inodes = new Set<number>();
			await waitFor('three rewrites', 20_000, () => {
				const stat = fs.statSync(out, {throwIfNoEntry: false});
				if (stat) {
					inodes.add(stat.ino);
					// Never half a file: each read is a whole exposition.
					expect(fs.readFileSync(out, 'utf8')).toMatch(/^# HELP crimon_node_up [^]*# TYPE crimon_container_oom_kills_total counter\n/);
				}
				return inodes.size >= 3 ? true : undefined;
			});
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
			expect(fs.readdirSync(textfiles)).toEqual(['crimon.prom']);
			const check = spawnSync('promtool', ['check', 'metrics'], {input: fs.readFileSync(out), encoding: 'utf8'});
			if (!check.error) expect(check.stdout + check.stderr).toBe('');
		} finally {
			child.kill('SIGKILL');
		}
	});
});
