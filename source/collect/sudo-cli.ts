/**
 * --sudo mode: where the login user may not open the runtimes' sockets, read them through
 * their own CLIs under `sudo -n`, which fails at once instead of asking for a password
 * that nobody will type. Every command is a fixed argv built here; the transport quotes it
 * (quoteForRemoteShell, the one place that does). Two kinds of word in these argv come
 * from a node's answers: containerd namespace names and container ids, which ctr has no
 * way to list all at once. Each is checked against containerd's own identifier rule
 * (letters, digits and single `._-` separators: nothing a shell or ctr's flag parser could
 * read as anything but a name) and passed as one argv word after its flag, so it can only
 * ever be that flag's value.
 */
import type {ContainerdFacts, CriFacts, DockerFacts} from '../schema/types.js';
import {TransportError, type ExecResult, type Transport} from '../transport/transport.js';
import {CRI_SOCKET_CANDIDATES, socketPath, type CollectOptions} from './collect-options.js';
import {uniqueEndpoints} from './cri-choice.js';
import {
	containerdContainerFact, isContainerdIdentifier, parseCrictlContainers, parseCrictlPods, parseCrictlVersion, parseCtrContainerInfo,
	parseCtrContainers, parseCtrNamespaces, parseCtrTasks, parseCtrVersion, parseDockerCliPs, parseDockerCliVersion, parsePodmanCliPs, parsePodmanCliVersion, type CtrContainerInfo,
} from './parse-cli-output.js';

/** LC_ALL=C outside sudo: sudo's own messages, which are matched below, stay in English. */
const SUDO = ['env', 'LC_ALL=C', 'sudo', '-n'] as const;

/** At most this many `ctr containers info` calls per poll; the rest come on later polls. */
const MAX_INFO_PER_POLL = 24;

function identifier(text: string, what: string): string {
	if (!isContainerdIdentifier(text)) throw new TransportError(`refusing to pass ${what} "${text.slice(0, 80)}" to a command: not a containerd identifier`, 'other');
	return text;
}

/** Every command --sudo mode runs. */
export const SUDO_COMMANDS = {
	ctrVersion: (address: string) => [...SUDO, 'ctr', '--address', address, 'version'],
	ctrNamespaces: (address: string) => [...SUDO, 'ctr', '--address', address, 'namespaces', 'ls', '-q'],
	ctrContainers: (address: string, namespace: string) => [...SUDO, 'ctr', '--address', address, '--namespace', identifier(namespace, 'namespace'), 'containers', 'ls'],
	ctrTasks: (address: string, namespace: string) => [...SUDO, 'ctr', '--address', address, '--namespace', identifier(namespace, 'namespace'), 'tasks', 'ls'],
	ctrInfo: (address: string, namespace: string, id: string) => [
		...SUDO, 'ctr', '--address', address, '--namespace', identifier(namespace, 'namespace'), 'containers', 'info', identifier(id, 'container id'),
	],
	crictl: (endpoint: string, timeoutS: number, ...args: string[]) => [...SUDO, 'crictl', '--runtime-endpoint', endpoint, `--timeout=${timeoutS}s`, ...args],
	dockerVersion: (host: string) => [...SUDO, 'docker', '--host', host, 'version', '--format', '{{json .}}'],
	dockerPs: (host: string) => [...SUDO, 'docker', '--host', host, 'ps', '--all', '--no-trunc', '--format', '{{json .}}'],
	podmanVersion: () => [...SUDO, 'podman', 'version', '--format', 'json'],
	podmanPs: () => [...SUDO, 'podman', 'ps', '--all', '--no-trunc', '--format', 'json'],
} as const;

/** sudo said no: the whole node is unreadable in --sudo mode, not one source. */
export class SudoRefusedError extends TransportError {
	constructor(message: string) {
		super(message, 'denied');
	}
}

const SUDO_REFUSALS = /a password is required|a terminal is required|is not in the sudoers file|not allowed to (?:execute|run sudo)|may not run sudo|no tty present/i;

function firstLine(text: string): string {
	return text.trim().split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? '';
}

interface RunContext {
	readonly transport: Transport;
	readonly options: CollectOptions;
	readonly host: string;
}

