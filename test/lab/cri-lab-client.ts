/**
 * The lab's CRI client: makes (or removes) the one CRI pod the lab needs, speaking gRPC to
 * containerd's CRI plugin with crimon's own protobuf/gRPC codec. There is no crictl
 * package on Debian 12, and going through the codec crimon ships also exercises it
 * against a real runtime.
 *
 *   tsx test/lab/cri-lab-client.ts up|down|status [--bystander] [--socket PATH] [--timeout-ms N]
 *
 * With --bystander it makes (or removes) another pod instead, one that is not the lab's
 * (test/lab/bystanders.sh): the lab tests must hold beside other pods.
 *
 * `up` is idempotent: it reuses a ready sandbox with the lab pod's metadata and running
 * containers with the lab's container names, and clears out dead ones first (the CRI
 * reserves a pod's and a container's name until the old one is removed). Each subcommand
 * prints one JSON object on stdout; `status` exits 1 when the pod is not complete.
 */
import {GrpcChannel, GrpcError, GRPC_UNIMPLEMENTED} from '../../source/protocol/grpc-client.js';
import {connectLocalUnix} from '../../source/transport/local-transport.js';
import type {Decoded, Encodable, MessageSchema} from '../../source/protocol/protobuf.js';
import {
	Container,
	ListContainersResponse,
	ListPodSandboxRequest,
	ListPodSandboxResponse,
	PodSandbox,
	VersionRequest,
	VersionResponse,
	type CriApiVersion,
} from '../../source/protocol/cri-api.js';
import {
	ContainerConfig,
	ContainerState,
	CreateContainerRequest,
	CreateContainerResponse,
	FilteredListContainersRequest,
	NamespaceMode,
	PodSandboxConfig,
	PodSandboxState,
	RemoveContainerRequest,
	RemoveContainerResponse,
	RemovePodSandboxRequest,
	RemovePodSandboxResponse,
	RunPodSandboxRequest,
	RunPodSandboxResponse,
	StartContainerRequest,
	StartContainerResponse,
	StopPodSandboxRequest,
	StopPodSandboxResponse,
} from './cri-lab-api.js';

export const LAB_POD = {name: 'api', namespace: 'shop', uid: '0b7f2c4e-2222-4a6b-9c1d-d0c5e11a0002', attempt: 0} as const;
export const LAB_IMAGE = 'docker.io/crimon-lab/busybox:1';

interface WantedContainer {
	readonly name: string;
	readonly mounts: readonly {containerPath: string; hostPath: string}[];
}

export const LAB_CONTAINERS: readonly WantedContainer[] = [
	{name: 'app', mounts: []},
	// The diagnosis tests need a CRI container that can reach the Docker socket the way
	// monitoring agents do: through a host-path mount of its directory.
	{name: 'sidecar', mounts: [{containerPath: '/host/var/run', hostPath: '/var/run'}]},
];

/** A pod this client makes: the lab's, or a bystander. */
interface PodPlan {
	readonly pod: {readonly name: string; readonly namespace: string; readonly uid: string; readonly attempt: number};
	readonly containers: readonly WantedContainer[];
}

const LAB_PLAN: PodPlan = {pod: LAB_POD, containers: LAB_CONTAINERS};
const BYSTANDER_PLAN: PodPlan = {pod: {name: 'bystander', namespace: 'other', uid: '0b7f2c4e-7777-4a6b-9c1d-d0c5e11a0007', attempt: 0}, containers: [{name: 'app', mounts: []}]};

const podLabels = (plan: PodPlan) => ({
	'io.kubernetes.pod.name': plan.pod.name,
	'io.kubernetes.pod.namespace': plan.pod.namespace,
	'io.kubernetes.pod.uid': plan.pod.uid,
	...(plan === BYSTANDER_PLAN ? {'io.crimon.bystander': '1'} : {}),
});

// No CNI on the lab machine, so the pod shares the node's network (and then the CRI wants
// no hostname). ipc and pid stay at their defaults (POD), as for an ordinary pod.
const sandboxConfig = (plan: PodPlan): Encodable<typeof PodSandboxConfig> => ({
	metadata: {...plan.pod},
	labels: podLabels(plan),
	linux: {securityContext: {namespaceOptions: {network: NamespaceMode.NODE}}},
});

