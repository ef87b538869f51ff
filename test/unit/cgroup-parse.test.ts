import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	cgroupDir, keyedValue, limitOrNull, parseCgroupMounts, parseCpuMax, parseMeminfo, parseProcCgroup, parseProcStatCpu,
	parseSingleNumber, usageFromV1, usageFromV2, V1_FILES, V1_LIMIT_FILES, V2_FILE_NAMES, V2_LIMIT_FILES, type V1Files, type V2Files,
} from '../../source/collect/cgroup-parse.js';
import {CgroupReader} from '../../source/collect/cgroup-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const read = (...parts: string[]) => fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8');
const readOrNull = (...parts: string[]) => (fs.existsSync(path.join(FIXTURES, ...parts)) ? read(...parts) : null);

/** A record of each named file's text, typed by the names (as the reader builds it). */
function filesOf<K extends string>(names: readonly K[], read: (file: K) => string | null): Record<K, string | null> {
	const out = {} as Record<K, string | null>;
	for (const file of names) out[file] = read(file);
	return out;
}

const V1_NAMES = [...Object.values(V1_FILES).flat(), ...Object.values(V1_LIMIT_FILES).flat()];

function v1Files(name: string): V1Files {
	return filesOf(V1_NAMES, (file) => readOrNull('cgroup-v1', name, file));
}

/** A VM recording keeps a cgroup's files under `<name>/cgroup/`; the older hybrid recording has them at `<name>/`. */
function v2Files(name: string): V2Files {
	const dir = fs.existsSync(path.join(FIXTURES, 'cgroup-v2', name, 'cgroup')) ? [name, 'cgroup'] : [name];
	return filesOf([...V2_FILE_NAMES, ...V2_LIMIT_FILES], (file) => readOrNull('cgroup-v2', ...dir, file));
}

describe('cgroup v1 files (recorded from the lab)', () => {
	it('reads a busy container under --cpus 0.5: CPU time, throttling and the quota', () => {
		const usage = usageFromV1(v1Files('busy-cpus-0.5'));
		expect(usage.cpuSeconds).toBeCloseTo(4.511265536, 9);
		expect(usage.throttledPeriods).toBe(87);
		expect(usage.throttledSeconds).toBeCloseTo(3.606762048, 9);
		expect(usage.cpuLimitCores).toBe(0.5);
		expect(usage.memoryLimitBytes).toBeNull(); // 9223372036854771712 is the kernel's "no limit"
		expect(usage.pids).toBe(1);
		expect(usage.oomKills).toBe(0);
	});

	it('reads a 48 MiB shell under --memory 128m: usage, inactive file and the limit', () => {
		const usage = usageFromV1(v1Files('mem-48m-of-128m'));
		expect(usage.memoryUsageBytes).toBe(50987008);
		expect(usage.inactiveFileBytes).toBe(0);
		expect(usage.memoryLimitBytes).toBe(128 * 1024 * 1024);
		expect(usage.cpuLimitCores).toBeNull(); // cfs_quota_us -1
		expect(usage.pids).toBe(2);
	});

	it('counts OOM kills from memory.oom_control', () => {
		const usage = usageFromV1(v1Files('oom-killed'));
		expect(usage.oomKills).toBe(14);
		expect(usage.memoryLimitBytes).toBe(24 * 1024 * 1024);
	});

	it('reports unreadable files as unknown, never 0', () => {
		const none: V1Files = filesOf(V1_NAMES, () => null);
		expect(Object.values(usageFromV1(none)).every((v) => v === null)).toBe(true);
	});

	it("finds a container's cgroup directories from its /proc/PID/cgroup and the mounts", () => {
		const cgroups = parseProcCgroup(read('cgroup-v1', 'busy-cpus-0.5', 'proc-cgroup'));
		const id = read('cgroup-v1', 'busy-cpus-0.5', 'container-id').trim();
		expect(cgroups.v1.get('cpuacct')).toBe(`/docker/${id}`);
		expect(cgroups.v2).toBe(`/docker/${id}`);
		const mounts = parseCgroupMounts(read('cgroup-v1', 'mountinfo'));
		expect(mounts.v1.get('memory')).toEqual({mountPoint: '/sys/fs/cgroup/memory', root: '/'});
		expect(mounts.v1.has('name=systemd')).toBe(false);
		expect(mounts.v2).toEqual({mountPoint: '/sys/fs/cgroup/unified', root: '/'});
		expect(cgroupDir(mounts.v1.get('cpuacct')!, cgroups.v1.get('cpuacct')!)).toBe(`/sys/fs/cgroup/cpuacct/docker/${id}`);
	});

	it('maps paths under a mount that shows only part of the hierarchy, and refuses ones outside it', () => {
		expect(cgroupDir({mountPoint: '/sys/fs/cgroup', root: '/kubepods'}, '/kubepods/pod1/c1')).toBe('/sys/fs/cgroup/pod1/c1');
		expect(cgroupDir({mountPoint: '/sys/fs/cgroup', root: '/kubepods'}, '/system.slice/x')).toBeNull();
		expect(cgroupDir({mountPoint: '/sys/fs/cgroup/', root: '/'}, '/')).toBe('/sys/fs/cgroup');
		expect(cgroupDir({mountPoint: '/sys/fs/cgroup', root: '/'}, '/a/../../etc')).toBeNull();
	});
});

