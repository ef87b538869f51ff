import type {ContainerEventCount} from '../schema/types.js';
import type {GrpcChannelPool} from './channel-pool.js';
import type {InspectCache} from './docker-inspect.js';
import type {SpecMountCache} from './parse-containerd.js';
import type {SessionMemo} from './session-memo.js';

export interface CollectOptions {
	readonly containerdSocket: string;
	/** Forced CRI endpoint (a path or unix:// URL); null probes the usual sockets as the kubelet would. */
	readonly criSocket: string | null;
	readonly dockerSocket: string;
	/** podman's API socket (root's); unset: DEFAULT_PODMAN_SOCKET. */
	readonly podmanSocket?: string;
	/** Bound on each call to a source. */
	readonly timeoutMs: number;
	/** Bound on the bytes any one answer may carry. */
	readonly maxBytes: number;
	/** Sees every raw answer; the fixture recorder uses it. */
	readonly onRaw?: (source: string, call: string, bytes: Uint8Array) => void;
	/** Kept gRPC sessions, one per socket, shared across polls of one node; none: a session per call. */
	readonly channels?: GrpcChannelPool;
	/** Answers that hold across polls of one node (Docker's /version), kept until a call fails. */
	readonly memo?: SessionMemo;
	/** Mounts read from container specs, kept across polls of one node. */
	readonly specMounts?: SpecMountCache;
	/** Read the runtimes through their CLIs under `sudo -n` (SSH nodes whose login user may not open the sockets). */
	readonly sudo?: boolean;
	/** Ask containerd for every task's cgroup stats (Tasks.Metrics) in the same round trip as its listings. */
	readonly containerdMetrics?: boolean;
	/** Exits and OOMs per container the node's event stream counted so far (health findings). */
	readonly eventCounts?: () => readonly ContainerEventCount[];
	/** Docker inspect answers kept across polls of one node (a few seconds each). */
	readonly dockerInspects?: InspectCache;
}

export const DEFAULT_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** podman.socket's (root): Docker-compatible, started by systemd on first connect. */
export const DEFAULT_PODMAN_SOCKET = '/run/podman/podman.sock';
/** Where dockerd started without --containerd runs its own containerd. */
export const DOCKER_PRIVATE_CONTAINERD_SOCKET = '/var/run/docker/containerd/containerd.sock';

/** Where CRI runtimes listen, in the order kubeadm 1.24+ probes them, then k3s and the old dockershim. */
export const CRI_SOCKET_CANDIDATES = [
	'/run/containerd/containerd.sock',
	'/var/run/crio/crio.sock',
	'/var/run/cri-dockerd.sock',
	'/run/k3s/containerd/containerd.sock',
	'/run/k3s/cri-dockerd/cri-dockerd.sock',
	'/var/run/dockershim.sock',
] as const;

export const DEFAULT_COLLECT_OPTIONS: CollectOptions = {
	containerdSocket: DEFAULT_CONTAINERD_SOCKET,
	criSocket: null,
	dockerSocket: DEFAULT_DOCKER_SOCKET,
	timeoutMs: 5000,
	maxBytes: 64 * 1024 * 1024,
};

export function socketPath(endpoint: string): string {
	return endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : endpoint;
}
