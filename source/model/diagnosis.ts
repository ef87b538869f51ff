/**
 * Pure: one node's facts → which runtime really runs it, and what would break if it moved.
 * It looks at what runs (the kubelet's process and flags, the sockets that answer, the
 * mounts the runtimes report for each container), never at manifests: a DaemonSet that
 * mounts /var/run/docker.sock only matters on the nodes where it actually runs.
 */
import {
	DOCKERSHIM_ENDPOINT, endpointPath, KUBEADM_FLAGS_ENV, runtimeOfEndpoint, runtimeOfName, sameEndpoint, type KubeletCriChoice,
} from '../collect/kubelet-flags.js';
import {chooseCriSocket} from '../collect/cri-choice.js';
import {healthFindings} from './health-findings.js';
import {endOfLifeFindings} from './end-of-life.js';
import {pressureFindings} from './pressure-findings.js';
import {basename} from '../collect/shims.js';
import type {
	CriDiagnosis, CriProbeFacts, CriRuntimeKind, CriSocketProbe, Diagnosis, Finding, FindingCode,
	FindingSeverity, FindingSubject, KubeadmPick, KubeletDiagnosis, KubeletFacts, NodeFacts,
} from '../schema/types.js';
import {
	dockerSockFinding, finding, kubernetesInMobyFinding, listNames, plural, shimV1Finding, type DiagnosisInput,
} from './container-findings.js';

export { dockerSocketPaths, dockerSocketViaMount, type DiagnosisInput} from './container-findings.js';

const SEVERITY_ORDER: Record<FindingSeverity, number> = {error: 0, warn: 1, info: 2};
const CODE_ORDER: readonly FindingCode[] = [
	'no-runtime-answering', 'cri-unreachable', 'dockershim-in-use', 'kubelet-restart-pending', 'multiple-cri-sockets', 'docker-sock-mounted',
	'multiple-kubelets', 'kubelet-config-unreadable', 'cri-dockerd-in-use', 'kubernetes-in-moby', 'shim-v1',
	'task-without-shim', 'shim-leaked', 'shim-orphaned', 'shim-duplicate', 'restart-loop', 'oom-killed', 'zombie-processes', 'pressure-stalled', 'runtime-end-of-life',
];


function probeFor(probe: CriProbeFacts | undefined, endpoint: string | null): CriSocketProbe | null {
	if (!probe || !endpoint) return null;
	return probe.sockets.find((s) => sameEndpoint(s.endpoint, endpoint)) ?? null;
}

function runtimeAt(endpoint: string, probe: CriSocketProbe | null): CriRuntimeKind {
	const byPath = runtimeOfEndpoint(endpoint);
	if (byPath !== 'unknown') return byPath;
	return probe?.runtimeName ? runtimeOfName(probe.runtimeName, endpoint) : 'unknown';
}

function kubeletDiagnosis(kubelet: KubeletFacts, choice: KubeletCriChoice): KubeletDiagnosis {
	return {
		pid: kubelet.pid,
		binary: kubelet.binary,
		version: kubelet.version,
		versionNote: kubelet.versionNote,
		containerRuntime: choice.containerRuntime,
		endpoint: choice.endpoint,
		endpointSource: choice.endpointSource,
		configFile: choice.configFile,
	};
}

// kubeadm's candidates, as it spells them.
const KUBEADM = {
	docker: '/var/run/docker.sock',
	dockershim: DOCKERSHIM_ENDPOINT,
	containerdLegacy: 'unix:///run/containerd/containerd.sock',
	containerd: 'unix:///var/run/containerd/containerd.sock',
	crio: 'unix:///var/run/crio/crio.sock',
	criDockerd: 'unix:///var/run/cri-dockerd.sock',
} as const;

/**
 * What `kubeadm init/join` would write as the node's CRI socket. Both generations look only
 * at which socket files exist, not at what answers on them: 1.14–1.23 prefer dockershim
 * whenever Docker's socket exists (containerd only without Docker), 1.24+ look for
 * containerd, CRI-O and cri-dockerd and refuse to choose between several.
 */
