/**
 * Pure: `crimon help COMMAND` and `COMMAND --help`, one 80×24 screen each. The flag lines
 * come from flag-table.ts (the same rows the parser checks against), so a flag cannot be
 * taken and not shown, or shown for a command that refuses it. The longer story of each
 * command is in docs/, named at the bottom of its screen.
 */
import {flagsFor, type CommandName, type FlagSpec} from './flag-table.js';

/** Flags every polling command takes: on `crimon --help` in full, elsewhere named in one line. */
const SHARED = new Set(['--config', '--timeout', '--concurrency', '--sudo', '--accept-new', '--containerd-socket', '--cri-socket', '--docker-socket', '--help', '--version']);

function flagLine(spec: FlagSpec): string {
	const names = `${spec.short ? spec.short + ', ' : '    '}${spec.name}${spec.value ? ' ' + spec.value : ''}`;
	return `  ${names.padEnd(28)} ${spec.help}`;
}

function flagLines(command: CommandName, all: boolean): string {
	const rows = flagsFor(command);
	const lines = rows.filter((f) => all || !SHARED.has(f.name)).map(flagLine);
	if (all) return lines.join('\n');
	// The shared ones by name only, wrapped at 80: crimon --help has a line for each.
	const words = [...rows.filter((f) => SHARED.has(f.name)).map((f) => f.name), '(crimon --help)'];
	let line = '  also';
	for (const word of words) {
		if (line.length + 1 + word.length > 80) {
			lines.push(line);
			line = '      ';
		} else line += ' ';
		line += word;
	}
	lines.push(line);
	return lines.join('\n');
}

const SCREENS: Record<CommandName | 'completion', () => string> = {
	app: () => `crimon: watch container nodes (containerd shims, namespaces, CRI pods, Docker)

Usage: crimon [--node TARGET ...] [options]     the monitor (? lists its keys)
       crimon snapshot | compare A B | serve | events | completion SHELL
       crimon help COMMAND                      one screen per command

${flagLines('app', true)}

Exit status: 0 after q, 2 on a usage error. Docs: docs/monitor.md, docs/ssh.md`,
	snapshot: () => `crimon snapshot: one poll of every node, printed (text, JSON or Prometheus)

Usage: crimon snapshot [--json | --format FORMAT] [-o FILE] [--node TARGET ...]
       crimon snapshot --from FILE ...        a saved snapshot, printed again
       crimon snapshot --watch --json         a document a line, each --interval

${flagLines('snapshot', false)}

Exit status: 0 when every node was reached, 1 when one was not or had no runtime
answering (--from: as when saved), 2 on a usage error; --watch: 0 when stopped.
Docs: docs/json.md`,
	compare: () => `crimon compare: two nodes, or saved snapshots, side by side

Usage: crimon compare A B [--json] [options]

A and B are targets as for --node (local, ssh://..., an ssh alias) or saved
snapshots: an operand that is -, ends in .json or names a file is read
(FILE#NODE picks one node of a file).

${flagLines('compare', false)}

Exit status: 0 when both were reached, 1 when one was not, 2 on a usage error.`,
	serve: () => `crimon serve: Prometheus metrics of every node on /metrics (and /healthz)

Usage: crimon serve [--listen ADDR] [--interval DURATION] [--node TARGET ...]

Polls every node every --interval; answers GET and HEAD only. PORT and :PORT
mean 127.0.0.1. Off loopback (0.0.0.0:PORT) it wants --web-config (TLS, basic
auth) and refuses to start without, unless --insecure-listen.

${flagLines('serve', false)}

Exit status: 0 after SIGINT/SIGTERM, 1 when it cannot listen, 2 on a usage
error or a bad web config.
Docs: docs/prometheus.md, docs/fleet.md`,
	events: () => `crimon events: every node's runtime events, live, one a line (like ctr events)

Usage: crimon events [--json] [--node TARGET ...] [options]

containerd's event stream and Docker's /events, locally and over SSH. --json
prints {node, at, namespace, topic, id, name, pod, pid, exitStatus, source}.

${flagLines('events', false)}

Exit status: 130 after Ctrl-C, 1 when no node's stream could be had, 2 on a
usage error.`,
	completion: () => `crimon completion: shell completion for crimon's commands and flags

Usage: crimon completion bash|zsh|fish

  bash:  source <(crimon completion bash)     (or save it in
         ~/.local/share/bash-completion/completions/crimon)
  zsh:   source <(crimon completion zsh)      (after compinit)
  fish:  crimon completion fish > ~/.config/fish/completions/crimon.fish

Exit status: 0, or 2 on a usage error.`,
};

export function helpText(about: CommandName | 'completion'): string {
	return SCREENS[about]();
}
