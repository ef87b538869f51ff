/**
 * Pure: what a `--node` (or config-file) target names. `local`, `ssh://[user@]host[:port]`,
 * or, as `ssh` itself takes them, `[user@]host` where host may be a Host alias from
 * ~/.ssh/config. Everything here ends up in an SSH connection, never in a shell, but a
 * host or user that looks like an option or holds whitespace is refused all the same: it
 * is a typo, and no real name looks like that.
 */

/** The target that names this machine. */
export const LOCAL_TARGET = 'local';

export class TargetError extends Error {
	override readonly name = 'TargetError';
}

export type Target =
	| {readonly kind: 'local'; readonly canonical: 'local'}
	| {
		readonly kind: 'ssh';
		/** As given: matched against ~/.ssh/config's Host patterns, as `ssh host` would. */
		readonly host: string;
		/** From the target itself; it wins over the config's User, like `ssh user@host`. */
		readonly user: string | null;
		/** From the target itself; it wins over the config's Port, like `ssh -p`. */
		readonly port: number | null;
		/** `ssh://[user@]host[:port]`, the form the snapshot reports. */
		readonly canonical: string;
	};

const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?$/;

function checkUser(user: string, text: string): string {
	if (!USER.test(user)) throw new TargetError(`"${text}": "${user}" is not a user name`);
	return user;
}

function checkPort(port: string, text: string): number {
	if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new TargetError(`"${text}": port "${port}" is not 1-65535`);
	return Number(port);
}

function checkHost(host: string, text: string): string {
	if (host.startsWith('[') && host.endsWith(']')) {
		const inner = host.slice(1, -1);
		if (!IPV6.test(inner) || !inner.includes(':')) throw new TargetError(`"${text}": "${host}" is not an IPv6 address`);
		return inner;
	}
	if (!HOST_NAME.test(host)) throw new TargetError(`"${text}": "${host}" is not a host name, address or ~/.ssh/config alias`);
	return host;
}

function canonicalFor(host: string, user: string | null, port: number | null): string {
	const hostPart = host.includes(':') ? `[${host}]` : host;
	return `ssh://${user ? `${user}@` : ''}${hostPart}${port ? `:${port}` : ''}`;
}

export function parseTarget(text: string): Target {
	const trimmed = text.trim();
	if (trimmed === LOCAL_TARGET) return {kind: 'local', canonical: 'local'};
	if (trimmed === '') throw new TargetError('an empty node target (use local, ssh://[user@]host[:port] or an alias)');
	if (/[\s\0-\x1f\x7f]/.test(trimmed)) throw new TargetError(`"${text}" holds whitespace or control characters`);

	const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
	if (scheme) {
		if (scheme[1]!.toLowerCase() !== 'ssh') throw new TargetError(`"${text}": only ssh:// targets are supported`);
		let rest = trimmed.slice(scheme[0].length);
		if (rest.endsWith('/')) rest = rest.slice(0, -1);
		if (rest.includes('/') || rest.includes('?') || rest.includes('#')) throw new TargetError(`"${text}": an ssh:// target has no path (ssh://[user@]host[:port])`);
		let user: string | null = null;
		const at = rest.lastIndexOf('@');
		if (at >= 0) {
			user = checkUser(rest.slice(0, at), text);
			rest = rest.slice(at + 1);
		}
		let port: number | null = null;
		let hostText = rest;
		const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(rest);
		if (bracketed) {
			hostText = bracketed[1]!;
			if (bracketed[2] !== undefined) port = checkPort(bracketed[2], text);
		} else {
			const colon = rest.lastIndexOf(':');
			if (colon >= 0) {
				if (rest.indexOf(':') !== colon) throw new TargetError(`"${text}": write an IPv6 address in brackets, ssh://[addr]:port`);
				hostText = rest.slice(0, colon);
				port = checkPort(rest.slice(colon + 1), text);
			}
		}
		if (hostText === '') throw new TargetError(`"${text}" names no host`);
		const host = checkHost(hostText, text);
		return {kind: 'ssh', host, user, port, canonical: canonicalFor(host, user, port)};
	}

	// Bare, as `ssh` takes it: [user@]host. A colon would be ambiguous (IPv6, or scp's
	// host:path), so a port needs the ssh:// form.
	let user: string | null = null;
	let rest = trimmed;
	const at = rest.lastIndexOf('@');
	if (at >= 0) {
		user = checkUser(rest.slice(0, at), text);
		rest = rest.slice(at + 1);
	}
	if (rest.includes(':')) throw new TargetError(`"${text}": give a port as ssh://host:port`);
	if (rest === '') throw new TargetError(`"${text}" names no host`);
	const host = checkHost(rest, text);
	return {kind: 'ssh', host, user, port: null, canonical: canonicalFor(host, user, null)};
}
