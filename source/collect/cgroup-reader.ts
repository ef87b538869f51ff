/**
 * Reads containers' cgroups straight from the kernel on this machine: each container's
 * cgroup is found from its init process (/proc/PID/cgroup), so every runtime and
 * namespace is read the same way, and the files are read where the controllers are
 * mounted (/proc/self/mountinfo). cgroup v1 is preferred per controller where mounted;
 * otherwise the unified (v2) tree answers. Needs the transport's synchronous file access
 * (a local node); over SSH each file would be a round trip, so SSH nodes use containerd's
 * Metrics RPC instead (collect-usage.ts).
 */
import type {ContainerUsageFact, HostFact, NetnsFact, PressureFacts, SampleIoFacts} from '../schema/types.js';
import type {ProcFs} from '../transport/transport.js';
import {ioFromV1, ioFromV2, NO_PSI_NODE, type IoFiles, podCgroupOf, PRESSURE_FILES, pressureFacts, V1_IO_CONTROLLER, V1_IO_FILES, V1_SLOW_IO_FILES, V2_IO_FILES, V2_SLOW_IO_FILES} from './cgroup-io.js';
import {parseDevName, parseNetDev, parseNetnsLink} from './io-parse.js';
import {
	cgroupDir, parseCgroupMounts, parseMeminfo, parseProcCgroup, parseProcStatCpu, usageFromV1, usageFromV2,
	V1_FILES, V1_LIMIT_FILES, V2_FILE_NAMES, V2_LIMIT_FILES, type CgroupMounts, type V1Files,
} from './cgroup-parse.js';

export interface TaskRef {
	readonly namespace: string;
	readonly id: string;
	readonly pid: number;
}

interface LocatedBase {
	readonly pid: number;
	/** Its init's network namespace, read once: a process does not change namespace while crimon watches it. */
	readonly netns: string | null;
	/** The IO files read with the limits (operation counts, PSI). */
	slowIo: IoFiles;
	limitsAt: number;
}

interface LocatedV1 extends LocatedBase {
	readonly version: 'v1';
	/** Controller → directory. */
	readonly dirs: ReadonlyMap<string, string>;
	/** The limit files' text as last read. */
	limits: Record<V1Limit, string | null> | null;
}

interface LocatedV2 extends LocatedBase {
	readonly version: 'v2';
	readonly dir: string;
	/** The pod cgroup around it, when there is one. */
	readonly podDir: string | null;
	limits: Record<V2Limit, string | null> | null;
}

type Located = LocatedV1 | LocatedV2;

type V1Names<T extends Record<string, readonly string[]>> = T[keyof T][number];
type V1Limit = V1Names<typeof V1_LIMIT_FILES>;
type V2Limit = (typeof V2_LIMIT_FILES)[number];

/** v1 files live in their controllers' directories: each file's name, with its controller. */
const V1_CONTROLLER_OF: ReadonlyMap<string, string> = new Map([...Object.entries(V1_FILES), ...Object.entries(V1_LIMIT_FILES)].flatMap(([controller, names]) => names.map((name) => [name, controller] as const)));
const namesIn = <T extends Record<string, readonly string[]>>(table: T): V1Names<T>[] => Object.values(table).flat();

/** Each named file's text (null where it cannot be read), keyed by its name. */
function readEach<K extends string>(names: readonly K[], read: (name: K) => string | null): Record<K, string | null> {
	// Every name is given a value just below, which is what the record's type promises.
	return Object.fromEntries(names.map((name) => [name, read(name)])) as Record<K, string | null>;
}

/** How long limits read from a cgroup are trusted before they are read again. */
const LIMITS_TTL_MS = 10_000;

type LocalProcFs = ProcFs & {readText(path: string): string | null};

export class CgroupReader {
	private mounts: CgroupMounts | null = null;
	/** Device names by MAJ:MIN: a disk keeps its name while it is attached. */
	private readonly deviceNames = new Map<string, string | null>();
	/** The pod cgroups' pressure this poll, so a pod of many containers is read once. */
	private podPressure = new Map<string, PressureFacts | null>();
	/** A container's cgroup directories, kept while its init pid stays the same. */
	private readonly located = new Map<string, Located | null>();
	readonly stats = {cgroupLookups: 0, fileReads: 0};

