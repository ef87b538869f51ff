/**
 * What crimon may log in with: the agent, then the identity files, as `ssh` would without a
 * terminal. A key that needs a passphrase is skipped and named in the error, never prompted for.
 */
import fs from 'node:fs';
import type {ParsedKey} from 'ssh2';
import type {ResolvedSshConfig} from '../targets/ssh-config.js';
import {loadSsh2} from '../util/lazy-modules.js';
import {shellWord} from './remote-shell.js';
import {TransportError} from './transport.js';

export class SshAuthError extends TransportError {
	constructor(message: string) {
		super(message, 'denied');
	}
}

interface Identity {
	readonly file: string;
	readonly key: ParsedKey;
}

export interface Identities {
	readonly usable: readonly Identity[];
	readonly encrypted: readonly string[];
	readonly unreadable: readonly string[];
}

export function loadIdentities(config: ResolvedSshConfig): Identities {
	const usable: Identity[] = [];
	const encrypted: string[] = [];
	const unreadable: string[] = [];
	for (const file of config.identityFiles) {
		let data: Buffer;
		try {
			data = fs.readFileSync(file);
		} catch (error) {
			// ssh skips default identities that do not exist; an explicit one is worth a word.
			if (config.identityFilesExplicit) unreadable.push(`${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
			continue;
		}
		const parsed = loadSsh2().utils.parseKey(data);
		if (parsed instanceof Error) {
			if (/passphrase|encrypted/i.test(parsed.message)) encrypted.push(file);
			else unreadable.push(`${file} (not a private key crimon can read)`);
			continue;
		}
		const keys = Array.isArray(parsed) ? parsed as ParsedKey[] : [parsed];
		for (const key of keys) if (key.isPrivateKey()) usable.push({file, key});
	}
	return {usable, encrypted, unreadable};
}

export function agentUsable(path: string | null): path is string {
	if (!path) return false;
	try {
		return fs.statSync(path).isSocket();
	} catch {
		return false;
	}
}

export function describeAuthFailure(config: ResolvedSshConfig, identities: Identities, agent: string | null, tried: readonly string[]): string {
	const who = `${config.user}@${config.hostname}${config.port === 22 ? '' : `:${config.port}`}`;
	const parts = [`authentication failed for ${who}`];
	parts.push(tried.length > 0 ? `tried ${tried.join(', ')}` : 'no key to offer');
	for (const file of identities.encrypted) {
		parts.push(agent
			? `${file} is passphrase-protected and the ssh-agent does not offer it (add it with: ssh-add ${shellWord(file)})`
			: `${file} is passphrase-protected and no ssh-agent is running (SSH_AUTH_SOCK is not set): start one and ssh-add ${shellWord(file)}; crimon never prompts for passphrases`);
	}
	if (identities.unreadable.length > 0) parts.push(`could not use ${identities.unreadable.join(', ')}`);
	return parts.join('; ');
}
