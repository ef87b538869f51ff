import * as api from '../protocol/containerd-api.js';
import {encode} from '../protocol/protobuf.js';
import type {GrpcChannel} from '../protocol/grpc-client.js';
import type {ContainerdFacts} from '../model/types.js';
import type {Transport} from '../transport/transport.js';
import type {CollectOptions} from './collect-options.js';
import {withChannel} from './channel-pool.js';
import {rememberOnChannel} from './session-memo.js';
import {parseContainers, parseNamespaces, parseTasks, parseVersion} from './parse-containerd.js';

export async function collectContainerd(transport: Transport, options: CollectOptions): Promise<ContainerdFacts> {
	const path = options.containerdSocket;
	return withChannel(transport, options.channels, path, options.timeoutMs, (channel) => readContainerd(channel, path, options));
}

async function readContainerd(channel: GrpcChannel, path: string, options: CollectOptions): Promise<ContainerdFacts> {
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
		const [containers, tasks] = await Promise.all([
			call(api.CONTAINERD_METHODS.listContainers, encode(api.ListContainersRequest, {}), namespace),
			call(api.CONTAINERD_METHODS.listTasks, encode(api.ListTasksRequest, {}), namespace),
		]);
		return {containers: parseContainers(containers, namespace, options.specMounts), tasks: parseTasks(tasks, namespace)};
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
	};
}
