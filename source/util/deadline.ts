/**
 * One way to bound asynchronous work in time, used by every call crimon makes to a node
 * (SSH exec, SFTP, stream-local opens, gRPC, Docker, local sockets) and by the poll that
 * holds them. Each used to carry its own settle-once timer; they drifted (one cleaned up
 * on timeout, another not). Here the timer, the settle-once rule and the cleanup live once.
 */

/** How a job bounded by settleWithin finishes: at most once, whoever gets there first. */
export interface Settle<T> {
	resolve(value: T): void;
	reject(error: Error): void;
	readonly settled: boolean;
	/**
	 * Runs once the job settles (at once if it already has), told whether it failed:
	 * closes what the job opened, so a late answer never lands on a live handle.
	 */
	onSettle(cleanup: (failed: boolean) => void): void;
}

/**
 * Runs `job` with a timer: if neither resolve nor reject came within `timeoutMs`, the
 * promise rejects with `onTimeout()`. A job that throws synchronously rejects.
 */
export function settleWithin<T>(timeoutMs: number, onTimeout: () => Error, job: (settle: Settle<T>) => void): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		let settled = false;
		let failed = false;
		const cleanups: ((failed: boolean) => void)[] = [];
		const finish = (error: Error | null, value?: T) => {
			if (settled) return;
			settled = true;
			failed = error !== null;
			clearTimeout(timer);
			for (const cleanup of cleanups.splice(0)) {
				try {
					cleanup(failed);
				} catch {
					// Cleanup is best effort: a handle that is already gone is fine.
				}
			}
			if (error) reject(error);
			else resolve(value as T);
		};
		const timer = setTimeout(() => finish(onTimeout()), Math.max(1, Math.ceil(timeoutMs)));
		const settle: Settle<T> = {
			resolve: (value) => finish(null, value),
			reject: (error) => finish(error),
			get settled() {
				return settled;
			},
			onSettle(cleanup) {
				if (settled) cleanup(failed);
				else cleanups.push(cleanup);
			},
		};
		try {
			job(settle);
		} catch (error) {
			finish(error instanceof Error ? error : new Error(String(error)));
		}
	});
}

/** A bound that several steps share: each step gets what is left of it. */
export class Deadline {
	private readonly end: number;

	constructor(readonly totalMs: number, private readonly now: () => number = Date.now) {
		this.end = now() + totalMs;
	}

	/** Milliseconds left, never below `floor` (a timer of 0 would fire before any I/O). */
	remaining(floor = 1): number {
		return Math.max(floor, this.end - this.now());
	}

	get expired(): boolean {
		return this.now() >= this.end;
	}

	/**
	 * The work's outcome, or 'expired' if the deadline came first; the work is not cancelled.
	 * With `reserveMs`, 'expired' comes that much before the deadline, kept for what follows.
	 */
	async race<T>(work: Promise<T>, reserveMs = 0): Promise<{value: T} | {error: unknown} | 'expired'> {
		let timer: NodeJS.Timeout | undefined;
		const outcome = await Promise.race([
			work.then((value) => ({value}), (error: unknown) => ({error})),
			new Promise<'expired'>((resolve) => {
				timer = setTimeout(() => resolve('expired'), Math.max(1, this.remaining() - reserveMs));
			}),
		]);
		clearTimeout(timer);
		return outcome;
	}
}

/**
 * The bound on each call inside a poll bounded by `pollMs`: less than the whole, so a
 * slow runtime fails its own call (and is reported as that source's error) with time left
 * to ask whether the node itself still answers.
 */
export function callTimeout(pollMs: number): number {
	return Math.max(100, Math.floor(pollMs * 0.75));
}
