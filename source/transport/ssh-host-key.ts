/**
 * Every hop's host key, checked against known_hosts before anything is sent: trusted,
 * revoked, changed, known by other types only, or unknown (recorded only with accept-new).
 * Each refusal says what was offered, what is known and where, and what to do.
 */
import {
	appendKnownHost, checkHostKey, fingerprint, formatKnownHostsLine, keyTypeOf, knownHostsName, knownKeyTypes, readKnownHostsFiles,
} from '../targets/known-hosts.js';
import type {ResolvedSshConfig} from '../targets/ssh-config.js';
import {shellWord} from './remote-shell.js';
import {TransportError} from './transport.js';

export class HostKeyError extends TransportError {
	constructor(message: string) {
		super(message, 'refused');
	}
}

/** ssh2's host key algorithms, strongest first; known key types are moved to the front. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function algorithmsFor(keyTypes: readonly string[]): string[] {
	const preferred: string[] = [];
	for (const type of keyTypes) {
		const algos = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
		for (const algo of algos) if (HOST_KEY_ALGORITHMS.includes(algo) && !preferred.includes(algo)) preferred.push(algo);
	}
	return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

function describeKeyType(type: string): string {
	if (type === 'ssh-ed25519') return 'ED25519';
	if (type.startsWith('ecdsa-')) return 'ECDSA';
	if (type === 'ssh-rsa') return 'RSA';
	if (type === 'ssh-dss') return 'DSA';
	return type;
}

export interface HostKeyCheck {
	refusal: HostKeyError | null;
	verify(key: Buffer): boolean;
	algorithms: string[];
}

export function hostKeyCheck(config: ResolvedSshConfig, options: {readonly acceptNew: boolean; readonly acceptHint: string}): HostKeyCheck {
	const name = config.hostKeyAlias ?? knownHostsName(config.hostname, config.port);
	const files = [...config.userKnownHostsFiles, ...config.globalKnownHostsFiles];
	const entries = readKnownHostsFiles(files);
	const check: HostKeyCheck = {
		refusal: null,
		algorithms: algorithmsFor(knownKeyTypes(entries, name)),
		verify(key) {
			const offered = `${describeKeyType(keyTypeOf(key))} key ${fingerprint(key)}`;
			const verdict = checkHostKey(entries, name, key);
			switch (verdict.status) {
				case 'trusted':
					return true;
				case 'revoked':
					check.refusal = new HostKeyError(`host key for ${name} is REVOKED (${verdict.entry.file} line ${verdict.entry.line}): ${offered}; crimon refuses it`);
					return false;
				case 'changed': {
					const known = verdict.known.map((e) => `${fingerprint(e.key)} (${e.file} line ${e.line})`).join(', ');
					check.refusal = new HostKeyError(
						`host key for ${name} has CHANGED (an attack, or a reinstalled host; crimon always refuses it): `
						+ `the host offered ${offered}, known_hosts has ${known}. `
						+ `If the change is expected: ssh-keygen -R ${shellWord(name)} -f ${shellWord(verdict.known[0]!.file)}`,
					);
					return false;
				}
				case 'other-types': {
					const known = verdict.known.map((e) => `${describeKeyType(e.keyType)} ${fingerprint(e.key)}`).join(', ');
					check.refusal = new HostKeyError(
						`host key for ${name} is not the one known: known_hosts has ${known}, the host offered ${offered}; crimon refuses it. `
						+ `If the new key is expected, remove the old ones with ssh-keygen -R ${shellWord(name)} and connect again with --accept-new`,
					);
					return false;
				}
				case 'unknown': {
					const acceptNew = options.acceptNew || config.acceptNew;
					const file = config.userKnownHostsFiles[0];
					if (acceptNew && file) {
						try {
							appendKnownHost(file, formatKnownHostsLine(name, key, config.hashKnownHosts));
						} catch (error) {
							check.refusal = new HostKeyError(`host key for ${name} is not known and could not be added to ${file}: ${(error as Error).message}`);
							return false;
						}
						return true;
					}
					check.refusal = new HostKeyError(
						`host key for ${name} is not known (${offered}). Check that fingerprint with the host's owner, `
						+ `then accept it with: ${options.acceptHint} (it is added to ${file ?? '~/.ssh/known_hosts'})`,
					);
					return false;
				}
			}
		},
	};
	return check;
}
