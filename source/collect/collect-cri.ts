import {CRI_API_VERSIONS, criMethod, ListContainersRequest, ListPodSandboxRequest, VersionRequest, type CriApiVersion} from '../protocol/cri-api.js';
import {GRPC_UNIMPLEMENTED, GrpcChannel, GrpcError} from '../protocol/grpc-client.js';
import {encode} from '../protocol/protobuf.js';
import type {CriFacts} from '../model/types.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {CRI_SOCKET_CANDIDATES, socketPath, type CollectOptions} from './collect-options.js';
import {parseCriContainers, parseCriVersion, parseSandboxes} from './parse-cri.js';

export class CriUnavailableError extends Error {
	override readonly name = 'CriUnavailableError';
}

/** Asks one endpoint for the CRI, v1 first, then v1alpha2 as crictl does for old runtimes. */
export async function collectCriAt(transport: Transport, endpoint: string, options: CollectOptions): Promise<CriFacts> {
	const path = socketPath(endpoint);
	const stream = await transport.connectUnix(path, options.timeoutMs);
	const channel = new GrpcChannel(stream);
	const callOptions = {timeoutMs: options.timeoutMs, maxBytes: options.maxBytes};
	const call = async (api: CriApiVersion, method: 'Version' | 'ListPodSandbox' | 'ListContainers', request: Uint8Array) => {
		const bytes = await channel.raw(criMethod(api, method), request, callOptions);
		options.onRaw?.('cri', `${api} ${method}`, bytes);
		return bytes;
	};
	try {
		let chosen: CriApiVersion | null = null;
		let versionBytes: Uint8Array | null = null;
		for (const api of CRI_API_VERSIONS) {
			try {
				versionBytes = await call(api, 'Version', encode(VersionRequest, {version: api === 'v1' ? 'v1' : '0.1.0'}));
				chosen = api;
				break;
			} catch (error) {
				if (error instanceof GrpcError && error.code === GRPC_UNIMPLEMENTED) continue;
				throw error;
			}
		}
		if (!chosen || !versionBytes) throw new CriUnavailableError(`${path} does not serve the CRI (neither runtime.v1 nor runtime.v1alpha2)`);
		const version = parseCriVersion(versionBytes);
		const [sandboxes, containers] = await Promise.all([
			call(chosen, 'ListPodSandbox', encode(ListPodSandboxRequest, {})),
			call(chosen, 'ListContainers', encode(ListContainersRequest, {})),
		]);
		return {
			info: {
				endpoint: `unix://${path}`,
				runtimeName: version.runtimeName,
				runtimeVersion: version.runtimeVersion,
				apiVersion: version.runtimeApiVersion || chosen,
			},
			sandboxes: parseSandboxes(sandboxes),
			containers: parseCriContainers(containers),
		};
	} finally {
		channel.close();
	}
}

/**
 * The forced endpoint, or else the first candidate socket that serves the CRI: the order
 * kubeadm probes in, which is also what crictl would silently pick.
 */
export async function collectCri(transport: Transport, options: CollectOptions, candidates: readonly string[] = CRI_SOCKET_CANDIDATES): Promise<CriFacts> {
	if (options.criSocket) return collectCriAt(transport, options.criSocket, options);
	const reasons: string[] = [];
	for (const candidate of candidates) {
		try {
			return await collectCriAt(transport, candidate, options);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'missing') continue;
			reasons.push(error instanceof Error ? error.message : String(error));
		}
	}
	if (reasons.length === 0) throw new CriUnavailableError(`no CRI socket found (looked for ${candidates.join(', ')})`);
	throw new CriUnavailableError(`no CRI runtime answered: ${reasons.join('; ')}`);
}
