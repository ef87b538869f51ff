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
import {unreachableNode} from '../model/build-snapshot.js';
import {build, modelOfSnapshot, type NodeModel} from '../model/node-model.js';
import type {NodeSnapshot} from '../schema/types.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {callTimeout, Deadline} from '../util/deadline.js';
import type {NodeSpec} from '../config/node-spec.js';

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
	private lastFailed = false;
	/** The last model of a poll that reached the node: what the next one is built against. */
	private previous: NodeModel | null = null;

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

	/**
	 * One poll: never rejects; an unreachable node comes back with ok false. The timeout is
	 * the node's own: connecting has its own bound (the transport does not count the wait for
	 * a handshake slot behind other nodes), and the poll's starts once it is connected.
	 * Connecting, and the first poll on a connection (which opens every channel and reads
	 * every spec), each get twice the bound a steady poll does.
	 */
	async poll(refresh?: ReadonlySet<number>): Promise<NodeSnapshot> {
		return (await this.pollModel(refresh)).snapshot;
	}

	/** As poll, with the index and what changed since the last poll that reached the node. */
	async pollModel(refresh?: ReadonlySet<number>): Promise<NodeModel> {
		try {
			// Connecting fails for its own reasons (refused, host key, login), told as they are.
			await this.transport.connect(2 * this.pollMs);
			const cold = this.collector === null || this.lastFailed;
			const deadline = new Deadline(cold ? 2 * this.pollMs : this.pollMs);
			if (!this.nameKnown && this.currentName === this.spec.target) this.currentName = await this.transport.hostname();
			const collector = this.collector ??= createNodeCollector(this.currentName, this.transport, this.collectOptions, true);
			const facts = await runBounded(this.transport, deadline, () => collector.collect(refresh), (result) => result.errors.length > 0 && !collector.answered(), this.currentName);
			this.lastFailed = false;
			const model = build({...facts, name: this.currentName}, this.previous);
			// What the next poll's health findings compare against (a shim seen childless twice).
			if (model.marks) collector.remember(model.marks);
			this.previous = model;
			return model;
		} catch (error) {
			this.lastFailed = true;
			return modelOfSnapshot(unreachableNode(this.currentName, this.transport.target, describeError(error)), null);
		}
	}

	async close(): Promise<void> {
		this.collector?.close();
		this.collector = null;
		await this.transport.close();
	}
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
	const work = run();
	let outcome = await deadline.race(work);
	const suspect = outcome === 'expired' || 'error' in outcome || failed(outcome.value);
	if (suspect && transport.checkAlive) {
		// Its own bound, never what the poll left (1 ms once it ran out): a node that is slow
		// to finish a poll is asked fairly whether it answers, not declared gone.
		const dead = await transport.checkAlive(callTimeout(pollMs), pollMs);
		if (dead) throw dead;
	}
	// The node answers, so it is not down: its calls are each bounded (two runtimes behind one
	// wedged socket time out one after the other), so they get one more bound to report their
	// own errors, and the node stays up with its runtimes failing.
	if (outcome === 'expired') outcome = await new Deadline(pollMs).race(work);
	if (outcome === 'expired') throw new TransportError(`${name} answers, but its runtimes did not all answer within ${2 * pollMs} ms`, 'timeout');
	if ('error' in outcome) throw outcome.error;
	return outcome.value;
}
