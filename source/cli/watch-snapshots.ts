/**
 * `crimon snapshot --watch`: the nodes stay open and are polled every --interval through
 * the same store and poller as every other command; after each round, one
 * crimon.snapshot/v1 document on one line (NDJSON), or with --output the file rewritten
 * atomically in the chosen format. Runs until SIGINT or SIGTERM (or its reader goes away).
 */
import type {CliArgs} from './parse-args.js';
import {buildSnapshot} from '../model/build-snapshot.js';
import {renderSnapshotAs} from '../render/render-format.js';
import type {TextOptions} from '../render/text-snapshot.js';
import type {Poller} from '../session/poller.js';
import type {CrimonStore} from '../store/store.js';

export interface WatchDeps {
	readonly open: (args: CliArgs) => Promise<{readonly resolved: {readonly intervalMs: number}; readonly store: CrimonStore; readonly poller: Poller; close(): Promise<void>}>;
	readonly emit: (text: string) => Promise<void>;
	readonly textOptions: TextOptions;
	/** Ends the watch early (tests); SIGINT and SIGTERM always do. */
	readonly signal?: AbortSignal;
}

export async function watchSnapshots(args: CliArgs, deps: WatchDeps): Promise<number> {
	const polling = await deps.open(args);
	const stop = new AbortController();
	const onSignal = () => stop.abort();
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	deps.signal?.addEventListener('abort', onSignal, {once: true});
	// A reader that goes away (| head -n 2) ends the stream quietly.
	const onStdoutError = (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') stop.abort();
	};
	process.stdout.on('error', onStdoutError);
	const format = args.format ?? 'json';
	const oneLine = args.output === null;
	try {
		while (!stop.signal.aborted) {
			const started = Date.now();
			await polling.poller.pollAll();
			if (stop.signal.aborted) break;
			const entries = polling.store.getState().nodes;
			const snapshot = buildSnapshot(entries.map((e) => e.snapshot!), new Date());
			const polls = entries.map((e) => ({up: e.status === 'ok', pollSeconds: e.lastDurationMs === null ? null : e.lastDurationMs / 1000}));
			await deps.emit(renderSnapshotAs(format, snapshot, {text: deps.textOptions, polls, oneLine}));
			const wait = polling.resolved.intervalMs - (Date.now() - started);
			if (wait > 0) await sleep(wait, stop.signal);
		}
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		process.stdout.off('error', onStdoutError);
		await polling.close();
	}
	return 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done, {once: true});
	});
}
