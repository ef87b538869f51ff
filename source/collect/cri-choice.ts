/**
 * Which CRI endpoint a kubelet uses, read from its own flags, kubeadm's files and its
 * config (or k3s's, for the kubelet inside `k3s server|agent`): one choice, made here,
 * that the collector reads pods through and the diagnosis reports.
 */
import type {KubeletFacts} from '../schema/types.js';
import {isK3sArgv, resolveK3sCri} from './k3s-kubelet.js';
import {normalizeEndpoint, resolveKubeletCri, type KubeletCriChoice, type KubeletInput} from './kubelet-flags.js';

function kubeletInput(kubelet: KubeletFacts): KubeletInput {
	const config = kubelet.config;
	const configUnreadable = config && config.text === null ? config.error ?? (config.missing ? 'missing' : 'unreadable') : null;
	return {
		argv: kubelet.argv, flagsEnvText: kubelet.flagsEnv.text, configText: config?.text ?? null, version: kubelet.version,
		configUnreadable, instanceConfigText: kubelet.instanceConfig?.text ?? null,
	};
}

/** The kubelet's own flags and config, or k3s's for the kubelet inside `k3s server|agent`. */
export function resolveCri(kubelet: KubeletFacts): KubeletCriChoice {
	const input = kubeletInput(kubelet);
	return isK3sArgv(kubelet.argv) ? resolveK3sCri(input) : resolveKubeletCri(input);
}

/** The endpoint the collector should read pods from for this kubelet (null when it names none). */
export function kubeletEndpointOf(kubelet: KubeletFacts): string | null {
	const choice = resolveCri(kubelet);
	return choice.endpoint ? normalizeEndpoint(choice.endpoint) : null;
}
