/**
 * What the app builds from a snapshot (the Node pane's lines, the compare view) is built
 * once per snapshot and kept while that snapshot is on screen: a key press, a second
 * reader (Screen counting lines the pane also draws) or a pane shown again reuses it.
 * Keyed by the snapshot object, then by a short string for everything else the build
 * depends on (width, a toggle); a poll that changed something brings a new snapshot object,
 * so nothing stale is ever handed back. The memo is the caller's (one per function made
 * here), and holds the last few builds only: no cache outlives what is shown.
 */
const KEPT = 8;

export function memoOnSnapshot<S extends object, R>(build: (snapshot: S, key: string) => R): (snapshot: S, key: string) => R {
	const kept: {snapshot: S; key: string; built: R}[] = [];
	return (snapshot, key) => {
		const hit = kept.find((entry) => entry.snapshot === snapshot && entry.key === key);
		if (hit) return hit.built;
		const built = build(snapshot, key);
		kept.unshift({snapshot, key, built});
		if (kept.length > KEPT) kept.pop();
		return built;
	};
}

/** As memoOnSnapshot, for what is built from two snapshots (this node against another). */
export function memoOnSnapshots<S extends object, R>(build: (a: S, b: S, key: string) => R): (a: S, b: S, key: string) => R {
	const kept: {a: S; b: S; key: string; built: R}[] = [];
	return (a, b, key) => {
		const hit = kept.find((entry) => entry.a === a && entry.b === b && entry.key === key);
		if (hit) return hit.built;
		const built = build(a, b, key);
		kept.unshift({a, b, key, built});
		if (kept.length > KEPT) kept.pop();
		return built;
	};
}

/**
 * Runs jobs one at a time, each in its own turn of the event loop, so a key pressed while
 * they run waits for one job at most. Scheduling anew drops whatever was still queued.
 */
export function idleQueue(): {schedule(jobs: readonly (() => void)[]): void; cancel(): void} {
	let generation = 0;
	const cancel = () => {
		generation++;
	};
	return {
		schedule(jobs) {
			const mine = ++generation;
			const next = (index: number) => {
				if (mine !== generation || index >= jobs.length) return;
				setImmediate(() => {
					if (mine !== generation) return;
					jobs[index]!();
					next(index + 1);
				});
			};
			next(0);
		},
		cancel,
	};
}