/** Runs one sudo command; stdout on success, a precise error otherwise. */
async function runSudo(context: RunContext, argv: readonly string[]): Promise<string> {
	const tool = argv[SUDO.length]!;
	let result: ExecResult;
	try {
		result = await context.transport.exec(argv, {timeoutMs: context.options.timeoutMs, maxBytes: context.options.maxBytes});
	} catch (error) {
		if (error instanceof TransportError && error.kind === 'missing') throw new TransportError(`sudo is not installed on ${context.host}`, 'missing');
		throw error;
	}
	if (result.exitCode === 0) return result.stdout.toString('utf8');
	const stderr = result.stderr;
	const sudoLine = stderr.split('\n').find((l) => l.startsWith('sudo: '));
	if (sudoLine && SUDO_REFUSALS.test(sudoLine)) {
		throw new SudoRefusedError(
			`sudo -n was refused on ${context.host} (${sudoLine.slice('sudo: '.length).trim()}): crimon never types a password. `
			+ "Allow ctr, crictl and docker without one (NOPASSWD in sudoers), or drop --sudo and give the login user access to the runtimes' sockets",
		);
	}
	if (sudoLine && /command not found/i.test(sudoLine)) throw new TransportError(`${tool} is not installed on ${context.host} (or not on sudo's secure_path)`, 'missing');
	throw new TransportError(`${tool} failed on ${context.host} (exit ${result.exitCode}): ${firstLine(stderr) || 'no message'}`, 'other');
}

export interface SudoSources {
	containerd(): Promise<ContainerdFacts>;
	/** `kubelet`: the running kubelet's endpoint, asked first (the CRI it really uses, as without --sudo). */
	cri(kubelet?: string | null): Promise<CriFacts>;
	docker(): Promise<DockerFacts>;
	/** root's podman through its CLI; null where podman is not installed. */
	podman(): Promise<DockerFacts | null>;
}

/**
 * The three runtime sources of one node in --sudo mode. Container labels and mounts come
 * from `ctr containers info`, one call per container, so they are kept across polls (a
 * container's labels and spec do not change) and fetched only for containers not seen yet.
 */