export function kubeadmPicks(probe: CriProbeFacts): KubeadmPick[] {
	const exists = (endpoint: string) => {
		const found = probeFor(probe, endpoint);
		return found !== null && found.status !== 'missing';
	};
	const answers = (endpoint: string | null) => {
		if (!endpoint) return null;
		const found = probeFor(probe, endpoint);
		return found ? found.status === 'cri' : null;
	};
	const pick = (rules: KubeadmPick['rules'], found: string[], fallback: string, fallbackWhy: string, flag: string): KubeadmPick => {
		if (found.length === 0) {
			return {rules, endpoint: fallback, runtime: runtimeOfEndpoint(fallback), found, answers: answers(fallback), reason: fallbackWhy};
		}
		if (found.length === 1) {
			return {rules, endpoint: found[0]!, runtime: runtimeOfEndpoint(found[0]!), found, answers: answers(found[0]!), reason: `the only runtime socket it looks for that exists here`};
		}
		return {rules, endpoint: null, runtime: 'unknown', found, answers: null, reason: `refuses to choose between ${found.join(', ')}: give ${flag}`};
	};

	const dockerPresent = probe.dockerSocket?.present ?? false;
	const legacy: string[] = [];
	if (dockerPresent) legacy.push(KUBEADM.dockershim);
	else if (exists(KUBEADM.containerdLegacy)) legacy.push(KUBEADM.containerdLegacy);
	if (exists(KUBEADM.crio)) legacy.push(KUBEADM.crio);
	const legacyPick = pick('1.14-1.23', legacy, KUBEADM.dockershim, 'no runtime socket found: falls back to dockershim', '--cri-socket');
	const legacyWithReason: KubeadmPick = dockerPresent && legacy.length === 1
		? {...legacyPick, reason: `${KUBEADM.docker} exists, and these versions prefer dockershim whenever Docker is installed`}
		: legacyPick;

	const current = [KUBEADM.containerd, KUBEADM.crio, KUBEADM.criDockerd].filter(exists);
	const currentPick = pick('1.24+', current, KUBEADM.containerd, 'no runtime socket found: falls back to containerd\'s', 'criSocket in the kubeadm configuration');
	return [legacyWithReason, currentPick];
}

interface CriResult {
	readonly cri: CriDiagnosis;
	readonly choice: KubeletCriChoice | null;
}

function diagnoseCri(facts: NodeFacts, snapshot: DiagnosisInput): CriResult {
	const probe = facts.criProbe;
	const read = snapshot.runtimes.cri;
	// Without a probe (--sudo reads through crictl), the socket crimon read is the one known to answer.
	const probed = probe?.sockets ?? (read ? [{endpoint: read.endpoint, status: 'cri' as const}] : []);
	const chosen = chooseCriSocket({kubelet: facts.kubelet, forced: probe?.forced ?? null, probed});
	const answering = probed.filter((s) => s.status === 'cri').map((s) => s.endpoint);
	const answersAt = (endpoint: string | null): boolean | null => {
		if (!endpoint) return null;
		const found = probeFor(probe, endpoint);
		if (found) return found.status === 'cri';
		return read && sameEndpoint(read.endpoint, endpoint) ? true : null;
	};
	const {endpoint, how} = chosen;

	if (chosen.kubelet) {
		const choice = chosen.kubelet;
		const runtime = endpoint && choice.runtime === 'unknown' ? runtimeAt(endpoint, probeFor(probe, endpoint)) : choice.runtime;
		const instance = choice.instanceEndpoint && endpoint && !sameEndpoint(choice.instanceEndpoint, endpoint)
			? `; kubeadm's instance-config.yaml names ${choice.instanceEndpoint}, which the next kubeadm upgrade writes into the kubelet's config`
			: '';
		return {choice, cri: {endpoint, runtime, how, why: chosen.why + instance, answers: answersAt(endpoint), answering, kubeadm: null}};
	}

	const kubeadm = probe ? kubeadmPicks(probe) : null;
	const found = probeFor(probe, endpoint);
	const readInfo = read && endpoint && sameEndpoint(read.endpoint, endpoint) ? read : null;
	const runtimeName = found?.runtimeName ?? readInfo?.runtimeName ?? null;
	const runtime: CriRuntimeKind = !endpoint ? 'unknown' : runtimeName ? runtimeOfName(runtimeName, endpoint) : runtimeOfEndpoint(endpoint);
	return {choice: null, cri: {endpoint, runtime, how, why: chosen.why, answers: answersAt(endpoint), answering, kubeadm}};
}

