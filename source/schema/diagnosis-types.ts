/**
 * The diagnosis part of the snapshot contract (crimon.snapshot/v1, see types.ts): which runtime
 * really runs a node, and the findings. Kept apart from types.ts, which re-exports it, so that
 * file stays one screenful of contract per part.
 */

export type CriRuntimeKind = 'dockershim' | 'containerd' | 'cri-dockerd' | 'cri-o' | 'unknown';

/** Where the kubelet's CRI endpoint came from: its command line, kubeadm-flags.env, its --config file, or its built-in default. */
export type KubeletEndpointSource = 'flags' | 'kubeadm-flags.env' | 'config' | 'default';

export interface KubeletDiagnosis {
	readonly pid: number;
	/** The executable it runs (from /proc/PID/maps), else argv[0]. */
	readonly binary: string;
	readonly version: string | null;
	/** Where the version came from, or why there is none. */
	readonly versionNote: string;
	/** --container-runtime (docker | remote), gone since 1.27. */
	readonly containerRuntime: string | null;
	readonly endpoint: string | null;
	readonly endpointSource: KubeletEndpointSource | null;
	readonly configFile: string | null;
}

export interface KubeadmPick {
	readonly rules: '1.14-1.23' | '1.24+';
	/** The endpoint kubeadm would write into kubeadm-flags.env; null when it refuses to choose. */
	readonly endpoint: string | null;
	readonly runtime: CriRuntimeKind;
	/** The sockets those rules look for that exist here. */
	readonly found: readonly string[];
	/** Whether crimon's CRI calls to the picked endpoint answered; null when nothing was picked. */
	readonly answers: boolean | null;
	readonly reason: string;
}

export type CriChoiceHow = 'kubelet' | 'probe' | 'forced' | 'none';

export interface CriDiagnosis {
	readonly endpoint: string | null;
	readonly runtime: CriRuntimeKind;
	/** kubelet: the kubelet's own endpoint; probe: the first candidate socket that answered (crictl's pick); forced: --cri-socket. */
	readonly how: CriChoiceHow;
	readonly why: string;
	/** Whether crimon's CRI calls to that endpoint answered; null when it was not tried. */
	readonly answers: boolean | null;
	/** Every probed socket that served the CRI, in probe order. */
	readonly answering: readonly string[];
	/** With no kubelet: what kubeadm would pick on this node, by its 1.14–1.23 and its 1.24+ rules. */
	readonly kubeadm: readonly KubeadmPick[] | null;
}

export type FindingSeverity = 'error' | 'warn' | 'info';

export type FindingCode =
	| 'dockershim-in-use'
	| 'cri-dockerd-in-use'
	| 'docker-sock-mounted'
	| 'shim-v1'
	| 'kubernetes-in-moby'
	| 'cri-unreachable'
	| 'multiple-cri-sockets'
	| 'kubelet-restart-pending'
	| 'multiple-kubelets'
	| 'kubelet-config-unreadable'
	| 'runtime-end-of-life'
	// Runtime health (model/health-findings.ts).
	| 'shim-leaked'
	| 'shim-orphaned'
	| 'shim-duplicate'
	| 'task-without-shim'
	| 'zombie-processes'
	| 'restart-loop'
	| 'oom-killed'
	| 'no-runtime-answering'
	// Pressure (model/pressure-findings.ts).
	| 'pressure-stalled';

export interface FindingSubject {
	readonly kind: 'container' | 'pod' | 'kubelet' | 'socket' | 'shim' | 'process';
	/** Container id, pod (sandbox) id, kubelet pid, socket endpoint, shim pid or process pid. */
	readonly id: string;
	readonly name: string;
	/** The containerd namespace of a container, the Kubernetes namespace of a pod. */
	readonly namespace: string | null;
	readonly pod: {readonly name: string; readonly namespace: string} | null;
	readonly detail: string | null;
}

export interface Finding {
	readonly code: FindingCode;
	readonly severity: FindingSeverity;
	/** A sentence an operator can act on. */
	readonly message: string;
	readonly subjects: readonly FindingSubject[];
}

export interface Diagnosis {
	/** null when no kubelet runs on the node (or the process table could not be read; see errors). */
	readonly kubelet: KubeletDiagnosis | null;
	readonly cri: CriDiagnosis;
	/** Most severe first. */
	readonly findings: readonly Finding[];
}
