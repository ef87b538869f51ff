/**
 * Pure parsers for the kernel's cgroup files: where a process's cgroups are
 * (/proc/PID/cgroup, /proc/self/mountinfo), and what a container's cgroup has used, from
 * cgroup v1 (cpuacct, cpu, memory, pids hierarchies) or cgroup v2 (one unified tree).
 */
import type {CgroupCounters} from '../schema/types.js';

/** /proc/PID/cgroup: v1 lines `N:ctrl,ctrl:/path`, the v2 line `0::/path`. */
export interface ProcCgroups {
	/** v1 controller → path inside its hierarchy. */
	readonly v1: ReadonlyMap<string, string>;
	/** The unified (v2) path, when the process has one. */
	readonly v2: string | null;
}

export function parseProcCgroup(text: string): ProcCgroups {
	const v1 = new Map<string, string>();
	let v2: string | null = null;
	for (const line of text.split('\n')) {
		const first = line.indexOf(':');
		const second = line.indexOf(':', first + 1);
		if (first < 0 || second < 0) continue;
		const controllers = line.slice(first + 1, second);
		const path = line.slice(second + 1);
		if (controllers === '') {
			if (line.slice(0, first) === '0') v2 = path;
			continue;
		}
		for (const controller of controllers.split(',')) v1.set(controller, path);
	}
	return {v1, v2};
}

export interface CgroupMount {
	readonly mountPoint: string;
	/** The path inside the hierarchy that the mount shows at its mount point (`/` unless inside a cgroup namespace or a bind). */
	readonly root: string;
}

export interface CgroupMounts {
	readonly v1: ReadonlyMap<string, CgroupMount>;
	readonly v2: CgroupMount | null;
}

