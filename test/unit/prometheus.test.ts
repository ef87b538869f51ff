import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {renderPrometheus, snapshotFamilies, uniqueNodeLabels} from '../../source/render/prometheus-snapshot.js';
import {escapeLabelValue, renderExposition} from '../../source/render/prometheus-text.js';
import {isTerminalSafe} from '../../source/render/terminal-text.js';
import {HOSTILE_NAME, hostileNode, metricsNode, metricsSnapshot} from '../support/metrics-fixtures.js';
import {unreachable} from '../views/fixtures.js';

/** The value of one series, found by its exact label text. */
function value(text: string, series: string): number | undefined {
	const line = text.split('\n').find((l) => l.startsWith(series + ' '));
	return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('exposition text', () => {
	it('escapes label values as the format requires', () => {
		expect(escapeLabelValue('a\\b')).toBe('a\\\\b');
		expect(escapeLabelValue('say "hi"')).toBe('say \\"hi\\"');
		expect(escapeLabelValue('one\ntwo')).toBe('one\\ntwo');
		expect(escapeLabelValue('plain-value_1.2')).toBe('plain-value_1.2');
	});
	it('shows other control and bidi characters as visible escapes, their backslash kept by the format', () => {
		// In Prometheus the value then reads \x1b]0;OWNED\x07 — text, not an escape sequence.
		expect(escapeLabelValue('\u001b]0;OWNED\u0007')).toBe('\\\\x1b]0;OWNED\\\\x07');
		expect(escapeLabelValue('\u202eexe')).toBe('\\\\u202eexe');
		expect(escapeLabelValue('tab\there')).toBe('tab\\\\there');
	});
	it('prints HELP and TYPE for every family, samples after, and drops a repeated series', () => {
		const text = renderExposition([
			{name: 'x_total', help: 'a \\ help\nline', type: 'counter', samples: [{labels: [['a', '1']], value: 3}, {labels: [['a', '1']], value: 4}, {labels: [], value: Number.NaN}]},
			{name: 'y', help: 'empty', type: 'gauge', samples: []},
		]);
		expect(text).toBe('# HELP x_total a \\\\ help line\n# TYPE x_total counter\nx_total{a="1"} 3\nx_total NaN\n# HELP y empty\n# TYPE y gauge\n');
	});
	it('refuses names the format does not allow', () => {
		expect(() => renderExposition([{name: 'bad-name', help: '', type: 'gauge', samples: []}])).toThrow(/bad metric name/);
		expect(() => renderExposition([{name: 'ok', help: '', type: 'gauge', samples: [{labels: [['__x', 'v']], value: 1}]}])).toThrow(/bad label name/);
	});
});

describe('crimon metric families', () => {
	const text = renderPrometheus([{node: metricsNode(), pollSeconds: 0.25}]);

	it('has every family, each with HELP and TYPE, in a stable order', () => {
		const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
		expect(names).toEqual([
			'crimon_node_up gauge', 'crimon_runtime_up gauge', 'crimon_cri_runtime_info gauge', 'crimon_kubelet_info gauge', 'crimon_runtime_version_info gauge',
			'crimon_shims gauge', 'crimon_containers gauge', 'crimon_pods gauge', 'crimon_findings gauge', 'crimon_poll_duration_seconds gauge',
			'crimon_container_cpu_seconds_total counter', 'crimon_container_memory_working_set_bytes gauge', 'crimon_container_oom_kills_total counter',
			...['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets', 'receive_errors', 'transmit_errors', 'receive_packets_dropped', 'transmit_packets_dropped'].map((n) => `crimon_container_network_${n}_total counter`),
			...['reads_bytes', 'writes_bytes', 'reads', 'writes'].map((n) => `crimon_container_fs_${n}_total counter`),
			...['container', 'node'].flatMap((who) => ['cpu', 'memory', 'io'].flatMap((r) => [`crimon_${who}_pressure_${r}_waiting_seconds_total counter`, `crimon_${who}_pressure_${r}_stalled_seconds_total counter`])),
		]);
		expect(text.match(/^# HELP /gm)).toHaveLength(13 + 8 + 4 + 12);
		// Every sample carries node.
		for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/\{node="node01"/);
	});

	it('counts what the node has', () => {
		expect(value(text, 'crimon_node_up{node="node01"}')).toBe(1);
		expect(value(text, 'crimon_cri_runtime_info{node="node01",runtime="dockershim",endpoint="unix:///var/run/dockershim.sock",how="kubelet",api_version="v1"}')).toBe(1);
		expect(value(text, 'crimon_kubelet_info{node="node01",version="v1.23.17",cri="dockershim"}')).toBe(1);
		expect(value(text, 'crimon_runtime_version_info{node="node01",runtime="docker",version="20.10.24"}')).toBe(1);
		// containerd and the CRI's containerd are one series.
		expect(text.match(/crimon_runtime_version_info\{node="node01",runtime="containerd"/g)).toHaveLength(1);
		expect(value(text, 'crimon_shims{node="node01",namespace="moby",version="v1"}')).toBe(1);
		expect(value(text, 'crimon_shims{node="node01",namespace="moby",version="v2"}')).toBe(2);
		expect(value(text, 'crimon_shims{node="node01",namespace="k8s.io",version="v1"}')).toBe(0);
		expect(value(text, 'crimon_shims{node="node01",namespace="k8s.io",version="v2"}')).toBe(2);
		expect(value(text, 'crimon_containers{node="node01",namespace="moby",state="running"}')).toBe(3);
		expect(value(text, 'crimon_containers{node="node01",namespace="moby",state="exited"}')).toBe(1);
		expect(value(text, 'crimon_containers{node="node01",namespace="k8s.io",state="ready"}')).toBe(1);
		expect(value(text, 'crimon_pods{node="node01",source="cri"}')).toBe(1);
		expect(value(text, 'crimon_pods{node="node01",source="docker-labels"}')).toBe(1);
		expect(value(text, 'crimon_findings{node="node01",code="shim-leaked",severity="warn"}')).toBe(1);
		expect(value(text, 'crimon_findings{node="node01",code="dockershim-in-use",severity="warn"}')).toBe(1);
		expect(value(text, 'crimon_poll_duration_seconds{node="node01"}')).toBe(0.25);
	});

	it('says which runtime answers: 1 answering, 0 there and failing, no series where not installed', () => {
		for (const runtime of ['containerd', 'cri', 'docker']) expect(value(text, `crimon_runtime_up{node="node01",runtime="${runtime}"}`), runtime).toBe(1);
		const failing = renderPrometheus([{node: {...metricsNode(), runtimeStates: {containerd: 'failing', cri: 'absent', docker: 'answering'}}}]);
		expect(value(failing, 'crimon_runtime_up{node="node01",runtime="containerd"}')).toBe(0);
		expect(value(failing, 'crimon_runtime_up{node="node01",runtime="docker"}')).toBe(1);
		expect(failing).not.toContain('runtime="cri"}');
		// A node not reached says crimon_node_up 0 and nothing of its runtimes.
		expect(renderPrometheus([{node: unreachable('gone', 'ssh://gone', 'no route')}])).not.toContain('crimon_runtime_up{');
	});

	it('writes per-container usage only where it was measured', () => {
		expect(value(text, 'crimon_container_cpu_seconds_total{node="node01",namespace="k8s.io",container="web",pod="default/web"}')).toBe(12.5);
		expect(value(text, 'crimon_container_memory_working_set_bytes{node="node01",namespace="k8s.io",container="web",pod="default/web"}')).toBe(7340032);
		expect(value(text, 'crimon_container_oom_kills_total{node="node01",namespace="k8s.io",container="web",pod="default/web"}')).toBe(2);
		// dockershim's k8s_app_legacy_… is the Kubernetes container "app".
		expect(value(text, 'crimon_container_cpu_seconds_total{node="node01",namespace="moby",container="app",pod="kube-system/legacy"}')).toBe(1);
		expect(text.match(/^crimon_container_cpu_seconds_total\{/gm)).toHaveLength(2);
		// usage: null and no usage at all both write nothing.
		expect(text).not.toMatch(/container="bk-worker-1"|container="log-shipper"/);
		const bare = renderPrometheus([{node: {...metricsNode(), containers: metricsNode().containers.map(({...c}) => {
			delete (c as {usage?: unknown}).usage;
			return c;
		})}}]);
		expect(bare).not.toMatch(/^crimon_container_/m);
		expect(bare).not.toMatch(/^crimon_poll_duration_seconds\{/m);
	});

	it('ignores usage fields that are not numbers', () => {
		const node = metricsNode();
		const odd = {...node, containers: node.containers.map((c) => ({...c, usage: {cpuSeconds: 'lots', memoryBytes: -1, oomKills: Number.NaN}}))};
		expect(renderPrometheus([{node: odd}])).not.toMatch(/^crimon_container_/m);
	});

	it('says only crimon_node_up 0 for a node it could not reach, and for a stale one', () => {
		const down = renderPrometheus([{node: unreachable('node09', 'ssh://node09', 'refused'), pollSeconds: 5}, {node: metricsNode(), up: false}]);
		expect(value(down, 'crimon_node_up{node="node09"}')).toBe(0);
		expect(value(down, 'crimon_poll_duration_seconds{node="node09"}')).toBe(5);
		expect(value(down, 'crimon_node_up{node="node01"}')).toBe(0);
		expect(down.split('\n').filter((l) => l && !l.startsWith('#') && !/^crimon_(node_up|poll_duration_seconds)\{/.test(l))).toEqual([]);
	});

	it('keeps two nodes of one name apart', () => {
		expect(uniqueNodeLabels(['a', 'b', 'a', 'a#2', 'a'])).toEqual(['a', 'b', 'a#3', 'a#2', 'a#4']);
		const twice = renderPrometheus([{node: metricsNode()}, {node: metricsNode()}]);
		expect(value(twice, 'crimon_node_up{node="node01"}')).toBe(1);
		expect(value(twice, 'crimon_node_up{node="node01#2"}')).toBe(1);
	});

	it('escapes hostile names in every label and leaves nothing a terminal would act on', () => {
		const hostile = renderPrometheus([{node: hostileNode()}]);
		const escaped = 'evil\\\\\\"name\\nline2\\\\x1b]0;OWNED\\\\x07\\\\u202e';
		expect(hostile).toContain(`crimon_node_up{node="${escaped}"} 1`);
		expect(hostile).toContain(`namespace="${escaped}",state="${escaped}"`);
		expect(hostile).toContain(`container="${escaped}",pod="data/${escaped}"`);
		expect(hostile).toContain(`runtime="containerd",version="${escaped}"`);
		expect(isTerminalSafe(hostile.replace(/\n/g, ''))).toBe(true);
		expect(hostile).not.toContain(HOSTILE_NAME);
		// One sample a line: the newline in the names never splits one.
		for (const line of hostile.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^crimon_[a-z_]+\{.*\} [0-9.e+-]+$/);
	});
});

const promtool = spawnSync('promtool', ['--version'], {encoding: 'utf8'});
const noPromtool = promtool.error !== undefined;
if (noPromtool && process.env.CRIMON_LAB_REQUIRED === '1') throw new Error('promtool (Debian package prometheus) is required here');

describe.skipIf(noPromtool)('promtool check metrics', () => {
	it('passes crimon\'s output with usage and hostile names, with no lint findings', () => {
		const text = renderPrometheus([...metricsSnapshot().nodes.map((node) => ({node, pollSeconds: 0.1})), {node: unreachable('gone', 'ssh://gone', 'x')}]);
		const result = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'});
		expect(result.stdout + result.stderr).toBe('');
		expect(result.status).toBe(0);
	});
	it('is a real check: it fails a counter without _total', () => {
		const result = spawnSync('promtool', ['check', 'metrics'], {input: '# HELP crimon_bad A counter.\n# TYPE crimon_bad counter\ncrimon_bad 1\n', encoding: 'utf8'});
		expect(result.status).not.toBe(0);
		expect(result.stdout + result.stderr).toMatch(/_total/);
	});
});
