/**
 * Turns a NodeSpec into something that can be polled: its transport and collector.
 */
import {createNodeCollector, describeError, type NodeCollector} from '../collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../collect/collect-options.js';
import {buildNodeSnapshot, unreachableNode} from '../model/build-snapshot.js';
import type {NodeSnapshot} from '../model/types.js';
import {LocalTransport} from '../transport/local-transport.js';
import type {Transport} from '../transport/transport.js';
import {LOCAL_TARGET, type NodeSpec} from './node-spec.js';

export interface GlobalNodeOptions {
	readonly containerdSocket?: string;
	readonly criSocket?: string;
	readonly dockerSocket?: string;
	readonly timeoutMs?: number;
	readonly maxBytes?: number;
}

export interface NodeHandle {
	readonly spec: NodeSpec;
	readonly name: string;
	readonly target: string;
	/** One poll: never rejects; an unreachable node comes back with ok false. */
	poll(refresh?: ReadonlySet<number>): Promise<NodeSnapshot>;
	close(): Promise<void>;
}

export class UsageError extends Error {
	override readonly name = 'UsageError';
}

export function collectOptionsFor(spec: NodeSpec, global: GlobalNodeOptions): CollectOptions {
	return {
		containerdSocket: spec.containerdSocket ?? global.containerdSocket ?? DEFAULT_COLLECT_OPTIONS.containerdSocket,
		criSocket: spec.criSocket ?? global.criSocket ?? null,
		dockerSocket: spec.dockerSocket ?? global.dockerSocket ?? DEFAULT_COLLECT_OPTIONS.dockerSocket,
		timeoutMs: spec.timeoutMs ?? global.timeoutMs ?? DEFAULT_COLLECT_OPTIONS.timeoutMs,
		maxBytes: global.maxBytes ?? DEFAULT_COLLECT_OPTIONS.maxBytes,
	};
}

export type TransportFactory = (spec: NodeSpec) => {transport: Transport; name: string};

export const localTransportFactory: TransportFactory = (spec) => {
	if (spec.target !== LOCAL_TARGET) throw new UsageError(`unknown node target "${spec.target}" (use local or ssh://[user@]host[:port])`);
	return {transport: new LocalTransport(), name: spec.name ?? ''};
};

/** A node bound to its transport; the name of `local` is resolved on its first poll. */
export function openNode(spec: NodeSpec, global: GlobalNodeOptions, factory: TransportFactory = localTransportFactory): NodeHandle {
	const {transport, name: initialName} = factory(spec);
	const options = collectOptionsFor(spec, global);
	let name = initialName || spec.target;
	let collector: NodeCollector | null = null;
	const handle: NodeHandle = {
		spec,
		get name() {
			return name;
		},
		target: transport.target,
		async poll(refresh) {
			try {
				await transport.connect();
				if (!spec.name && transport.kind === 'local' && name === spec.target) name = await transport.hostname();
			} catch (error) {
				return unreachableNode(name, transport.target, describeError(error));
			}
			collector ??= createNodeCollector(name, transport, options);
			const facts = await collector.collect(refresh);
			return buildNodeSnapshot({...facts, name});
		},
		close: () => transport.close(),
	};
	return handle;
}
