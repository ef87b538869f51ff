/**
 * One poll of one node: every source at once, each failure kept as an error on that
 * source so the others still report.
 */
import type {HealthMarks, NodeFacts, Runtimes, RuntimeStates, SourceError, SourceName} from '../schema/types.js';
import {ProtobufError} from '../protocol/protobuf.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {GrpcChannelPool} from './channel-pool.js';
import {collectContainerd} from './collect-containerd.js';
import {kubeletEndpointOf} from './cri-choice.js';
import {collectCriProbed} from './collect-cri.js';
import {KubeletReader} from './collect-kubelet.js';
import {collectDocker, collectPodman} from './collect-docker.js';
import type {CollectOptions} from './collect-options.js';
import {ProcessTableReader} from './process-table.js';
import {createSudoSources, SudoRefusedError} from './sudo-cli.js';
import {HealthState} from './health-state.js';
import {UsageCollector} from './cgroup-usage.js';

/** A message a person can read: no stack, no multi-line dumps. */
export function describeError(error: unknown): string {
	if (error instanceof ProtobufError) return `answered with bytes that are not a valid message (${error.message})`;
	const message = error instanceof Error ? error.message : String(error);
	return message.split('\n')[0]!.slice(0, 500) || 'unknown error';
}

/** Answering when it listed, absent when its socket is not there (not installed), failing otherwise. */
export function runtimeStatesOf(facts: Pick<NodeFacts, 'containerd' | 'cri' | 'docker' | 'podman'>, missing: ReadonlySet<keyof Runtimes>): RuntimeStates {
	const state = (name: keyof Runtimes) => ((facts[name] ?? null) !== null ? 'answering' : missing.has(name) ? 'absent' : 'failing');
	return {containerd: state('containerd'), cri: state('cri'), docker: state('docker'), podman: state('podman')};
}

export interface NodeCollector {
	collect(refresh?: ReadonlySet<number>): Promise<NodeFacts>;
	/**
	 * Whether the last poll itself shows the node answering: its process table was read and
	 * every failure was a socket the node says is not there (a node without Docker, or with
	 * one CRI of five). Then there is nothing to ask the node about its own liveness.
	 */
	answered(): boolean;
	/** The health marks the model made of the last poll: the next poll's facts carry them as `previous`. */
	remember(marks: HealthMarks): void;
	/** Closes the gRPC sessions kept across polls. */
	close(): void;
}

