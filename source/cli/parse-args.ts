/**
 * Pure: argv → what to do. Hand-written so the headless path loads nothing it does not
 * need; every flag here is listed in the help text below.
 */
export type Command = 'app' | 'snapshot' | 'compare' | 'serve' | 'events' | 'help' | 'version';

export type OutputFormat = 'text' | 'json' | 'prometheus';

export interface CliArgs {
	readonly command: Command;
	/** What `help` is about. */
	readonly helpFor: 'app' | 'snapshot' | 'compare' | 'serve' | 'events';
	readonly nodes: readonly string[];
	readonly config: string | null;
	readonly json: boolean;
	readonly intervalMs: number | null;
	readonly timeoutMs: number | null;
	readonly concurrency: number | null;
	readonly containerdSocket: string | null;
	readonly criSocket: string | null;
	readonly dockerSocket: string | null;
	readonly sudo: boolean;
	readonly acceptNew: boolean;
	readonly noColor: boolean;
	/** `snapshot --sample D`: poll, wait D, poll again and print the second (rates filled). */
	readonly sampleMs: number | null;
	/** Positional operands (compare's two nodes). */
	readonly operands: readonly string[];
	/** `snapshot --format`; --json is the same as json. null: not given (text). */
	readonly format: OutputFormat | null;
	/** `snapshot --output FILE`: written atomically (a temp file renamed over it). */
	readonly output: string | null;
	/** `--from FILE` (repeatable, - is stdin): saved crimon.snapshot/v1 documents. */
	readonly from: readonly string[];
	/** `snapshot --watch`: a document per poll round until interrupted. */
	readonly watch: boolean;
	/** `serve --listen ADDR`. */
	readonly listen: string | null;
	/** `serve --web-config FILE`: TLS and basic auth, in exporter-toolkit's format. */
	readonly webConfig: string | null;
	/** `serve --insecure-listen`: serve plain, unauthenticated HTTP on a non-loopback address anyway. */
	readonly insecureListen: boolean;
}

export class ArgsError extends Error {
	override readonly name = 'ArgsError';
}

const VALUE_FLAGS = new Set(['--node', '--config', '--interval', '--timeout', '--concurrency', '--containerd-socket', '--cri-socket', '--docker-socket', '--format', '--output', '--from', '--listen', '--sample', '--web-config']);

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'prometheus'];

/**
 * The longest --interval or --timeout taken. Past it a value is a typo, not a choice; it
 * also keeps every timer within what setTimeout holds (24.8 days) and gRPC's
 * `grpc-timeout` within its 8 digits of milliseconds (27.7 hours).
 */
export const MAX_DURATION_MS = 3_600_000;

