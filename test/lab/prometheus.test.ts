/**
 * crimon's metrics read by Prometheus's own tools, for real: Debian's promtool checks
 * `crimon snapshot --format prometheus` on the lab; a real prometheus-node-exporter serves
 * the file crimon writes with --output from its textfile directory; a real prometheus
 * server scrapes `crimon serve` (this machine and the SSH lab node) with the README's rules
 * and answers PromQL over its HTTP API. Every server runs on a free loopback port with its
 * own files under /tmp, and is stopped by its pid at the end.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Snapshot} from '../../source/schema/types.js';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {metricsSnapshot} from '../support/metrics-fixtures.js';
import {parseSavedSnapshot} from '../support/schema-check.js';
import {CLI, REPO_ROOT, readLab, skipWithoutLab} from './lab-available.js';
import {find, freePort, get, mkTemp, parseExposition, promQuery, start, waitFor, type Started} from './prometheus-lab.js';
import {makeHome, nodeKnownHostsLine, readSshNode, skipWithoutSshNode, type SshNode} from './ssh-lab.js';

const tools = ['promtool', 'prometheus', 'prometheus-node-exporter'].filter((t) => spawnSync(t, ['--version']).error !== undefined);
function skipWithoutTools(): boolean {
	if (skipWithoutLab('lab: prometheus')) return true;
	if (tools.length === 0) return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`lab: prometheus needs ${tools.join(', ')} (Debian: prometheus prometheus-node-exporter)`);
	console.warn(`skipped lab: prometheus: ${tools.join(', ')} missing (apt-get install prometheus prometheus-node-exporter)`);
	return true;
}

const crimon = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', timeout: 60_000, env: {...env, NO_COLOR: '1'}, maxBuffer: 64 * 1024 * 1024});

/** v1 shim processes on this machine, by ps, not by crimon. */
function v1ShimsByPs(): number {
	return execFileSync('ps', ['-eo', 'args=', '-ww'], {encoding: 'utf8'}).split('\n').filter((l) => /^(\S*\/)?containerd-shim\s+-namespace\s/.test(l)).length;
}

function readmeRules(): string {
	const readme = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'prometheus.md'), 'utf8');
	const match = /<!-- crimon-rules -->\n```yaml\n([^]*?)```\n<!-- \/crimon-rules -->/.exec(readme);
	if (!match) throw new Error('docs/prometheus.md has no crimon-rules block');
	return match[1]!;
}

interface Lab {
	readonly containers: Record<string, {id: string; name: string; namespace: string}>;
}

