/**
 * Reads a node's process table. Over SSH that is one command per poll: `ps`, with the
 * network namespaces and every process's CPU ticks after it (netns-script.ts). On this machine it
 * reads /proc directly and incrementally: reading every process's files costs about
 * 0.1 ms each, which at thousands of processes every 2 s would make crimon dearer than
 * htop. So each poll lists /proc (cheap), reads new pids in full, re-reads only the
 * processes that matter now (the runtime's subtree, anything the caller asks for, and
 * orphans whose parent vanished), and re-reads everything every `fullRefreshMs`.
 */
import type {ProcessInfo} from '../schema/types.js';
import type {Transport} from '../transport/transport.js';
import {CLOCK_TICKS_PER_SECOND, commandFromCmdline, coresBetween, parsePasswd, parseProcStat, parsePs, ProcessTableError} from './parse-processes.js';
import {PS_NETNS_ARGV, splitPsNetns, type RemoteNetns} from './netns-script.js';
import {splitProcTicks} from './proc-ticks-script.js';

import {parseProcIo} from './io-parse.js';

export interface ProcessReadOptions {
	readonly timeoutMs: number;
	readonly maxBytes: number;
	/** Pids to refresh this poll even when cached (e.g. the rows on screen). */
	readonly refresh?: ReadonlySet<number>;
}

const RUNTIME_COMMAND = /(^|\/)(containerd|dockerd|containerd-shim[\w-]*|kubelet|crio|cri-dockerd)(\s|$)/;

interface RemoteCpu {
	readonly kind: 'ticks' | 'ps';
	readonly at: number;
	readonly cpuSeconds: number | null;
}

export class ProcessTableReader {
	private readonly cache = new Map<number, ProcessInfo>();
	/** comm from the last stat read: when it changes the process exec'd, so its command line is stale. */
	private readonly comms = new Map<number, string>();
	private users: Map<number, string> | null = null;
	/** When each process's CPU time was last read: a rate is only as good as the time between its two reads. */
	private readonly sampledAt = new Map<number, number>();
	/**
	 * The last remote answer's CPU seconds, by pid (nodes without /proc access): to the tick
	 * on the node's uptime clock where the command printed its stat lines, else ps's whole
	 * seconds on this machine's clock. A rate is taken only between two of the same kind.
	 */
	private previousPs = new Map<number, RemoteCpu>();
	private pageSize: number | null = null;
	private lastFull = 0;
	/** Over SSH: the network namespaces the last `ps` command printed beside the table; null when it printed none. */
	remoteNetns: RemoteNetns | null = null;
	/** Counts of files read, for the benchmark and tests. */
	readonly stats = {polls: 0, statReads: 0, cmdlineReads: 0};

	constructor(private readonly transport: Transport, private readonly fullRefreshMs = 30_000, private readonly now: () => number = Date.now) {}

	async read(options: ProcessReadOptions): Promise<ProcessInfo[]> {
		this.stats.polls++;
		const procfs = this.transport.procfs;
		if (!procfs) {
			this.remoteNetns = null;
			const result = await this.transport.exec(PS_NETNS_ARGV, options);
			if (result.exitCode !== 0) throw new ProcessTableError(`ps failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n')[0] ?? ''}`);
			const at = this.now();
			const {before: rest, ticks} = splitProcTicks(result.stdout.toString('utf8'));
			const {ps, netns} = splitPsNetns(rest, at);
			this.remoteNetns = netns;
			const previous = this.previousPs;
			this.previousPs = new Map();
			return parsePs(ps).map((p) => {
				const precise = ticks?.byPid.get(p.pid);
				const cpu: RemoteCpu = precise === undefined
					? {kind: 'ps', at, cpuSeconds: p.cpuSeconds ?? null}
					: {kind: 'ticks', at: ticks!.uptimeMs, cpuSeconds: precise};
				this.previousPs.set(p.pid, cpu);
				const last = previous.get(p.pid);
				const cpuCores = last?.kind === cpu.kind ? coresBetween(last, cpu) : null;
				return {...p, cpuSeconds: cpu.cpuSeconds ?? undefined, cpuCores, readBytes: null, writeBytes: null};
			});
		}
		this.pageSize ??= pageSizeOf(procfs);
		if (!this.users) this.users = await this.loadUsers();
		const pids = procfs.listPids();
		const present = new Set(pids);
		const full = this.now() - this.lastFull >= this.fullRefreshMs;
		if (full) this.lastFull = this.now();
		const hot = full ? null : this.hotPids(present, options.refresh);

		for (const pid of this.cache.keys()) {
			if (!present.has(pid)) {
				this.cache.delete(pid);
				this.comms.delete(pid);
				this.sampledAt.delete(pid);
			}
		}
		for (const pid of pids) {
			const cached = this.cache.get(pid);
			if (cached && hot && !hot.has(pid)) continue;
			const fresh = this.readOne(pid, cached);
			if (fresh) this.cache.set(pid, fresh);
			else {
				this.cache.delete(pid);
				this.comms.delete(pid);
			}
		}
		if (this.cache.size === 0) throw new ProcessTableError('/proc lists no readable processes');
		return [...this.cache.values()].sort((a, b) => a.pid - b.pid);
	}

