/**
 * At most N at once: the poller's nodes, an SSH connection's channels. One implementation,
 * so both queue in order and both release exactly once however a job ends.
 */

/** Frees the slot; calling it again does nothing. */
export type Release = () => void;

export class Semaphore {
	private active = 0;
	private readonly waiting: (() => void)[] = [];

	constructor(private readonly limit: number) {
		if (!(limit >= 1)) throw new RangeError(`a semaphore needs a limit of at least 1, not ${limit}`);
	}

	/** Slots in use now. */
	get inUse(): number {
		return this.active;
	}

	/** Resolves with a release once a slot is free. */
	acquire(): Promise<Release> {
		if (this.active < this.limit) return Promise.resolve(this.take());
		return new Promise((resolve) => this.waiting.push(() => resolve(this.take())));
	}

	/** As acquire, but rejects with `onTimeout()` (and leaves the queue) if no slot frees up in time. */
	acquireWithin(timeoutMs: number, onTimeout: () => Error): Promise<Release> {
		if (this.active < this.limit) return Promise.resolve(this.take());
		return new Promise((resolve, reject) => {
			const grant = () => {
				clearTimeout(timer);
				resolve(this.take());
			};
			const timer = setTimeout(() => {
				const index = this.waiting.indexOf(grant);
				if (index >= 0) this.waiting.splice(index, 1);
				reject(onTimeout());
			}, Math.max(1, timeoutMs));
			this.waiting.push(grant);
		});
	}

	/** Runs `job` in a slot, released however the job ends. */
	async run<T>(job: () => Promise<T>): Promise<T> {
		const release = await this.acquire();
		try {
			return await job();
		} finally {
			release();
		}
	}

	private take(): Release {
		this.active++;
		let done = false;
		return () => {
			if (done) return;
			done = true;
			this.active--;
			this.waiting.shift()?.();
		};
	}
}