/** Undoes mountinfo's octal escapes (`\040` for a space). */
function unescapeMount(text: string): string {
	return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * /proc/self/mountinfo: `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`.
 * The first mount of each controller wins, as the kernel lists the original before any bind.
 */
export function parseCgroupMounts(text: string): CgroupMounts {
	const v1 = new Map<string, CgroupMount>();
	let v2: CgroupMount | null = null;
	for (const line of text.split('\n')) {
		const dash = line.indexOf(' - ');
		if (dash < 0) continue;
		const left = line.slice(0, dash).split(' ');
		const right = line.slice(dash + 3).split(' ');
		const fsType = right[0];
		const root = left[3];
		const mountPoint = left[4];
		if (root === undefined || mountPoint === undefined) continue;
		const mount = {mountPoint: unescapeMount(mountPoint), root: unescapeMount(root)};
		if (fsType === 'cgroup2') {
			v2 ??= mount;
		} else if (fsType === 'cgroup') {
			for (const option of (right[2] ?? '').split(',')) {
				if (option === 'rw' || option === 'ro' || option.includes('=')) continue;
				if (!v1.has(option)) v1.set(option, mount);
			}
		}
	}
	return {v1, v2};
}

/** The directory of a cgroup path under its mount, or null when the mount does not show it. */
export function cgroupDir(mount: CgroupMount, path: string): string | null {
	let inside = path;
	if (mount.root !== '/') {
		if (path !== mount.root && !path.startsWith(mount.root + '/')) return null;
		inside = path.slice(mount.root.length);
	}
	if (inside.split('/').includes('..')) return null;
	return mount.mountPoint.replace(/\/$/, '') + (inside === '/' ? '' : inside);
}

/** One key's value in `key value` lines, found without splitting the whole file (memory.stat has dozens of lines; crimon wants one). */
export function keyedValue(text: string | null, key: string): number | null {
	if (text === null) return null;
	let at = text.startsWith(key + ' ') ? 0 : text.indexOf('\n' + key + ' ');
	if (at < 0) return null;
	if (at > 0) at++;
	const start = at + key.length + 1;
	let end = text.indexOf('\n', start);
	if (end < 0) end = text.length;
	const value = Number(text.slice(start, end));
	return Number.isFinite(value) ? value : null;
}

/** A file holding one number (`memory.current`, `pids.current`); `max` and anything unreadable → null. */
export function parseSingleNumber(text: string | null): number | null {
	if (text === null) return null;
	const trimmed = text.trim();
	if (trimmed === '' || trimmed === 'max') return null;
	const value = Number(trimmed);
	return Number.isFinite(value) ? value : null;
}

/**
 * cgroup v1 writes "no limit" as the largest page-aligned signed 64-bit value
 * (9223372036854771712 on 4 KiB pages), cgroup v2 as `max`, and containerd passes
 * math.MaxUint64 along: anything at or past 2^62 bytes is no limit.
 */
const UNLIMITED_BYTES = 2 ** 62;

export function limitOrNull(bytes: number | null): number | null {
	return bytes === null || bytes >= UNLIMITED_BYTES ? null : bytes;
}

/** What a container's cgroup has used: its counters, the CPU limit always looked for. */
export interface CgroupUsage extends CgroupCounters {
	readonly cpuLimitCores: number | null;
}

/** The v1 files crimon reads, by name; null for one that could not be read. */
export interface V1Files {
	readonly 'cpuacct.usage': string | null;
	readonly 'cpu.stat': string | null;
	readonly 'memory.usage_in_bytes': string | null;
	readonly 'memory.stat': string | null;
	readonly 'memory.limit_in_bytes': string | null;
	readonly 'memory.oom_control': string | null;
	readonly 'pids.current': string | null;
	readonly 'cpu.cfs_quota_us': string | null;
	readonly 'cpu.cfs_period_us': string | null;
}

export const V1_FILES = {
	cpuacct: ['cpuacct.usage'],
	cpu: ['cpu.stat'],
	memory: ['memory.usage_in_bytes', 'memory.stat', 'memory.oom_control'],
	pids: ['pids.current'],
} as const satisfies Record<string, readonly (keyof V1Files)[]>;

/** Limits change rarely (`docker update`): read when a cgroup is found and every few seconds after. */
export const V1_LIMIT_FILES = {
	memory: ['memory.limit_in_bytes'],
	cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'],
} as const satisfies Record<string, readonly (keyof V1Files)[]>;

/** CFS quota ÷ period; a quota of -1 (v1) or `max` (v2) is no limit. */
function quotaCores(quota: number | null, period: number | null): number | null {
	if (quota === null || period === null || quota <= 0 || period <= 0) return null;
	return quota / period;
}

export function usageFromV1(files: V1Files): CgroupUsage {
	const cpuNanos = parseSingleNumber(files['cpuacct.usage']);
	const throttledNanos = keyedValue(files['cpu.stat'], 'throttled_time');
	return {
		cpuSeconds: cpuNanos === null ? null : cpuNanos / 1e9,
		memoryUsageBytes: parseSingleNumber(files['memory.usage_in_bytes']),
		// total_: this cgroup and its children, as memory.usage_in_bytes counts them.
		inactiveFileBytes: keyedValue(files['memory.stat'], 'total_inactive_file'),
		memoryLimitBytes: limitOrNull(parseSingleNumber(files['memory.limit_in_bytes'])),
		pids: parseSingleNumber(files['pids.current']),
		throttledPeriods: keyedValue(files['cpu.stat'], 'nr_throttled'),
		throttledSeconds: throttledNanos === null ? null : throttledNanos / 1e9,
		oomKills: keyedValue(files['memory.oom_control'], 'oom_kill'),
		cpuLimitCores: quotaCores(parseSingleNumber(files['cpu.cfs_quota_us']), parseSingleNumber(files['cpu.cfs_period_us'])),
	};
}

export interface V2Files {
	readonly 'cpu.stat': string | null;
	readonly 'memory.current': string | null;
	readonly 'memory.stat': string | null;
	readonly 'memory.max': string | null;
	readonly 'memory.events': string | null;
	readonly 'pids.current': string | null;
	readonly 'cpu.max': string | null;
}

export const V2_FILE_NAMES = ['cpu.stat', 'memory.current', 'memory.stat', 'memory.events', 'pids.current'] as const satisfies readonly (keyof V2Files)[];
export const V2_LIMIT_FILES = ['memory.max', 'cpu.max'] as const satisfies readonly (keyof V2Files)[];

/** v2 `cpu.max`: `QUOTA PERIOD`, QUOTA `max` when unlimited. */
export function parseCpuMax(text: string | null): number | null {
	if (text === null) return null;
	const [quota, period] = text.trim().split(/\s+/);
	if (quota === undefined || quota === 'max') return null;
	return quotaCores(Number(quota), Number(period ?? 100000));
}

export function usageFromV2(files: V2Files): CgroupUsage {
	const usageMicros = keyedValue(files['cpu.stat'], 'usage_usec');
	const throttledMicros = keyedValue(files['cpu.stat'], 'throttled_usec');
	const maxText = files['memory.max'];
	return {
		cpuSeconds: usageMicros === null ? null : usageMicros / 1e6,
		memoryUsageBytes: parseSingleNumber(files['memory.current']),
		inactiveFileBytes: keyedValue(files['memory.stat'], 'inactive_file'),
		// `max` is no limit; a missing file (no memory controller) is no limit crimon knows of.
		memoryLimitBytes: maxText === null ? null : limitOrNull(parseSingleNumber(maxText)),
		pids: parseSingleNumber(files['pids.current']),
		throttledPeriods: keyedValue(files['cpu.stat'], 'nr_throttled'),
		throttledSeconds: throttledMicros === null ? null : throttledMicros / 1e6,
		oomKills: keyedValue(files['memory.events'], 'oom_kill'),
		cpuLimitCores: parseCpuMax(files['cpu.max']),
	};
}

// ---- the node as a whole -----------------------------------------------------------------

/** /proc/stat: the aggregate `cpu` line (USER_HZ ticks) and how many `cpuN` lines. */
export function parseProcStatCpu(text: string, ticksPerSecond = 100): {cpus: number; busySeconds: number; totalSeconds: number} | null {
	let cpus = 0;
	let busy = -1;
	let total = 0;
	for (const line of text.split('\n')) {
		if (!line.startsWith('cpu')) continue;
		if (line.startsWith('cpu ')) {
			// user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
			const fields = line.slice(4).trim().split(/\s+/).slice(0, 8).map(Number);
			if (fields.some((n) => !Number.isFinite(n))) return null;
			total = fields.reduce((a, b) => a + b, 0);
			busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
		} else if (/^cpu\d/.test(line)) {
			cpus++;
		}
	}
	if (busy < 0 || cpus === 0) return null;
	return {cpus, busySeconds: busy / ticksPerSecond, totalSeconds: total / ticksPerSecond};
}

/** /proc/meminfo: MemTotal and MemAvailable in bytes. */
export function parseMeminfo(text: string): {totalBytes: number | null; availableBytes: number | null} {
	let totalBytes: number | null = null;
	let availableBytes: number | null = null;
	for (const line of text.split('\n')) {
		const match = /^(MemTotal|MemAvailable):\s+(\d+)\s*kB/.exec(line);
		if (!match) continue;
		const bytes = Number(match[2]) * 1024;
		if (match[1] === 'MemTotal') totalBytes = bytes;
		else availableBytes = bytes;
	}
	return {totalBytes, availableBytes};
}
