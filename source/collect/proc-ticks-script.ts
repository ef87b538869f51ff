/**
 * `ps` counts CPU time in whole seconds, so over SSH a process using a third of a core
 * showed 0 or 50 % from one 2 s poll to the next. The kernel counts it in clock ticks: the
 * process-table command (netns-script.ts) ends by printing /proc/uptime, the node's own
 * clock in hundredths of a second, and every /proc/PID/stat cut after its rss field (the
 * fields the local parser reads; the rest would double the bytes). It is fixed text:
 * nothing a node returned is ever in it, and awk only prints.
 *
 * Output after the mark: the uptime line, then one stat line a process.
 */
import {CLOCK_TICKS_PER_SECOND, parseProcStat} from './parse-processes.js';

export const TICKS_MARK = '--crimon-ticks--';

// The first line is the uptime, as it is. comm may hold spaces and parentheses: the greedy
// match ends at the stat line's last ") ".
const AWK = 'NR == 1 { print; next } match($0, /.*\\) /) { n = split(substr($0, RLENGTH + 1), f, " "); line = substr($0, 1, RLENGTH - 1); for (i = 1; i <= 22 && i <= n; i++) line = line " " f[i]; print line }';

/** Run from /proc, after the namespaces. */
export const TICKS_SCRIPT = `echo ${TICKS_MARK}; cat uptime [0-9]*/stat 2>/dev/null | awk '${AWK}'`;

export interface ProcTicks {
	/** The node's uptime when the stat lines were read, in ms: the clock their CPU times share. */
	readonly uptimeMs: number;
	/** pid → CPU seconds (utime + stime), to the tick. */
	readonly byPid: ReadonlyMap<number, number>;
}

/** Cuts the ticks off the command's output: what came before, and the ticks (null when absent or garbled). */
export function splitProcTicks(stdout: string): {before: string; ticks: ProcTicks | null} {
	const mark = stdout.indexOf(`\n${TICKS_MARK}\n`);
	if (mark < 0) return {before: stdout, ticks: null};
	const [uptimeLine, ...lines] = stdout.slice(mark + TICKS_MARK.length + 2).split('\n');
	const before = stdout.slice(0, mark + 1);
	// `SECONDS.HH IDLE`: anything else (no uptime, and a stat line in its place) is no clock to time by.
	const uptime = /^(\d+\.\d+) /.exec(uptimeLine ?? '')?.[1];
	if (uptime === undefined) return {before, ticks: null};
	const byPid = new Map<number, number>();
	for (const line of lines) {
		const stat = line ? parseProcStat(line) : null;
		if (stat) byPid.set(stat.pid, stat.cpuTicks / CLOCK_TICKS_PER_SECOND);
	}
	return {before, ticks: {uptimeMs: Number(uptime) * 1000, byPid}};
}
