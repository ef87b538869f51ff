/**
 * Polls every node into the store: each on its own interval, never two polls of one node
 * in flight (a slow node skips ticks instead of piling them up), exponential backoff after
 * failures, and a bound on how many nodes are polled at once.
 */
import type {NodeHandle} from './open-node.js';
import {Semaphore} from '../util/semaphore.js';
import type {NodeModel} from '../model/node-model.js';

/**
 * What the poller reads and tells: the store, seen from below (the store is built on this
 * floor, not the other way round), so any state with these members can be polled into.
 */
export interface PollSink {
	getState(): {
		readonly paused: boolean;
		readonly intervalMs: number;
		readonly nodes: readonly {readonly inFlight: boolean; readonly failures: number}[];
		pollStarted(index: number): void;
		pollFinished(index: number, model: NodeModel, finishedAt: number, durationMs: number): void;
	};
}

export interface PollerOptions {
	readonly concurrency: number;
	readonly maxBackoffMs?: number;
	readonly now?: () => number;
	/** Per-node interval overrides (config file), by node index. */
	readonly intervals?: readonly (number | undefined)[];
	/** Pids each node should re-read this poll (the rows on screen), by node index. */
	readonly refreshFor?: (index: number) => ReadonlySet<number> | undefined;
}

/** Pure: how long to wait before the next poll of a node. */
function nextDelay(intervalMs: number, failures: number, maxBackoffMs: number): number {
	if (failures === 0) return intervalMs;
	return Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(failures, 10));
}

export class Poller {
	private readonly timers = new Map<number, NodeJS.Timeout>();
	private running = false;
	private readonly slots: Semaphore;
	private readonly now: () => number;

	constructor(private readonly store: PollSink, private readonly handles: readonly NodeHandle[], private readonly options: PollerOptions) {
		this.now = options.now ?? Date.now;
		this.slots = new Semaphore(Math.max(1, options.concurrency));
	}

	/** Polls every node once, all at once within the concurrency bound. */
	pollAll(): Promise<void> {
		return Promise.all(this.handles.map((_, index) => this.pollNode(index))).then(() => undefined);
	}

	start(): void {
		if (this.running) return;
		this.running = true;
		this.handles.forEach((_, index) => void this.tick(index));
	}

	stop(): void {
		this.running = false;
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
	}

	/** `r`: poll now, unless a poll of that node is already in flight. */
	pollNow(index?: number): void {
		const targets = index === undefined ? this.handles.map((_, i) => i) : [index];
		for (const i of targets) {
			clearTimeout(this.timers.get(i));
			void this.tick(i, true);
		}
	}

	private async tick(index: number, manual = false): Promise<void> {
		// Nodes past the handles (saved files opened with --from) are never polled.
		if (!this.handles[index]) return;
		const state = this.store.getState();
		if (!this.running && !manual) return;
		if (!state.paused || manual) await this.pollNode(index);
		if (!this.running) return;
		const entry = this.store.getState().nodes[index];
		const interval = this.options.intervals?.[index] ?? this.store.getState().intervalMs;
		const delay = nextDelay(interval, entry?.failures ?? 0, this.options.maxBackoffMs ?? 60_000);
		clearTimeout(this.timers.get(index));
		this.timers.set(index, setTimeout(() => void this.tick(index), delay));
	}

	private async pollNode(index: number): Promise<void> {
		const handle = this.handles[index];
		if (!handle || this.store.getState().nodes[index]?.inFlight) return;
		this.store.getState().pollStarted(index);
		await this.slots.run(async () => {
			const started = this.now();
			const model = await handle.pollModel(this.options.refreshFor?.(index));
			this.store.getState().pollFinished(index, model, this.now(), this.now() - started);
		});
	}
}