	constructor(private readonly procfs: LocalProcFs, private readonly now: () => number = Date.now) {}

	static for(procfs: ProcFs | undefined, now?: () => number): CgroupReader | null {
		return procfs?.readText ? new CgroupReader(procfs as LocalProcFs, now) : null;
	}

	private netnsOf(pid: number): string | null {
		return parseNetnsLink(this.procfs.readLink?.(`/proc/${pid}/ns/net`) ?? null);
	}

	private read(path: string): string | null {
		this.stats.fileReads++;
		return this.procfs.readText(path);
	}

	private locate(task: TaskRef): Located | null {
		const key = `${task.namespace}/${task.id}`;
		const kept = this.located.get(key);
		if (kept !== undefined && kept?.pid === task.pid) return kept;
		this.stats.cgroupLookups++;
		this.mounts ??= parseCgroupMounts(this.read('/proc/self/mountinfo') ?? '');
		const text = this.read(`/proc/${task.pid}/cgroup`);
		let found: Located | null = null;
		if (text !== null) {
			const cgroups = parseProcCgroup(text);
			const dirs = new Map<string, string>();
			for (const controller of [...Object.keys(V1_FILES), V1_IO_CONTROLLER]) {
				const path = cgroups.v1.get(controller);
				const mount = this.mounts.v1.get(controller);
				const dir = path !== undefined && mount ? cgroupDir(mount, path) : null;
				if (dir !== null) dirs.set(controller, dir);
			}
			const netns = this.netnsOf(task.pid);
			if (dirs.has('cpuacct') || dirs.has('memory')) {
				found = {pid: task.pid, version: 'v1', dirs, netns, limits: null, slowIo: {}, limitsAt: 0};
			} else if (cgroups.v2 !== null && this.mounts.v2) {
				const dir = cgroupDir(this.mounts.v2, cgroups.v2);
				if (dir !== null) found = {pid: task.pid, version: 'v2', dir, netns, podDir: podCgroupOf(dir), limits: null, slowIo: {}, limitsAt: 0};
			}
		}
		// A process that is gone is looked up again next poll, not remembered as cgroup-less.
		if (text !== null) this.located.set(key, found);
		return found;
	}

	/** One container's counters, or null when its cgroup cannot be found or read. */
	readOne(task: TaskRef): ContainerUsageFact | null {
		const located = this.locate(task);
		if (!located) return null;
		const at = this.now();
		const stale = located.limits === null || at - located.limitsAt >= LIMITS_TTL_MS;
		if (stale) located.limitsAt = at;
		if (located.version === 'v1') {
			const inDir = (name: string) => {
				const dir = located.dirs.get(V1_CONTROLLER_OF.get(name)!);
				return dir === undefined ? null : this.read(`${dir}/${name}`);
			};
			const now = readEach(namesIn(V1_FILES), inDir);
			if (stale) located.limits = readEach(namesIn(V1_LIMIT_FILES), inDir);
			const files: V1Files = {...now, ...located.limits!};
			// The files vanish with the cgroup: a container that just stopped is not an answer.
			if (files['cpuacct.usage'] === null && files['memory.usage_in_bytes'] === null) {
				this.located.delete(`${task.namespace}/${task.id}`);
				return null;
			}
			const blkio = located.dirs.get(V1_IO_CONTROLLER);
			const inBlkio = (name: string) => (blkio === undefined ? null : this.read(`${blkio}/${name}`));
			if (stale) located.slowIo = readEach(V1_SLOW_IO_FILES, inBlkio);
			const io: IoFiles = {...readEach(V1_IO_FILES, inBlkio), ...located.slowIo};
			return {namespace: task.namespace, id: task.id, at, source: 'cgroup-v1', ...usageFromV1(files), netns: located.netns, ...ioFromV1(io)};
		}
		const inDir = (name: string) => this.read(`${located.dir}/${name}`);
		const now = readEach(V2_FILE_NAMES, inDir);
		if (stale) located.limits = readEach(V2_LIMIT_FILES, inDir);
		const files = {...now, ...located.limits!};
		if (files['cpu.stat'] === null) {
			this.located.delete(`${task.namespace}/${task.id}`);
			return null;
		}
		if (stale) located.slowIo = readEach(V2_SLOW_IO_FILES, inDir);
		const io: IoFiles = {...readEach(V2_IO_FILES, inDir), ...located.slowIo};
		const podPressure = located.podDir === null ? undefined : this.pressureOf(located.podDir);
		return {namespace: task.namespace, id: task.id, at, source: 'cgroup-v2', ...usageFromV2(files), netns: located.netns, ...ioFromV2(io), ...(podPressure === undefined ? {} : {podPressure})};
	}

