#!/usr/bin/env node
/**
 * crimon's entry: flags → the headless snapshot/compare, or the Ink app. The app's
 * modules are imported only when it runs, so `crimon snapshot` never loads React or Ink.
 */
import {readFileSync, statSync} from 'node:fs';
import {parseArgs, type CliArgs} from './source/cli/parse-args.js';
import {ArgsError} from './source/util/usage-error.js';
import {helpText} from './source/cli/help-text.js';
import {buildSnapshot} from './source/model/build-snapshot.js';
import {snapshotExitCode} from './source/model/runtime-states.js';
import {compareNodes, comparisonDocument} from './source/model/compare.js';
import {renderCompareJson, renderCompareText} from './source/render/text-compare.js';
import {openNode, type NodeHandle} from './source/session/open-node.js';
import {UsageError} from './source/util/usage-error.js';
import {checkFlagTarget, resolveNodes, type ResolvedNodes} from './source/cli/resolve-nodes.js';
import {renderSnapshotJson, renderSnapshotText, type TextOptions} from './source/render/text-snapshot.js';
import type {NodeSnapshot} from './source/schema/types.js';
import {wantsColor} from './source/render/text-style.js';
import {Poller} from './source/session/poller.js';
import {createCrimonStore, type CrimonStore} from './source/store/store.js';
import {onScreenPids} from './source/store/ui-state.js';
import {renderSnapshotAs} from './source/render/render-format.js';
import {checkWritable, writeFileAtomic} from './source/util/atomic-write.js';
import {displayName, loadSnapshotFile, loadSnapshotFiles, SnapshotFileError} from './source/snapshot-file/load-snapshot.js';
import {classifyOperand, pickNode, savedNode, savedNodes} from './source/snapshot-file/saved-nodes.js';
import type {NodeEntry} from './source/model/node-entry.js';
import {EventTally} from './source/model/event-tally.js';

function version(): string {
	// The single executable (scripts/build-sea.mjs) has no package.json beside it: its bundle says the version.
	const injected = (globalThis as {CRIMON_VERSION?: string}).CRIMON_VERSION;
	if (injected) return injected;
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string};
	return pkg.version;
}

