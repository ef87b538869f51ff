/**
 * Turns a NodeSpec into something that can be polled: its transport and collector.
 */
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../collect/collect-options.js';
import type {NodeSnapshot} from '../schema/types.js';
import type {NodeModel} from '../model/node-model.js';
import {LocalTransport} from '../transport/local-transport.js';
import {SshTransport} from '../transport/ssh-transport.js';
import type {Transport} from '../transport/transport.js';
import type {ContainerEventCount} from '../schema/types.js';
import {type NodeSpec} from '../config/node-spec.js';
import {NodeSession} from './node-session.js';
import type {SshConfigSources} from '../targets/ssh-config.js';
import {parseTarget, TargetError, type Target} from '../targets/target.js';
import {UsageError} from '../util/usage-error.js';

export interface GlobalNodeOptions {
	readonly containerdSocket?: string;
	readonly criSocket?: string;
	readonly dockerSocket?: string;
	readonly timeoutMs?: number;
	readonly maxBytes?: number;
	/** --accept-new, for the default transport factory. */
	readonly acceptNew?: boolean;
	/** This node's exits and OOMs counted from its event stream (health findings). */
	readonly eventCounts?: () => readonly ContainerEventCount[];
}

/**
 * What the rest of crimon holds of a node (a NodeSession). `transport` and `collectOptions`
 * are there for whatever else reads the same node over the same connection (events, usage).
 */
export interface NodeHandle {
	readonly spec: NodeSpec;
	readonly name: string;
	readonly target: string;
	readonly transport: Transport;
	readonly collectOptions: CollectOptions;
	/** One poll: never rejects; an unreachable node comes back with ok false. */
	poll(refresh?: ReadonlySet<number>): Promise<NodeSnapshot>;
	/** As poll, with the model's index and what changed since the node's last good poll. */
	pollModel(refresh?: ReadonlySet<number>): Promise<NodeModel>;
	close(): Promise<void>;
}

function collectOptionsFor(spec: NodeSpec, global: GlobalNodeOptions): CollectOptions {
	return {
		containerdSocket: spec.containerdSocket ?? global.containerdSocket ?? DEFAULT_COLLECT_OPTIONS.containerdSocket,
		criSocket: spec.criSocket ?? global.criSocket ?? null,
		dockerSocket: spec.dockerSocket ?? global.dockerSocket ?? DEFAULT_COLLECT_OPTIONS.dockerSocket,
		timeoutMs: spec.timeoutMs ?? global.timeoutMs ?? DEFAULT_COLLECT_OPTIONS.timeoutMs,
		maxBytes: global.maxBytes ?? DEFAULT_COLLECT_OPTIONS.maxBytes,
		eventCounts: global.eventCounts,
	};
}

export type TransportFactory = (spec: NodeSpec) => {transport: Transport; name: string};

export interface TransportFactoryOptions {
	/** --accept-new: trust and record host keys never seen before. */
	readonly acceptNew?: boolean;
	/** Where ~/.ssh/config and friends are read from (tests point it elsewhere). */
	readonly ssh?: SshConfigSources;
	/** Bound on connecting, for nodes whose spec sets none. */
	readonly timeoutMs?: number;
}

/** `local` gets this machine; `ssh://…` and aliases get one SSH connection each. */
export function createTransportFactory(options: TransportFactoryOptions = {}): TransportFactory {
	return (spec) => {
		let target: Target;
		try {
			target = parseTarget(spec.target);
		} catch (error) {
			if (error instanceof TargetError) throw new UsageError(error.message);
			throw error;
		}
		if (target.kind === 'local') return {transport: new LocalTransport(), name: spec.name ?? ''};
		const transport = new SshTransport({
			host: target.host,
			user: target.user,
			port: target.port,
			target: target.canonical,
			sources: options.ssh,
			acceptNew: options.acceptNew,
			// Connecting (key exchange, login) is the slow start a steady poll is not: twice the timeout.
			connectTimeoutMs: 2 * (spec.timeoutMs ?? options.timeoutMs ?? DEFAULT_COLLECT_OPTIONS.timeoutMs),
		});
		return {transport, name: spec.name ?? target.host};
	};
}

/** A node bound to its transport; the name of `local` is resolved on its first poll. */
export function openNode(spec: NodeSpec, global: GlobalNodeOptions, factory: TransportFactory = createTransportFactory({timeoutMs: global.timeoutMs, acceptNew: global.acceptNew})): NodeHandle {
	const {transport, name} = factory(spec);
	return new NodeSession({spec, transport, name, options: collectOptionsFor(spec, global)});
}
