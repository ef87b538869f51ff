/**
 * Which socket is the node's CRI, chosen once, here: the kubelet's own choice read from its
 * flags, kubeadm's files and its config (or k3s's, for the kubelet inside `k3s server|agent`),
 * else --cri-socket, else what the probe found. The collector reads pods through it, the
 * diagnosis reports it, and the Node pane and the metrics show the diagnosis.
 */
import type {CriChoiceHow, CriSocketProbe, KubeletFacts} from '../schema/types.js';
import {socketPath} from './collect-options.js';
import {isK3sArgv, resolveK3sCri} from './k3s-kubelet.js';
import {canonicalRunPath, normalizeEndpoint, resolveKubeletCri, type KubeletCriChoice, type KubeletInput} from './kubelet-flags.js';

function kubeletInput(kubelet: KubeletFacts): KubeletInput {
	const config = kubelet.config;
	const configUnreadable = config && config.text === null ? config.error ?? (config.missing ? 'missing' : 'unreadable') : null;
	return {
		argv: kubelet.argv, flagsEnvText: kubelet.flagsEnv.text, configText: config?.text ?? null, version: kubelet.version,
		configUnreadable, instanceConfigText: kubelet.instanceConfig?.text ?? null,
	};
}

/** The kubelet's own flags and config, or k3s's for the kubelet inside `k3s server|agent`. */
function resolveCri(kubelet: KubeletFacts): KubeletCriChoice {
	const input = kubeletInput(kubelet);
	return isK3sArgv(kubelet.argv) ? resolveK3sCri(input) : resolveKubeletCri(input);
}

/** The endpoint the collector should read pods from for this kubelet (null when it names none). */
export function kubeletEndpointOf(kubelet: KubeletFacts): string | null {
	const choice = resolveCri(kubelet);
	return choice.endpoint ? normalizeEndpoint(choice.endpoint) : null;
}

/** What the node's CRI is chosen from. */
export interface CriSocketInput {
	/** The kubelet's facts: null when none runs, undefined when the process table could not be read. */
	readonly kubelet: KubeletFacts | null | undefined;
	/** --cri-socket, when given. */
	readonly forced: string | null;
	/** Every socket probed, in probe order; only whether each serves the CRI counts here. */
	readonly probed: readonly {readonly endpoint: string; readonly status: CriSocketProbe['status']}[];
}

export interface CriSocketChoice {
	/**
	 * The node's CRI: the kubelet's endpoint as it names it (what runs the pods that matter);
	 * without a kubelet, --cri-socket, else the first socket in probe order that serves the CRI.
	 */
	readonly endpoint: string | null;
	readonly how: CriChoiceHow;
	/** One sentence: why this endpoint. */
	readonly why: string;
	/** The kubelet's own reading of its flags and config, when one runs. */
	readonly kubelet: KubeletCriChoice | null;
	/**
	 * Where to read pods from, best first: --cri-socket alone when given (crimon reads what it
	 * is told, and says so when it fails); else the kubelet's endpoint when it serves the CRI,
	 * then every other socket that does, in probe order, so the picture is filled even when the
	 * kubelet's is dead (the diagnosis says so).
	 */
	readonly readFrom: readonly string[];
}

const samePath = (a: string, b: string) => canonicalRunPath(socketPath(a)) === canonicalRunPath(socketPath(b));

/** Endpoints once each, first spelling kept: /var/run and /run, unix:// or not, are the same socket. */
export function uniqueEndpoints(endpoints: readonly (string | null)[]): string[] {
	const out: string[] = [];
	for (const endpoint of endpoints) if (endpoint !== null && !out.some((known) => samePath(known, endpoint))) out.push(endpoint);
	return out;
}

/**
 * The one choice of the node's CRI socket, and why: the kubelet's (its flags, kubeadm's
 * files, its config, or k3s's), else --cri-socket, else the probe's first answer, else none.
 * Collection reads pods in `readFrom` order and the diagnosis (the Node pane, the JSON, the
 * metrics) reports `endpoint`, `how` and `why`.
 */
export function chooseCriSocket(input: CriSocketInput): CriSocketChoice {
	const answering = input.probed.filter((s) => s.status === 'cri').map((s) => s.endpoint);
	const serves = (endpoint: string) => answering.some((e) => samePath(e, endpoint));
	const kubelet = input.kubelet ? resolveCri(input.kubelet) : null;
	const kubeletEndpoint = kubelet?.endpoint ? normalizeEndpoint(kubelet.endpoint) : null;
	const readFrom = input.forced ? [input.forced] : uniqueEndpoints([kubeletEndpoint && serves(kubeletEndpoint) ? kubeletEndpoint : null, ...answering]);
	if (kubelet) {
		return {endpoint: kubelet.endpoint, how: 'kubelet', why: kubelet.why, kubelet, readFrom};
	}
	const noKubelet = input.kubelet === null ? 'no kubelet runs here' : 'the process table could not be read, so the kubelet could not be looked for';
	if (input.forced) {
		return {endpoint: input.forced, how: 'forced', why: `${noKubelet}; --cri-socket names this endpoint`, kubelet: null, readFrom};
	}
	if (answering.length > 0) {
		const why = answering.length > 1
			? `${noKubelet}; ${answering.length} sockets serve the CRI and this is the first in probe order, the one crictl would silently take`
			: `${noKubelet}; the only socket that serves the CRI`;
		return {endpoint: answering[0]!, how: 'probe', why, kubelet: null, readFrom};
	}
	return {endpoint: null, how: 'none', why: `${noKubelet}, and no socket serves the CRI`, kubelet: null, readFrom};
}