	private pressureOf(dir: string): PressureFacts | null {
		let kept = this.podPressure.get(dir);
		if (kept === undefined) {
			const [cpu, memory, io] = PRESSURE_FILES.map((name) => this.read(`${dir}/${name}`));
			this.podPressure.set(dir, (kept = pressureFacts(cpu!, memory!, io!)));
		}
		return kept;
	}

	readAll(tasks: readonly TaskRef[]): ContainerUsageFact[] {
		this.podPressure = new Map();
		const out: ContainerUsageFact[] = [];
		const live = new Set<string>();
		for (const task of tasks) {
			live.add(`${task.namespace}/${task.id}`);
			const usage = this.readOne(task);
			if (usage) out.push(usage);
		}
		for (const key of this.located.keys()) if (!live.has(key)) this.located.delete(key);
		return out;
	}

	/** The node's CPU and memory from /proc/stat and /proc/meminfo. */
	readHost(): HostFact | null {
		return hostFact(this.read('/proc/stat'), this.read('/proc/meminfo'), this.now());
	}

	/**
	 * What the sample adds for these containers: each network namespace's counters, read once
	 * through the first container init in it (not the host's: a container there has none of
	 * its own), the devices' names, and the node's pressure.
	 */
	readSampleIo(containers: readonly ContainerUsageFact[], pidOf: (fact: ContainerUsageFact) => number | undefined): SampleIoFacts {
		// pid 1's namespace is the host's; where pid 1 refuses the readlink (a sandbox's init), kthreadd (pid 2) lives in the same initial namespace.
		const hostNetns = this.netnsOf(1) ?? this.netnsOf(2);
		const networks: NetnsFact[] = [];
		const seen = new Set<string>();
		const devices: Record<string, string> = {};
		for (const fact of containers) {
			for (const device of fact.blockIo ?? []) {
				if (!this.deviceNames.has(device.device)) this.deviceNames.set(device.device, parseDevName(this.read(`/sys/dev/block/${device.device}/uevent`)));
				const name = this.deviceNames.get(device.device);
				if (name) devices[device.device] = name;
			}
			const netns = fact.netns ?? null;
			const pid = pidOf(fact);
			if (netns === null || netns === hostNetns || seen.has(netns) || pid === undefined) continue;
			const text = this.read(`/proc/${pid}/net/dev`);
			if (text === null) continue;
			seen.add(netns);
			networks.push({netns, at: this.now(), interfaces: parseNetDev(text)});
		}
		const [cpu, memory, io] = PRESSURE_FILES.map((name) => this.read(`/proc/pressure/${name.slice(0, name.indexOf('.'))}`));
		const hostPressure = pressureFacts(cpu!, memory!, io!);
		return {networks, hostNetns, deviceNames: devices, hostPressure, hostPressureReason: hostPressure === null ? NO_PSI_NODE : null};
	}
}

/** Pure: the host fact from /proc/stat and /proc/meminfo text. */
export function hostFact(stat: string | null, meminfo: string | null, at: number): HostFact | null {
	const cpu = stat === null ? null : parseProcStatCpu(stat);
	if (!cpu) return null;
	const memory = meminfo === null ? {totalBytes: null, availableBytes: null} : parseMeminfo(meminfo);
	return {at, cpus: cpu.cpus, cpuBusySeconds: cpu.busySeconds, cpuTotalSeconds: cpu.totalSeconds, memoryTotalBytes: memory.totalBytes, memoryAvailableBytes: memory.availableBytes};
}
