import * as api from '../protocol/containerd-api.js';
import {encode} from '../protocol/protobuf.js';
import type {GrpcChannel} from '../protocol/grpc-client.js';
import type {ContainerdFacts} from '../schema/types.js';

/** Tasks.Metrics answers, per namespace; `error` says why a namespace did not answer. */
export interface ContainerdMetrics {
	readonly namespaces: readonly {readonly namespace: string; readonly metrics: readonly TaskMetrics[]}[];
	readonly error: string | null;
}
import type {Transport} from '../transport/transport.js';
import {DEFAULT_CONTAINERD_SOCKET, DOCKER_PRIVATE_CONTAINERD_SOCKET, type CollectOptions} from './collect-options.js';
import {TransportError} from '../transport/transport.js';
import {canonicalRunPath} from './kubelet-flags.js';
import {withChannel} from './channel-pool.js';
import {rememberOnChannel} from './session-memo.js';
import {parseContainers, parseNamespaces, parseTasks, parseVersion} from './parse-containerd.js';
import {decodeMetricsResponse, encodeMetricsRequest, METRICS_METHOD, type TaskMetrics} from '../protocol/containerd-metrics.js';
import {ProtobufError} from '../protocol/protobuf.js';

export async function collectContainerd(transport: Transport, options: CollectOptions): Promise<ContainerdFacts & {metrics?: ContainerdMetrics}> {
	const path = options.containerdSocket;
	const read = (at: string) => withChannel(transport, options.channels, at, options.timeoutMs, (channel) => readContainerd(channel, at, options));
	try {
		return await read(path);
	} catch (error) {
		// dockerd started without --containerd runs a containerd of its own, on its own socket:
		// where the standard one is absent, that one holds the node's containers.
		if (!(error instanceof TransportError && error.kind === 'missing') || canonicalRunPath(path) !== canonicalRunPath(DEFAULT_CONTAINERD_SOCKET)) throw error;
		return read(DOCKER_PRIVATE_CONTAINERD_SOCKET).catch((second: unknown) => {
			throw second instanceof TransportError && second.kind === 'missing' ? error : second;
		});
	}
}

async function readContainerd(channel: GrpcChannel, path: string, options: CollectOptions): Promise<ContainerdFacts & {metrics?: ContainerdMetrics}> {
	const callOptions = {timeoutMs: options.timeoutMs, maxBytes: options.maxBytes};
	const call = async (method: string, request: Uint8Array, namespace?: string) => {
		const bytes = await channel.raw(method, request, namespace ? {...callOptions, metadata: {[api.NAMESPACE_HEADER]: namespace}} : callOptions);
		options.onRaw?.('containerd', namespace ? `${method} ${namespace}` : method, bytes);
		return bytes;
	};
	const [versionBytes, namespaceBytes] = await Promise.all([
		// Kept channels are opened only when a poll is kept (the recorder sees every answer anew).
		options.channels
			? rememberOnChannel(channel, 'containerd version', () => call(api.CONTAINERD_METHODS.version, encode(api.Empty, {})))
			: call(api.CONTAINERD_METHODS.version, encode(api.Empty, {})),
		call(api.CONTAINERD_METHODS.listNamespaces, encode(api.ListNamespacesRequest, {})),
	]);
	const {version} = parseVersion(versionBytes);
	const namespaces = parseNamespaces(namespaceBytes);
	const perNamespace = await Promise.all(namespaces.map(async (namespace) => {
		// Tasks.Metrics rides along in the same round trip as the listings; its failure is
		// the usage source's, never containerd's.
		const metrics = options.containerdMetrics
			? call(METRICS_METHOD, encodeMetricsRequest(), namespace).then((bytes) => ({namespace, metrics: decodeMetricsResponse(bytes)}), (error: unknown) => metricsError(error))
			: null;
		const [containers, tasks, metricsAnswer] = await Promise.all([
			call(api.CONTAINERD_METHODS.listContainers, encode(api.ListContainersRequest, {}), namespace),
			call(api.CONTAINERD_METHODS.listTasks, encode(api.ListTasksRequest, {}), namespace),
			metrics,
		]);
		return {containers: parseContainers(containers, namespace, options.specMounts), tasks: parseTasks(tasks, namespace), metrics: metricsAnswer};
	}));
	const seen = new Set(perNamespace.flatMap((n) => n.containers.map((c) => `${c.namespace}/${c.id}`)));
	// Containers that are gone take their cached mounts with them.
	for (const key of options.specMounts?.keys() ?? []) if (!seen.has(key)) options.specMounts!.delete(key);
	return {
		address: path,
		version,
		namespaces,
		containers: perNamespace.flatMap((n) => n.containers),
		tasks: perNamespace.flatMap((n) => n.tasks),
		...(options.containerdMetrics ? {metrics: metricsOf(perNamespace.map((n) => n.metrics))} : {}),
	};
}

function metricsOf(answers: readonly ({namespace: string; metrics: TaskMetrics[]} | string | null)[]): ContainerdMetrics {
	const out: {namespace: string; metrics: TaskMetrics[]}[] = [];
	const errors: string[] = [];
	for (const answer of answers) {
		if (typeof answer === 'string') errors.push(answer);
		else if (answer) out.push(answer);
	}
	return {namespaces: out, error: errors[0] ?? null};
}

function metricsError(error: unknown): string {
	if (error instanceof ProtobufError) return `Tasks.Metrics answered with bytes that are not a valid message (${error.message})`;
	return `Tasks.Metrics: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300)}`;
}
