/**
 * One poll of one node: every source at once, each failure kept as an error on that
 * source so the others still report.
 */
import type {NodeFacts, SourceError, SourceName} from '../model/types.js';
import {ProtobufError} from '../protocol/protobuf.js';
import type {Transport} from '../transport/transport.js';
import {collectContainerd} from './collect-containerd.js';
import {collectCri} from './collect-cri.js';
import {collectDocker} from './collect-docker.js';
import type {CollectOptions} from './collect-options.js';
import {ProcessTableReader} from './process-table.js';

/** A message a person can read: no stack, no multi-line dumps. */
export function describeError(error: unknown): string {
	if (error instanceof ProtobufError) return `answered with bytes that are not a valid message (${error.message})`;
	const message = error instanceof Error ? error.message : String(error);
	return message.split('\n')[0]!.slice(0, 500) || 'unknown error';
}

export interface NodeCollector {
	collect(refresh?: ReadonlySet<number>): Promise<NodeFacts>;
}

export function createNodeCollector(name: string, transport: Transport, options: CollectOptions): NodeCollector {
	const processes = new ProcessTableReader(transport);
	return {
		async collect(refresh) {
			const errors: SourceError[] = [];
			const attempt = async <T>(source: SourceName, run: () => Promise<T>): Promise<T | null> => {
				try {
					return await run();
				} catch (error) {
					errors.push({source, message: describeError(error)});
					return null;
				}
			};
			const [processTable, containerd, cri, docker] = await Promise.all([
				attempt('processes', () => processes.read({timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, refresh})),
				attempt('containerd', () => collectContainerd(transport, options)),
				attempt('cri', () => collectCri(transport, options)),
				attempt('docker', () => collectDocker(transport, options)),
			]);
			const order: SourceName[] = ['node', 'processes', 'containerd', 'cri', 'docker', 'kubelet'];
			errors.sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
			return {name, target: transport.target, reachable: true, errors, processes: processTable, containerd, cri, docker};
		},
	};
}
