/**
 * Pure: argv → what to do. Hand-written so the headless path loads nothing it does not
 * need; every flag is a row of flag-table.ts, which says what each one is for.
 */
import type {OutputFormat} from '../render/render-format.js';
import {parseDuration} from '../util/duration.js';
import {ArgsError} from '../util/usage-error.js';
import {commandLabel, flagSpec, whereFlagApplies, type CommandName} from './flag-table.js';

type Command = CommandName | 'completion' | 'help' | 'version';

export type Shell = 'bash' | 'zsh' | 'fish';
const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export interface CliArgs {
	readonly command: Command;
	/** What `help` is about. */
	readonly helpFor: CommandName | 'completion';
	/** `crimon completion SHELL`. */
	readonly shell: Shell | null;
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


const FORMATS: readonly OutputFormat[] = ['text', 'json', 'prometheus'];

function positiveInteger(text: string, flag: string): number {
	if (!/^\d+$/.test(text) || Number(text) < 1) throw new ArgsError(`${flag} wants a whole number of at least 1, not "${text}"`);
	return Number(text);
}

export function parseArgs(argv: readonly string[]): CliArgs {
	let command: Command = 'app';
	let helpFor: CliArgs['helpFor'] = 'app';
	let wantsHelp = false;
	/** Every flag given, as written, to check against the command once it is known. */
	const given: string[] = [];
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
		const spec = arg.startsWith('-') && arg !== '-' ? flagSpec(arg) : undefined;
		if (spec) given.push(arg);
		if (inlineValue !== undefined && spec && spec.value === undefined) throw new ArgsError(`${arg} takes no value`);
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
				if (arg.startsWith('-') && arg !== '-') throw new ArgsError(`unknown option ${arg} (see crimon ${command === 'app' ? '' : command + ' '}--help)`);
				if (command === 'app' && operands.length === 0 && (arg === 'snapshot' || arg === 'compare' || arg === 'serve' || arg === 'events' || arg === 'completion' || arg === 'help')) {
					if (arg === 'help') wantsHelp = true;
					else command = arg;
				} else {
					operands.push(arg);
				}
		}
	}
	if (command !== 'app' && command !== 'version') helpFor = command;
	if (wantsHelp && command !== 'version') {
		const about = operands[0];
		if (about === 'snapshot' || about === 'compare' || about === 'serve' || about === 'events' || about === 'completion') helpFor = about;
		else if (about !== undefined && helpFor === 'app') throw new ArgsError(`help: no command "${about}" (commands: snapshot, compare, serve, events, completion)`);
		command = 'help';
	}
	let shell: Shell | null = null;
	if (command === 'completion') {
		if (operands.length !== 1 || !SHELLS.includes(operands[0] as Shell)) throw new ArgsError('completion wants one shell: crimon completion bash|zsh|fish');
		if (given.length > 0) throw new ArgsError(`${given[0]} means nothing for crimon completion`);
		shell = operands[0] as Shell;
	}
	if (command === 'app' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (did you mean crimon snapshot?)`);
	if (command === 'snapshot' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command === 'compare' && operands.length !== 2) throw new ArgsError('compare wants two nodes or saved files: crimon compare A B');
	if (command === 'serve' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command === 'events' && operands.length > 0) throw new ArgsError(`unexpected argument "${operands[0]}" (nodes are given with --node)`);
	if (command !== 'help' && command !== 'version' && command !== 'completion') checkFlagsApply(command, given);
	checkOutputFlags(command, out.json, from, extra, nodes);
	if (out.sampleMs !== null && command !== 'snapshot' && command !== 'help' && command !== 'version') throw new ArgsError('--sample is for crimon snapshot');
	if (out.sampleMs !== null && (extra.watch || from.length > 0)) throw new ArgsError('--sample takes two polls of its own: not with --watch (every round after the first has rates) or --from');
	if (out.json && extra.format === null) extra.format = 'json';
	if (command === 'snapshot' && out.intervalMs !== null && !extra.watch) throw new ArgsError('--interval is the time between --watch rounds: add --watch, or leave --interval out (--sample sets the gap between two polls)');
	return {command, helpFor, shell, nodes, operands, from, ...out, ...extra};
}

/** A flag that means nothing for the command is a usage error, not silently ignored. */
function checkFlagsApply(command: CommandName, given: readonly string[]): void {
	for (const arg of given) {
		const spec = flagSpec(arg)!;
		if (!spec.commands.includes(command)) {
			const hint = command === 'compare' && spec.name === '--node' ? ' (compare takes its two nodes as operands: crimon compare A B)' : '';
			throw new ArgsError(`${arg} means nothing for ${commandLabel(command)}: it is for ${whereFlagApplies(spec)}${hint}`);
		}
	}
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
