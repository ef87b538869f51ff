/**
 * Pure: what the kubelet was told about its container runtime. Three places can say it —
 * the command line, kubeadm's /var/lib/kubelet/kubeadm-flags.env, and the KubeletConfiguration
 * named by --config — and the kubelet's version decides what silence means (dockershim
 * before 1.24, containerd's socket after).
 */
import {loadYaml} from '../util/lazy-modules.js';
import {basename, flagValue, splitCommand} from './shims.js';
import type {CriRuntimeKind, KubeletEndpointSource} from '../schema/types.js';

export const KUBEADM_FLAGS_ENV = '/var/lib/kubelet/kubeadm-flags.env';
export const DOCKERSHIM_ENDPOINT = 'unix:///var/run/dockershim.sock';
/** The kubelet's default endpoint from 1.24 on (kubernetes/kubernetes#107624). */
const KUBELET_DEFAULT_ENDPOINT = 'unix:///run/containerd/containerd.sock';

/**
 * /proc/PID/cmdline → argv. Programs that rewrite their title (setproctitle, perl's $0)
 * leave one NUL-terminated string with spaces in it; ps splits that on spaces, and so do we.
 */
export function argvFromCmdline(cmdline: Buffer | string): string[] {
	const text = typeof cmdline === 'string' ? cmdline : cmdline.toString('utf8');
	const parts = text.split('\0');
	while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
	if (parts.length === 1 && parts[0]!.includes(' ')) return splitCommand(parts[0]!);
	return parts;
}

/** A kubelet's argv, or that of `k3s server|agent`, which runs the kubelet in its own process. */
export function isKubeletArgv(argv: readonly string[]): boolean {
	const name = basename(argv[0] ?? '');
	return name === 'kubelet' || (name === 'k3s' && (argv[1] === 'server' || argv[1] === 'agent'));
}

/**
 * A systemd EnvironmentFile as kubeadm writes it: `KUBELET_KUBEADM_ARGS="--a=b --c=d"`.
 * systemd splits an unbraced $VAR on whitespace when it expands it into ExecStart, so the
 * value's words are the arguments the kubelet gets.
 */
export function parseEnvironmentFile(text: string): Map<string, string> {
	const vars = new Map<string, string>();
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
		const eq = line.indexOf('=');
		if (eq < 1) continue;
		const name = line.slice(0, eq).trim();
		if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
		let value = line.slice(eq + 1).trim();
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
		vars.set(name, value);
	}
	return vars;
}

/** The arguments kubeadm-flags.env hands the kubelet (every variable, KUBELET_KUBEADM_ARGS first). */
export function kubeadmFlagsArgs(text: string): string[] {
	const vars = parseEnvironmentFile(text);
	const ordered = [...vars.entries()].sort(([a], [b]) => (a === 'KUBELET_KUBEADM_ARGS' ? -1 : b === 'KUBELET_KUBEADM_ARGS' ? 1 : 0));
	return ordered.flatMap(([, value]) => value.split(/\s+/).filter((word) => word.length > 0));
}

export interface KubeletConfigFacts {
	readonly containerRuntimeEndpoint: string | null;
	/** Why the file could not be used, when it could not. */
	readonly problem: string | null;
}

/** The KubeletConfiguration's containerRuntimeEndpoint (honoured from 1.27). */
export function parseKubeletConfig(text: string): KubeletConfigFacts {
	let doc: unknown;
	try {
		// yaml bounds alias expansion itself, so a hostile file cannot blow up memory.
		doc = loadYaml().parse(text);
	} catch (error) {
		return {containerRuntimeEndpoint: null, problem: `not valid YAML (${(error as Error).message.split('\n')[0]})`};
	}
	if (doc === null || doc === undefined) return {containerRuntimeEndpoint: null, problem: null};
	if (typeof doc !== 'object' || Array.isArray(doc)) return {containerRuntimeEndpoint: null, problem: 'not a KubeletConfiguration (not a mapping)'};
	const record = doc as Record<string, unknown>;
	if (record.kind !== undefined && record.kind !== 'KubeletConfiguration') {
		return {containerRuntimeEndpoint: null, problem: `kind is ${String(record.kind)}, not KubeletConfiguration`};
	}
	const endpoint = record.containerRuntimeEndpoint;
	if (endpoint === undefined || endpoint === null || endpoint === '') return {containerRuntimeEndpoint: null, problem: null};
	if (typeof endpoint !== 'string') return {containerRuntimeEndpoint: null, problem: 'containerRuntimeEndpoint is not a string'};
	return {containerRuntimeEndpoint: endpoint, problem: null};
}

