/**
 * Fleet output on a very large node (50,000 processes, 5,000 containers, usage on every
 * container): the Prometheus exposition, a saved 16 MB snapshot read back (parse and check,
 * against JSON.parse alone), and a scrape of `crimon serve`'s /metrics over loopback.
 * Median of several runs, with per-unit costs.
 */
import {buildNodeSnapshot, buildSnapshot} from '../source/model/build-snapshot.js';
import type {Container} from '../source/schema/types.js';
import {renderPrometheus} from '../source/render/prometheus-snapshot.js';
import {renderSnapshotJson} from '../source/render/text-snapshot.js';
import {startMetricsServer} from '../source/serve/metrics-server.js';
import {parseSnapshotText} from '../source/snapshot-file/parse-snapshot.js';
import {syntheticFacts} from '../test/support/synthetic-node.js';

const RUNS = 7;
const PROCESSES = 50_000;
const CONTAINERS = 5_000;

async function median(fn: () => unknown): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const started = performance.now();
		await fn();
		times.push(performance.now() - started);
	}
	return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const facts = syntheticFacts({processes: PROCESSES, containers: CONTAINERS, hugeCommandBytes: 200 * 1024, hugeLabelBytes: 1024 * 1024});
const base = buildNodeSnapshot(facts);
const usage = {cpuSeconds: 123.4, cpuCores: 0.2, memoryBytes: 64 << 20, memoryLimitBytes: null, pids: 4, throttledPeriods: 0, throttledSeconds: 0, oomKills: 0};
const node = {...base, containers: base.containers.map((c) => ({...c, usage}) as Container)};
const exposition = renderPrometheus([{node, pollSeconds: 0.1}]);
const series = exposition.split('\n').filter((l) => l && !l.startsWith('#')).length;
const json = renderSnapshotJson(buildSnapshot([node], new Date()));

const render = await median(() => renderPrometheus([{node, pollSeconds: 0.1}]));
const parseOnly = await median(() => JSON.parse(json));
const load = await median(() => parseSnapshotText(json));

const server = await startMetricsServer({host: '127.0.0.1', port: 0}, {metrics: () => renderPrometheus([{node, pollSeconds: 0.1}])});
const scrape = await median(async () => {
	const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
	await response.text();
});
await server.close();

console.log(`a node of ${PROCESSES} processes and ${CONTAINERS} containers with usage (median of ${RUNS}):`);
console.log(`  prometheus exposition   ${render.toFixed(1).padStart(7)} ms  ${series} series, ${(exposition.length / 1e6).toFixed(2)} MB; ${((render * 1000) / CONTAINERS).toFixed(2)} µs a container`);
console.log(`  /metrics over loopback  ${scrape.toFixed(1).padStart(7)} ms  render + HTTP; ${(scrape / render).toFixed(2)}× the render alone`);
console.log(`  saved file read back    ${load.toFixed(1).padStart(7)} ms  ${(json.length / 1e6).toFixed(1)} MB parsed and checked: ${(load / parseOnly).toFixed(2)}× JSON.parse alone (${parseOnly.toFixed(1)} ms), ${((json.length / 1e6) / (load / 1000)).toFixed(0)} MB/s`);
