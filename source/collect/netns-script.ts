/**
 * Over SSH the process table comes from one `ps`; the network namespaces ride in the same
 * command, so they cost no round trip of their own (the IO issue's one pass a poll): after
 * ps, `ls -l` lists every process's /proc/PID/ns/net link and awk prints, for each
 * process, its namespace, and for the first process of each namespace that namespace's
 * /proc/PID/net/dev. The script is fixed text: nothing a node returned is ever in it.
 *
 * Output after ps and the mark: `P PID INODE` a process, `N INODE` then that namespace's
 * net/dev lines (which always start with a space or `Inter-`, never with `P ` or `N `).
 */
import type {NetnsFact} from '../schema/types.js';
import {parseNetDev} from './io-parse.js';
import {PS_ARGV} from './parse-processes.js';
import {TICKS_SCRIPT} from './proc-ticks-script.js';

export const NETNS_MARK = '--crimon-netns--';

// A link ls cannot read (another user's process) prints without `-> net:[…]`: skipped.
const AWK = '$(NF-1) == "->" && $NF ~ /^net:\\[[0-9]+\\]$/ { split($(NF-2), p, "/"); ns = $NF; gsub(/[^0-9]/, "", ns); if (p[1] !~ /^[0-9]+$/) next; print "P", p[1], ns; '
	+ 'if (!(ns in seen)) { seen[ns] = 1; f = "/proc/" p[1] "/net/dev"; print "N", ns; while ((getline line < f) > 0) print line; close(f) } }';

/**
 * ps first (its exit status is the command's when it fails), then the namespaces, then the
 * processes' CPU ticks (proc-ticks-script.ts); one line, as the remote shell quoting requires.
 */
export const PS_NETNS_ARGV = [
	'sh', '-c',
	`${PS_ARGV.map((w) => (w.includes(',') ? `'${w}'` : w)).join(' ')} || exit $?; echo ${NETNS_MARK}; cd /proc || exit 0; ls -l [0-9]*/ns/net 2>/dev/null | awk '${AWK}'; ${TICKS_SCRIPT}; exit 0`,
] as const;

export interface RemoteNetns {
	/** pid → network namespace inode, for every process whose link was readable. */
	readonly byPid: ReadonlyMap<number, string>;
	readonly networks: readonly NetnsFact[];
}

/** Splits the command's output into ps's part and the namespaces (null when the mark is missing: an older recording, a shell that stopped). */
export function splitPsNetns(stdout: string, at: number): {ps: string; netns: RemoteNetns | null} {
	const mark = stdout.indexOf(`\n${NETNS_MARK}\n`);
	if (mark < 0) return {ps: stdout, netns: null};
	const byPid = new Map<number, string>();
	const networks: NetnsFact[] = [];
	let current: {netns: string; lines: string[]} | null = null;
	const flush = () => {
		if (current) networks.push({netns: current.netns, at, interfaces: parseNetDev(current.lines.join('\n'))});
		current = null;
	};
	for (const line of stdout.slice(mark + NETNS_MARK.length + 2).split('\n')) {
		const process = /^P (\d+) (\d+)$/.exec(line);
		if (process) {
			byPid.set(Number(process[1]), process[2]!);
			continue;
		}
		const namespace = /^N (\d+)$/.exec(line);
		if (namespace) {
			flush();
			current = {netns: namespace[1]!, lines: []};
			continue;
		}
		current?.lines.push(line);
	}
	flush();
	return {ps: stdout.slice(0, mark + 1), netns: {byPid, networks}};
}
