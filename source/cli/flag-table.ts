/**
 * Pure: every flag crimon takes, once. The parser checks a flag against the command it was
 * given to (one that means nothing there is a usage error), the help screens list each
 * command's rows, and the shell completions are generated from the same rows, so none of
 * the three can drift. A new flag is one row here and one case in parse-args.ts.
 */
export type CommandName = 'app' | 'snapshot' | 'compare' | 'serve' | 'events';

export const COMMANDS: readonly CommandName[] = ['app', 'snapshot', 'compare', 'serve', 'events'];

/** What a flag's value is, for completion: a file, a node target, a fixed set of words, or anything. */
type ValueKind = 'file' | 'node' | 'duration' | 'number' | 'address' | 'path' | readonly string[];

export interface FlagSpec {
	/** `--node` */
	readonly name: string;
	/** `-n` */
	readonly short?: string;
	/** The value's placeholder in help (`TARGET`); absent for a switch. */
	readonly value?: string;
	readonly kind?: ValueKind;
	/** The commands it means something for. */
	readonly commands: readonly CommandName[];
	/** One line of help (at most 50 columns: the help screens are 80 wide). */
	readonly help: string;
	/** Repeats (every value kept). */
	readonly repeats?: boolean;
}

const POLLING: readonly CommandName[] = ['app', 'snapshot', 'compare', 'serve', 'events'];
const ALL: readonly CommandName[] = COMMANDS;

export const FLAGS: readonly FlagSpec[] = [
	{name: '--node', short: '-n', value: 'TARGET', kind: 'node', repeats: true, commands: ['app', 'snapshot', 'serve', 'events'], help: 'local, ssh://[user@]host[:port] or an ssh alias'},
	{name: '--config', value: 'FILE', kind: 'file', commands: POLLING, help: 'nodes and settings from YAML (docs/ssh.md)'},
	{name: '--json', commands: ['snapshot', 'compare', 'events'], help: 'JSON instead of text'},
	{name: '--format', value: 'FORMAT', kind: ['text', 'json', 'prometheus'], commands: ['snapshot'], help: 'text (default), json or prometheus'},
	{name: '--output', short: '-o', value: 'FILE', kind: 'file', commands: ['snapshot'], help: 'write FILE atomically instead of stdout'},
	{name: '--from', value: 'FILE', kind: 'file', repeats: true, commands: ['app', 'snapshot'], help: 'a saved snapshot instead of polling (- is stdin)'},
	{name: '--watch', commands: ['snapshot'], help: 'poll every --interval until interrupted'},
	{name: '--sample', value: 'DURATION', kind: 'duration', commands: ['snapshot'], help: 'two polls DURATION apart: CPU rates filled in'},
	{name: '--listen', value: 'ADDR', kind: 'address', commands: ['serve'], help: 'PORT, HOST:PORT or [IPv6]:PORT (127.0.0.1:10274)'},
	{name: '--web-config', value: 'FILE', kind: 'file', commands: ['serve'], help: "TLS and basic auth (exporter-toolkit's format)"},
	{name: '--insecure-listen', commands: ['serve'], help: 'plain HTTP, no auth, off loopback anyway'},
	{name: '--interval', value: 'DURATION', kind: 'duration', commands: ['app', 'snapshot', 'serve'], help: 'time between polls of a node (default 2s)'},
	{name: '--timeout', value: 'DURATION', kind: 'duration', commands: POLLING, help: "a node's own bound (default 5s; 2x to connect)"},
	{name: '--concurrency', value: 'N', kind: 'number', commands: POLLING, help: 'poll at most N nodes at once (default 32)'},
	{name: '--sudo', commands: POLLING, help: 'SSH nodes: ctr, crictl, docker under sudo -n'},
	{name: '--accept-new', commands: POLLING, help: 'record unknown SSH host keys (changed: refused)'},
	{name: '--containerd-socket', value: 'PATH', kind: 'path', commands: POLLING, help: 'default /run/containerd/containerd.sock'},
	{name: '--cri-socket', value: 'PATH', kind: 'path', commands: POLLING, help: "force the CRI endpoint (default: kubeadm's probe)"},
	{name: '--docker-socket', value: 'PATH', kind: 'path', commands: POLLING, help: 'default /var/run/docker.sock'},
	{name: '--no-color', commands: ['app', 'snapshot', 'compare', 'events'], help: 'no colours (also NO_COLOR, or not a terminal)'},
	{name: '--help', short: '-h', commands: ALL, help: 'this help'},
	{name: '--version', short: '-V', commands: ALL, help: "crimon's version"},
];

const BY_NAME = new Map<string, FlagSpec>(FLAGS.flatMap((f) => (f.short ? [[f.name, f], [f.short, f]] : [[f.name, f]])));

/** The row for `--node` or `-n`; undefined for a flag crimon does not have. */
export function flagSpec(arg: string): FlagSpec | undefined {
	return BY_NAME.get(arg);
}

export function flagsFor(command: CommandName): FlagSpec[] {
	return FLAGS.filter((f) => f.commands.includes(command));
}

/** `crimon snapshot`, or `crimon` for the monitor: how a command is named in messages. */
export function commandLabel(command: CommandName): string {
	return command === 'app' ? 'crimon (the monitor)' : `crimon ${command}`;
}

/** "crimon snapshot and crimon compare": where a flag does mean something. */
export function whereFlagApplies(spec: FlagSpec): string {
	const labels = spec.commands.map((c) => (c === 'app' ? 'crimon' : `crimon ${c}`));
	return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}