	private hotPids(present: ReadonlySet<number>, refresh: ReadonlySet<number> | undefined): Set<number> {
		const hot = new Set<number>(refresh);
		const children = new Map<number, number[]>();
		const roots: number[] = [];
		for (const info of this.cache.values()) {
			if (!present.has(info.ppid) && info.ppid !== 0) hot.add(info.pid);
			let list = children.get(info.ppid);
			if (!list) children.set(info.ppid, (list = []));
			list.push(info.pid);
			if (RUNTIME_COMMAND.test(info.command)) roots.push(info.pid);
		}
		// The runtime's whole subtree: shims and every container process under them.
		while (roots.length > 0) {
			const pid = roots.pop()!;
			if (hot.has(pid) && !RUNTIME_COMMAND.test(this.cache.get(pid)?.command ?? '')) continue;
			hot.add(pid);
			for (const child of children.get(pid) ?? []) if (!hot.has(child)) roots.push(child);
		}
		return hot;
	}

	private readOne(pid: number, cached: ProcessInfo | undefined): ProcessInfo | null {
		const procfs = this.transport.procfs!;
		const statText = procfs.readStat(pid);
		this.stats.statReads++;
		if (statText === null) return null;
		const stat = parseProcStat(statText);
		if (!stat) return null;
		const at = this.now();
		const cpuSeconds = stat.cpuTicks / CLOCK_TICKS_PER_SECOND;
		const lastAt = this.sampledAt.get(pid);
		const cpuCores = cached && lastAt !== undefined ? coresBetween({at: lastAt, cpuSeconds: cached.cpuSeconds ?? null}, {at, cpuSeconds}) : null;
		this.sampledAt.set(pid, at);
		const rssBytes = stat.rssPages * (this.pageSize ?? 4096);
		const execd = this.comms.get(pid) !== stat.comm;
		this.comms.set(pid, stat.comm);
		let command = execd ? undefined : cached?.command;
		let user = cached?.user;
		if (command === undefined || user === undefined) {
			command = commandFromCmdline(procfs.readCmdline(pid), stat.comm);
			this.stats.cmdlineReads++;
			const uid = procfs.ownerUid(pid);
			user = uid === null ? '?' : this.users?.get(uid) ?? String(uid);
		}
		// /proc/PID/io is root's to read for another user's process: null, not 0, where it is refused.
		const io = parseProcIo(procfs.readText?.(`/proc/${pid}/io`) ?? null);
		return {pid, ppid: stat.ppid, user, state: stat.state, command, cpuSeconds, rssBytes, cpuCores, readBytes: io?.readBytes ?? null, writeBytes: io?.writeBytes ?? null};
	}

	private async loadUsers(): Promise<Map<number, string>> {
		try {
			return parsePasswd((await this.transport.readFile('/etc/passwd', 4 * 1024 * 1024)).toString('utf8'));
		} catch {
			// Without passwd, users show as numeric uids: still true, just less friendly.
			return new Map();
		}
	}
}

/** The kernel's page size (RSS in /proc/PID/stat is in pages): VmRSS against statm's resident pages, rounded to a size kernels use. */
function pageSizeOf(procfs: {readText?(path: string): string | null}): number {
	const status = procfs.readText?.('/proc/self/status') ?? null;
	const statm = procfs.readText?.('/proc/self/statm') ?? null;
	const kib = status ? Number(/VmRSS:\s+(\d+)\s*kB/.exec(status)?.[1]) : NaN;
	const pages = statm ? Number(statm.split(' ')[1]) : NaN;
	if (!(kib > 0) || !(pages > 0)) return 4096;
	const guess = (kib * 1024) / pages;
	return [4096, 16384, 65536].reduce((best, size) => (Math.abs(Math.log2(size / guess)) < Math.abs(Math.log2(best / guess)) ? size : best), 4096);
}