function kubeletSubject(kubelet: KubeletFacts, detail: string | null): FindingSubject {
	return {kind: 'kubelet', id: String(kubelet.pid), name: basename(kubelet.binary) || 'kubelet', namespace: null, pod: null, detail};
}

function socketSubject(endpoint: string, detail: string | null): FindingSubject {
	return {kind: 'socket', id: endpoint, name: endpointPath(endpoint), namespace: null, pod: null, detail};
}

function criFindings(facts: NodeFacts, cri: CriDiagnosis): Finding[] {
	const out: Finding[] = [];
	const probe = facts.criProbe;
	const kubelet = facts.kubelet ?? null;
	if (kubelet && cri.endpoint && cri.answers === false) {
		const found = probeFor(probe, cri.endpoint);
		const reason = found?.status === 'missing' ? 'there is no socket there' : found?.message ?? 'it does not serve the CRI';
		const denied = /permission denied/i.test(reason);
		const fallback = facts.cri ? ` crimon read pods from ${facts.cri.info.endpoint} instead, which is not what this kubelet sees.` : '';
		out.push(finding('cri-unreachable', denied ? 'warn' : 'error',
			denied
				? `crimon cannot open the kubelet's CRI endpoint ${cri.endpoint} (${reason}); run crimon as root on this node to check it.${fallback}`
				: `The kubelet's CRI endpoint ${cri.endpoint} does not answer (${reason}): the kubelet cannot start or watch pods; start the runtime behind it or fix the kubelet's endpoint.${fallback}`,
			[kubeletSubject(kubelet, null), socketSubject(cri.endpoint, reason)]));
	} else if (kubelet && !cri.endpoint && cri.runtime === 'unknown') {
		// Nothing to call unreachable: the diagnosis says why the endpoint is unknown.
	} else if (!kubelet && probe?.forced && cri.answers === false) {
		const found = probeFor(probe, probe.forced);
		out.push(finding('cri-unreachable', 'error', `The CRI endpoint given with --cri-socket, ${probe.forced}, does not answer (${found?.message ?? 'no socket there'}); check the path or start the runtime.`,
			[socketSubject(probe.forced, found?.message ?? null)]));
	} else if (!kubelet && probe && cri.answering.length === 0) {
		const present = probe.sockets.filter((s) => s.status !== 'missing');
		if (present.length > 0) {
			out.push(finding('cri-unreachable', 'warn',
				`${plural(present.length, 'runtime socket')} exist${present.length === 1 ? 's' : ''} but none serves the CRI (${listNames(present.map((s) => `${endpointPath(s.endpoint)}: ${s.message ?? s.status}`))}); ` +
				`a kubelet could not use this node's runtime until its CRI plugin or service is enabled.`,
				present.map((s) => socketSubject(s.endpoint, s.message))));
		}
	}

	if (cri.answering.length > 1) {
		const first = cri.answering[0]!;
		const list = cri.answering.map((e) => endpointPath(e)).join(', ');
		if (!kubelet) {
			out.push(finding('multiple-cri-sockets', 'warn',
				`${cri.answering.length} sockets serve the CRI (${list}): crictl without a configured endpoint silently takes the first (${endpointPath(first)}) and kubeadm 1.24+ refuses to choose; ` +
				`set runtime-endpoint in /etc/crictl.yaml and criSocket in kubeadm's configuration, or stop the runtime this node should not use.`,
				cri.answering.map((e) => socketSubject(e, null))));
		} else {
			const differs = cri.endpoint !== null && !sameEndpoint(first, cri.endpoint);
			out.push(finding('multiple-cri-sockets', differs ? 'warn' : 'info',
				differs
					? `${cri.answering.length} sockets serve the CRI (${list}) and the kubelet uses ${endpointPath(cri.endpoint!)}, but crictl without /etc/crictl.yaml would show ${endpointPath(first)}: set runtime-endpoint there so what you inspect is what the kubelet runs.`
					: `${cri.answering.length} sockets serve the CRI (${list}); the kubelet uses ${endpointPath(cri.endpoint ?? first)}. Stop the runtime it does not use once nothing depends on it.`,
				cri.answering.map((e) => socketSubject(e, cri.endpoint && sameEndpoint(e, cri.endpoint) ? "the kubelet's" : null))));
		}
	}
	return out;
}

