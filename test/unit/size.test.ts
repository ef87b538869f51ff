/**
 * A node of 50,000 processes and 5,000 containers, with a 200 KB command line and a 1 MB
 * label: the model and renderers handle it, text cuts long values with a visible mark,
 * and JSON keeps them whole. (How fast is measured in `npm run bench -- large-node`.)
 */
import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot, buildSnapshot} from '../../source/model/build-snapshot.js';
import {ELLIPSIS} from '../../source/render/terminal-text.js';
import {renderSnapshotJson, renderSnapshotText} from '../../source/render/text-snapshot.js';
import {syntheticFacts} from '../support/synthetic-node.js';

describe('a very large node', () => {
	const facts = syntheticFacts({processes: 50_000, containers: 5_000, hugeCommandBytes: 200 * 1024, hugeLabelBytes: 1024 * 1024});
	const node = buildNodeSnapshot(facts);
	const snapshot = buildSnapshot([node], new Date(0));

	it('joins every container and shim', () => {
		expect(node.processes).toHaveLength(50_000);
		expect(node.containers).toHaveLength(5_000);
		expect(node.shims).toHaveLength(5_000);
		expect(node.containers.every((c) => c.shimPid !== null)).toBe(true);
	});

	it('text cuts every line to its width with a visible mark', () => {
		const hugeFacts = {...facts, processes: [...facts.processes!.slice(0, 3), {pid: 99, ppid: 10, user: 'root', state: 'S', command: `java ${'-Dx=y '.repeat(40_000)}`}]};
		const text = renderSnapshotText(buildSnapshot([buildNodeSnapshot(hugeFacts)], new Date(0)), {color: false, maxWidth: 300});
		const javaLine = text.split('\n').find((l) => l.includes('java -Dx=y'))!;
		expect(javaLine.length).toBeLessThanOrEqual(300);
		expect(javaLine.endsWith(ELLIPSIS)).toBe(true);
		expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(300);
	});

	it('JSON keeps the 200 KB command line and the 1 MB label whole', () => {
		const parsed = JSON.parse(renderSnapshotJson(snapshot)) as typeof snapshot;
		expect(parsed.nodes[0]!.processes.at(-1)!.command).toHaveLength(200 * 1024);
		expect(parsed.nodes[0]!.containers.find((c) => c.labels['huge'])!.labels['huge']).toHaveLength(1024 * 1024);
	});
});
