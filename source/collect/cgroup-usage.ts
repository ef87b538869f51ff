/**
 * The usage source of one node: what each container's cgroup has used, and the node's
 * CPU and memory, kept from one poll to the next so the model can turn counters into rates.
 *
 * Where the numbers come from is chosen by measured cost (README, "Resource usage"):
 * - this machine: the cgroup files themselves, found from each task's init process
 *   (about 35 µs a container for crimon, and nothing for containerd);
 * - SSH nodes: containerd's Tasks.Metrics, one call per namespace in the same round trip as
 *   the task listing on the already-forwarded socket (reading files over SFTP would be a
 *   round trip per file). containerd asks every shim in turn, about 0.7 ms of containerd's
 *   and the shims' CPU a container on this machine, which is why it is not the local choice.
 */
import type {ContainerdFacts, ContainerUsageFact, HostFact, PressureFacts, SampleIoFacts, UsageFacts, UsageSample} from '../schema/types.js';
import type {TaskMetrics} from '../protocol/containerd-metrics.js';
import type {Transport} from '../transport/transport.js';
import {limitOrNull} from './cgroup-parse.js';
import {NO_PSI_NODE, PRESSURE_FILES, pressureFacts} from './cgroup-io.js';
import type {RemoteNetns} from './netns-script.js';
import {CgroupReader, hostFact} from './cgroup-reader.js';
import type {ContainerdMetrics} from './collect-containerd.js';

/** Pure: one task's Metrics answer as the facts the model reads. */
export function usageFromMetrics(namespace: string, metrics: TaskMetrics, fallbackAt: number): ContainerUsageFact | null {
	if (metrics.cgroup === null) return null;
	return {
		namespace,
		id: metrics.id,
		at: metrics.at ?? fallbackAt,
		source: 'containerd',
		cpuSeconds: metrics.cpuNanos === null ? null : metrics.cpuNanos / 1e9,
		memoryUsageBytes: metrics.memoryUsage,
		inactiveFileBytes: metrics.inactiveFile,
		memoryLimitBytes: limitOrNull(metrics.memoryLimit === 0 && metrics.cgroup === 'v2' ? null : metrics.memoryLimit),
		pids: metrics.pids,
		throttledPeriods: metrics.throttledPeriods,
		throttledSeconds: metrics.throttledNanos === null ? null : metrics.throttledNanos / 1e9,
		oomKills: metrics.oomKills,
		// Metrics carry no CFS quota.
		cpuLimitCores: null,
		blockIo: metrics.blockIo,
		pressure: null,
		pressureReason: "not read over SSH: containerd's Metrics carry no PSI",
	};
}

/** Over SSH the node's /proc/stat and /proc/meminfo cost two SFTP channels: read them this often once a rate exists. */
const REMOTE_HOST_EVERY_MS = 30_000;
/** The second read, the first rate, needs at least this much time after the first. */
const REMOTE_HOST_FIRST_RATE_MS = 1_000;

export class UsageCollector {
	private previous: UsageSample | null = null;
	/** Over SSH: the last two host reads (the rate is between them), kept between reads. */
	private remoteHost: {last: HostFact; before: HostFact | null} | null = null;
	/** Over SSH: the node's /proc/pressure as last read with /proc/stat. */
	private remotePressure: PressureFacts | null = null;
	readonly cgroups: CgroupReader | null;

	constructor(private readonly transport: Transport, private readonly now: () => number = Date.now) {
		this.cgroups = CgroupReader.for(transport.procfs, now);
	}

	/** Whether containers' usage must come from containerd's Metrics RPC (no local cgroup files). */
	get needsMetrics(): boolean {
		return this.cgroups === null;
	}

	/**
	 * The node's /proc/stat and /proc/meminfo: read directly here every poll; over SFTP
	 * elsewhere (started with the poll, so it adds no wait) on the first poll, on the first
	 * poll at least a second later (the first rate), then every 30 s, so a poll of an SSH
	 * node otherwise opens nothing but its `ps`. Between reads the last figures stand.
	 */
	async readHost(maxBytes: number): Promise<HostFact | null> {
		if (this.cgroups) return this.cgroups.readHost();
		const now = this.now();
		const kept = this.remoteHost;
		if (kept) {
			const wait = kept.before === null ? REMOTE_HOST_FIRST_RATE_MS : REMOTE_HOST_EVERY_MS;
			if (now - kept.last.at < wait) return kept.last;
		}
		const read = (path: string) => this.transport.readFile(path, Math.min(maxBytes, 1024 * 1024)).then((b) => b.toString('utf8'), () => null);
		const [stat, meminfo, cpu, memory, io] = await Promise.all([read('/proc/stat'), read('/proc/meminfo'), ...PRESSURE_FILES.map((name) => read(`/proc/pressure/${name.slice(0, name.indexOf('.'))}`))]);
		this.remotePressure = pressureFacts(cpu!, memory!, io!);
		const fresh = hostFact(stat, meminfo, now);
		if (fresh) this.remoteHost = {last: fresh, before: kept?.last ?? null};
		return fresh ?? kept?.last ?? null;
	}

	/** This poll's sample, with the last one; `error` when the source failed for the node. */
	collect(containerd: (ContainerdFacts & {metrics?: ContainerdMetrics}) | null, host: HostFact | null, remoteNetns: RemoteNetns | null = null): {facts: UsageFacts; error: string | null} {
		let containers: ContainerUsageFact[] = [];
		let error: string | null = null;
		let io: SampleIoFacts = {};
		if (containerd && this.cgroups) {
			const running = containerd.tasks.filter((t) => t.pid > 0 && t.status !== 'stopped');
			containers = this.cgroups.readAll(running.map((t) => ({namespace: t.namespace, id: t.id, pid: t.pid})));
			const pids = new Map(running.map((t) => [`${t.namespace}/${t.id}`, t.pid]));
			io = this.cgroups.readSampleIo(containers, (fact) => pids.get(`${fact.namespace}/${fact.id}`));
		} else if (this.cgroups) {
			io = this.cgroups.readSampleIo([], () => undefined);
		} else if (containerd?.metrics) {
			io = {hostPressure: this.remotePressure, hostPressureReason: this.remotePressure ? null : NO_PSI_NODE};
			// The namespaces came with this poll's ps (netns-script.ts): each task's by its init pid.
			// pid 1's link may be refused (a sandbox's init); kthreadd (pid 2) is in the same initial namespace.
			if (remoteNetns) io = {...io, networks: remoteNetns.networks, hostNetns: remoteNetns.byPid.get(1) ?? remoteNetns.byPid.get(2) ?? null};
			const pids = new Map(containerd.tasks.map((t) => [`${t.namespace}/${t.id}`, t.pid]));
			const at = this.now();
			for (const {namespace, metrics} of containerd.metrics.namespaces) {
				for (const m of metrics) {
					const fact = usageFromMetrics(namespace, m, at);
					const pid = pids.get(`${namespace}/${m.id}`);
					if (fact) containers.push(remoteNetns && pid ? {...fact, netns: remoteNetns.byPid.get(pid) ?? null} : fact);
				}
			}
			error = containerd.metrics.error;
		}
		const current: UsageSample = {containers, host, ...io};
		// A host fact kept from an earlier poll (SSH) is rated against the read before it, not against itself.
		const previous: UsageSample | null = this.previous && host && this.previous.host === host && this.remoteHost?.before
			? {...this.previous, host: this.remoteHost.before}
			: this.previous;
		const facts: UsageFacts = {current, previous};
		this.previous = current;
		return {facts, error};
	}
}
