/**
 * Which nodes to watch: the --node flags in order, else the config file's nodes, else this
 * machine.
 */
import type {CliArgs} from '../cli/parse-args.js';
import {LOCAL_TARGET, type NodeSpec} from './node-spec.js';

export interface ResolvedNodes {
	readonly specs: readonly NodeSpec[];
	readonly intervalMs: number;
	readonly concurrency: number;
	readonly timeoutMs: number;
}

export const DEFAULT_INTERVAL_MS = 2000;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_MS = 5000;

export async function resolveNodes(args: CliArgs): Promise<ResolvedNodes> {
	const specs: NodeSpec[] = args.nodes.length > 0
		? args.nodes.map((target) => ({target, sudo: args.sudo || undefined}))
		: [{target: LOCAL_TARGET}];
	return {
		specs,
		intervalMs: args.intervalMs ?? DEFAULT_INTERVAL_MS,
		concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
		timeoutMs: args.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
}
