import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseSnapshotText} from '../../source/snapshot-file/parse-snapshot.js';
import {classifyOperand, pickNode, savedNode} from '../../source/snapshot-file/saved-nodes.js';
import {SnapshotProblem} from '../../source/snapshot-file/snapshot-problem.js';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {isTerminalSafe} from '../../source/render/terminal-text.js';
import {metricsSnapshot} from '../support/metrics-fixtures.js';
import {parseComparison, parseSavedSnapshot} from '../support/schema-check.js';

const CLI = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const good = () => renderSnapshotJson(metricsSnapshot());

function problem(text: string): string {
	try {
		parseSnapshotText(text);
	} catch (error) {
		if (error instanceof SnapshotProblem) return error.message;
		throw error;
	}
	throw new Error('no problem found');
}

describe('reading a saved snapshot', () => {
	it('takes back what crimon snapshot --json wrote, usage and unknown fields kept', () => {
		const snapshot = parseSnapshotText(good());
		expect(snapshot.nodes.map((n) => n.name)).toEqual(metricsSnapshot().nodes.map((n) => n.name));
		// Usage a file lacks reads as null (not measured); everything else is as written.
		const written = JSON.parse(good()) as {nodes: {containers: {usage?: unknown}[]; pods: {usage?: unknown}[]}[]};
		for (const node of written.nodes) for (const item of [...node.containers, ...node.pods]) item.usage ??= null;
		expect(JSON.parse(renderSnapshotJson(snapshot))).toEqual(written);
		expect(snapshot.nodes[0]!.containers.filter((c) => (c as {usage?: unknown}).usage !== null)).toHaveLength(2);
	});

	it('fills fields added within v1 when an older file lacks them', () => {
		const doc = JSON.parse(good());
		for (const node of doc.nodes) {
			delete node.diagnosis;
			for (const c of node.containers) {
				delete c.labels;
				delete c.mounts;
				delete c.podId;
			}
			for (const p of node.pods) delete p.state;
		}
		const snapshot = parseSnapshotText(JSON.stringify(doc));
		expect(snapshot.nodes[0]!.diagnosis).toBeNull();
		expect(snapshot.nodes[0]!.containers[0]!.labels).toEqual({});
		expect(snapshot.nodes[0]!.containers[0]!.mounts).toEqual([]);
		expect(snapshot.nodes[0]!.pods[0]!.state).toBe('');
		// Usage saved before some of its figures existed reads them as null (not measured).
		const partial = JSON.parse(good());
		partial.nodes[0].containers[0].usage = {cpuSeconds: 1};
		expect(parseSnapshotText(JSON.stringify(partial)).nodes[0]!.containers[0]!.usage).toMatchObject({cpuSeconds: 1, memoryBytes: null, oomKills: null, pids: null});
	});

	it('says what is wrong, in one line', () => {
		const text = good();
		expect(problem('')).toMatch(/^empty/);
		expect(problem(text.slice(0, 500))).toMatch(/^truncated JSON/);
		expect(problem(text.slice(0, text.length - 3))).toMatch(/^truncated JSON/);
		expect(problem('{"schema": "crimon.snapshot/v1",\n  "takenAt": 1,}')).toBe('not JSON: a syntax error at line 2, column 16');
		expect(problem('{"schema": "crimon.snapshot/v1",\n  "takenAt": x}')).toMatch(/^not JSON: a syntax error at "x" \(line 2, column 14\)/);
		expect(problem('[1, 2]')).toMatch(/^not a crimon snapshot: the JSON is an array/);
		expect(problem('{"kind": "List"}')).toMatch(/^not a crimon snapshot: no "schema"/);
		expect(problem('{"schema": "crimon.compare/v1"}')).toMatch(/^not a crimon snapshot: a "crimon.compare\/v1" document/);
		expect(problem('{"schema": "crimon.snapshot/v2", "takenAt": "2030-01-01T00:00:00Z", "nodes": []}')).toMatch(/^schema "crimon.snapshot\/v2" is newer than this crimon reads \(crimon.snapshot\/v1\)/);
		expect(problem('{"schema": "crimon.snapshot/vX"}')).toMatch(/^unknown snapshot schema/);
		expect(problem('{"schema": "crimon.snapshot/v1", "takenAt": "yesterday", "nodes": []}')).toMatch(/^takenAt: want a date/);
		const doc = JSON.parse(text);
		doc.nodes[1].containers[0].pid = 'one';
		expect(problem(JSON.stringify(doc))).toBe('nodes[1].containers[0].pid: want a whole number, not a string');
		delete doc.nodes[0].shims;
		expect(problem(JSON.stringify(doc))).toBe('nodes[0].shims is missing');
		// A field that may be null is told what it should have been; a label key is escaped in the path.
		const nullable = JSON.parse(text);
		nullable.nodes[0].runtimes.cri = 'x';
		expect(problem(JSON.stringify(nullable))).toBe('nodes[0].runtimes.cri: want an object, not a string');
		const label = JSON.parse(text);
		label.nodes[0].containers[0].labels = {'evil\u001b[2J': 7};
		expect(problem(JSON.stringify(label))).toBe('nodes[0].containers[0].labels.evil\\x1b[2J: want a string, not a number');
	});

	it('refuses words crimon writes itself when they carry anything else, and never repeats hostile text raw', () => {
		const doc = JSON.parse(good());
		doc.nodes[0].diagnosis.findings[0].code = 'x\u001b[2J';
		expect(problem(JSON.stringify(doc))).toMatch(/^nodes\[0\]\.diagnosis\.findings\[0\]\.code: want a word/);
		const doc2 = JSON.parse(good());
		doc2.nodes[0].diagnosis.findings[0].severity = 'panic';
		expect(problem(JSON.stringify(doc2))).toMatch(/severity: want one of error, warn, info/);
		const evil = problem(JSON.stringify({schema: 'evil\u001b]0;OWNED\u0007\u202e'}));
		expect(isTerminalSafe(evil)).toBe(true);
		expect(evil).toContain('\\x1b]0;OWNED');
	});
});

