/**
 * An event re-polls its node at once, debounced: a burst (create, start, exit, delete
 * arrive within milliseconds) makes one poll about `debounceMs` after its first event. A
 * request while that node's poll is in flight makes one more poll right after it, so the
 * last change is never left for the next interval.
 */
export interface RepollTarget {
	/** Starts a poll of node `index` now; resolves when it is done. */
	pollNow(index: number): Promise<void>;
}

export class RepollOnEvents {
	private readonly timers = new Map<number, NodeJS.Timeout>();
	private readonly running = new Set<number>();
	private readonly again = new Set<number>();
	private stopped = false;

	constructor(private readonly target: RepollTarget, private readonly debounceMs = 150) {}

	request(index: number): void {
		if (this.stopped || this.timers.has(index)) return;
		if (this.running.has(index)) {
			this.again.add(index);
			return;
		}
		const timer = setTimeout(() => {
			this.timers.delete(index);
			void this.run(index);
		}, this.debounceMs);
		timer.unref();
		this.timers.set(index, timer);
	}

	stop(): void {
		this.stopped = true;
		for (const timer of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
	}

	private async run(index: number): Promise<void> {
		this.running.add(index);
		try {
			await this.target.pollNow(index);
		} finally {
			this.running.delete(index);
			if (this.again.delete(index)) this.request(index);
		}
	}
}