export function createSudoSources(transport: Transport, options: CollectOptions, host: string): SudoSources {
	const context: RunContext = {transport, options, host};
	const infoCache = new Map<string, CtrContainerInfo>();
	let criEndpoint: string | null = null;
	const address = options.containerdSocket;

	return {
		async containerd() {
			const [versionText, namespacesText] = await Promise.all([
				runSudo(context, SUDO_COMMANDS.ctrVersion(address)),
				runSudo(context, SUDO_COMMANDS.ctrNamespaces(address)),
			]);
			options.onRaw?.('containerd', 'ctr version', Buffer.from(versionText));
			options.onRaw?.('containerd', 'ctr namespaces ls -q', Buffer.from(namespacesText));
			const {version} = parseCtrVersion(versionText);
			const namespaces = parseCtrNamespaces(namespacesText);
			const perNamespace = await Promise.all(namespaces.map(async (namespace) => {
				const [containersText, tasksText] = await Promise.all([
					runSudo(context, SUDO_COMMANDS.ctrContainers(address, namespace)),
					runSudo(context, SUDO_COMMANDS.ctrTasks(address, namespace)),
				]);
				options.onRaw?.('containerd', `ctr -n ${namespace} containers ls`, Buffer.from(containersText));
				options.onRaw?.('containerd', `ctr -n ${namespace} tasks ls`, Buffer.from(tasksText));
				return {namespace, rows: parseCtrContainers(containersText), tasks: parseCtrTasks(tasksText, namespace)};
			}));

			const key = (namespace: string, id: string) => `${namespace}\0${id}`;
			const present = new Set(perNamespace.flatMap((n) => n.rows.map((r) => key(n.namespace, r.id))));
			for (const cached of infoCache.keys()) if (!present.has(cached)) infoCache.delete(cached);
			const wanted = perNamespace.flatMap((n) => n.rows.filter((r) => !infoCache.has(key(n.namespace, r.id))).map((r) => ({namespace: n.namespace, id: r.id})));
			await Promise.all(wanted.slice(0, MAX_INFO_PER_POLL).map(async ({namespace, id}) => {
				try {
					const text = await runSudo(context, SUDO_COMMANDS.ctrInfo(address, namespace, id));
					infoCache.set(key(namespace, id), parseCtrContainerInfo(text));
				} catch (error) {
					// Removed between ls and info: an ordinary race. Anything else fails the source.
					if (error instanceof TransportError && error.kind === 'other' && /not found/i.test(error.message)) return;
					throw error;
				}
			}));

			return {
				address,
				version,
				namespaces,
				containers: perNamespace.flatMap((n) => n.rows.map((row) => containerdContainerFact(row, n.namespace, infoCache.get(key(n.namespace, row.id))))),
				tasks: perNamespace.flatMap((n) => n.tasks),
			};
		},

		async cri(kubelet) {
			const timeoutS = Math.max(1, Math.ceil(options.timeoutMs / 1000));
			const first = [kubelet ? socketPath(kubelet) : null, criEndpoint].filter((c): c is string => c !== null);
			// The one choice's order (cri-choice.ts) without a probe: forced alone, else the kubelet's, the socket that answered last, the usual ones.
			const candidates = options.criSocket ? [options.criSocket] : uniqueEndpoints([...first, ...CRI_SOCKET_CANDIDATES]);
			const reasons: string[] = [];
			for (const candidate of candidates) {
				const endpoint = `unix://${socketPath(candidate)}`;
				let versionText: string;
				try {
					versionText = await runSudo(context, SUDO_COMMANDS.crictl(endpoint, timeoutS, 'version'));
				} catch (error) {
					if (error instanceof SudoRefusedError) throw error;
					if (error instanceof TransportError && error.kind === 'missing') {
						throw new TransportError(`${error.message}: --sudo mode reads the CRI through crictl`, 'missing');
					}
					const message = error instanceof Error ? error.message : String(error);
					// crictl's own words when the socket is not there.
					if (!options.criSocket && /no such file or directory/i.test(message)) continue;
					reasons.push(message);
					if (options.criSocket) break;
					continue;
				}
				const [podsText, containersText] = await Promise.all([
					runSudo(context, SUDO_COMMANDS.crictl(endpoint, timeoutS, 'pods', '-o', 'json')),
					runSudo(context, SUDO_COMMANDS.crictl(endpoint, timeoutS, 'ps', '-a', '-o', 'json')),
				]);
				options.onRaw?.('cri', 'crictl version', Buffer.from(versionText));
				options.onRaw?.('cri', 'crictl pods -o json', Buffer.from(podsText));
				options.onRaw?.('cri', 'crictl ps -a -o json', Buffer.from(containersText));
				criEndpoint = candidate;
				const version = parseCrictlVersion(versionText);
				return {
					info: {
						endpoint,
						runtimeName: version.runtimeName,
						runtimeVersion: version.runtimeVersion,
						apiVersion: version.runtimeApiVersion,
					},
					sandboxes: parseCrictlPods(podsText),
					containers: parseCrictlContainers(containersText),
				};
			}
			criEndpoint = null;
			if (reasons.length === 0) throw new TransportError(`no CRI socket found on ${host} (looked for ${candidates.join(', ')})`, 'missing');
			throw new TransportError(`no CRI runtime answered crictl on ${host}: ${reasons.join('; ')}`, 'other');
		},

		async docker() {
			const dockerHost = `unix://${socketPath(options.dockerSocket)}`;
			const [versionText, psText] = await Promise.all([
				runSudo(context, SUDO_COMMANDS.dockerVersion(dockerHost)),
				runSudo(context, SUDO_COMMANDS.dockerPs(dockerHost)),
			]);
			options.onRaw?.('docker', 'docker version', Buffer.from(versionText));
			options.onRaw?.('docker', 'docker ps', Buffer.from(psText));
			return {
				address: options.dockerSocket,
				version: parseDockerCliVersion(versionText).version,
				containers: parseDockerCliPs(psText),
			};
		},

		async podman() {
			let versionText: string;
			let psText: string;
			try {
				[versionText, psText] = await Promise.all([runSudo(context, SUDO_COMMANDS.podmanVersion()), runSudo(context, SUDO_COMMANDS.podmanPs())]);
			} catch (error) {
				if (error instanceof TransportError && error.kind === 'missing') return null;
				// sudoers that allow ctr, crictl and docker but not podman: podman's problem, not the node's.
				if (error instanceof SudoRefusedError) throw new TransportError(`sudo -n podman was refused on ${host}: allow podman without a password (NOPASSWD) to see its containers`, 'denied');
				throw error;
			}
			options.onRaw?.('podman', 'podman version', Buffer.from(versionText));
			options.onRaw?.('podman', 'podman ps', Buffer.from(psText));
			return {address: 'sudo -n podman', version: parsePodmanCliVersion(versionText).version, containers: parsePodmanCliPs(psText), engine: 'podman'};
		},
	};
}
