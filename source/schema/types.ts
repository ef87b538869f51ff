/**
 * The snapshot contract (schema crimon.snapshot/v1, see README) and the raw facts a
 * collector gathers before the model joins them. The snapshot's shape is written once, as
 * schema, in snapshot-schema.ts (and its io-, usage- and diagnosis- parts); these are its
 * types. Type-only imports: a live snapshot loads no schema library. The facts are plain
 * interfaces below.
 */

export {SNAPSHOT_SCHEMA} from './snapshot-version.js';

import type {Shape} from './schema-kit.js';
import type {
	ContainerSchema, CriRuntimeInfoSchema, MountSchema, NamespaceSummarySchema, NodeSnapshotSchema, PodRefSchema, PodSchema,
	ProcessInfoSchema, RuntimesSchema, RuntimeStatesSchema, ShimSchema, SnapshotSchema, SourceErrorSchema,
} from './snapshot-schema.js';
import type {UsageFacts} from './usage-types.js';
export type * from './usage-types.js';
export type * from './io-types.js';
export type {
	CriRuntimeKind, KubeletEndpointSource, KubeletDiagnosis, KubeadmPick, CriChoiceHow, CriDiagnosis, FindingSeverity, FindingCode, FindingSubject, Finding, Diagnosis,
} from './diagnosis-types.js';

export type Snapshot = Shape<typeof SnapshotSchema>;
export type NodeSnapshot = Shape<typeof NodeSnapshotSchema>;
export type SourceError = Shape<typeof SourceErrorSchema>;
export type SourceName = SourceError['source'];
export type ProcessInfo = Shape<typeof ProcessInfoSchema>;
type CriRuntimeInfo = Shape<typeof CriRuntimeInfoSchema>;
export type Runtimes = Shape<typeof RuntimesSchema>;
export type RuntimeStates = Shape<typeof RuntimeStatesSchema>;
export type Shim = Shape<typeof ShimSchema>;
export type ShimVersion = Shim['version'];
/** Who started a conmon, from its own flags (podman's --exit-command, CRI-O's exit and socket dirs). */
export type ConmonEngine = NonNullable<Shim['engine']>;
export type NamespaceSummary = Shape<typeof NamespaceSummarySchema>;
export type PodRef = Shape<typeof PodRefSchema>;
export type Mount = Shape<typeof MountSchema>;
export type Container = Shape<typeof ContainerSchema>;
export type Pod = Shape<typeof PodSchema>;

// ---- raw facts, as each source reports them -------------------------------------------

export interface ContainerdContainerFact {
	readonly id: string;
	readonly namespace: string;
	readonly image: string;
	readonly runtime: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly mounts: readonly Mount[];
}

export interface ContainerdTaskFact {
	readonly id: string;
	readonly namespace: string;
	readonly pid: number;
	readonly status: string;
	/** Addition: the init's exit status and when it exited (ms since the epoch; null when it has not). */
	readonly exitStatus?: number;
	readonly exitedAt?: number | null;
}

export interface ContainerdFacts {
	readonly address: string;
	readonly version: string;
	readonly namespaces: readonly string[];
	readonly containers: readonly ContainerdContainerFact[];
	readonly tasks: readonly ContainerdTaskFact[];
}

export interface CriSandboxFact {
	readonly id: string;
	readonly name: string;
	readonly namespace: string;
	readonly uid: string;
	readonly state: string;
	readonly labels: Readonly<Record<string, string>>;
}

export interface CriContainerFact {
	readonly id: string;
	readonly podSandboxId: string;
	readonly name: string;
	readonly image: string;
	readonly state: string;
	readonly labels: Readonly<Record<string, string>>;
	/** metadata.attempt: how many times the kubelet re-created this container. */
	readonly attempt?: number;
}

export interface CriFacts {
	readonly info: CriRuntimeInfo;
	readonly sandboxes: readonly CriSandboxFact[];
	readonly containers: readonly CriContainerFact[];
}

export interface DockerContainerFact {
	readonly id: string;
	/** Without the leading slash. */
	readonly name: string;
	readonly image: string;
	readonly state: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly mounts: readonly Mount[];
	/** The list's Status text ("Up 3 seconds", "Restarting (3) 2 seconds ago"); picks what to inspect. */
	readonly status?: string;
	/** From GET /containers/{id}/json, for the containers worth inspecting (see collect/docker-inspect.ts). */
	readonly inspect?: DockerInspectFact;
}

export interface DockerInspectFact {
	readonly restartCount: number;
	readonly oomKilled: boolean;
	readonly exitCode: number | null;
	readonly pid: number | null;
}