function containerConfig(plan: PodPlan, wanted: WantedContainer): Encodable<typeof ContainerConfig> {
	return {
		metadata: {name: wanted.name, attempt: 0},
		image: {image: LAB_IMAGE},
		command: ['/bin/sleep', '2147483647'],
		mounts: wanted.mounts.map((mount) => ({...mount})),
		labels: {...podLabels(plan), 'io.kubernetes.container.name': wanted.name},
		// What the kubelet sends for a container of a host-network pod: the node's network,
		// the pod's IPC, and a pid namespace of its own (v1.PodSpec's default).
		linux: {
			securityContext: {
				namespaceOptions: {network: NamespaceMode.NODE, pid: NamespaceMode.CONTAINER, ipc: NamespaceMode.POD},
			},
		},
	};
}

interface Options {
	readonly socket: string;
	readonly timeoutMs: number;
}

function parseArgs(argv: readonly string[]): {command: string; options: Options; plan: PodPlan} {
	let command = '';
	let plan = LAB_PLAN;
	let socket = '/run/containerd/containerd.sock';
	let timeoutMs = 60_000;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--socket') socket = argv[++i] ?? '';
		else if (arg === '--timeout-ms') timeoutMs = Number(argv[++i]);
		else if (arg === '--bystander') plan = BYSTANDER_PLAN;
		else if (!arg.startsWith('-') && !command) command = arg;
		else throw new Error(`unknown argument ${arg}`);
	}
	if (!['up', 'down', 'status'].includes(command)) {
		throw new Error('usage: cri-lab-client.ts up|down|status [--bystander] [--socket PATH] [--timeout-ms N]');
	}
	if (!socket || !Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error('bad --socket or --timeout-ms');
	return {command, options: {socket, timeoutMs}, plan};
}

class LabCri {
	private api: CriApiVersion = 'v1';

	private constructor(private readonly channel: GrpcChannel, private readonly timeoutMs: number) {}

	static async open(options: Options): Promise<LabCri> {
		const stream = await connectLocalUnix(options.socket, Math.min(options.timeoutMs, 5_000));
		return new LabCri(new GrpcChannel(stream), options.timeoutMs);
	}

	close(): void {
		this.channel.close();
	}

	call<Q extends MessageSchema, R extends MessageSchema>(method: string, requestSchema: Q, request: Encodable<Q>, responseSchema: R): Promise<Decoded<R>> {
		return this.channel.call(`/runtime.${this.api}.RuntimeService/${method}`, requestSchema, request, responseSchema, {
			timeoutMs: this.timeoutMs,
			maxBytes: 16 * 1024 * 1024,
		});
	}

	/** containerd ≤ 1.4 serves only v1alpha2 (same messages); fall back as crictl does. */
	async version(): Promise<Decoded<typeof VersionResponse>> {
		try {
			return await this.call('Version', VersionRequest, {version: '0.1.0'}, VersionResponse);
		} catch (error) {
			if (!(error instanceof GrpcError) || error.code !== GRPC_UNIMPLEMENTED) throw error;
			this.api = 'v1alpha2';
			return this.call('Version', VersionRequest, {version: '0.1.0'}, VersionResponse);
		}
	}

	async labSandboxes(plan: PodPlan): Promise<Decoded<typeof PodSandbox>[]> {
		const answer = await this.call('ListPodSandbox', ListPodSandboxRequest, {}, ListPodSandboxResponse);
		return answer.items.filter(({metadata}) => metadata?.name === plan.pod.name && metadata.namespace === plan.pod.namespace && metadata.uid === plan.pod.uid);
	}

	async containersOf(sandboxId: string): Promise<readonly Decoded<typeof Container>[]> {
		const answer = await this.call('ListContainers', FilteredListContainersRequest, {filter: {podSandboxId: sandboxId}}, ListContainersResponse);
		return answer.containers;
	}