/** With `keepChannels`, gRPC sessions and parsed container specs outlive a poll (the app, and every NodeHandle); close() ends them. */
export function createNodeCollector(name: string, transport: Transport, givenOptions: CollectOptions, keepChannels = false): NodeCollector {
	const channels = keepChannels ? new GrpcChannelPool(transport) : null;
	const options: CollectOptions = channels ? {...givenOptions, channels, specMounts: new Map(), memo: new Map(), dockerInspects: new Map()} : givenOptions;
	const processes = new ProcessTableReader(transport);
	const kubelets = new KubeletReader(transport);
	const sudo = options.sudo ? createSudoSources(transport, options, name) : null;
	const health = new HealthState(transport, options.eventCounts);
	const usage = new UsageCollector(transport);
	const containerdOptions: CollectOptions = usage.needsMetrics ? {...options, containerdMetrics: true} : options;
	let answered = false;
	return {
		answered: () => answered,
		async collect(refresh) {
			const errors: SourceError[] = [];
			let onlyMissing = true;
			// Runtimes whose socket is not there at all: not installed, as against down.
			const missing = new Set<keyof Runtimes>();
			const attempt = async <T>(source: SourceName, run: () => Promise<T>): Promise<T | null> => {
				try {
					return await run();
				} catch (error) {
					if (error instanceof TransportError && error.kind === 'missing') {
						if (source === 'containerd' || source === 'docker') missing.add(source);
					} else onlyMissing = false;
					errors.push({source, message: describeError(error)});
					return null;
				}
			};
			const hostTask = usage.readHost(options.maxBytes).catch(() => null);
			answered = false;
			const processTask = attempt('processes', () => processes.read({timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, refresh}));
			// The kubelet is found in the process table; the CRI waits for it only to know
			// which endpoint is the kubelet's (every candidate socket is already being read).
			const kubeletTask = processTask.then(async (table) => {
				if (table === null) return undefined;
				const found = await attempt('kubelet', async () => ({value: await kubelets.read(table, options)}));
				return found === null ? undefined : found.value;
			});
			// --sudo: one refusal means sudo refuses every runtime CLI, so the node as configured
			// cannot be read at all; it is reported as unreachable, with sudo's reason.
			let sudoRefusal: string | null = null;
			const viaSudo = <T>(run: () => Promise<T>) => () => run().catch((error: unknown) => {
				if (error instanceof SudoRefusedError) sudoRefusal ??= error.message;
				throw error;
			});
			const criTask = sudo
				? viaSudo(() => kubeletTask.then((k) => sudo.cri(k ? kubeletEndpointOf(k) : null)))().then((facts) => ({facts, error: null, probe: undefined}), (error: Error) => ({facts: null, error, probe: undefined}))
				: collectCriProbed(transport, options, kubeletTask);
			// podman is daemonless: no socket means no podman API here, which is no error.
			const podmanTask = sudo ? attempt('podman', () => sudo.podman()) : attempt('podman', () => collectPodman(transport, options).catch((error: unknown) => {
				if (error instanceof TransportError && error.kind === 'missing') {
					missing.add('podman');
					return null;
				}
				throw error;
			}));
			const [processTable, containerd, criCollection, dockerApi, kubelet, podmanApi] = await Promise.all([
				processTask,
				attempt('containerd', sudo ? viaSudo(sudo.containerd) : () => collectContainerd(transport, containerdOptions)),
				criTask,
				attempt('docker', sudo ? viaSudo(sudo.docker) : () => collectDocker(transport, options)),
				kubeletTask,
				podmanTask,
			]);
			// A docker.sock that is podman (podman-docker) is podman's API, not Docker: named podman,
			// and once only when podman's own socket answered too.
			const docker = dockerApi?.engine === 'podman' ? null : dockerApi;
			// Docker is then not installed: absent, not failing.
			if (dockerApi?.engine === 'podman') missing.add('docker');
			const podman = podmanApi ?? (dockerApi?.engine === 'podman' ? dockerApi : null);
			if (sudoRefusal !== null) {
				const refusal: string = sudoRefusal;
				return {
					name, target: transport.target, reachable: false,
					errors: [{source: 'node', message: refusal}, ...errors.filter((e) => e.message !== refusal)],
					processes: processTable, containerd: null, cri: null, docker: null, kubelet,
				};
			}
			if (criCollection.error) {
				errors.push({source: 'cri', message: describeError(criCollection.error)});
				if (!criCollection.probe?.sockets.every((socket) => socket.status === 'missing')) onlyMissing = false;
				// No candidate socket there, or none that speaks the CRI: no CRI on this node.
				if (criCollection.probe?.sockets.every((socket) => socket.status === 'missing' || socket.status === 'not-cri')) missing.add('cri');
			}
			answered = processTable !== null && onlyMissing;
			const cri = criCollection.facts;
			const usageSample = usage.collect(containerd, await hostTask, processes.remoteNetns);
			if (usageSample.error) errors.push({source: 'usage', message: usageSample.error});
			const order: SourceName[] = ['node', 'processes', 'containerd', 'cri', 'docker', 'podman', 'kubelet', 'usage'];
			errors.sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
			const runtimeStates = runtimeStatesOf({containerd, cri, docker, podman}, missing);
			const gathered = {
				name, target: transport.target, reachable: true, errors, processes: processTable, containerd, cri, docker, podman, kubelet,
				criProbe: criCollection.probe, usage: usageSample.facts, polledAt: Date.now(), runtimeStates, shims: health.scanShims(processTable),
			};
			const facts: NodeFacts = {...gathered, health: await health.gather(gathered, options)};
			return facts;
		},
		remember(marks) {
			health.remember(marks);
		},
		close() {
			channels?.close();
		},
	};
}