describe('cgroup v2 files (recorded on the Debian sid VM node: see test/fixtures/cgroup-v2/README.md)', () => {
	it('reads a memory-starved Docker 28 container: 24 MiB memory.max, oom_kill from memory.events, no CPU limit', () => {
		const usage = usageFromV2(v2Files('docker-oom'));
		expect(usage).toEqual({
			cpuSeconds: 39.734126,
			memoryUsageBytes: 708608,
			inactiveFileBytes: 0,
			memoryLimitBytes: 24 * 1024 * 1024,
			pids: Number(read('cgroup-v2', 'docker-oom', 'cgroup', 'pids.current')),
			throttledPeriods: 0,
			throttledSeconds: 0,
			oomKills: 20,
			cpuLimitCores: null,
		});
	});

	it('reads a --cpus 0.25 container: cpu.max, nr_throttled and throttled_usec', () => {
		const usage = usageFromV2(v2Files('docker-cpu'));
		expect(usage.cpuLimitCores).toBe(0.25);
		expect(usage.throttledPeriods).toBe(1312);
		expect(usage.throttledSeconds).toBeCloseTo(82.290603, 6);
		expect(usage.cpuSeconds).toBeCloseTo(33.718566, 6);
		expect(usage.memoryUsageBytes).toBe(356352);
	});

	it('reads max as no limit (memory.max `max`, cpu.max `max 100000`)', () => {
		const usage = usageFromV2(v2Files('docker-box'));
		expect(usage.memoryLimitBytes).toBeNull();
		expect(usage.cpuLimitCores).toBeNull();
		expect(usage.oomKills).toBe(0);
	});

	it('finds each runtime\'s cgroup from /proc/PID/cgroup under the VM\'s cgroup2 mount: Docker, containerd, podman (nested .../container)', () => {
		const mounts = parseCgroupMounts(read('cgroup-v2', 'proc-self-mountinfo.txt'));
		expect(mounts.v1.size).toBe(0);
		for (const name of ['docker-box', 'docker-oom', 'containerd-box', 'podman-box']) {
			const v2 = parseProcCgroup(read('cgroup-v2', name, 'proc-cgroup.txt')).v2!;
			expect(cgroupDir(mounts.v2!, v2)).toBe(read('cgroup-v2', name, 'cgroup-dir.txt').trim());
		}
		expect(read('cgroup-v2', 'podman-box', 'cgroup-dir.txt')).toMatch(/machine\.slice\/libpod-[0-9a-f]{64}\.scope\/container/);
	});

	it('reads the recorded cpu.stat of a unified hierarchy without controllers (no throttling lines)', () => {
		const usage = usageFromV2(v2Files('hybrid-no-controllers'));
		expect(usage.cpuSeconds).toBeCloseTo(0.008371, 9);
		expect(usage.throttledPeriods).toBeNull();
		expect(usage.memoryUsageBytes).toBeNull();
	});
});