describe('compare operands', () => {
	const isFile = (p: string) => p === 'existing';
	it('tells files from nodes', () => {
		expect(classifyOperand('local', isFile)).toEqual({kind: 'node', target: 'local'});
		expect(classifyOperand('ssh://n1', isFile)).toEqual({kind: 'node', target: 'ssh://n1'});
		expect(classifyOperand('node01', isFile)).toEqual({kind: 'node', target: 'node01'});
		expect(classifyOperand('before.json', isFile)).toEqual({kind: 'file', file: 'before.json', node: null});
		expect(classifyOperand('existing', isFile)).toEqual({kind: 'file', file: 'existing', node: null});
		expect(classifyOperand('-', isFile)).toEqual({kind: 'file', file: '-', node: null});
		expect(classifyOperand('fleet.json#node07', isFile)).toEqual({kind: 'file', file: 'fleet.json', node: 'node07'});
	});
	it('takes the one node of a file, or the one named', () => {
		const loaded = {file: 'fleet.json', snapshot: metricsSnapshot()};
		expect(() => pickNode(loaded, null)).toThrow(/holds 2 nodes .*name one as FILE#NODE/);
		expect(pickNode(loaded, 'node01').name).toBe('node01');
		expect(() => pickNode(loaded, 'nope')).toThrow(/no node named "nope"/);
		const node = savedNode(pickNode(loaded, 'node01'), loaded);
		expect(node.name).toBe('node01 @ fleet.json 2026-11-25 17:18Z');
		expect(node.target).toBe('file:fleet.json');
	});
});

describe('crimon snapshot --from (the built CLI)', () => {
	let dir: string;
	const run = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', input, timeout: 20_000, env: {...process.env, NO_COLOR: '1'}});

	beforeAll(() => {
		if (!fs.existsSync(CLI)) throw new Error(`${CLI} is not built: run npx tsc -p tsconfig.json`);
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-from-'));
		fs.writeFileSync(path.join(dir, 'good.json'), good());
		parseSavedSnapshot(fs.readFileSync(path.join(dir, 'good.json'), 'utf8'));
		fs.writeFileSync(path.join(dir, 'truncated.json'), good().slice(0, 2000));
		fs.writeFileSync(path.join(dir, 'notjson.json'), 'hello: world\n');
		fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({schema: 'crimon.compare/v1', takenAt: '2026-01-01T00:00:00Z'}));
		fs.writeFileSync(path.join(dir, 'newer.json'), JSON.stringify({schema: 'crimon.snapshot/v7', takenAt: '2030-01-01T00:00:00Z', nodes: []}));
		fs.writeFileSync(path.join(dir, 'evil\u001b[2J.json'), '{');
	});
	afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

	it.each([
		['truncated.json', /truncated JSON/],
		['notjson.json', /not JSON: a syntax error at "h" \(line 1, column 1\)/],
		['other.json', /not a crimon snapshot: a "crimon.compare\/v1" document/],
		['newer.json', /schema "crimon.snapshot\/v7" is newer than this crimon reads/],
		['missing.json', /no such file/],
	])('%s: exit 2, one line naming the file, no stack', (name, why) => {
		const file = path.join(dir, name);
		const result = run(['snapshot', '--from', file]);
		expect(result.status).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr.split('\n')).toEqual([expect.stringContaining(`crimon: ${file}: `), '']);
		expect(result.stderr).toMatch(why);
		expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
	});

	it('the monitor refuses a bad file with the same one line, before it needs a terminal', () => {
		const file = path.join(dir, 'newer.json');
		const result = run(['--from', path.join(dir, 'good.json'), '--from', file]);
		expect(result.status).toBe(2);
		expect(result.stderr).toBe(`crimon: ${file}: schema "crimon.snapshot/v7" is newer than this crimon reads (crimon.snapshot/v1); use a newer crimon\n`);
		// A good file gets as far as the terminal check.
		const good = run(['--from', path.join(dir, 'good.json')]);
		expect(good.status).toBe(2);
		expect(good.stderr).toMatch(/needs a terminal/);
	});

	it('escapes a hostile file name in the error', () => {
		const result = run(['snapshot', '--from', path.join(dir, 'evil\u001b[2J.json')]);
		expect(result.status).toBe(2);
		expect(result.stderr).toContain('evil\\x1b[2J.json: truncated JSON');
		expect(isTerminalSafe(result.stderr.trimEnd())).toBe(true);
	});

	it('renders a good file again as JSON, text and prometheus, and reads stdin for -', () => {
		const file = path.join(dir, 'good.json');
		const json = run(['snapshot', '--from', file, '--json']);
		expect(json.status).toBe(0);
		const again = parseSavedSnapshot(json.stdout);
		expect(again.takenAt).toBe(metricsSnapshot().takenAt);
		expect(again.nodes.map((n) => n.containers.map((c) => c.id))).toEqual(metricsSnapshot().nodes.map((n) => n.containers.map((c) => c.id)));
		expect(again.nodes[0]!.containers.find((c) => c.name === 'web' && !c.sandbox)).toMatchObject({usage: {cpuSeconds: 12.5, oomKills: 2}});
		const text = run(['snapshot', '--from', file]);
		expect(text.status).toBe(0);
		// A file is not a live poll: it says where it was read from and when it was taken.
		const takenAt = metricsSnapshot().takenAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
		expect(text.stdout.split('\n')[0]).toBe(`━━ node01 (local) saved in ${file}, taken ${takenAt}`);
		expect(text.stdout).not.toMatch(/^━━ .* reached$/m);
		expect(text.stdout).toContain('Diagnosis');
		expect(isTerminalSafe(text.stdout.replace(/\n/g, ''))).toBe(true);
		const prom = run(['snapshot', '--from', '-', '--format', 'prometheus'], good());
		expect(prom.status).toBe(0);
		expect(prom.stdout).toContain('crimon_container_oom_kills_total{node="node01",namespace="k8s.io",container="web",pod="default/web"} 2\n');
		expect(prom.stdout).toContain('crimon_kubelet_info{node="node01",version="v1.23.17",cri="dockershim"} 1\n');
		// A saved file knows no poll durations.
		expect(prom.stdout).not.toMatch(/^crimon_poll_duration_seconds\{/m);
	});

	it('writes --output atomically: the whole new text, no temp file left', () => {
		const out = path.join(dir, 'out', 'crimon.prom');
		fs.mkdirSync(path.dirname(out));
		fs.writeFileSync(out, 'old\n');
		const result = run(['snapshot', '--from', path.join(dir, 'good.json'), '--format', 'prometheus', '--output', out]);
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('');
		expect(fs.readFileSync(out, 'utf8')).toMatch(/^# HELP crimon_node_up [^]*crimon_container_oom_kills_total[^\n]* 2\n[^]*# TYPE crimon_node_pressure_io_stalled_seconds_total counter\n$/);
		expect(fs.readdirSync(path.dirname(out))).toEqual(['crimon.prom']);
		const bad = run(['snapshot', '--from', path.join(dir, 'good.json'), '--output', path.join(dir, 'no-such-dir', 'x.txt')]);
		// A usage error naming the flag and the file, on one line, without the temporary file's name.
		expect(bad.status).toBe(2);
		expect(bad.stderr).toBe(`crimon: --output ${path.join(dir, 'no-such-dir', 'x.txt')}: cannot write it: the directory ${path.join(dir, 'no-such-dir')} does not exist\n`);
	});

	it('compares two saved files, and a node picked from a file of several', () => {
		const fleet = path.join(dir, 'good.json');
		const single = path.join(dir, 'single.json');
		const doc = metricsSnapshot();
		fs.writeFileSync(single, renderSnapshotJson({...doc, takenAt: '2026-12-01T08:00:00Z', nodes: [doc.nodes[0]!]}));
		parseSavedSnapshot(fs.readFileSync(single, 'utf8'));
		const result = run(['compare', `${fleet}#node01`, single, '--json']);
		expect(result.stderr).toBe('');
		expect(result.status).toBe(0);
		const comparison = parseComparison(result.stdout);
		expect(comparison.a).toMatchObject({name: 'node01 @ good.json 2026-11-25 17:18Z', target: `file:${fleet}`});
		expect(comparison.b.name).toBe('node01 @ single.json 2026-12-01 08:00Z');
		expect(comparison.pods).toMatchObject({both: 2, onlyA: [], onlyB: []});
		const text = run(['compare', `${fleet}#node01`, single]);
		expect(text.stdout).toContain(`details: crimon snapshot --from ${fleet} --from ${single}\n`);
		const ambiguous = run(['compare', fleet, single]);
		expect(ambiguous.status).toBe(2);
		expect(ambiguous.stderr).toMatch(/^crimon: .*good\.json: holds 2 nodes \("node01", "evil\\"name\\nline2\\x1b\]0;OWNED\\x07\\u202e"\): name one as FILE#NODE\n$/);
	});

	it('refuses flags that do not go together', () => {
		expect(run(['snapshot', '--from', 'a.json', '--node', 'local']).status).toBe(2);
		expect(run(['snapshot', '--json', '--format', 'prometheus']).stderr).toMatch(/contradict/);
		expect(run(['snapshot', '--watch']).stderr).toMatch(/--watch prints one JSON document a line/);
		expect(run(['compare', '--from', 'a.json', 'b.json']).status).toBe(2);
	});
});
