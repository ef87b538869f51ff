/**
 * The pure pipeline on a very large node (50,000 processes, 5,000 containers, a 200 KB
 * command line, a 1 MB label): the join into a snapshot, the runtime process tree, and
 * the text and JSON renderers. Median of several runs, with per-unit costs.
 */
import {buildProcessTree} from '../source/model/process-tree.js';
import {buildNodeSnapshot, buildSnapshot} from '../source/model/build-snapshot.js';
import {renderSnapshotJson, renderSnapshotText} from '../source/render/text-snapshot.js';
import {syntheticFacts} from '../test/support/synthetic-node.js';

const RUNS = 7;
const PROCESSES = 50_000;
const CONTAINERS = 5_000;

function median(fn: () => unknown): number {
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const started = performance.now();
		fn();
		times.push(performance.now() - started);
	}
	return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const facts = syntheticFacts({processes: PROCESSES, containers: CONTAINERS, hugeCommandBytes: 200 * 1024, hugeLabelBytes: 1024 * 1024});
const node = buildNodeSnapshot(facts);
const snapshot = buildSnapshot([node], new Date());
const rows: [string, number, string][] = [
	['join facts into a snapshot', median(() => buildNodeSnapshot(facts)), `${PROCESSES} processes, ${CONTAINERS} containers`],
	['process tree, whole', median(() => buildProcessTree(node, {runtimeOnly: false})), `${PROCESSES} rows`],
	['process tree, runtime only', median(() => buildProcessTree(node, {runtimeOnly: true})), `${CONTAINERS * 2 + 2} rows`],
	['text output', median(() => renderSnapshotText(snapshot, {color: false, maxWidth: 200})), ''],
	['JSON output', median(() => renderSnapshotJson(snapshot)), `${(renderSnapshotJson(snapshot).length / 1e6).toFixed(1)} MB`],
];
console.log(`a node of ${PROCESSES} processes and ${CONTAINERS} containers (median of ${RUNS}):`);
for (const [what, ms, note] of rows) console.log(`  ${what.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${note}`);
const join = rows[0]![1];
console.log(`  per unit: ${((join * 1000) / (PROCESSES + CONTAINERS)).toFixed(2)} µs per process or container to join`);
