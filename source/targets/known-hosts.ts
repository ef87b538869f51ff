/**
 * known_hosts, as OpenSSH reads and writes it: plain host patterns (`*`, `?`, `!`), hashed
 * entries (`|1|base64 salt|base64 HMAC-SHA1(salt, name)`), `[host]:port` for a port other
 * than 22, and `@revoked` keys, which are refused even where another line trusts them.
 * `@cert-authority` lines are skipped: crimon (ssh2) does not verify host certificates,
 * so a host known only through a CA is treated as unknown rather than trusted.
 *
 * Keys are compared as raw blobs, never by fingerprint, so nothing here depends on a
 * hash collision being hard; fingerprints are only for people to read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {wildcardMatch} from './ssh-config.js';

export interface KnownHostEntry {
	readonly marker: 'revoked' | 'cert-authority' | null;
	/** Plain patterns, or empty when hashed. */
	readonly patterns: readonly string[];
	readonly hashed: {readonly salt: Buffer; readonly hash: Buffer} | null;
	readonly keyType: string;
	readonly key: Buffer;
	readonly file: string;
	readonly line: number;
}

/** `SHA256:` and unpadded base64, as `ssh-keygen -l` and OpenSSH's prompts print it. */
export function fingerprint(key: Buffer): string {
	return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a blob declares in its first string (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(key: Buffer): string {
	if (key.length < 4) return 'unknown';
	const length = key.readUInt32BE(0);
	if (length > 64 || 4 + length > key.length) return 'unknown';
	return key.subarray(4, 4 + length).toString('latin1');
}

/** The name known_hosts files use for a host: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
	return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
	const entries: KnownHostEntry[] = [];
	for (const [index, raw] of text.split('\n').entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const fields = line.split(/\s+/);
		let marker: KnownHostEntry['marker'] = null;
		if (fields[0]?.startsWith('@')) {
			const word = fields.shift()!;
			if (word === '@revoked') marker = 'revoked';
			else if (word === '@cert-authority') marker = 'cert-authority';
			else continue;
		}
		const [hosts, keyType, keyText] = fields;
		if (!hosts || !keyType || !keyText) continue;
		const key = Buffer.from(keyText, 'base64');
		// A line whose key is not what it says is skipped, as ssh does, rather than trusted.
		if (key.length === 0 || keyTypeOf(key) !== keyType) continue;
		let hashed: KnownHostEntry['hashed'] = null;
		let patterns: string[] = [];
		if (hosts.startsWith('|1|')) {
			const [, , salt, hash] = hosts.split('|');
			if (!salt || !hash) continue;
			hashed = {salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64')};
		} else {
			patterns = hosts.split(',');
		}
		entries.push({marker, patterns, hashed, keyType, key, file, line: index + 1});
	}
	return entries;
}

function hashName(name: string, salt: Buffer): Buffer {
	return crypto.createHmac('sha1', salt).update(name).digest();
}

/** Whether an entry names `name` (already in `[host]:port` form where needed). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
	if (entry.hashed) {
		const mine = hashName(name, entry.hashed.salt);
		return mine.length === entry.hashed.hash.length && crypto.timingSafeEqual(mine, entry.hashed.hash);
	}
	let matched = false;
	for (const raw of entry.patterns) {
		const negated = raw.startsWith('!');
		const pattern = negated ? raw.slice(1) : raw;
		if (!wildcardMatch(pattern, name)) continue;
		if (negated) return false;
		matched = true;
	}
	return matched;
}

export type HostKeyVerdict =
	| {readonly status: 'trusted'; readonly entry: KnownHostEntry}
	| {readonly status: 'revoked'; readonly entry: KnownHostEntry}
	/** Known under this name with other key(s) of the same type: a changed key, always refused. */
	| {readonly status: 'changed'; readonly known: readonly KnownHostEntry[]}
	/** Known only with keys of other types: refused, as OpenSSH does under strict checking. */
	| {readonly status: 'other-types'; readonly known: readonly KnownHostEntry[]}
	| {readonly status: 'unknown'};

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
	const keyType = keyTypeOf(key);
	const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
	if (revoked) return {status: 'revoked', entry: revoked};
	const forName = entries.filter((e) => e.marker === null && entryMatches(e, name));
	const trusted = forName.find((e) => e.key.equals(key));
	if (trusted) return {status: 'trusted', entry: trusted};
	const sameType = forName.filter((e) => e.keyType === keyType);
	if (sameType.length > 0) return {status: 'changed', known: sameType};
	if (forName.length > 0) return {status: 'other-types', known: forName};
	return {status: 'unknown'};
}

/** The key types known for a name, so the handshake can ask for those first, as OpenSSH does. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
	const types: string[] = [];
	for (const e of entries) if (e.marker === null && entryMatches(e, name) && !types.includes(e.keyType)) types.push(e.keyType);
	return types;
}

/** A known_hosts file that is there but cannot be read: its keys are unknown, so no host is trusted through it. */
class KnownHostsUnreadableError extends Error {
	override readonly name = 'KnownHostsUnreadableError';
	constructor(readonly file: string, cause: Error) {
		super(`cannot read known_hosts file ${file}: ${cause.message}; fix its permissions or point UserKnownHostsFile elsewhere`, {cause});
	}
}

/** No such file (or a path through one): the ordinary first-run case, no keys rather than an error. */
function isMissing(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | null)?.code;
	return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Every entry of the files that exist; one that exists but cannot be read throws, naming it. */
export function readKnownHostsFiles(files: readonly string[]): KnownHostEntry[] {
	const entries: KnownHostEntry[] = [];
	for (const file of files) {
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch (error) {
			if (isMissing(error)) continue;
			throw new KnownHostsUnreadableError(file, error as Error);
		}
		entries.push(...parseKnownHosts(text, file));
	}
	return entries;
}

export function formatKnownHostsLine(name: string, key: Buffer, hash: boolean, salt: Buffer = crypto.randomBytes(20)): string {
	const hosts = hash ? `|1|${salt.toString('base64')}|${hashName(name, salt).toString('base64')}` : name;
	return `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** accept-new: appends one line, creating the file (and ~/.ssh) private to the user if needed. */
export function appendKnownHost(file: string, line: string): void {
	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	let prefix = '';
	try {
		const existing = fs.readFileSync(file);
		if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) prefix = '\n';
	} catch (error) {
		// A new file; any other failure would fail the append below too, so say it here.
		if (!isMissing(error)) throw new KnownHostsUnreadableError(file, error as Error);
	}
	fs.appendFileSync(file, `${prefix}${line}\n`, {mode: 0o600});
}