function dockershimBasis(choice: KubeletCriChoice): string {
	if (choice.containerRuntime === 'docker') return '--container-runtime=docker';
	if (choice.containerRuntime === null) return 'no --container-runtime=remote, on a kubelet before 1.24';
	return `its endpoint ${choice.endpoint ?? ''}`.trim();
}

function kubeletFindings(kubelet: KubeletFacts, choice: KubeletCriChoice, cri: CriDiagnosis): Finding[] {
	const out: Finding[] = [];
	const subject = kubeletSubject(kubelet, cri.endpoint ? `CRI ${cri.endpoint}` : null);
	if (cri.runtime === 'dockershim') {
		out.push(finding('dockershim-in-use', 'warn',
			`The kubelet (pid ${kubelet.pid}${kubelet.version ? `, ${kubelet.version}` : ''}) runs its containers through dockershim (${dockershimBasis(choice)}). ` +
			`dockershim is gone from Kubernetes 1.24: before upgrading, drain the node and switch the kubelet to containerd (--container-runtime-endpoint) or to Docker through cri-dockerd.`,
			[subject]));
	} else if (cri.runtime === 'cri-dockerd') {
		out.push(finding('cri-dockerd-in-use', 'info',
			`The kubelet reaches Docker through cri-dockerd at ${cri.endpoint}: Kubernetes still depends on Docker here, and its containers live in Docker's moby namespace; moving to containerd means draining the node and re-creating its pods.`,
			[subject]));
	}
	for (const change of choice.pending) {
		const running = change.runningFrom ? `took containerRuntimeEndpoint ${change.running} from ${change.runningFrom}` : `was started with --${change.flag}=${change.running}`;
		out.push(finding('kubelet-restart-pending', 'warn',
			`${KUBEADM_FLAGS_ENV} sets --${change.flag}=${change.file}, but the running kubelet ${running}: ` +
			`the change takes effect only when the kubelet restarts; drain the node, then restart the kubelet.`,
			[subject]));
	}
	if (kubelet.otherPids.length > 0) {
		out.push(finding('multiple-kubelets', 'warn',
			`${kubelet.otherPids.length + 1} processes look like a kubelet (pids ${[kubelet.pid, ...kubelet.otherPids].join(', ')}); crimon diagnoses pid ${kubelet.pid}. Two kubelets fight over the same pods: stop the one that should not run.`,
			[subject, ...kubelet.otherPids.map((pid) => ({kind: 'kubelet' as const, id: String(pid), name: 'kubelet', namespace: null, pod: null, detail: null}))]));
	}
	const unread: string[] = [];
	if (kubelet.flagsEnv.error) unread.push(`${kubelet.flagsEnv.path} (${kubelet.flagsEnv.error})`);
	if (kubelet.config?.error) unread.push(`${kubelet.config.path} (${kubelet.config.error})`);
	else if (kubelet.config?.missing) unread.push(`${kubelet.config.path} (missing)`);
	else if (choice.configProblem && kubelet.config) unread.push(`${kubelet.config.path} (${choice.configProblem})`);
	if (unread.length > 0) {
		out.push(finding('kubelet-config-unreadable', 'warn',
			`crimon could not use ${listNames(unread)}, so the kubelet's CRI endpoint may be wrong here; run crimon as root, or check the file.`,
			[subject]));
	}
	return out;
}

export function diagnoseNode(facts: NodeFacts, snapshot: DiagnosisInput): Diagnosis {
	const {cri, choice} = diagnoseCri(facts, snapshot);
	const kubelet = facts.kubelet ?? null;
	const findings: Finding[] = [...criFindings(facts, cri)];
	if (kubelet && choice) findings.push(...kubeletFindings(kubelet, choice, cri));
	for (const extra of [dockerSockFinding(snapshot), kubernetesInMobyFinding(snapshot, cri, kubelet !== null), shimV1Finding(snapshot)]) {
		if (extra) findings.push(extra);
	}
	findings.push(...endOfLifeFindings(snapshot.runtimes, facts.polledAt));
	findings.push(...healthFindings(facts, snapshot), ...pressureFindings(facts, snapshot));
	findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code));
	return {kubelet: kubelet && choice ? kubeletDiagnosis(kubelet, choice) : null, cri, findings};
}