function openAll(args: CliArgs, resolved: ResolvedNodes, tallies?: readonly EventTally[]): NodeHandle[] {
	return resolved.specs.map((spec, index) => openNode(spec, {
		eventCounts: tallies ? () => tallies[index]!.list() : undefined,
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

/** The nodes opened, a store and a poller over them: what every polling command shares. */
interface Polling {
	readonly resolved: ResolvedNodes;
	readonly store: CrimonStore;
	readonly poller: Poller;
	close(): Promise<void>;
}

async function openPolling(args: CliArgs, options: {everyProcess?: boolean} = {}): Promise<Polling> {
	const resolved = await resolveNodes(args);
	const handles = openAll(args, resolved);
	const store = storeFor(handles, resolved);
	// --sample: the second poll re-reads every process the first one saw, so each has a %CPU.
	const everyPid = (index: number) => {
		const processes = store.getState().nodes[index]?.snapshot?.processes;
		return processes ? new Set(processes.map((p) => p.pid)) : undefined;
	};
	const poller = new Poller(store, handles, {concurrency: resolved.concurrency, intervals: resolved.specs.map((s) => s.intervalMs), refreshFor: options.everyProcess ? everyPid : undefined});
	return {resolved, store, poller, close: async () => {
		poller.stop();
		await Promise.all(handles.map((h) => h.close()));
	}};
}

/**
 * One poll of every node at once (within --concurrency), the connections closed after.
 * With `sampleMs` (snapshot --sample), a second poll that long after the first: rates need two samples.
 */
async function pollEntries(args: CliArgs, sampleMs: number | null = null): Promise<readonly NodeEntry[]> {
	const polling = await openPolling(args, {everyProcess: sampleMs !== null});
	try {
		await polling.poller.pollAll();
		if (sampleMs !== null) {
			await new Promise((resolve) => setTimeout(resolve, sampleMs));
			await polling.poller.pollAll();
		}
	} finally {
		await polling.close();
	}
	return polling.store.getState().nodes;
}

async function pollOnce(args: CliArgs, sampleMs: number | null = null): Promise<NodeSnapshot[]> {
	return (await pollEntries(args, sampleMs)).map((entry) => entry.snapshot!);
}

/** Whether each node's last poll reached it and how long it took, for the metrics. */
const pollsOf = (entries: readonly NodeEntry[]) => entries.map((e) => ({up: e.status === 'ok', pollSeconds: e.lastDurationMs === null ? null : e.lastDurationMs / 1000}));

function textOptions(args: CliArgs): TextOptions {
	return {
		color: wantsColor(process.stdout, process.env, args.noColor),
		maxWidth: process.stdout.isTTY ? Math.max(40, process.stdout.columns || 80) : 4096,
	};
}

function write(out: string): Promise<void> {
	return new Promise((resolve) => process.stdout.write(out, () => resolve()));
}

/** stdout, or with --output the file, replaced atomically. */
async function emit(args: CliArgs, text: string): Promise<void> {
	if (args.output !== null) await writeFileAtomic(args.output, text);
	else await write(text);
}

/** Text for a file is plain: no colours, lines not cut to a terminal. */
const outputTextOptions = (args: CliArgs): TextOptions => (args.output !== null ? {color: false, maxWidth: 4096} : textOptions(args));

async function snapshotCommand(args: CliArgs): Promise<number> {
	// Before any poll: a file that cannot be written is said at once, not after a round.
	if (args.output !== null) await checkWritable(args.output);
	if (args.from.length > 0) return snapshotFromFiles(args);
	if (args.watch) {
		const {watchSnapshots} = await import('./source/cli/watch-snapshots.js');
		return watchSnapshots(args, {open: openPolling, emit: (text) => emit(args, text), textOptions: outputTextOptions(args)});
	}
	if (args.format !== null && args.format !== 'json') {
		const entries = await pollEntries(args, args.sampleMs);
		const snapshot = buildSnapshot(entries.map((e) => e.snapshot!), new Date());
		await emit(args, renderSnapshotAs(args.format, snapshot, {text: outputTextOptions(args), polls: pollsOf(entries)}));
		return snapshotExitCode(snapshot.nodes);
	}
	const nodes = await pollOnce(args, args.sampleMs);
	const snapshot = buildSnapshot(nodes, new Date());
	await emit(args, args.json ? renderSnapshotJson(snapshot) : renderSnapshotText(snapshot, outputTextOptions(args)));
	return snapshotExitCode(nodes);
}

/** `crimon snapshot --from FILE…`: saved documents rendered again; several files make one document, the oldest time its takenAt. */
async function snapshotFromFiles(args: CliArgs): Promise<number> {
	const files = await loadSnapshotFiles(args.from);
	const takenAt = files.map((f) => f.snapshot.takenAt).sort((a, b) => Date.parse(a) - Date.parse(b))[0]!;
	const snapshot = files.length === 1 ? files[0]!.snapshot : {...files[0]!.snapshot, takenAt, nodes: files.flatMap((f) => f.snapshot.nodes)};
	if ((args.format ?? 'text') === 'text') {
		// Each file's nodes say which file and when, as saved, not as polled.
		const texts = files.map((f) => renderSnapshotText(f.snapshot, {...outputTextOptions(args), saved: {file: displayName(f.file), takenAt: f.snapshot.takenAt}}));
		await emit(args, texts.join('\n'));
	} else {
		await emit(args, renderSnapshotAs(args.format ?? 'text', snapshot, {text: outputTextOptions(args)}));
	}
	// As the live run that saved it would have exited, whatever the format.
	return snapshotExitCode(snapshot.nodes);
}

/** `crimon compare A B`: both nodes polled once, at once, then diffed (text or --json). */
async function compareCommand(args: CliArgs): Promise<number> {
	// The operands resolve exactly as --node targets would (aliases included); saved files
	// (-, *.json, an existing file, FILE#NODE) are read instead of polled.
	const operands = args.operands.map((op) => classifyOperand(op, (p) => statSync(p, {throwIfNoEntry: false})?.isFile() === true));
	const live = operands.flatMap((op) => (op.kind === 'node' ? [op.target] : []));
	for (const target of live) checkFlagTarget(target, 'compare:');
	const polled = live.length > 0 ? await pollOnce({...args, nodes: live}) : [];
	const sides: NodeSnapshot[] = [];
	for (const op of operands) {
		if (op.kind === 'node') sides.push(polled.shift()!);
		else {
			const loaded = await loadSnapshotFile(op.file);
			sides.push(savedNode(pickNode(loaded, op.node), loaded));
		}
	}
	const [a, b] = sides as [NodeSnapshot, NodeSnapshot];
	const comparison = compareNodes(a, b);
	await write(args.json ? renderCompareJson(comparisonDocument(comparison, new Date())) : renderCompareText(comparison, textOptions(args)));
	return a.ok && b.ok ? 0 : 1;
}

/** /dev/tty as a key source, when there is a controlling terminal; else runApp says it needs one. */
async function openTerminalInput(): Promise<NodeJS.ReadStream | undefined> {
	const [{openSync}, tty] = await Promise.all([import('node:fs'), import('node:tty')]);
	try {
		return new tty.ReadStream(openSync('/dev/tty', 'r')) as NodeJS.ReadStream;
	} catch {
		return undefined;
	}
}

async function appCommand(args: CliArgs): Promise<number> {
	// Saved files are read first: a bad one is a one-line error before the screen is taken.
	const files = await loadSnapshotFiles(args.from);
	// With --from, only nodes named with --node are polled (never the config's or local by default).
	const resolved = files.length > 0 && args.nodes.length === 0 ? {...(await resolveNodes({...args, nodes: ['local']})), specs: []} : await resolveNodes(args);
	const tallies = resolved.specs.map(() => new EventTally());
	const handles = openAll(args, resolved, tallies);
	const store = storeFor(handles, resolved);
	if (files.length > 0) {
		const {addSavedNodes} = await import('./source/store/saved-store.js');
		addSavedNodes(store, savedNodes(files), files);
	}
	// The local process reader re-reads the rows on screen each poll (the rest less often).
	const poller = new Poller(store, handles, {concurrency: resolved.concurrency, intervals: resolved.specs.map((s) => s.intervalMs), refreshFor: onScreenPids(store)});
	const {runApp} = await import('./views/run-app.js');
	// `--from -` took stdin for the file: the keys come from the terminal itself.
	const keyboard = args.from.includes('-') && !process.stdin.isTTY ? await openTerminalInput() : undefined;
	// Live events: each node's streams re-poll it on a change and feed the Events pane.
	const {startLiveEvents} = await import('./source/store/live-events.js');
	const live = startLiveEvents(handles, store, poller, tallies);
	try {
		return await runApp({store, poller, noColor: args.noColor, ...(keyboard ? {stdin: keyboard} : {})});
	} finally {
		keyboard?.destroy();
		live.stop();
		poller.stop();
		await Promise.all(handles.map((h) => h.close()));
	}
}

/** `crimon serve`: every node polled on its interval into the store, /metrics rendered from it. */
async function serveCommand(args: CliArgs): Promise<number> {
	const {parseListenAddress, DEFAULT_LISTEN} = await import('./source/serve/listen-address.js');
	const address = parseListenAddress(args.listen ?? DEFAULT_LISTEN);
	const {serverSecurity} = await import('./source/serve/serve-security.js');
	const security = serverSecurity(address, args.webConfig, args.insecureListen);
	const polling = await openPolling(args);
	const {startMetricsServer} = await import('./source/serve/metrics-server.js');
	const {renderPrometheus} = await import('./source/render/prometheus-snapshot.js');
	const metrics = () => {
		const entries = polling.store.getState().nodes;
		const polls = pollsOf(entries);
		// Nodes not polled yet say nothing; one that failed says crimon_node_up 0.
		return renderPrometheus(entries.flatMap((e, i) => (e.snapshot ? [{node: e.snapshot, ...polls[i]!}] : [])));
	};
	let server;
	try {
		server = await startMetricsServer(address, {metrics}, security);
	} catch (error) {
		await polling.close();
		throw error;
	}
	process.stderr.write(`crimon: serving /metrics on ${server.scheme}://${server.url} (${polling.store.getState().nodes.length} node${polling.store.getState().nodes.length === 1 ? '' : 's'}, every ${polling.resolved.intervalMs / 1000}s)\n`);
	polling.poller.start();
	await new Promise<void>((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await server.close();
	await polling.close();
	return 0;
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
			process.stdout.write(helpText(args.helpFor) + '\n');
			return 0;
		case 'completion': {
			const {completionScript} = await import('./source/cli/completion.js');
			process.stdout.write(completionScript(args.shell!));
			return 0;
		}
		case 'version':
			process.stdout.write(`crimon ${version()}\n`);
			return 0;
		case 'snapshot':
			return snapshotCommand(args);
		case 'compare':
			return compareCommand(args);
		case 'serve':
			return serveCommand(args);
		case 'events': {
			const {eventsCommand} = await import('./source/cli/events-command.js');
			const interrupted = new Promise<void>((resolve) => {
				process.once('SIGINT', () => resolve());
				process.once('SIGTERM', () => resolve());
			});
			return eventsCommand(args, {write: (text) => process.stdout.write(text), warn: (text) => process.stderr.write(text), interrupted});
		}
		case 'app':
			return appCommand(args);
	}
}

// A reader that stops early (`crimon snapshot | head`) is no failure of crimon's: stop
// quietly, as ps or ctr do, instead of dying on an unhandled EPIPE with a stack trace.
// (`snapshot --watch` handles it itself, closing its connections first.)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (process.stdout.listenerCount('error') > 1) return;
	if (error.code !== 'EPIPE') throw error;
	process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		// Usage problems found late (a bad target, an unreadable config, a file that is not a
		// readable snapshot) are still usage errors.
		if (error instanceof UsageError || error instanceof ArgsError || error instanceof SnapshotFileError) {
			process.stderr.write(`crimon: ${error.message}\n`);
			process.exitCode = 2;
			return;
		}
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`crimon: ${message.split('\n')[0]}\n`);
		process.exitCode = 1;
	},
);
