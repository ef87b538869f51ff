import {CRI_API_VERSIONS, criMethod, ListContainersRequest, ListPodSandboxRequest, VersionRequest, type CriApiVersion} from '../protocol/cri-api.js';
import {GRPC_UNIMPLEMENTED, GrpcError, type GrpcChannel} from '../protocol/grpc-client.js';
import {encode} from '../protocol/protobuf.js';
import {canonicalRunPath} from './kubelet-flags.js';
import type {CriFacts, CriProbeFacts, CriSocketProbe, KubeletFacts} from '../schema/types.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {withChannel} from './channel-pool.js';
import {chooseCriSocket, kubeletEndpointOf} from './cri-choice.js';
import {rememberOnChannel} from './session-memo.js';
import {CRI_SOCKET_CANDIDATES, socketPath, type CollectOptions} from './collect-options.js';
import {parseCriContainers, parseCriVersion, parseSandboxes} from './parse-cri.js';

class CriUnavailableError extends Error {
	override readonly name = 'CriUnavailableError';
}

/** Asks one endpoint for the CRI, v1 first, then v1alpha2 as crictl does for old runtimes. */
async function collectCriAt(transport: Transport, endpoint: string, options: CollectOptions): Promise<CriFacts> {
	const path = socketPath(endpoint);
	return withChannel(transport, options.channels, path, options.timeoutMs, (channel) => readCri(channel, path, options));
}

/** Only whether an endpoint serves the CRI, and which runtime: its Version (once a session), no listing. */
async function criVersionAt(transport: Transport, endpoint: string, options: CollectOptions): Promise<CriFacts['info']> {
	const path = socketPath(endpoint);
	return withChannel(transport, options.channels, path, options.timeoutMs, async (channel) => (await negotiateCri(channel, path, options)).info);
}

type CriCall = (api: CriApiVersion, method: 'Version' | 'ListPodSandbox' | 'ListContainers', request: Uint8Array) => Promise<Uint8Array>;

function caller(channel: GrpcChannel, options: CollectOptions): CriCall {
	const callOptions = {timeoutMs: options.timeoutMs, maxBytes: options.maxBytes};
	return async (api, method, request) => {
		const bytes = await channel.raw(criMethod(api, method), request, callOptions);
		options.onRaw?.('cri', `${api} ${method}`, bytes);
		return bytes;
	};
}

async function negotiateCri(channel: GrpcChannel, path: string, options: CollectOptions): Promise<{chosen: CriApiVersion; info: CriFacts['info']}> {
	const call = caller(channel, options);
	const negotiate = async () => {
		for (const api of CRI_API_VERSIONS) {
			try {
				return {chosen: api, versionBytes: await call(api, 'Version', encode(VersionRequest, {version: api === 'v1' ? 'v1' : '0.1.0'}))};
			} catch (error) {
				if (error instanceof GrpcError && error.code === GRPC_UNIMPLEMENTED) continue;
				throw error;
			}
		}
		throw new CriUnavailableError(`${path} does not serve the CRI (neither runtime.v1 nor runtime.v1alpha2)`);
	};
	// Which API the socket serves, and the runtime's version, hold for the session's life.
	const {chosen, versionBytes} = options.channels ? await rememberOnChannel(channel, `cri ${path}`, negotiate) : await negotiate();
	const version = parseCriVersion(versionBytes);
	return {chosen, info: {endpoint: `unix://${path}`, runtimeName: version.runtimeName, runtimeVersion: version.runtimeVersion, apiVersion: version.runtimeApiVersion || chosen}};
}