describe.skipIf(skipWithoutTools())('lab: Prometheus reads crimon', () => {
	let dir: string;
	const servers: Started[] = [];
	/** node_exporter's port; the Prometheus below scrapes it too. */
	let exporterPort: number;

	beforeAll(() => {
		dir = mkTemp('crimon-prom-');
	});
	afterAll(async () => {
		for (const server of servers.reverse()) await server.stop();
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('promtool check metrics passes crimon snapshot --format prometheus on the lab, with no findings', () => {
		const run = crimon(['snapshot', '--format', 'prometheus']);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const check = spawnSync('promtool', ['check', 'metrics'], {input: run.stdout, encoding: 'utf8'});
		expect(check.stdout + check.stderr).toBe('');
		expect(check.status).toBe(0);
		// The lab's facts, by the lab's own record.
		const samples = parseExposition(run.stdout);
		const lab = readLab<Lab>();
		expect(find(samples, 'crimon_node_up', {}).map((s) => s.value)).toEqual([1]);
		expect(find(samples, 'crimon_shims', {namespace: lab.containers['v1']?.namespace ?? 'lab-other', version: 'v1'})[0]?.value).toBe(1);
		expect(find(samples, 'crimon_pods', {source: 'docker-labels'})[0]?.value).toBeGreaterThanOrEqual(1);
		expect(find(samples, 'crimon_poll_duration_seconds', {})[0]?.value).toBeGreaterThan(0);
	});

	it('a real node_exporter serves the textfile crimon writes with --output, and a rewrite of it', async () => {
		const textfiles = path.join(dir, 'textfile');
		fs.mkdirSync(textfiles);
		const out = path.join(textfiles, 'crimon.prom');
		const write = crimon(['snapshot', '--format', 'prometheus', '--output', out]);
		expect(write.stderr).toBe('');
		expect(write.status).toBe(0);
		expect(fs.readdirSync(textfiles)).toEqual(['crimon.prom']);

		const port = await freePort();
		exporterPort = port;
		const exporter = start('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfiles}`]);
		servers.push(exporter);
		const scrape = () => waitFor(`node_exporter on :${port} (${exporter.output()})`, 20_000, async () => {
			const {status, text} = await get(`http://127.0.0.1:${port}/metrics`);
			return status === 200 ? parseExposition(text) : undefined;
		});
		let samples = await scrape();
		expect(find(samples, 'node_textfile_scrape_error', {})[0]?.value).toBe(0);
		const local = find(samples, 'crimon_node_up', {})[0];
		expect(local?.value).toBe(1);
		expect(find(samples, 'crimon_shims', {version: 'v1', namespace: 'lab-other'})[0]?.value).toBe(1);
		expect(find(samples, 'crimon_cri_runtime_info', {runtime: 'containerd', how: 'probe', endpoint: 'unix:///run/containerd/containerd.sock', api_version: 'v1'})[0]?.value).toBe(1);

		// Rewritten in place with saved nodes beside this one — node01 on dockershim with a
		// leaked shim, and a hostile name: the exporter reads the new file whole, and the names
		// come back as crimon wrote them, quote and newline kept, the escape sequence as text.
		const saved = path.join(dir, 'saved.json');
		const fixture = path.join(dir, 'fixture.json');
		expect(crimon(['snapshot', '--json', '--output', saved]).status).toBe(0);
		parseSavedSnapshot(fs.readFileSync(saved, 'utf8'));
		const fixtureSnapshot: Snapshot = metricsSnapshot();
		fs.writeFileSync(fixture, renderSnapshotJson(fixtureSnapshot));
		const rewrite = crimon(['snapshot', '--from', saved, '--from', fixture, '--format', 'prometheus', '--output', out]);
		expect(rewrite.stderr).toBe('');
		expect(rewrite.status).toBe(0);
		samples = await scrape();
		expect(find(samples, 'node_textfile_scrape_error', {})[0]?.value).toBe(0);
		const nodes = find(samples, 'crimon_node_up', {}).map((s) => s.labels['node']).sort();
		expect(nodes).toEqual([local!.labels['node'], 'node01', 'evil\\"name\nline2\\x1b]0;OWNED\\x07\\u202e'].sort());
		expect(find(samples, 'crimon_findings', {node: 'node01', code: 'shim-leaked', severity: 'warn'})[0]?.value).toBe(1);
		expect(fs.readdirSync(textfiles)).toEqual(['crimon.prom']);
	});

	describe.skipIf(skipWithoutSshNode('lab: prometheus scraping crimon serve'))('a real prometheus scraping crimon serve', () => {
		let node: SshNode;
		let home: string;
		let serve: Started;
		let servePort: number;
		let prom: string;

		beforeAll(async () => {
			node = readSshNode();
			home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
			const env: NodeJS.ProcessEnv = {...process.env, HOME: home, NO_COLOR: '1'};
			delete env.SSH_AUTH_SOCK;
			// Port 1 on loopback: refused, an unreachable node.
			serve = start(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--interval', '1s', '--node', 'local', '--node', `ssh://${node.alias}`, '--node', 'ssh://127.0.0.1:1'], env);
			servers.push(serve);
			servePort = await waitFor(`crimon serve to listen (${serve.output()})`, 20_000, () => {
				const match = /serving \/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(serve.output());
				return match ? Number(match[1]) : undefined;
			});

			const rules = path.join(dir, 'rules.yml');
			fs.writeFileSync(rules, readmeRules());
			const config = path.join(dir, 'prometheus.yml');
			fs.writeFileSync(config, [
				'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
				'rule_files:', `  - ${rules}`,
				'scrape_configs:',
				'  - job_name: crimon', '    static_configs:', `      - targets: ['127.0.0.1:${servePort}']`,
				// The textfile above, through node_exporter: the lab node as saved, node01 (dockershim), the hostile one.
				'  - job_name: textfile', '    static_configs:', `      - targets: ['127.0.0.1:${exporterPort}']`, '',
			].join('\n'));
			const checkRules = spawnSync('promtool', ['check', 'rules', rules], {encoding: 'utf8'});
			expect(checkRules.status, checkRules.stdout + checkRules.stderr).toBe(0);
			expect(checkRules.stdout).toMatch(/SUCCESS: 4 rules found/);
			const check = spawnSync('promtool', ['check', 'config', config], {encoding: 'utf8'});
			expect(check.status, check.stdout + check.stderr).toBe(0);
			const promPort = await freePort();
			const server = start('prometheus', [
				`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`,
				'--storage.tsdb.retention.time=1h',
			]);
			servers.push(server);
			prom = `http://127.0.0.1:${promPort}`;
			await waitFor(`prometheus ready (${server.output().slice(-2000)})`, 30_000, async () => ((await get(`${prom}/-/ready`)).status === 200 ? true : undefined));
			// Until it has scraped crimon with all three nodes polled.
			await waitFor('a scrape of each job with every node', 30_000, async () => ((await promQuery(prom, 'crimon_node_up')).length === 6 ? true : undefined));
		});
		afterAll(() => {
			if (home) fs.rmSync(home, {recursive: true, force: true});
		});

		it('serves /metrics read-only, and /healthz', async () => {
			const base = `http://127.0.0.1:${servePort}`;
			const metrics = await get(`${base}/metrics`);
			expect(metrics.status).toBe(200);
			expect(metrics.type).toBe('text/plain; version=0.0.4; charset=utf-8');
			const check = spawnSync('promtool', ['check', 'metrics'], {input: metrics.text, encoding: 'utf8'});
			expect(check.stdout + check.stderr).toBe('');
			expect((await get(`${base}/healthz`)).text).toBe('ok\n');
			expect((await get(`${base}/metrics`, {method: 'POST', body: 'x'})).status).toBe(405);
			expect((await get(`${base}/metrics`, {method: 'DELETE'})).status).toBe(405);
			expect((await get(`${base}/nothing`)).status).toBe(404);
		});

		it('answers PromQL over what it scraped', async () => {
			expect(await promQuery(prom, 'up{job="crimon"}')).toEqual([expect.objectContaining({value: 1})]);
			// Both reachable nodes run containerd as their CRI runtime (no kubelet: probed).
			const byRuntime = await promQuery(prom, 'sum by (runtime) (crimon_cri_runtime_info{job="crimon"})');
			expect(byRuntime).toEqual([{metric: {runtime: 'containerd'}, value: 2}]);
			// The README's recording rule over both jobs: the saved lab node adds a containerd, node01 is on dockershim.
			// Asked until it holds: with a 1 s interval the scrape's timeout is 1 s too, and on a loaded
			// machine one scrape of crimon can miss it, leaving an evaluation with the textfile job alone.
			const want = {containerd: 3, dockershim: 1};
			let recorded: Record<string, number> = {};
			await waitFor('the recording rule over both jobs', 20_000, async () => {
				recorded = Object.fromEntries((await promQuery(prom, 'runtime:crimon_cri_runtime_info:sum')).map((r) => [r.metric['runtime'], r.value]));
				return JSON.stringify(recorded) === JSON.stringify(want) ? true : undefined;
			}).catch(() => undefined);
			expect(recorded).toEqual(want);
			// One v1 shim in the lab (lab-v1-box, namespace lab-other), and as many in all as ps shows.
			expect(await promQuery(prom, 'sum(crimon_shims{job="crimon", version="v1", namespace="lab-other"})')).toEqual([{metric: {}, value: 1}]);
			const v1 = await promQuery(prom, 'sum(crimon_shims{job="crimon", version="v1"})');
			expect(v1).toEqual([{metric: {}, value: v1ShimsByPs()}]);
			// The SSH node: one CRI pod, no Docker; this machine: dockershim's pod from labels.
			const pods = await promQuery(prom, `crimon_pods{node="${node.hostname}"}`);
			expect(Object.fromEntries(pods.map((p) => [p.metric['source'], p.value]))).toEqual({'cri': 1, 'docker-labels': 0});
			expect((await promQuery(prom, 'crimon_runtime_version_info{runtime="docker"}')).map((r) => r.metric['node'])).not.toContain(node.hostname);
			// The unreachable node is down and says nothing else.
			const up = await promQuery(prom, 'crimon_node_up{job="crimon"}');
			expect(Object.fromEntries(up.map((r) => [r.metric['node'], r.value]))).toMatchObject({[node.hostname]: 1, '127.0.0.1': 0});
			expect(await promQuery(prom, 'count by (node) ({__name__=~"crimon_.+", node="127.0.0.1"})')).toEqual([{metric: {node: '127.0.0.1'}, value: 2}]);
			// Live polls say how long they took; saved files cannot.
			expect((await promQuery(prom, 'crimon_poll_duration_seconds{job="crimon"}'))).toHaveLength(3);
			expect((await promQuery(prom, 'crimon_poll_duration_seconds{job="textfile"}'))).toHaveLength(0);
		});

		it('loads the README\'s alerts: dockershim and leaked shims on node01 only, the refused node unreachable', async () => {
			const rules = async () => (JSON.parse((await get(`${prom}/api/v1/rules`)).text) as {data: {groups: {rules: {name: string; health: string}[]}[]}}).data.groups.flatMap((g) => g.rules);
			expect((await rules()).map((r) => r.name).sort()).toEqual(['CrimonNodeOnDockershim', 'CrimonNodeUnreachable', 'CrimonShimLeaked', 'runtime:crimon_cri_runtime_info:sum']);
			await waitFor('every rule evaluated', 15_000, async () => ((await rules()).every((r) => r.health === 'ok') ? true : undefined));
			// Asked until all three are pending, for the reason the recording rule is (a missed scrape).
			let names: string[] = [];
			await waitFor('the three alerts pending', 20_000, async () => {
				const alerts = JSON.parse((await get(`${prom}/api/v1/alerts`)).text) as {data: {alerts: {labels: {alertname: string; node: string}}[]}};
				names = alerts.data.alerts.map((a) => `${a.labels.alertname} ${a.labels.node}`);
				return ['CrimonNodeOnDockershim', 'CrimonShimLeaked', 'CrimonNodeUnreachable'].every((alert) => names.some((n) => n.startsWith(alert))) ? true : undefined;
			}).catch(() => undefined);
			// Pending (their `for:` has not passed), each on the node it concerns and no other.
			expect(names.filter((n) => n.startsWith('CrimonNodeOnDockershim'))).toEqual(['CrimonNodeOnDockershim node01']);
			expect(names.filter((n) => n.startsWith('CrimonShimLeaked'))).toEqual(['CrimonShimLeaked node01']);
			expect(names.filter((n) => n.startsWith('CrimonNodeUnreachable'))).toEqual(['CrimonNodeUnreachable 127.0.0.1']);
		});
	});
});