	async removeSandbox(id: string): Promise<void> {
		// StopPodSandbox first, as the kubelet does: RemovePodSandbox refuses a ready sandbox.
		await this.call('StopPodSandbox', StopPodSandboxRequest, {podSandboxId: id}, StopPodSandboxResponse);
		await this.call('RemovePodSandbox', RemovePodSandboxRequest, {podSandboxId: id}, RemovePodSandboxResponse);
	}
}

const containerName = (container: Decoded<typeof Container>): string => container.metadata?.name ?? '';

async function up(cri: LabCri, plan: PodPlan): Promise<unknown> {
	const version = await cri.version();
	let sandboxId = '';
	let sandboxReused = false;
	for (const sandbox of await cri.labSandboxes(plan)) {
		if (!sandboxId && sandbox.state === PodSandboxState.READY) {
			sandboxId = sandbox.id;
			sandboxReused = true;
		} else {
			await cri.removeSandbox(sandbox.id);
		}
	}
	if (!sandboxId) {
		const answer = await cri.call('RunPodSandbox', RunPodSandboxRequest, {config: sandboxConfig(plan), runtimeHandler: ''}, RunPodSandboxResponse);
		sandboxId = answer.podSandboxId;
		if (!sandboxId) throw new Error('RunPodSandbox answered without a sandbox id');
	}

	const existing = await cri.containersOf(sandboxId);
	const containers: Record<string, {id: string; reused: boolean}> = {};
	for (const wanted of plan.containers) {
		let id = '';
		for (const container of existing.filter((c) => containerName(c) === wanted.name)) {
			if (!id && container.state === ContainerState.RUNNING) id = container.id;
			else await cri.call('RemoveContainer', RemoveContainerRequest, {containerId: container.id}, RemoveContainerResponse);
		}
		if (id) {
			containers[wanted.name] = {id, reused: true};
			continue;
		}
		const created = await cri.call(
			'CreateContainer',
			CreateContainerRequest,
			{podSandboxId: sandboxId, config: containerConfig(plan, wanted), sandboxConfig: sandboxConfig(plan)},
			CreateContainerResponse,
		);
		id = created.containerId;
		if (!id) throw new Error(`CreateContainer answered without an id for ${wanted.name}`);
		await cri.call('StartContainer', StartContainerRequest, {containerId: id}, StartContainerResponse);
		containers[wanted.name] = {id, reused: false};
	}
	return {
		api: version.runtimeApiVersion,
		runtime: {name: version.runtimeName, version: version.runtimeVersion},
		sandbox: {id: sandboxId, ...plan.pod, reused: sandboxReused},
		containers,
	};
}

async function down(cri: LabCri, plan: PodPlan): Promise<unknown> {
	await cri.version();
	const removed: string[] = [];
	// RemovePodSandbox takes the pod's containers with it.
	for (const sandbox of await cri.labSandboxes(plan)) {
		await cri.removeSandbox(sandbox.id);
		removed.push(sandbox.id);
	}
	return {removedSandboxes: removed};
}

async function status(cri: LabCri, plan: PodPlan): Promise<{ok: boolean; [key: string]: unknown}> {
	await cri.version();
	const sandbox = (await cri.labSandboxes(plan)).find((item) => item.state === PodSandboxState.READY);
	if (!sandbox) return {ok: false, sandbox: null};
	const running = (await cri.containersOf(sandbox.id)).filter((c) => c.state === ContainerState.RUNNING);
	const containers = Object.fromEntries(
		plan.containers.map((wanted) => [wanted.name, running.find((c) => containerName(c) === wanted.name)?.id ?? null]),
	);
	return {ok: Object.values(containers).every(Boolean), sandbox: sandbox.id, containers};
}

async function main(): Promise<number> {
	const {command, options, plan} = parseArgs(process.argv.slice(2));
	const cri = await LabCri.open(options);
	try {
		if (command === 'up') {
			console.log(JSON.stringify(await up(cri, plan)));
			return 0;
		}
		if (command === 'down') {
			console.log(JSON.stringify(await down(cri, plan)));
			return 0;
		}
		const result = await status(cri, plan);
		console.log(JSON.stringify(result));
		return result.ok ? 0 : 1;
	} finally {
		cri.close();
	}
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		console.error(`cri-lab-client: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 2;
	},
);
