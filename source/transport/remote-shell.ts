/**
 * Words for a remote shell. SSH carries a command as one string that the node's login
 * shell parses, so a fixed argv becomes that string here and nowhere else.
 */
import {TransportError} from './transport.js';

const SAFE_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * The only place an argv becomes a remote shell command. SSH runs commands through the
 * login shell, so every word is single-quoted unless it is plainly inert; single quotes
 * mean the same in sh, bash, dash, zsh, ksh, fish and csh. Words with NUL or a line break
 * are refused outright: no fixed command of crimon's has one, and csh would mangle them.
 */
export function quoteForRemoteShell(argv: readonly string[]): string {
	if (argv.length === 0) throw new TransportError('empty command', 'other');
	return argv.map((word) => {
		if (/[\0\n\r]/.test(word)) throw new TransportError('refusing a command word with NUL or a line break', 'other');
		if (SAFE_WORD.test(word)) return word;
		return `'${word.replaceAll("'", `'\\''`)}'`;
	}).join(' ');
}

/** A word as the user should type it in a command crimon suggests (ssh-keygen -R NAME): quoted unless plainly inert. */
export function shellWord(text: string): string {
	return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
