/**
 * Pure: `crimon completion bash|zsh|fish`, generated from flag-table.ts so a completion
 * offers exactly the flags the parser takes for the command being typed. The scripts only
 * complete words: nothing in them runs crimon or reads a node.
 */
import {COMMANDS, FLAGS, flagsFor, type CommandName, type FlagSpec} from './flag-table.js';
import type {Shell} from './parse-args.js';

const SUBCOMMANDS = [...COMMANDS.filter((c) => c !== 'app'), 'completion', 'help'];

/** Words a flag's value completes to; 'file' means the shell's own file completion. */
function valueWords(spec: FlagSpec): readonly string[] | 'file' | null {
	if (Array.isArray(spec.kind)) return spec.kind;
	if (spec.kind === 'file' || spec.kind === 'path') return 'file';
	if (spec.kind === 'node') return ['local', 'ssh://'];
	return null;
}

const names = (specs: readonly FlagSpec[]) => specs.flatMap((f) => (f.short ? [f.name, f.short] : [f.name])).join(' ');

function bash(): string {
	const perCommand = COMMANDS.map((c) => `\t\t${c}) flags='${names(flagsFor(c))}' ;;`).join('\n');
	const values = FLAGS.filter((f) => f.value !== undefined).map((f) => {
		const words = valueWords(f);
		const pattern = f.short ? `${f.name}|${f.short}` : f.name;
		if (words === 'file') return `\t\t${pattern}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`;
		if (words === null) return `\t\t${pattern}) COMPREPLY=(); return ;;`;
		return `\t\t${pattern}) COMPREPLY=($(compgen -W '${words.join(' ')}' -- "$cur")); return ;;`;
	}).join('\n');
	return `# crimon completion for bash: source <(crimon completion bash)
_crimon() {
	local cur prev cmd=app i flags
	cur="\${COMP_WORDS[COMP_CWORD]}"
	prev="\${COMP_WORDS[COMP_CWORD-1]}"
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "\${COMP_WORDS[i]}" in
		${SUBCOMMANDS.join('|')}) cmd="\${COMP_WORDS[i]}"; break ;;
		esac
	done
	case "$prev" in
${values}
	esac
	case "$cmd" in
${perCommand}
		completion) COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return ;;
		help) COMPREPLY=($(compgen -W '${SUBCOMMANDS.filter((c) => c !== 'help').join(' ')}' -- "$cur")); return ;;
	esac
	if [[ "$cmd" == app && "$cur" != -* ]]; then
		COMPREPLY=($(compgen -W '${SUBCOMMANDS.join(' ')}' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -F _crimon crimon
`;
}

function zshSpec(spec: FlagSpec): string {
	const help = spec.help.replace(/[[\]:'\\]/g, ' ');
	const words = valueWords(spec);
	const action = spec.value === undefined ? '' : words === 'file' ? `:${spec.value}:_files` : words === null ? `:${spec.value}: ` : `:${spec.value}:(${words.join(' ')})`;
	const repeat = spec.repeats ? '*' : '';
	if (spec.short) return `'${repeat}(${spec.name} ${spec.short})'{${spec.name},${spec.short}}'[${help}]${action}'`;
	return `'${repeat}${spec.name}[${help}]${action}'`;
}

function zsh(): string {
	const perCommand = COMMANDS.map((c) => `\t\t${c}) _arguments -s ${flagsFor(c).map(zshSpec).join(' ')} '*: :->operand' ;;`).join('\n');
	return `#compdef crimon
# crimon completion for zsh: source <(crimon completion zsh), after compinit
_crimon() {
	local cmd=app w
	for w in \${words[2,CURRENT-1]}; do
		case $w in
		${SUBCOMMANDS.join('|')}) cmd=$w; break ;;
		esac
	done
	if [[ $cmd == app && $words[CURRENT] != -* ]]; then
		compadd -- ${SUBCOMMANDS.join(' ')}
		return
	fi
	case $cmd in
${perCommand}
		completion) compadd -- bash zsh fish ;;
		help) compadd -- ${SUBCOMMANDS.filter((c) => c !== 'help').join(' ')} ;;
	esac
}
compdef _crimon crimon
`;
}

function fishLine(command: CommandName, spec: FlagSpec): string {
	const condition = command === 'app' ? `not __fish_seen_subcommand_from ${SUBCOMMANDS.join(' ')}` : `__fish_seen_subcommand_from ${command}`;
	const long = ` -l ${spec.name.slice(2)}`;
	const short = spec.short ? ` -s ${spec.short.slice(1)}` : '';
	const words = valueWords(spec);
	const value = spec.value === undefined ? '' : words === 'file' ? ' -r -F' : words === null ? ' -x' : ` -x -a '${words.join(' ')}'`;
	return `complete -c crimon -n '${condition}'${long}${short}${value} -d '${spec.help.replace(/'/g, "\\'")}'`;
}

function fish(): string {
	const lines = [
		'# crimon completion for fish: crimon completion fish > ~/.config/fish/completions/crimon.fish',
		'complete -c crimon -f',
		`complete -c crimon -n 'not __fish_seen_subcommand_from ${SUBCOMMANDS.join(' ')}' -a '${SUBCOMMANDS.join(' ')}'`,
		"complete -c crimon -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'",
		...COMMANDS.flatMap((c) => flagsFor(c).map((f) => fishLine(c, f))),
	];
	return lines.join('\n') + '\n';
}

export function completionScript(shell: Shell): string {
	return shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish();
}