async function readCri(channel: GrpcChannel, path: string, options: CollectOptions): Promise<CriFacts> {
	const {chosen, info} = await negotiateCri(channel, path, options);
	const call = caller(channel, options);
	const [sandboxes, containers] = await Promise.all([
		call(chosen, 'ListPodSandbox', encode(ListPodSandboxRequest, {})),
		call(chosen, 'ListContainers', encode(ListContainersRequest, {})),
	]);
	return {info, sandboxes: parseSandboxes(sandboxes), containers: parseCriContainers(containers)};
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

// ---- every socket at once, for the diagnosis ---------------------------------------------

export interface CriCollection {
	/** The CRI crimon reads pods from: the forced endpoint, else the kubelet's when it answers, else the first candidate that answers. */
	readonly facts: CriFacts | null;
	/** Why there are no facts. */
	readonly error: Error | null;
	readonly probe: CriProbeFacts;
}

function probeOf(endpoint: string, outcome: PromiseSettledResult<CriFacts['info']>): CriSocketProbe {
	if (outcome.status === 'fulfilled') {
		const {runtimeName, runtimeVersion} = outcome.value;
		return {endpoint, status: 'cri', runtimeName, runtimeVersion, message: null};
	}
	const error: unknown = outcome.reason;
	const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
	if (error instanceof TransportError && error.kind === 'missing') return {endpoint, status: 'missing', runtimeName: null, runtimeVersion: null, message: null};
	if (error instanceof CriUnavailableError) return {endpoint, status: 'not-cri', runtimeName: null, runtimeVersion: null, message};
	return {endpoint, status: 'failed', runtimeName: null, runtimeVersion: null, message};
}

/** Whether a socket file is there (kubeadm decides on that alone); a refused or denied socket still is. */
async function socketExists(transport: Transport, path: string, timeoutMs: number): Promise<boolean> {
	if (transport.pathExists) return transport.pathExists(path, timeoutMs).catch(() => true);
	try {
		const stream = await transport.connectUnix(path, timeoutMs);
		stream.destroy();
		return true;
	} catch (error) {
		return !(error instanceof TransportError && error.kind === 'missing');
	}
}

/**
 * Asks every candidate socket whether it serves the CRI (its Version, kept for the session,
 * so the diagnosis can tell several answering sockets and what kubeadm would find), then
 * lists pods and containers from one socket only, the first in the one CRI choice's order
 * (cri-choice.ts): --cri-socket when given; with a kubelet, the kubelet's endpoint (the pods
 * it runs are the ones that matter; the first socket that answers is exactly crictl's
 * mistake on a node mid-migration); when that does not answer, the first candidate that
 * does, so the picture is still filled (the diagnosis says the kubelet's is unreachable).
 */
export async function collectCriProbed(
	transport: Transport,
	options: CollectOptions,
	kubeletLookup: Promise<KubeletFacts | null | undefined>,
	candidates: readonly string[] = CRI_SOCKET_CANDIDATES,
): Promise<CriCollection> {
	const endpointOf = (socket: string) => `unix://${socketPath(socket)}`;
	const same = (a: string, b: string) => canonicalRunPath(socketPath(a)) === canonicalRunPath(socketPath(b));
	const settle = (socket: string) => criVersionAt(transport, socket, options).then(
		(value): PromiseSettledResult<CriFacts['info']> => ({status: 'fulfilled', value}),
		(reason: unknown): PromiseSettledResult<CriFacts['info']> => ({status: 'rejected', reason}),
	);
	const attempts = new Map<string, Promise<PromiseSettledResult<CriFacts['info']>>>();
	const order: string[] = [];
	const attempt = (socket: string) => {
		const found = order.find((known) => same(known, socket));
		if (found) return attempts.get(found)!;
		order.push(socket);
		const pending = settle(socket);
		attempts.set(socket, pending);
		return pending;
	};
	for (const candidate of candidates) void attempt(candidate);
	const forced = options.criSocket;
	if (forced) void attempt(forced);
	/** A socket that answered Version but failed to list is told as failed, with the listing's error. */
	const listFailures = new Map<string, unknown>();
	/** The one listing of the poll. */
	const list = async (socket: string): Promise<CriFacts | Error> => {
		try {
			return await collectCriAt(transport, socket, options);
		} catch (error) {
			listFailures.set(canonicalRunPath(socketPath(socket)), error);
			return toError(error);
		}
	};
	// --cri-socket is known at once: its listing starts with the probes, beside containerd's
	// calls on the same socket, as a listing of every candidate used to.
	const forcedListing = forced ? list(forced) : null;
	const dockerSocket = socketExists(transport, socketPath(options.dockerSocket), options.timeoutMs);
	// A kubelet lookup that fails leaves the probe to speak alone.
	const kubeletFacts = await kubeletLookup.catch(() => undefined);
	const kubelet = kubeletFacts ? kubeletEndpointOf(kubeletFacts) : null;
	if (kubelet && !forced) void attempt(kubelet);

	const outcomes = new Map<string, PromiseSettledResult<CriFacts['info']>>();
	for (const socket of order) outcomes.set(socket, await attempts.get(socket)!);
	const outcomeFor = (socket: string) => outcomes.get(order.find((known) => same(known, socket))!)!;
	const dockerPresent = await dockerSocket;
	const probeFor = (): CriProbeFacts => ({
		forced: forced ? endpointOf(forced) : null,
		kubeletEndpoint: kubelet,
		sockets: order.map((socket) => {
			const failed = listFailures.get(canonicalRunPath(socketPath(socket)));
			return probeOf(endpointOf(socket), failed === undefined ? outcomes.get(socket)! : {status: 'rejected', reason: failed});
		}),
		dockerSocket: {path: socketPath(options.dockerSocket), present: dockerPresent},
	});

	if (forced && forcedListing) {
		const outcome = outcomeFor(forced);
		const listed = await forcedListing;
		if (outcome.status === 'rejected') return {facts: null, error: toError(outcome.reason), probe: probeFor()};
		return listed instanceof Error ? {facts: null, error: listed, probe: probeFor()} : {facts: listed, error: null, probe: probeFor()};
	}
	const probed = order.map((socket) => ({endpoint: socket, status: outcomes.get(socket)!.status === 'fulfilled' ? 'cri' as const : 'failed' as const}));
	for (const socket of chooseCriSocket({kubelet: kubeletFacts, forced, probed}).readFrom) {
		const listed = await list(socket);
		if (!(listed instanceof Error)) return {facts: listed, error: null, probe: probeFor()};
	}
	const sockets = probeFor().sockets;
	const reasons = sockets.filter((s) => s.status !== 'missing').map((s) => s.message ?? `${s.endpoint} failed`);
	if (reasons.length === 0) return {facts: null, error: new CriUnavailableError(`no CRI socket found (looked for ${order.join(', ')})`), probe: probeFor()};
	return {facts: null, error: new CriUnavailableError(`no CRI runtime answered: ${reasons.join('; ')}`), probe: probeFor()};
}

function toError(reason: unknown): Error {
	return reason instanceof Error ? reason : new Error(String(reason));
}