/** `unix:///run/x.sock` for any spelling the kubelet accepts (a bare path was allowed, with a warning). */
export function normalizeEndpoint(endpoint: string): string {
	const trimmed = endpoint.trim();
	if (trimmed.startsWith('/')) return `unix://${trimmed}`;
	return trimmed;
}

/** The socket path behind an endpoint, with /var/run folded onto /run (one is a link to the other). */
export function endpointPath(endpoint: string): string {
	let path = normalizeEndpoint(endpoint);
	if (path.startsWith('unix://')) path = path.slice('unix://'.length);
	return canonicalRunPath(path);
}

export function canonicalRunPath(path: string): string {
	let out = path.replace(/\/{2,}/g, '/');
	if (out.length > 1) out = out.replace(/\/+$/, '');
	if (out === '/var/run') return '/run';
	if (out.startsWith('/var/run/')) return '/run/' + out.slice('/var/run/'.length);
	return out;
}

export function sameEndpoint(a: string, b: string): boolean {
	return endpointPath(a) === endpointPath(b);
}

/** What runs behind a socket, by the name every runtime's packaging gives it. */
export function runtimeOfEndpoint(endpoint: string): CriRuntimeKind {
	const name = basename(endpointPath(endpoint));
	if (name === 'dockershim.sock') return 'dockershim';
	if (name === 'cri-dockerd.sock') return 'cri-dockerd';
	if (name === 'crio.sock') return 'cri-o';
	if (name === 'containerd.sock') return 'containerd';
	return 'unknown';
}

/** What runs behind a socket, by the name its CRI Version answer gives. */
export function runtimeOfName(runtimeName: string, endpoint: string): CriRuntimeKind {
	const name = runtimeName.toLowerCase();
	if (name === 'containerd') return 'containerd';
	if (name === 'cri-o') return 'cri-o';
	// dockershim and cri-dockerd both answer "docker"; only the socket tells them apart.
	if (name === 'docker') return runtimeOfEndpoint(endpoint) === 'dockershim' ? 'dockershim' : 'cri-dockerd';
	return 'unknown';
}

/** "v1.20.15", "1.29.2-1.1", "1.20.15-00" → [1, 20]; null when it is not a version. */
function minorVersion(version: string | null): [number, number] | null {
	if (!version) return null;
	const match = /^v?(\d+)\.(\d+)(?:\.|$|-)/.exec(version.trim());
	return match ? [Number(match[1]), Number(match[2])] : null;
}

function atLeast(version: [number, number], major: number, minor: number): boolean {
	return version[0] > major || (version[0] === major && version[1] >= minor);
}

/** Flags that went with dockershim in 1.24: a kubelet carrying them is older (a newer one refuses to start). */
const DOCKERSHIM_ERA_FLAGS = [
	'network-plugin', 'network-plugin-mtu', 'cni-bin-dir', 'cni-conf-dir', 'cni-cache-dir', 'docker-endpoint',
	'image-pull-progress-deadline', 'experimental-dockershim-root-directory', 'non-masquerade-cidr',
] as const;

function hasFlag(args: readonly string[], name: string): boolean {
	return args.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
}

/** The kubelet's era: from its version when known, else from flags only some versions accept. */
export type KubeletEra = 'before-1.24' | '1.24-1.26' | '1.27+' | 'before-1.27' | 'unknown';

export function kubeletEra(version: string | null, args: readonly string[]): {era: KubeletEra; why: string} {
	const minor = minorVersion(version);
	if (minor) {
		const era: KubeletEra = !atLeast(minor, 1, 24) ? 'before-1.24' : !atLeast(minor, 1, 27) ? '1.24-1.26' : '1.27+';
		return {era, why: `version ${version}`};
	}
	const old = DOCKERSHIM_ERA_FLAGS.find((flag) => hasFlag(args, flag));
	if (old) return {era: 'before-1.24', why: `--${old}, a flag removed with dockershim in 1.24`};
	if (hasFlag(args, 'container-runtime')) return {era: 'before-1.27', why: '--container-runtime, a flag removed in 1.27'};
	return {era: 'unknown', why: 'version unknown'};
}

