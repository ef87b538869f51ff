/**
 * A node's unix sockets over SSH stream-local forwarding, so the node needs nothing but
 * sshd. What the node said about a socket's existence is kept for a while: most candidate
 * sockets are missing on any given node, and sshd logs every failed open.
 */
import type {Duplex} from 'node:stream';
import type {ClientChannel} from 'ssh2';
import {settleWithin} from '../util/deadline.js';
import {withoutSshPrefix, type ChannelContext} from './ssh-channels.js';
import {TransportError} from './transport.js';

/** How long a socket's exists/missing answer is trusted for error messages. */
const SOCKET_CHECK_TTL_MS = 60_000;

/**
 * How long a socket the node said is missing is taken as still missing. Most candidate
 * sockets (CRI-O, cri-dockerd, k3s, dockershim, often Docker) are missing on any given node,
 * and sshd logs every failed stream-local open at INFO: opening them on every poll would
 * write a line to the node's auth log every few seconds per socket. A missing socket is
 * instead re-checked with an SFTP stat (which sshd does not log) once this long has passed,
 * and opened only once it exists, so a runtime that starts is seen within this long.
 */
const MISSING_SOCKET_TTL_MS = 30_000;

export interface SocketContext extends ChannelContext {
	/** The login user, for messages ('' before connecting). */
	readonly user: string;
	/** Whether a path exists on the node, asked without a command. */
	exists(path: string, timeoutMs: number): Promise<boolean>;
}

export class SshSockets {
	private readonly checks = new Map<string, {exists: boolean; at: number}>();

	constructor(private readonly context: SocketContext) {}

	/** Forgets every answer: a new connection may be a different node behind the same name. */
	clear(): void {
		this.checks.clear();
	}

	/** What the node last said about a path, while that answer is trusted; null when it must be asked. */
	known(path: string): boolean | null {
		const check = this.checks.get(path);
		return check && Date.now() - check.at <= SOCKET_CHECK_TTL_MS ? check.exists : null;
	}

	/** Asks the node whether a path exists, and keeps the answer. */
	async check(path: string, timeoutMs: number): Promise<boolean> {
		const exists = await this.context.exists(path, timeoutMs);
		this.checks.set(path, {exists, at: Date.now()});
		return exists;
	}

	async connect(path: string, timeoutMs: number): Promise<Duplex> {
		const {host} = this.context;
		const started = Date.now();
		const known = this.checks.get(path);
		if (known && !known.exists) {
			const stillMissing = Date.now() - known.at < MISSING_SOCKET_TTL_MS || !(await this.check(path, timeoutMs).catch(() => true));
			if (stillMissing) throw new TransportError(`no socket at ${path} on ${host} (is the service running?)`, 'missing');
		}
		const release = await this.context.slot(timeoutMs, path);
		let opened: ClientChannel;
		try {
			const link = this.context.link(path);
			opened = await settleWithin<ClientChannel>(timeoutMs - (Date.now() - started), () => new TransportError(`no answer from ${path} on ${host} within ${timeoutMs} ms`, 'timeout'), (settle) => {
				try {
					this.context.countChannel(`socket ${path}`);
					link.client.openssh_forwardOutStreamLocal(path, (error, channel) => {
						if (settle.settled) {
							channel?.close();
							return;
						}
						if (error) settle.reject(error);
						else settle.resolve(channel);
					});
				} catch (error) {
					settle.reject(new TransportError(`cannot open ${path} on ${host}: ${(error as Error).message}`, 'unreachable'));
				}
			});
		} catch (error) {
			// Released before asking why: the question takes a channel of its own.
			release();
			if (error instanceof TransportError) throw error;
			throw await this.describeOpenFailure(path, error as Error, timeoutMs - (Date.now() - started));
		}
		// The slot is held for as long as the channel is in use. ssh2 emits 'close' only once
		// the stream has been read to its end, which a caller that just destroys it (an HTTP/2
		// session closing, an existence check) never does: destroying frees the slot too, and
		// drains what is left so the channel can finish closing.
		opened.once('close', release);
		const destroy = opened.destroy.bind(opened);
		opened.destroy = (() => {
			release();
			opened.resume();
			return destroy();
		}) as typeof opened.destroy;
		opened.once('end', release);
		return opened;
	}

	/**
	 * sshd answers every failed stream-local open with the same "open failed", whether the
	 * socket is missing or the login user may not open it. The two need different advice,
	 * and the CRI probe must skip missing sockets, so ask the node once whether the path
	 * exists (over SFTP: no command is built from the path).
	 */
	private async describeOpenFailure(path: string, error: Error, timeoutMs: number): Promise<TransportError> {
		const {host} = this.context;
		const reason = withoutSshPrefix(error.message);
		if (/prohibited/i.test(reason)) {
			return new TransportError(`${host}'s sshd does not allow stream-local forwarding (AllowStreamLocalForwarding): use --sudo`, 'denied');
		}
		let exists = this.known(path);
		if (exists === null) {
			try {
				exists = await this.check(path, timeoutMs);
			} catch {
				return new TransportError(`cannot open ${path} on ${host} over SSH (${reason})`, 'other');
			}
		}
		if (!exists) return new TransportError(`no socket at ${path} on ${host} (is the service running?)`, 'missing');
		const user = this.context.user || 'the login user';
		return new TransportError(
			`cannot open ${path} on ${host} as ${user}: the socket is there, but ${user} may not open it or nothing listens on it `
			+ `(add ${user} to the socket's group, or use --sudo)`,
			'denied',
		);
	}
}