describe('small parsers', () => {
	it('keyedValue finds a key at the start, in the middle, and not a key that only ends the same', () => {
		const text = 'inactive_file 5\ntotal_inactive_file 7\nx 1';
		expect(keyedValue(text, 'inactive_file')).toBe(5);
		expect(keyedValue(text, 'total_inactive_file')).toBe(7);
		expect(keyedValue(text, 'x')).toBe(1);
		expect(keyedValue(text, 'file')).toBeNull();
		expect(keyedValue(null, 'x')).toBeNull();
	});

	it('single numbers, max and the unlimited threshold', () => {
		expect(parseSingleNumber('42\n')).toBe(42);
		expect(parseSingleNumber('max\n')).toBeNull();
		expect(parseSingleNumber('')).toBeNull();
		expect(limitOrNull(9223372036854771712)).toBeNull();
		expect(limitOrNull(18446744073709551615)).toBeNull();
		expect(limitOrNull(134217728)).toBe(134217728);
		expect(parseCpuMax('150000 100000')).toBe(1.5);
		expect(parseCpuMax('max 100000')).toBeNull();
	});

	it('/proc/stat and /proc/meminfo', () => {
		const stat = 'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\ncpu1 50 0 25 400 25 0 0 0 0 0\nintr 1\n';
		expect(parseProcStatCpu(stat)).toEqual({cpus: 2, busySeconds: 1.5, totalSeconds: 10});
		expect(parseProcStatCpu('nonsense')).toBeNull();
		expect(parseMeminfo('MemTotal:       24684084 kB\nMemFree: 1 kB\nMemAvailable:   23500000 kB\n')).toEqual({totalBytes: 24684084 * 1024, availableBytes: 23500000 * 1024});
	});
});

describe('CgroupReader on the recorded files', () => {
	/** A node whose /proc and /sys/fs/cgroup hold the recorded v1 fixtures. */
	function recordedProcFs() {
		const files = new Map<string, string>();
		files.set('/proc/self/mountinfo', read('cgroup-v1', 'mountinfo'));
		let pid = 100;
		const tasks: {namespace: string; id: string; pid: number}[] = [];
		for (const name of ['busy-cpus-0.5', 'mem-48m-of-128m', 'oom-killed', 'unlimited']) {
			const id = read('cgroup-v1', name, 'container-id').trim();
			files.set(`/proc/${++pid}/cgroup`, read('cgroup-v1', name, 'proc-cgroup'));
			for (const [controller, names] of [...Object.entries(V1_FILES), ...Object.entries(V1_LIMIT_FILES)]) {
				for (const file of names) files.set(`/sys/fs/cgroup/${controller}/docker/${id}/${file}`, read('cgroup-v1', name, file));
			}
			tasks.push({namespace: 'moby', id, pid});
		}
		const reads: string[] = [];
		const procfs = {
			listPids: () => [], readStat: () => null, readCmdline: () => null, ownerUid: () => null,
			readText: (p: string) => {
				reads.push(p);
				return files.get(p) ?? null;
			},
		};
		return {procfs, tasks, reads, files};
	}

	it('reads every container, looks each cgroup up once, and limits only every few seconds', () => {
		const {procfs, tasks, reads} = recordedProcFs();
		let now = 1_000_000;
		const reader = new CgroupReader(procfs, () => now);
		const first = reader.readAll(tasks);
		expect(first.map((u) => u.source)).toEqual(['cgroup-v1', 'cgroup-v1', 'cgroup-v1', 'cgroup-v1']);
		expect(first[0]!.cpuLimitCores).toBe(0.5);
		expect(first[1]!.memoryLimitBytes).toBe(128 * 1024 * 1024);
		const firstReads = reads.length;
		now += 2000;
		reads.length = 0;
		const second = reader.readAll(tasks);
		expect(second[1]!.memoryLimitBytes).toBe(128 * 1024 * 1024);
		expect(reads.some((p) => p.endsWith('/cgroup') || p.endsWith('limit_in_bytes'))).toBe(false);
		// Six usage files and blkio.throttle's bytes a container, every poll (its ops with the limits).
		expect(reads.length).toBe(tasks.length * 7);
		expect(firstReads).toBe(1 + tasks.length * (1 + 11));
	});

	it('skips a container whose process or cgroup is gone, and finds it again when it is back', () => {
		const {procfs, tasks, files} = recordedProcFs();
		const reader = new CgroupReader(procfs);
		files.delete(`/proc/${tasks[0]!.pid}/cgroup`);
		expect(reader.readAll(tasks).map((u) => u.id)).toEqual(tasks.slice(1).map((t) => t.id));
		for (const key of [...files.keys()]) if (key.includes(tasks[1]!.id)) files.delete(key);
		expect(reader.readAll(tasks).map((u) => u.id)).toEqual(tasks.slice(2).map((t) => t.id));
	});
});
