/**
 * One node, polled: its transport, its collector (which keeps the gRPC sessions and the
 * parsed container specs across polls), and the policy of a poll — the whole poll held to
 * the node's timeout, each call inside it to less, and after a poll that failed in part the
 * question whether the node itself still answers. Every kind of node goes through this one
 * path: there is no branch on the transport's type, so what is cheap for one is cheap for
 * all (an SSH node keeps its forwarded channels exactly as a local node keeps its sockets).
 */
import {createNodeCollector, describeError, type NodeCollector} from '../collect/collect-node.js';
import type {CollectOptions} from '../collect/collect-options.js';
import {buildNodeSnapshot, unreachableNode} from '../model/build-snapshot.js';
import type {NodeSnapshot} from '../model/types.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {callTimeout, Deadline} from '../util/deadline.js';
import type {NodeSpec} from './node-spec.js';

export interface NodeSessionParts {
	readonly spec: NodeSpec;
	readonly transport: Transport;
	/** The name to report; empty: ask the node for its hostname on the first poll. */
	readonly name: string;
	/** Bounds and sockets; `timeoutMs` bounds the whole poll. */
	readonly options: CollectOptions;
}

export class NodeSession {
	readonly spec: NodeSpec;
	readonly transport: Transport;
	/** What every collector of this node is given: per-call bound, sockets, --sudo. */
	readonly collectOptions: CollectOptions;
	private currentName: string;
	private readonly nameKnown: boolean;
	private collector: NodeCollector | null = null;
	private readonly pollMs: number;

	constructor(parts: NodeSessionParts) {
		this.spec = parts.spec;
		this.transport = parts.transport;
		this.pollMs = parts.options.timeoutMs;
		this.nameKnown = parts.name !== '';
		this.currentName = parts.name || parts.spec.target;
		this.collectOptions = {
			...parts.options,
			timeoutMs: callTimeout(parts.options.timeoutMs),
			// --sudo is for remote logins without the sockets' groups; this machine is read directly.
			sudo: parts.transport.kind === 'ssh' && (parts.spec.sudo ?? false),
		};
	}

	get name(): string {
		return this.currentName;
	}

	get target(): string {
		return this.transport.target;
	}

	/** One poll: never rejects; an unreachable node comes back with ok false. */
	async poll(refresh?: ReadonlySet<number>): Promise<NodeSnapshot> {
		const deadline = new Deadline(this.pollMs);
		try {
			// Connecting fails for its own reasons (refused, host key, login), told as they are.
			await this.transport.connect(deadline.remaining());
			if (!this.nameKnown && this.currentName === this.spec.target) this.currentName = await this.transport.hostname();
			const collector = this.collector ??= createNodeCollector(this.currentName, this.transport, this.collectOptions, true);
			const facts = await runBounded(this.transport, deadline, () => collector.collect(refresh), (result) => result.errors.length > 0 && !collector.answered(), this.currentName);
			return buildNodeSnapshot({...facts, name: this.currentName});
		} catch (error) {
			return unreachableNode(this.currentName, this.transport.target, describeError(error));
		}
	}

	async close(): Promise<void> {
		this.collector?.close();
		this.collector = null;
		await this.transport.close();
	}
}

/**
 * The share of a poll's bound kept for the liveness probe (a tenth, at most 5 s). The probe
 * used to get what the poll left, and a poll that ran out of time left nothing: a probe
 * bounded by 1 ms called every slow node gone, its connection was dropped, and with it the
 * event streams riding on it, so a container's exit never reached `crimon events` (a TCG VM
 * node, issue 17). The poll's work now stops that much early, so the whole stays in bound.
 */
export function probeReserveMs(pollMs: number): number {
	return Math.min(5_000, Math.floor(pollMs / 10));
}

/**
 * Runs one poll within `pollMs`. When it fails, fails in part, or runs out of time, the
 * transport is asked whether the node itself still answers: if not, that is the error (and
 * the connection is dropped); if so, the failures are the sources' own.
 */
export async function runBounded<T>(
	transport: Transport,
	bound: number | Deadline,
	run: () => Promise<T>,
	failed: (value: T) => boolean,
	name: string = transport.target,
): Promise<T> {
	const deadline = typeof bound === 'number' ? new Deadline(bound) : bound;
	const pollMs = deadline.totalMs;
	const reserve = transport.checkAlive ? probeReserveMs(pollMs) : 0;
	const outcome = await deadline.race(run(), reserve);
	const suspect = outcome === 'expired' || 'error' in outcome || failed(outcome.value);
	if (suspect && transport.checkAlive) {
		const dead = await transport.checkAlive(Math.max(deadline.remaining(), reserve), pollMs);
		if (dead) throw dead;
	}
	if (outcome === 'expired') throw new TransportError(`${name} answers, but its runtimes did not all answer within ${pollMs} ms`, 'timeout');
	if ('error' in outcome) throw outcome.error;
	return outcome.value;
}
