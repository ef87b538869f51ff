/**
 * Which nodes to watch: the --node flags in order, else the config file's nodes, else this
 * machine.
 */
import type {CliArgs} from './parse-args.js';
import {loadConfig, type CrimonConfig} from '../config/config-file.js';
import {type NodeSpec} from '../config/node-spec.js';
import {LOCAL_TARGET} from '../targets/target.js';
import {UsageError} from '../util/usage-error.js';
import {parseTarget, TargetError} from '../targets/target.js';

export interface ResolvedNodes {
	readonly specs: readonly NodeSpec[];
	readonly intervalMs: number;
	readonly concurrency: number;
	readonly timeoutMs: number;
}

const DEFAULT_INTERVAL_MS = 2000;
/**
 * Nodes polled at once. Measured with 50 SSH nodes (bench/ssh-fifty.ts): a first round took
 * 2.0 s at 8, 1.9 s at 16, 1.4 s at 32 and 50, for the same CPU; later rounds cost the same
 * CPU at any of these. Handshakes are bounded apart (MAX_HANDSHAKES), so this no longer
 * crowds a node's sshd.
 */
export const DEFAULT_CONCURRENCY = 32;
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * A --node that names a config node (by name or target) takes that node's settings, so
 * `crimon --node edge-3` means what the config says edge-3 is. Flags win over the file.
 */
function fromFlag(target: string, config: CrimonConfig | null, sudoFlag: boolean): NodeSpec {
	const known = config?.nodes.find((n) => n.name === target) ?? config?.nodes.find((n) => n.target === target);
	const sudo = sudoFlag || (known?.sudo ?? config?.sudo ?? false);
	if (!known) checkFlagTarget(target);
	return known ? {...known, sudo: sudo || undefined} : {target, sudo: sudo || undefined};
}

/** A bad target names the flag it came from, before any node is opened. */
export function checkFlagTarget(target: string, flag = '--node'): void {
	try {
		parseTarget(target);
	} catch (error) {
		if (error instanceof TargetError) throw new UsageError(`${flag} ${error.message}`);
		throw error;
	}
}

export async function resolveNodes(args: CliArgs, env: Readonly<Record<string, string | undefined>> = process.env, home?: string): Promise<ResolvedNodes> {
	const config = loadConfig(args.config, env, home);
	let specs: NodeSpec[];
	if (args.nodes.length > 0) specs = args.nodes.map((target) => fromFlag(target, config, args.sudo));
	else if (config && config.nodes.length > 0) specs = config.nodes.map((n) => ({...n, sudo: (args.sudo || (n.sudo ?? config.sudo ?? false)) || undefined}));
	else specs = [{target: LOCAL_TARGET}];
	return {
		specs,
		intervalMs: args.intervalMs ?? config?.intervalMs ?? DEFAULT_INTERVAL_MS,
		concurrency: args.concurrency ?? config?.concurrency ?? DEFAULT_CONCURRENCY,
		timeoutMs: args.timeoutMs ?? config?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
}
