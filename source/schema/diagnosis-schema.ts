/**
 * The diagnosis part of the snapshot (crimon.snapshot/v1), as schema: which runtime really
 * runs a node, and the findings. diagnosis-types.ts gives the types.
 */
import {flag, list, nullable, oneOf, record, text, whole, word} from './schema-kit.js';

const CRI_RUNTIME_KINDS = ['dockershim', 'containerd', 'cri-dockerd', 'cri-o', 'unknown'] as const;
const criRuntimeKind = () => oneOf(CRI_RUNTIME_KINDS);

export const KubeletDiagnosisSchema = record({
	pid: whole(),
	/** The executable it runs (from /proc/PID/maps), else argv[0]. */
	binary: text(),
	version: nullable(text()),
	/** Where the version came from, or why there is none. */
	versionNote: text(),
	/** --container-runtime (docker | remote), gone since 1.27. */
	containerRuntime: nullable(text()),
	endpoint: nullable(text()),
	/** Where the kubelet's CRI endpoint came from: its command line, kubeadm-flags.env, its --config file, or its built-in default. */
	endpointSource: nullable(oneOf(['flags', 'kubeadm-flags.env', 'config', 'default'])),
	configFile: nullable(text()),
});

export const KubeadmPickSchema = record({
	rules: oneOf(['1.14-1.23', '1.24+']),
	/** The endpoint kubeadm would write into kubeadm-flags.env; null when it refuses to choose. */
	endpoint: nullable(text()),
	runtime: criRuntimeKind(),
	/** The sockets those rules look for that exist here. */
	found: list(text()),
	/** Whether crimon's CRI calls to the picked endpoint answered; null when nothing was picked. */
	answers: nullable(flag()),
	reason: text(),
});

export const CriDiagnosisSchema = record({
	endpoint: nullable(text()),
	runtime: criRuntimeKind(),
	/** kubelet: the kubelet's own endpoint; probe: the first candidate socket that answered (crictl's pick); forced: --cri-socket. */
	how: oneOf(['kubelet', 'probe', 'forced', 'none']),
	why: text(),
	/** Whether crimon's CRI calls to that endpoint answered; null when it was not tried. */
	answers: nullable(flag()),
	/** Every probed socket that served the CRI, in probe order. */
	answering: list(text()),
	/** With no kubelet: what kubeadm would pick on this node, by its 1.14–1.23 and its 1.24+ rules. */
	kubeadm: nullable(list(KubeadmPickSchema)),
});

/**
 * The codes this crimon makes. A file holds them as words, not as this list: a newer crimon
 * adds codes within v1, and an older one still reads its files.
 */
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

type SubjectKind = 'container' | 'pod' | 'kubelet' | 'socket' | 'shim' | 'process';

export const FindingSubjectSchema = record({
	kind: word<SubjectKind>(),
	/** Container id, pod (sandbox) id, kubelet pid, socket endpoint, shim pid or process pid. */
	id: text(),
	name: text(),
	/** The containerd namespace of a container, the Kubernetes namespace of a pod. */
	namespace: nullable(text()),
	pod: nullable(record({name: text(), namespace: text()})),
	detail: nullable(text()),
});

export const FindingSchema = record({
	code: word<FindingCode>(),
	severity: oneOf(['error', 'warn', 'info']),
	/** A sentence an operator can act on. */
	message: text(),
	subjects: list(FindingSubjectSchema),
});

export const DiagnosisSchema = record({
	/** null when no kubelet runs on the node (or the process table could not be read; see errors). */
	kubelet: nullable(KubeletDiagnosisSchema),
	cri: CriDiagnosisSchema,
	/** Most severe first. */
	findings: list(FindingSchema),
});