const UNIT_MS: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** "2" (seconds), "2s", "250ms", "1m30s", "1h" (as Go and Prometheus write them) → milliseconds. */
export function parseDuration(text: string, flag: string): number {
	const trimmed = text.trim();
	const bare = /^\d+(?:\.\d+)?$/.test(trimmed);
	if (!bare && !/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(trimmed)) throw new ArgsError(`${flag} wants a duration like 2s, 250ms, 1m30s or 1h, not "${text}"`);
	const ms = bare ? Number(trimmed) * 1000 : [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce((sum, [, value, unit]) => sum + Number(value) * UNIT_MS[unit!]!, 0);
	if (ms < 100) throw new ArgsError(`${flag} must be at least 100ms`);
	if (ms > MAX_DURATION_MS) throw new ArgsError(`${flag} must be at most 1h (60m), not "${text}"`);
	return Math.round(ms);
}

function positiveInteger(text: string, flag: string): number {
	if (!/^\d+$/.test(text) || Number(text) < 1) throw new ArgsError(`${flag} wants a whole number of at least 1, not "${text}"`);
	return Number(text);
}

export function parseArgs(argv: readonly string[]): CliArgs {
	let command: Command = 'app';
	let helpFor: CliArgs['helpFor'] = 'app';
	let wantsHelp = false;
	const nodes: string[] = [];
	const operands: string[] = [];
	const from: string[] = [];
	const extra = {format: null as OutputFormat | null, output: null as string | null, watch: false, listen: null as string | null, webConfig: null as string | null, insecureListen: false};
	const out = {
		config: null as string | null, json: false, intervalMs: null as number | null, timeoutMs: null as number | null,
		concurrency: null as number | null, containerdSocket: null as string | null, criSocket: null as string | null,
		dockerSocket: null as string | null, sudo: false, acceptNew: false, noColor: false, sampleMs: null as number | null,
	};
	for (let i = 0; i < argv.length; i++) {
		let arg = argv[i]!;
		let inlineValue: string | undefined;
		if (arg.startsWith('--') && arg.includes('=')) {
			inlineValue = arg.slice(arg.indexOf('=') + 1);
			arg = arg.slice(0, arg.indexOf('='));
		}
		const value = (): string => {
			if (inlineValue !== undefined) return inlineValue;
			const next = argv[++i];
			if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new ArgsError(`${arg} needs a value`);
			return next;
		};
		if (inlineValue !== undefined && !VALUE_FLAGS.has(arg)) throw new ArgsError(`${arg} takes no value`);
		switch (arg) {
			case '-h': case '--help': wantsHelp = true; break;
			case '-V': case '--version': command = 'version'; break;
			case '--node': case '-n': nodes.push(value()); break;
			case '--config': out.config = value(); break;
			case '--json': out.json = true; break;
			case '--interval': out.intervalMs = parseDuration(value(), arg); break;
			case '--timeout': out.timeoutMs = parseDuration(value(), arg); break;
			case '--concurrency': out.concurrency = positiveInteger(value(), arg); break;
			case '--containerd-socket': out.containerdSocket = value(); break;
			case '--cri-socket': out.criSocket = value(); break;
			case '--docker-socket': out.dockerSocket = value(); break;
			case '--sudo': out.sudo = true; break;
			case '--accept-new': out.acceptNew = true; break;
			case '--no-color': out.noColor = true; break;
			case '--format': {
				const format = value();
				if (!FORMATS.includes(format as OutputFormat)) throw new ArgsError(`--format wants text, json or prometheus, not "${format}"`);
				extra.format = format as OutputFormat;
				break;
			}
			case '--output': case '-o': extra.output = value(); break;
			case '--from': from.push(value()); break;
			case '--watch': extra.watch = true; break;
			case '--listen': extra.listen = value(); break;
			case '--web-config': extra.webConfig = value(); break;
			case '--insecure-listen': extra.insecureListen = true; break;
			case '--sample': out.sampleMs = parseDuration(value(), arg); break;
			default:
				if (arg.startsWith('-') && arg !== '-') throw new ArgsError(`unknown option ${arg} (see crimon --help)`);
				if (command === 'app' && operands.length === 0 && (arg === 'snapshot' || arg === 'compare' || arg === 'serve' || arg === 'events' || arg === 'help')) {
					if (arg === 'help') wantsHelp = true;
					else command = arg;
				} else {
					operands.push(arg);
				}
		}
	}
	if (command === 'snapshot' || command === 'compare' || command === 'serve' || command === 'events') helpFor = command;
	if (wantsHelp && command !== 'version') {
		if (operands[0] === 'snapshot' || operands[0] === 'compare' || operands[0] === 'serve' || operands[0] === 'events') helpFor = operands[0];
		command = 'help';
	}
	if (command === 'app' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (did you mean crimon snapshot?)`);
	if (command === 'snapshot' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command === 'compare' && operands.length !== 2) throw new ArgsError('compare wants two nodes or saved files: crimon compare A B');
	if (command === 'serve' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command === 'events' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command === 'app' && out.json) throw new ArgsError('--json is for crimon snapshot and crimon compare');
	checkOutputFlags(command, out.json, from, extra, nodes);
	if (out.sampleMs !== null && command !== 'snapshot' && command !== 'help' && command !== 'version') throw new ArgsError('--sample is for crimon snapshot');
	if (out.sampleMs !== null && (extra.watch || from.length > 0)) throw new ArgsError('--sample takes two polls of its own: not with --watch (every round after the first has rates) or --from');
	if (out.json && extra.format === null) extra.format = 'json';
	return {command, helpFor, nodes, operands, from, ...out, ...extra};
}

/** What --format, --output, --from, --watch and --listen go with. */
function checkOutputFlags(command: Command, json: boolean, from: readonly string[], extra: {format: OutputFormat | null; output: string | null; watch: boolean; listen: string | null; webConfig: string | null; insecureListen: boolean}, nodes: readonly string[]): void {
	if (command === 'help' || command === 'version') return;
	if (json && extra.format !== null && extra.format !== 'json') throw new ArgsError(`--json and --format ${extra.format} contradict each other`);
	if ((extra.format !== null || extra.output !== null) && command !== 'snapshot') throw new ArgsError('--format and --output are for crimon snapshot');
	if (extra.watch && command !== 'snapshot') throw new ArgsError('--watch is for crimon snapshot');
	if ((extra.listen !== null || extra.webConfig !== null || extra.insecureListen) && command !== 'serve') throw new ArgsError('--listen, --web-config and --insecure-listen are for crimon serve');
	if (from.length > 0 && command !== 'snapshot' && command !== 'app') throw new ArgsError('--from is for crimon and crimon snapshot (crimon compare takes files as its operands)');
	if (command === 'snapshot' && from.length > 0 && nodes.length > 0) throw new ArgsError('crimon snapshot takes --from or --node, not both');
	if (extra.watch && from.length > 0) throw new ArgsError('--watch polls nodes; a saved file does not change');
	if (extra.watch && extra.output === null && (extra.format ?? (json ? 'json' : 'text')) !== 'json') {
		throw new ArgsError('--watch prints one JSON document a line: add --json (or --output FILE to rewrite a file every round)');
	}
	if (from.filter((f) => f === '-').length > 1) throw new ArgsError('--from - (stdin) can be given once');
}

const COMMON_FLAGS = `Nodes:
  -n, --node TARGET          watch TARGET; repeat for more nodes. TARGET is local,
                             ssh://[user@]host[:port], or a Host alias from ~/.ssh/config.
                             Without --node or a config file: local.
      --config FILE          nodes and settings from a YAML file (default:
                             $XDG_CONFIG_HOME/crimon/config.yaml if it exists)
      --sudo                 on SSH nodes, read the runtimes through ctr, crictl and
                             docker under sudo -n (when the login user cannot open
                             their sockets)
      --accept-new           add unknown SSH host keys to known_hosts (like OpenSSH's
                             StrictHostKeyChecking=accept-new); changed keys are
                             always refused
      --concurrency N        poll at most N nodes at once (default 32)
      --timeout DURATION     bound on a node's own connect and poll (default 5s; the
                             first poll on a connection gets twice it; up to 1h)

Sockets (on every node, unless its config says otherwise):
      --containerd-socket PATH   default /run/containerd/containerd.sock
      --cri-socket PATH          force the CRI endpoint (default: probe the sockets
                                 the kubelet would: containerd, CRI-O, cri-dockerd, k3s,
                                 dockershim)
      --docker-socket PATH       default /var/run/docker.sock

Output:
      --no-color             no colours (also: NO_COLOR set, or output not a terminal)
  -h, --help                 this help
  -V, --version              crimon's version

SSH nodes: the host or alias is looked up in ~/.ssh/config, then /etc/ssh/ssh_config,
as ssh does (HostName, User, Port, IdentityFile, UserKnownHostsFile, ProxyJump,
ConnectTimeout, ServerAliveInterval). Keys come from ssh-agent, then the identity
files; crimon never prompts. Host keys are checked against known_hosts: an unknown
host is refused unless --accept-new, a changed key always. One connection per node;
the runtimes' sockets are reached by SSH stream-local forwarding, or with --sudo
through ctr, crictl and docker under sudo -n.

Config file (YAML; --config FILE, else $XDG_CONFIG_HOME/crimon/config.yaml, i.e.
~/.config/crimon/config.yaml, when it exists). Flags win over it:
  interval: 2s
  timeout: 5s
  concurrency: 8
  sudo: false                 # default for every SSH node
  nodes:                      # watched when no --node is given
    - local
    - ssh://node01
    - name: edge-3            # --node edge-3 also takes these settings
      target: ssh://ops@node03.example.net:2222
      sudo: true
      interval: 10s
      timeout: 8s
      containerd-socket: /run/k3s/containerd/containerd.sock
      cri-socket: /run/k3s/containerd/containerd.sock
      docker-socket: /var/run/docker.sock`;

export const HELP: Record<CliArgs['helpFor'], string> = {
	app: `crimon — watch container nodes: containerd shims, namespaces, CRI pods, Docker

Usage:
  crimon [options]                   the interactive monitor (needs a terminal)
  crimon snapshot [--json] [options] one poll of every node, printed (see crimon snapshot --help)
  crimon compare A B [--json]        two nodes (or saved snapshots) side by side (see crimon compare --help)
  crimon serve [--listen ADDR]       Prometheus metrics of every node on /metrics (see crimon serve --help)
  crimon events [--json]             every node's runtime events, live, one a line (see crimon events --help)
  crimon --from FILE [--from FILE]   open saved snapshots (crimon snapshot --json) in the monitor

The monitor polls every node every --interval (and at once when a node's event stream
says something changed) and shows six panes (processes, namespaces, containers, pods,
the node's live events, and its diagnosis); Tab switches panes, ] and [
switch nodes, = compares this node with the next, / filters, q quits; press ? inside
it for every key.

      --interval DURATION    time between polls of a node (default 2s)
      --from FILE            a saved crimon.snapshot/v1 document (- reads stdin); repeat
                             for more. Its nodes are shown as saved, never polled; with
                             --node, the live nodes come first and are polled as usual

${COMMON_FLAGS}

Exit status: 0 after q, 2 on a usage error or a file that is not a readable snapshot.`,
	snapshot: `crimon snapshot — one poll of every node, as text or JSON

Usage:
  crimon snapshot [--format text|json|prometheus] [--output FILE] [--node TARGET ...] [options]
  crimon snapshot --from FILE [--from FILE ...] [--format ...]
  crimon snapshot --watch [--interval DURATION] --json

Text (default): per node, the runtime's process tree (containerd and dockerd, each shim
under its containerd, container processes annotated), then namespaces → containers with
marks for which views see each one (CRI, containerd, Docker), then pods.
      --json                 the crimon.snapshot/v1 document (see README); the same as
                             --format json
      --format FORMAT        text (default), json, or prometheus: the text exposition
                             format, for node_exporter's textfile collector
  -o, --output FILE          write FILE atomically (a temp file beside it, renamed over
                             it) instead of printing
      --from FILE            render a saved crimon.snapshot/v1 document again instead of
                             polling (- reads stdin); repeat for more
      --watch                poll every --interval until interrupted: one JSON document a
                             line (NDJSON), or with --output, rewrite FILE every round
      --sample DURATION      poll, wait DURATION, poll again: CPU rates (cores, %CPU)
                             need two samples and are blank (—, null) without this
      --interval DURATION    --watch's time between rounds (default 2s)
${COMMON_FLAGS}

Exit status: 0 when every node was reached, 1 when any node could not be, or was reached
with no runtime answering (the others are still printed; --from exits as the run that
saved the file did), 2 on a usage error or a file that is not a readable snapshot.
--watch runs until SIGINT or SIGTERM, then exits 0.`,
	compare: `crimon compare — two nodes side by side

Usage:
  crimon compare A B [--json] [options]

A and B are targets as for --node (local, ssh://…, or an alias), or saved snapshots
(crimon snapshot --json): an operand that is -, ends in .json or names an existing file
is read as a file. A file holding several nodes is chosen from with FILE#NODE.
      --json                 machine-readable comparison
${COMMON_FLAGS}

Exit status: 0 when both nodes were reached, 1 when either could not be, 2 on a usage error.`,
	serve: `crimon serve — Prometheus metrics of every node, for scraping

Usage:
  crimon serve [--listen ADDR] [--interval DURATION] [--node TARGET ...] [options]

Polls every node every --interval and serves, read-only (GET and HEAD only):
  /metrics   the latest poll of every node in Prometheus's text exposition format
  /healthz   ok
      --listen ADDR          where to listen: PORT, HOST:PORT or [IPv6]:PORT (default
                             127.0.0.1:10274). PORT and :PORT mean loopback; say
                             0.0.0.0:PORT to listen on every interface (which needs
                             --web-config, or --insecure-listen)
      --web-config FILE      TLS (and client certificates) and basic auth, in the
                             Prometheus exporter-toolkit web config format
      --insecure-listen      serve plain, unauthenticated HTTP on a non-loopback address
      --interval DURATION    time between polls of a node (default 2s)
${COMMON_FLAGS}

Exit status: 0 after SIGINT or SIGTERM, 1 when it cannot listen, 2 on a usage error, a
bad web config, or a non-loopback --listen without --web-config or --insecure-listen.`,
	events: `crimon events — every node's runtime events, live, one a line (like ctr events)

Usage:
  crimon events [--json] [--node TARGET ...] [options]

Subscribes to containerd's event stream and Docker's /events on every node (over SSH
through the forwarded sockets), and prints each event as it comes: time, node,
namespace, topic, container (pod), what happened (exited 137, OOM, started, deleted).
Streams that drop are re-opened with backoff; --sudo nodes have no stream.
      --json                 one JSON object a line: {node, at, namespace, topic, id,
                             name, pod, pid, exitStatus, source}, null where a field
                             does not apply
${COMMON_FLAGS}

Exit status: 130 after Ctrl-C, 1 when no node's event stream could be had, 2 on a
usage error.`,
};
