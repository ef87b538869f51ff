/**
 * What the app builds from a snapshot (a pane's items, the Node pane's lines, the compare
 * view) is built once per snapshot and kept for as long as that snapshot lives: a key
 * press, a second reader (Screen counting lines the pane also draws) or a pane shown again
 * reuses it. Keyed by the snapshot object, then by a short string for everything else the
 * build depends on (width, a toggle); a new poll's snapshot is a new object, so nothing
 * stale is ever handed back. Generic on purpose: a new pane or column memoises the same way.
 */
export function memoOnSnapshot<S extends object, R>(build: (snapshot: S, key: string) => R): (snapshot: S, key: string) => R {
	const kept = new WeakMap<S, Map<string, R>>();
	return (snapshot, key) => {
		let perSnapshot = kept.get(snapshot);
		if (!perSnapshot) kept.set(snapshot, (perSnapshot = new Map()));
		if (perSnapshot.has(key)) return perSnapshot.get(key)!;
		const built = build(snapshot, key);
		perSnapshot.set(key, built);
		return built;
	};
}

/** As memoOnSnapshot, for what is built from two snapshots (this node against another). */
export function memoOnSnapshots<S extends object, R>(build: (a: S, b: S, key: string) => R): (a: S, b: S, key: string) => R {
	const kept = memoOnSnapshot<S, WeakMap<S, Map<string, R>>>(() => new WeakMap());
	return (a, b, key) => {
		const byB = kept(a, '');
		let perPair = byB.get(b);
		if (!perPair) byB.set(b, (perPair = new Map()));
		if (perPair.has(key)) return perPair.get(key)!;
		const built = build(a, b, key);
		perPair.set(key, built);
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
