/**
 * Pure parsers for the process table: `ps -eo pid=,ppid=,user:64=,stat=,cputime=,rss=,args= -ww`
 * output (remote nodes) and /proc/<pid>/stat plus cmdline (this machine).
 */
import type {ProcessInfo} from '../schema/types.js';

export class ProcessTableError extends Error {
	override readonly name = 'ProcessTableError';
}

/** The fixed argv crimon runs for a process table where it cannot read /proc directly. */
export const PS_ARGV = ['ps', '-eo', 'pid=,ppid=,user:64=,stat=,cputime=,rss=,args=', '-ww'] as const;

/** With CPU time (`[DD-]HH:MM:SS`, every procps has it; whole seconds only) and RSS (KiB). */
const PS_USAGE_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(?:(\d+)-)?(\d+):(\d\d):(\d\d)\s+(\d+)(?:\s+(.*))?$/;
/** Without them, as recorded before crimon read usage. */
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;

export function parsePs(output: string): ProcessInfo[] {
	const processes: ProcessInfo[] = [];
	const lines = output.split('\n');
	for (const [index, line] of lines.entries()) {
		if (line.trim() === '') continue;
		const usage = PS_USAGE_LINE.exec(line);
		if (usage) {
			const seconds = Number(usage[5] ?? 0) * 86400 + Number(usage[6]) * 3600 + Number(usage[7]) * 60 + Number(usage[8]);
			processes.push({
				pid: Number(usage[1]),
				ppid: Number(usage[2]),
				user: usage[3]!,
				state: usage[4]!,
				command: usage[10] ?? '',
				cpuSeconds: seconds,
				rssBytes: Number(usage[9]) * 1024,
			});
			continue;
		}
		const match = PS_LINE.exec(line);
		if (!match) throw new ProcessTableError(`ps line ${index + 1} is not "pid ppid user stat args"`);
		processes.push({
			pid: Number(match[1]),
			ppid: Number(match[2]),
			user: match[3]!,
			state: match[4]!,
			command: match[5] ?? '',
		});
	}
	if (processes.length === 0) throw new ProcessTableError('ps listed no processes');
	return processes;
}

export interface ProcStat {
	readonly pid: number;
	readonly comm: string;
	readonly state: string;
	readonly ppid: number;
	/** utime + stime, in clock ticks (USER_HZ). */
	readonly cpuTicks: number;
	/** Resident set, in pages. */
	readonly rssPages: number;
}

/** USER_HZ: 100 on every Linux architecture crimon runs on (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat: "pid (comm) S ppid ...", where comm may itself hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
	const open = text.indexOf('(');
	const close = text.lastIndexOf(')');
	if (open < 1 || close < open) return null;
	const pid = Number(text.slice(0, open).trim());
	const rest = text.slice(close + 2).split(' ');
	const state = rest[0];
	const ppid = Number(rest[1]);
	if (!Number.isInteger(pid) || !state || !Number.isInteger(ppid)) return null;
	// After the state: ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(11) stime(12) … rss(21).
	const utime = Number(rest[11]);
	const stime = Number(rest[12]);
	const rss = Number(rest[21]);
	return {
		pid, comm: text.slice(open + 1, close), state, ppid,
		cpuTicks: Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : 0,
		rssPages: Number.isFinite(rss) ? rss : 0,
	};
}

/** argv is NUL-separated; a kernel thread has none and is shown as ps shows it, `[comm]`. */
export function commandFromCmdline(cmdline: Buffer | null, comm: string): string {
	if (!cmdline || cmdline.length === 0) return `[${comm}]`;
	let end = cmdline.length;
	while (end > 0 && cmdline[end - 1] === 0) end--;
	return cmdline.subarray(0, end).toString('utf8').replaceAll('\0', ' ');
}

/** /etc/passwd → uid → name. */
export function parsePasswd(text: string): Map<number, string> {
	const users = new Map<number, string>();
	for (const line of text.split('\n')) {
		const fields = line.split(':');
		if (fields.length < 3) continue;
		const uid = Number(fields[2]);
		if (Number.isInteger(uid) && fields[0] && !users.has(uid)) users.set(uid, fields[0]);
	}
	return users;
}

/** Cores used between two readings of a cumulative CPU-seconds counter; null when they cannot say. */
export function coresBetween(before: {at: number; cpuSeconds: number | null} | undefined, after: {at: number; cpuSeconds: number | null}): number | null {
	if (!before || before.cpuSeconds === null || after.cpuSeconds === null) return null;
	const seconds = (after.at - before.at) / 1000;
	const used = after.cpuSeconds - before.cpuSeconds;
	if (!(seconds > 0) || used < 0) return null;
	return used / seconds;
}
