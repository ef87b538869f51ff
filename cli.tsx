#!/usr/bin/env node
/**
 * crimon's entry: flags → the headless snapshot/compare, or the Ink app. The app's
 * modules are imported only when it runs, so `crimon snapshot` never loads React or Ink.
 */
import {readFileSync} from 'node:fs';
import {ArgsError, HELP, parseArgs, type CliArgs} from './source/cli/parse-args.js';
import {buildSnapshot} from './source/model/build-snapshot.js';
import {compareNodes, comparisonDocument} from './source/model/compare.js';
import {renderCompareJson, renderCompareText} from './source/render/text-compare.js';
import {openNode, UsageError, type NodeHandle} from './source/nodes/open-node.js';
import {resolveNodes, type ResolvedNodes} from './source/nodes/resolve-nodes.js';
import {renderSnapshotJson, renderSnapshotText, type TextOptions} from './source/render/text-snapshot.js';
import type {NodeSnapshot} from './source/model/types.js';
import {wantsColor} from './source/render/text-style.js';
import {Poller} from './source/store/poller.js';
import {createCrimonStore, type CrimonStore} from './source/store/store.js';
import {onScreenPids} from './source/store/ui-state.js';

function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

function openAll(args: CliArgs, resolved: ResolvedNodes): NodeHandle[] {
	return resolved.specs.map((spec) => openNode(spec, {
		containerdSocket: args.containerdSocket ?? undefined,
		criSocket: args.criSocket ?? undefined,
		dockerSocket: args.dockerSocket ?? undefined,
		timeoutMs: resolved.timeoutMs,
		acceptNew: args.acceptNew,
	}));
}

function storeFor(handles: readonly NodeHandle[], resolved: ResolvedNodes): CrimonStore {
	return createCrimonStore(handles.map((h) => ({name: h.name, target: h.target})), resolved.intervalMs);
}

/**
 * One poll of every node at once (within --concurrency), the connections closed after.
 * With `sampleMs`, a second poll that long after the first: rates need two samples.
 */
async function pollOnce(args: CliArgs, sampleMs: number | null = null): Promise<NodeSnapshot[]> {
	const resolved = await resolveNodes(args);
	const handles = openAll(args, resolved);
	const store = storeFor(handles, resolved);
	// The second sample re-reads every process the first one saw, so each has a %CPU.
	const everyPid = (index: number) => {
		const processes = store.getState().nodes[index]?.snapshot?.processes;
		return processes ? new Set(processes.map((p) => p.pid)) : undefined;
	};
	const poller = new Poller(store, handles, {concurrency: resolved.concurrency, refreshFor: sampleMs === null ? undefined : everyPid});
	try {
		await poller.pollAll();
		if (sampleMs !== null) {
			await new Promise((resolve) => setTimeout(resolve, sampleMs));
			await poller.pollAll();
		}
	} finally {
		await Promise.all(handles.map((h) => h.close()));
	}
	return store.getState().nodes.map((entry) => entry.snapshot!);
}

function textOptions(args: CliArgs): TextOptions {
	return {
		color: wantsColor(process.stdout, process.env, args.noColor),
		maxWidth: process.stdout.isTTY ? Math.max(40, process.stdout.columns || 80) : 4096,
	};
}

function write(out: string): Promise<void> {
	return new Promise((resolve) => process.stdout.write(out, () => resolve()));
}

async function snapshotCommand(args: CliArgs): Promise<number> {
	const nodes = await pollOnce(args, args.sampleMs);
	const snapshot = buildSnapshot(nodes, new Date());
	await write(args.json ? renderSnapshotJson(snapshot) : renderSnapshotText(snapshot, textOptions(args)));
	return nodes.every((n) => n.ok) ? 0 : 1;
}

/** `crimon compare A B`: both nodes polled once, at once, then diffed (text or --json). */
async function compareCommand(args: CliArgs): Promise<number> {
	// The operands resolve exactly as --node targets would (aliases included).
	const [a, b] = (await pollOnce({...args, nodes: args.operands})) as [NodeSnapshot, NodeSnapshot];
	const comparison = compareNodes(a, b);
	await write(args.json ? renderCompareJson(comparisonDocument(comparison, new Date())) : renderCompareText(comparison, textOptions(args)));
	return a.ok && b.ok ? 0 : 1;
}

async function appCommand(args: CliArgs): Promise<number> {
	const resolved = await resolveNodes(args);
	const handles = openAll(args, resolved);
	const store = storeFor(handles, resolved);
	// The local process reader re-reads the rows on screen each poll (the rest less often).
	const poller = new Poller(store, handles, {concurrency: resolved.concurrency, intervals: resolved.specs.map((s) => s.intervalMs), refreshFor: onScreenPids(store)});
	const {runApp} = await import('./views/run-app.js');
	try {
		return await runApp({store, poller, noColor: args.noColor});
	} finally {
		poller.stop();
		await Promise.all(handles.map((h) => h.close()));
	}
}

async function main(argv: readonly string[]): Promise<number> {
	let args: CliArgs;
	try {
		args = parseArgs(argv);
	} catch (error) {
		if (error instanceof ArgsError) {
			process.stderr.write(`crimon: ${error.message}\n`);
			return 2;
		}
		throw error;
	}
	switch (args.command) {
		case 'help':
			process.stdout.write(HELP[args.helpFor] + '\n');
			return 0;
		case 'version':
			process.stdout.write(`crimon ${version()}\n`);
			return 0;
		case 'snapshot':
			return snapshotCommand(args);
		case 'compare':
			return compareCommand(args);
		case 'app':
			return appCommand(args);
	}
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		// Usage problems found late (a bad target, an unreadable config) are still usage errors.
		if (error instanceof UsageError || error instanceof ArgsError) {
			process.stderr.write(`crimon: ${error.message}\n`);
			process.exitCode = 2;
			return;
		}
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`crimon: ${message.split('\n')[0]}\n`);
		process.exitCode = 1;
	},
);