export interface DockerFacts {
	readonly address: string;
	readonly version: string;
	readonly containers: readonly DockerContainerFact[];
	/** Set when the engine behind the socket is podman (its /version lists a "Podman Engine"). */
	readonly engine?: 'podman';
}

/** Everything one poll of one node gathered; a source is null when it failed (see errors). */
export interface NodeFacts {
	readonly name: string;
	readonly target: string;
	readonly reachable: boolean;
	readonly errors: readonly SourceError[];
	readonly processes: readonly ProcessInfo[] | null;
	readonly containerd: ContainerdFacts | null;
	readonly cri: CriFacts | null;
	readonly docker: DockerFacts | null;
	/** podman's API (/run/podman/podman.sock, or a docker.sock that is podman); null or undefined: none answered. */
	readonly podman?: DockerFacts | null;
	/** When the poll ran (ms since the epoch): dates the end-of-life findings; undefined: none are made. */
	readonly polledAt?: number;
	/** undefined: not looked for (no process table); null: no kubelet runs. */
	readonly kubelet?: KubeletFacts | null;
	/** Which CRI sockets answer; undefined when the collector did not probe them. */
	readonly criProbe?: CriProbeFacts;
	/** Containers' cgroup stats and the node's CPU and memory, this poll and the one before (for rates). */
	readonly usage?: UsageFacts;
	/** What the health findings need beyond one poll's listings (collect/health-state.ts); undefined: not gathered. */
	readonly health?: HealthFacts;
	readonly runtimeStates?: RuntimeStates;
	/** The shims found in `processes`, scanned once a poll (collect/health-state.ts); undefined: the model scans. */
	readonly shims?: readonly Shim[];
}

/** Whether something answers on a shim's -address socket. */
export interface ShimAddressProbe {
	readonly address: string;
	readonly answers: boolean;
	readonly message: string | null;
}

/** Exits and OOMs of one container seen on the event stream while crimon watched. */
export interface ContainerEventCount {
	readonly namespace: string | null;
	readonly id: string;
	readonly exits: number;
	readonly lastExitStatus: number | null;
	readonly ooms: number;
}

/** The previous poll's marks (from healthMarks), so a finding can need two polls in a row. */
export interface HealthMarks {
	/** Shim pids that had no child process. */
	readonly childlessShims: readonly number[];
	/** namespace/id of running tasks whose init was gone or not under a shim. */
	readonly suspectTasks: readonly string[];
}

export interface HealthFacts {
	/** The marks of the poll before this one; null on a node's first poll. */
	readonly previous: HealthMarks | null;
	readonly shimAddresses: readonly ShimAddressProbe[];
	readonly events: readonly ContainerEventCount[];
}

/** A node file read through the transport. */
export interface NodeFileFact {
	readonly path: string;
	/** The text; null when missing or unreadable. */
	readonly text: string | null;
	readonly missing: boolean;
	/** Why it could not be read (not set for a plain missing file). */
	readonly error: string | null;
}

export interface KubeletFacts {
	readonly pid: number;
	/** Exact argv from /proc/PID/cmdline when readable, else the process table's command split on spaces. */
	readonly argv: readonly string[];
	/** The executable as /proc/PID/maps names it, else argv[0]. */
	readonly binary: string;
	/** Further processes that look like a kubelet. */
	readonly otherPids: readonly number[];
	readonly flagsEnv: NodeFileFact;
	/** The file named by --config; null when there is no --config. */
	readonly config: NodeFileFact | null;
	/** kubeadm 1.34+'s instance-config.yaml beside it; undefined: not read. */
	readonly instanceConfig?: NodeFileFact;
	readonly version: string | null;
	readonly versionNote: string;
}

type CriSocketStatus = 'missing' | 'cri' | 'not-cri' | 'failed';

export interface CriSocketProbe {
	readonly endpoint: string;
	/** missing: no socket file; cri: serves the CRI; not-cri: a socket that answers something else; failed: refused, denied, timed out. */
	readonly status: CriSocketStatus;
	readonly runtimeName: string | null;
	readonly runtimeVersion: string | null;
	readonly message: string | null;
}

export interface CriProbeFacts {
	/** --cri-socket, when given. */
	readonly forced: string | null;
	/** The kubelet's endpoint as the collector resolved it, when there is a kubelet. */
	readonly kubeletEndpoint: string | null;
	/** The candidate sockets in probe order, then the kubelet's and the forced endpoint when they are not candidates. */
	readonly sockets: readonly CriSocketProbe[];
	/** Whether Docker's socket exists (kubeadm before 1.24 chose dockershim on that alone); null when not probed. */
	readonly dockerSocket: {readonly path: string; readonly present: boolean} | null;
}