export interface KubeletInput {
	readonly argv: readonly string[];
	/** kubeadm-flags.env's text; null when missing or unreadable. */
	readonly flagsEnvText: string | null;
	/** The --config file's text; null when there is none or it is unreadable. */
	readonly configText: string | null;
	readonly version: string | null;
	/** Why a named --config file could not be read (missing, denied); then its endpoint is unknown, not the default. */
	readonly configUnreadable?: string | null;
	/** kubeadm 1.34+'s /var/lib/kubelet/instance-config.yaml, the node's own record of its CRI endpoint; null when absent. */
	readonly instanceConfigText?: string | null;
}

/** Where kubeadm 1.34+ (NodeLocalCRISocket) keeps the node's CRI endpoint, beside config.yaml. */
export const KUBEADM_INSTANCE_CONFIG = '/var/lib/kubelet/instance-config.yaml';

interface PendingChange {
	readonly flag: 'container-runtime' | 'container-runtime-endpoint';
	readonly running: string | null;
	readonly file: string;
	/** Where the running value came from when it is not on the command line (the --config file). */
	readonly runningFrom?: string;
}

export interface KubeletCriChoice {
	/** --container-runtime, as given (gone since 1.27). */
	readonly containerRuntime: string | null;
	readonly endpoint: string | null;
	readonly endpointSource: KubeletEndpointSource | null;
	readonly runtime: CriRuntimeKind;
	/** One sentence: how crimon read the choice. */
	readonly why: string;
	readonly configFile: string | null;
	readonly configProblem: string | null;
	/** kubeadm-flags.env disagrees with the running kubelet's command line: a restart would change the runtime. */
	readonly pending: readonly PendingChange[];
	/** instance-config.yaml's containerRuntimeEndpoint, when it has one. */
	readonly instanceEndpoint?: string | null;
}

