/**
 * Pure: the kubelet inside k3s. `k3s server` and `k3s agent` run the kubelet in their own
 * process, so there is no kubelet command line: the runtime comes from k3s's own flags or its
 * config file (/etc/rancher/k3s/config.yaml, the same keys as the flags): an explicit
 * `container-runtime-endpoint`, else `docker` (k3s's embedded cri-dockerd), else the
 * containerd k3s runs itself on its own socket.
 */
import {loadYaml} from '../util/lazy-modules.js';
import {normalizeEndpoint, runtimeOfEndpoint, type KubeletCriChoice, type KubeletInput} from './kubelet-flags.js';
import {basename, flagValue} from './shims.js';

const K3S_CONFIG = '/etc/rancher/k3s/config.yaml';
const K3S_CONTAINERD_ENDPOINT = 'unix:///run/k3s/containerd/containerd.sock';
const K3S_CRI_DOCKERD_ENDPOINT = 'unix:///run/k3s/cri-dockerd/cri-dockerd.sock';

export function isK3sArgv(argv: readonly string[]): boolean {
	return basename(argv[0] ?? '') === 'k3s' && (argv[1] === 'server' || argv[1] === 'agent');
}

/** k3s's config file: `-c/--config`, else its default path. */
export function k3sConfigPath(argv: readonly string[]): string {
	return flagValue(argv.slice(2), 'config', 'c') ?? K3S_CONFIG;
}

function hasBoolFlag(args: readonly string[], name: string): boolean {
	return args.some((arg) => arg === `--${name}` || arg === `--${name}=true`);
}

interface K3sConfig {
	readonly endpoint: string | null;
	readonly docker: boolean;
	readonly problem: string | null;
}

function parseK3sConfig(text: string): K3sConfig {
	let doc: unknown;
	try {
		doc = loadYaml().parse(text);
	} catch (error) {
		return {endpoint: null, docker: false, problem: `not valid YAML (${(error as Error).message.split('\n')[0]})`};
	}
	if (doc === null || doc === undefined) return {endpoint: null, docker: false, problem: null};
	if (typeof doc !== 'object' || Array.isArray(doc)) return {endpoint: null, docker: false, problem: 'not a mapping of k3s flags'};
	const record = doc as Record<string, unknown>;
	const endpoint = record['container-runtime-endpoint'];
	return {endpoint: typeof endpoint === 'string' && endpoint !== '' ? endpoint : null, docker: record.docker === true, problem: null};
}

export function resolveK3sCri(input: KubeletInput): KubeletCriChoice {
	const role = input.argv[1] ?? 'server';
	const args = input.argv.slice(2);
	const configFile = k3sConfigPath(input.argv);
	const config = input.configText === null ? null : parseK3sConfig(input.configText);
	const base = {containerRuntime: null, configFile, configProblem: config?.problem ?? null, pending: [], instanceEndpoint: null};
	const choose = (endpoint: string, source: KubeletCriChoice['endpointSource'], why: string): KubeletCriChoice => {
		const normal = normalizeEndpoint(endpoint);
		return {...base, endpoint: normal, endpointSource: source, runtime: runtimeOfEndpoint(normal), why};
	};
	const flag = flagValue(args, 'container-runtime-endpoint');
	if (flag) return choose(flag, 'flags', `k3s ${role} runs the kubelet in its own process; --container-runtime-endpoint on its command line`);
	if (hasBoolFlag(args, 'docker')) return choose(K3S_CRI_DOCKERD_ENDPOINT, 'flags', `k3s ${role} --docker: its embedded cri-dockerd in front of Docker`);
	if (config?.endpoint) return choose(config.endpoint, 'config', `k3s ${role}: container-runtime-endpoint in ${configFile}`);
	if (config?.docker) return choose(K3S_CRI_DOCKERD_ENDPOINT, 'config', `k3s ${role}: docker: true in ${configFile}, its embedded cri-dockerd`);
	if (input.configUnreadable) {
		return {...base, endpoint: null, endpointSource: null, runtime: 'unknown', why: `k3s ${role}: its runtime may be set in ${configFile}, which crimon could not read (${input.configUnreadable}): unknown`};
	}
	return choose(K3S_CONTAINERD_ENDPOINT, 'default', `k3s ${role} runs the kubelet in its own process, on the containerd k3s starts itself`);
}
