/**
 * The snapshot contract (schema crimon.snapshot/v1, see README) and the raw facts
 * a collector gathers before the model joins them. Adding fields is fine; renaming
 * or removing one needs a new schema version.
 */

export const SNAPSHOT_SCHEMA = 'crimon.snapshot/v1';

export type SourceName = 'processes' | 'containerd' | 'cri' | 'docker' | 'kubelet' | 'node';

export interface SourceError {
	readonly source: SourceName;
	readonly message: string;
}

export interface ProcessInfo {
	readonly pid: number;
	readonly ppid: number;
	readonly user: string;
	readonly state: string;
	/** Full command line, arguments joined by single spaces. */
	readonly command: string;
}

export interface CriRuntimeInfo {
	readonly endpoint: string;
	readonly runtimeName: string;
	readonly runtimeVersion: string;
	readonly apiVersion: string;
}

export interface ContainerdRuntimeInfo {
	readonly address: string;
	readonly version: string;
}

export interface DockerRuntimeInfo {
	readonly address: string;
	readonly version: string;
}

export interface Runtimes {
	readonly cri: CriRuntimeInfo | null;
	readonly containerd: ContainerdRuntimeInfo | null;
	readonly docker: DockerRuntimeInfo | null;
}

export type ShimVersion = 'v1' | 'v2';

export interface Shim {
	readonly pid: number;
	readonly version: ShimVersion;
	readonly binary: string;
	readonly namespace: string;
	readonly id: string;
	readonly address: string;
	readonly children: readonly number[];
}

export interface NamespaceSummary {
	readonly name: string;
	readonly containers: readonly string[];
}

export interface PodRef {
	readonly name: string;
	readonly namespace: string;
	readonly uid: string;
}

export interface SeenBy {
	readonly cri: boolean;
	readonly containerd: boolean;
	readonly docker: boolean;
}

export interface Mount {
	readonly source: string;
	readonly destination: string;
}

export interface Container {
	readonly id: string;
	readonly name: string;
	readonly image: string;
	readonly state: string;
	readonly namespace: string | null;
	readonly pid: number | null;
	readonly shimPid: number | null;
	readonly sandbox: boolean;
	readonly pod: PodRef | null;
	readonly seenBy: SeenBy;
	/** Additions to v1 (allowed by the contract): details for the app and the diagnosis. */
	readonly podId: string | null;
	readonly runtime: string | null;
	readonly labels: Readonly<Record<string, string>>;
	readonly mounts: readonly Mount[];
}

export type PodSource = 'cri' | 'docker-labels';

export interface Pod {
	readonly id: string;
	readonly name: string;
	readonly namespace: string;
	readonly uid: string;
	readonly source: PodSource;
	readonly sandboxPid: number | null;
	readonly containers: readonly string[];
	/** Addition to v1: the sandbox's state as its source reports it. */
	readonly state: string;
}

export interface NodeSnapshot {
	readonly name: string;
	readonly target: string;
	readonly ok: boolean;
	readonly errors: readonly SourceError[];
	readonly runtimes: Runtimes;
	readonly processes: readonly ProcessInfo[];
	readonly shims: readonly Shim[];
	readonly namespaces: readonly NamespaceSummary[];
	readonly containers: readonly Container[];
	readonly pods: readonly Pod[];
}

export interface Snapshot {
	readonly schema: typeof SNAPSHOT_SCHEMA;
	readonly takenAt: string;
	readonly nodes: readonly NodeSnapshot[];
}

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
}

export interface DockerFacts {
	readonly address: string;
	readonly version: string;
	readonly containers: readonly DockerContainerFact[];
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
}
