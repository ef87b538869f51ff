/** What the benches share: the median, and a warmed-up median time of a synchronous run. */
import {performance} from 'node:perf_hooks';

export const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The median of `polls` timed runs, after one run that warms the code up. */
export function timeIt(run: () => void, polls: number): number {
	run();
	const times: number[] = [];
	for (let i = 0; i < polls; i++) {
		const started = performance.now();
		run();
		times.push(performance.now() - started);
	}
	return median(times);
}