export function resolveKubeletCri(input: KubeletInput): KubeletCriChoice {
	const argv = input.argv.slice(1);
	const envArgs = input.flagsEnvText === null ? [] : kubeadmFlagsArgs(input.flagsEnvText);
	const configFile = flagValue(argv, 'config');
	const config = input.configText === null ? null : parseKubeletConfig(input.configText);
	const configProblem = config?.problem ?? null;

	// The command line is what the running kubelet got; the env file only fills in what it
	// does not show (kubeadm's unit expands the file into the command line, so on a kubeadm
	// node they agree unless the file changed after the kubelet started).
	const pick = (flag: 'container-runtime' | 'container-runtime-endpoint'): {value: string; source: KubeletEndpointSource} | null => {
		const fromArgv = flagValue(argv, flag);
		if (fromArgv !== null) return {value: fromArgv, source: 'flags'};
		const fromEnv = flagValue(envArgs, flag);
		if (fromEnv !== null) return {value: fromEnv, source: 'kubeadm-flags.env'};
		return null;
	};
	const pending: PendingChange[] = [];
	for (const flag of ['container-runtime', 'container-runtime-endpoint'] as const) {
		const fromArgv = flagValue(argv, flag);
		// Without the flag, the running kubelet took its endpoint from its config file; the env
		// file's flag would override that at the next start (kubeadm's unit expands it into argv).
		const fromConfig = flag === 'container-runtime-endpoint' && fromArgv === null ? config?.containerRuntimeEndpoint ?? null : null;
		const running = fromArgv ?? fromConfig;
		const file = flagValue(envArgs, flag);
		if (running === null || file === null) continue;
		const differs = flag === 'container-runtime-endpoint' ? !sameEndpoint(running, file) : running !== file;
		if (differs) pending.push(fromConfig === null ? {flag, running, file} : {flag, running, file, runningFrom: configFile ?? 'its config file'});
	}
	const instance = input.instanceConfigText ? parseKubeletConfig(input.instanceConfigText).containerRuntimeEndpoint : null;

	const cr = pick('container-runtime');
	let endpointPick = pick('container-runtime-endpoint');
	// The env file's flag is only what the next start gets when the running kubelet's config names another.
	if (endpointPick?.source === 'kubeadm-flags.env' && config?.containerRuntimeEndpoint) endpointPick = null;
	if (!endpointPick && config?.containerRuntimeEndpoint) endpointPick = {value: config.containerRuntimeEndpoint, source: 'config'};
	const endpoint = endpointPick ? normalizeEndpoint(endpointPick.value) : null;
	const {era, why: eraWhy} = kubeletEra(input.version, [...argv, ...envArgs]);
	const base = {containerRuntime: cr?.value ?? null, configFile, configProblem, pending, instanceEndpoint: instance};
	const unreadable = input.configUnreadable ?? null;
	const where = (source: KubeletEndpointSource) =>
		source === 'flags' ? 'its command line' : source === 'kubeadm-flags.env' ? KUBEADM_FLAGS_ENV : source === 'config' ? `containerRuntimeEndpoint in ${configFile ?? 'its config file'}` : 'the kubelet default';

	if (cr?.value === 'docker') {
		// dockershim lives inside the kubelet and serves the CRI on this endpoint itself.
		return {
			...base,
			endpoint: endpoint ?? DOCKERSHIM_ENDPOINT,
			endpointSource: endpointPick?.source ?? 'default',
			runtime: 'dockershim',
			why: `--container-runtime=docker in ${where(cr.source)}: the kubelet runs dockershim`,
		};
	}
	if (!endpoint && unreadable && era !== 'before-1.24' && cr?.value !== 'docker') {
		// The endpoint may well be in the file crimon could not read: saying "the default" here
		// would call a healthy node's CRI unreachable.
		return {...base, endpoint: null, endpointSource: null, runtime: 'unknown', why: `the kubelet's endpoint may be in ${configFile ?? 'its config file'}, which crimon could not read (${unreadable}): unknown`};
	}
	if (cr?.value === 'remote') {
		if (!endpoint) {
			return {...base, endpoint: null, endpointSource: null, runtime: 'unknown', why: `--container-runtime=remote in ${where(cr.source)} but no --container-runtime-endpoint: such a kubelet does not start`};
		}
		return {...base, endpoint, endpointSource: endpointPick!.source, runtime: runtimeOfEndpoint(endpoint), why: `--container-runtime=remote and the endpoint from ${where(endpointPick!.source)}`};
	}
	if (cr) {
		return {...base, endpoint, endpointSource: endpointPick?.source ?? null, runtime: 'unknown', why: `--container-runtime=${cr.value} is neither docker nor remote`};
	}
	if (era === 'before-1.24') {
		// Before 1.24 the runtime defaulted to docker: any endpoint given is where dockershim listens.
		return {
			...base,
			endpoint: endpoint ?? DOCKERSHIM_ENDPOINT,
			endpointSource: endpointPick?.source ?? 'default',
			runtime: 'dockershim',
			why: `no --container-runtime=remote on a kubelet before 1.24 (${eraWhy}): it runs dockershim`,
		};
	}
	if (endpoint) {
		return {...base, endpoint, endpointSource: endpointPick!.source, runtime: runtimeOfEndpoint(endpoint), why: `the endpoint from ${where(endpointPick!.source)}`};
	}
	if (era === '1.24-1.26' || era === '1.27+') {
		return {...base, endpoint: KUBELET_DEFAULT_ENDPOINT, endpointSource: 'default', runtime: 'containerd', why: `no endpoint given: a kubelet of 1.24 or later (${eraWhy}) uses containerd's socket by default`};
	}
	return {
		...base,
		endpoint: null,
		endpointSource: null,
		runtime: 'unknown',
		why: 'the kubelet names no CRI endpoint and its version is unknown: before 1.24 that means dockershim, from 1.24 containerd\'s socket',
	};
}

export interface DpkgPackage {
	readonly name: string;
	readonly version: string;
	readonly installed: boolean;
}

/** One package's stanza in /var/lib/dpkg/status. */
export function findDpkgPackage(status: string, name: string): DpkgPackage | null {
	for (const stanza of status.split(/\n\s*\n/)) {
		const fields = new Map<string, string>();
		for (const line of stanza.split('\n')) {
			const match = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
			if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
		}
		if (fields.get('package') !== name) continue;
		const version = fields.get('version');
		if (!version) continue;
		return {name, version, installed: /\binstalled\b/.test(fields.get('status') ?? '') && !/not-installed|config-files/.test(fields.get('status') ?? '')};
	}
	return null;
}

/** Debian's "1:1.20.15-00" → upstream "1.20.15". */
export function upstreamVersion(debianVersion: string): string {
	let version = debianVersion.replace(/^\d+:/, '');
	const dash = version.lastIndexOf('-');
	if (dash > 0) version = version.slice(0, dash);
	return version;
}

/** The executable of a process, from /proc/PID/maps (its first file mapping), and whether it was replaced since. */
export function executableFromMaps(maps: string): {path: string; deleted: boolean} | null {
	for (const line of maps.split('\n')) {
		const match = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
		if (!match) continue;
		const raw = match[1]!;
		const deleted = raw.endsWith(' (deleted)');
		return {path: deleted ? raw.slice(0, -' (deleted)'.length) : raw, deleted};
	}
	return null;
}
