/**
 * The flag table is the one list of flags: the parser takes each flag for exactly the
 * commands its row names (any other is a usage error), every help screen fits 80×24 and
 * shows its command's flags, and the completion scripts offer the same flags. bash's are
 * run for real (compgen through the generated function); zsh's and fish's are parsed by
 * zsh -n and fish -n when those shells are installed (.ci/run installs them).
 */
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {completionScript} from '../../source/cli/completion.js';
import {COMMANDS, FLAGS, flagsFor, type FlagSpec} from '../../source/cli/flag-table.js';
import {helpText} from '../../source/cli/help-text.js';
import {parseArgs} from '../../source/cli/parse-args.js';
import {ArgsError} from '../../source/util/usage-error.js';

/** A value the flag accepts, and the argv that reaches each command (compare wants two operands). */
const SAMPLE: Record<string, string> = {'--format': 'json', '--interval': '2s', '--timeout': '2s', '--sample': '1s', '--concurrency': '2', '--listen': '1'};
function argvFor(command: string, spec: FlagSpec): string[] {
	const head = command === 'app' ? [] : command === 'compare' ? ['compare', 'a', 'b'] : [command];
	const flag = spec.value === undefined ? [spec.name] : [spec.name, SAMPLE[spec.name] ?? 'x'];
	// --interval goes with --watch in snapshot; --watch with --json.
	const extra = command === 'snapshot' && (spec.name === '--interval' || spec.name === '--watch') ? ['--watch', '--json'] : [];
	return [...head, ...flag, ...extra];
}

function hasBinary(name: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('the flag table', () => {
	it('each flag is taken by every command its row names', () => {
		for (const spec of FLAGS) {
			for (const command of spec.commands) {
				if (spec.name === '--help' || spec.name === '--version') continue;
				expect(() => parseArgs(argvFor(command, spec)), `${command} ${spec.name}`).not.toThrow();
			}
		}
	});
	it('a flag that means nothing for the command is a usage error naming the flag and where it belongs', () => {
		let refused = 0;
		for (const spec of FLAGS) {
			for (const command of COMMANDS.filter((c) => !spec.commands.includes(c))) {
				const run = () => parseArgs(argvFor(command, spec));
				expect(run, `${command} ${spec.name}`).toThrow(ArgsError);
				expect(run, `${command} ${spec.name}`).toThrow(spec.name);
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(20);
		expect(() => parseArgs(['serve', '--no-color'])).toThrow('--no-color means nothing for crimon serve: it is for crimon, crimon snapshot, crimon compare and crimon events');
		expect(() => parseArgs(['compare', 'a', 'b', '--node', 'c'])).toThrow(/compare takes its two nodes as operands/);
		expect(() => parseArgs(['snapshot', '--interval', '5s'])).toThrow(/--watch/);
	});
	it('every row has help short enough for an 80-column screen', () => {
		for (const spec of FLAGS) expect(spec.help.length, spec.name).toBeLessThanOrEqual(49);
	});
});

describe('help', () => {
	const screens = [...COMMANDS, 'completion'] as const;
	it('is one 80×24 screen for each command, reached as help COMMAND and COMMAND --help', () => {
		for (const about of screens) {
			const text = helpText(about);
			const lines = text.split('\n');
			expect(lines.length, about).toBeLessThanOrEqual(23);
			for (const line of lines) expect(line.length, `${about}: ${line}`).toBeLessThanOrEqual(80);
			if (about !== 'app') {
				expect(parseArgs(['help', about])).toMatchObject({command: 'help', helpFor: about});
				expect(parseArgs(about === 'compare' ? ['compare', '--help'] : [about, '--help'])).toMatchObject({command: 'help', helpFor: about});
			}
		}
		expect(() => parseArgs(['help', 'nonsense'])).toThrow(/no command "nonsense"/);
	});
	it('names every flag its command takes', () => {
		for (const command of COMMANDS) {
			const text = helpText(command);
			for (const spec of flagsFor(command)) expect(text, `${command} ${spec.name}`).toContain(spec.name);
		}
	});
});

describe('completion', () => {
	it('parses crimon completion SHELL and refuses others', () => {
		expect(parseArgs(['completion', 'bash'])).toMatchObject({command: 'completion', shell: 'bash'});
		expect(() => parseArgs(['completion', 'tcsh'])).toThrow(/bash\|zsh\|fish/);
		expect(() => parseArgs(['completion'])).toThrow(ArgsError);
	});

	/** Sources the bash script and completes `words` (the last one being typed), as bash would on Tab. */
	function bashComplete(words: readonly string[]): string[] {
		const script = `${completionScript('bash')}
complete -p crimon
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _crimon
printf '%s\\n' "\${COMPREPLY[@]}"`;
		const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {encoding: 'utf8', cwd: __dirname});
		expect(run.status, run.stderr).toBe(0);
		const [registered, ...out] = run.stdout.trim().split('\n');
		expect(registered).toBe('complete -F _crimon crimon');
		return out.filter(Boolean);
	}

	it('bash: completes commands, then each command\'s own flags, and flag values', () => {
		expect(bashComplete(['crimon', 'sn'])).toEqual(['snapshot']);
		expect(bashComplete(['crimon', 'snapshot', '--fo'])).toEqual(['--format']);
		expect(bashComplete(['crimon', 'snapshot', '--format', 'p'])).toEqual(['prometheus']);
		expect(bashComplete(['crimon', 'serve', '--li'])).toEqual(['--listen']);
		// serve takes no --json: not offered.
		expect(bashComplete(['crimon', 'serve', '--js'])).toEqual([]);
		expect(bashComplete(['crimon', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
		expect(bashComplete(['crimon', 'snapshot', '--output', 'cli-help.te'])).toEqual(['cli-help.test.ts']);
		const all = bashComplete(['crimon', 'events', '--']);
		expect(all.sort()).toEqual(flagsFor('events').map((f) => f.name).sort());
	});

	it.skipIf(!hasBinary('zsh'))('zsh: the script parses', () => {
		const run = spawnSync('zsh', ['-n', '-c', completionScript('zsh')], {encoding: 'utf8'});
		expect(run.status, run.stderr).toBe(0);
	});
	it.skipIf(!hasBinary('fish'))('fish: the script parses and offers snapshot\'s flags', () => {
		const run = spawnSync('fish', ['--no-config', '-c', `${completionScript('fish')}\ncomplete -C 'crimon snapshot --fo'`], {encoding: 'utf8'});
		expect(run.status, run.stderr).toBe(0);
		expect(run.stdout).toMatch(/^--format\t/m);
	});
});

describe('errors name their flag', () => {
	it('a bad --node target names --node', async () => {
		const {resolveNodes} = await import('../../source/cli/resolve-nodes.js');
		await expect(resolveNodes(parseArgs(['snapshot', '--node', 'ssh://a b']), {}, '/nonexistent')).rejects.toThrow(/^--node "ssh:\/\/a b" holds whitespace/);
		await expect(resolveNodes(parseArgs(['snapshot', '-n', 'ssh://h:0']), {}, '/nonexistent')).rejects.toThrow(/^--node "ssh:\/\/h:0": port/);
	});
});
