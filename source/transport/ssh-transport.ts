/**
 * A node over SSH: one connection per node, kept open across polls and re-opened on the
 * next poll after a drop; every command and socket is a channel on it, at most
 * MAX_CHANNELS at once (OpenSSH's MaxSessions defaults to 10, and a node's sshd is not
 * ours to crowd). Sockets are reached by stream-local forwarding, so the node needs
 * nothing but sshd. Commands are fixed argv lists, turned into the one string SSH carries
 * by quoteForRemoteShell and nowhere else.
 */
import type {Duplex} from 'node:stream';
import type {ClientChannel, SFTPWrapper} from 'ssh2';
import type {SshConfigSources} from '../targets/ssh-config.js';
import {settleWithin} from '../util/deadline.js';
import {Semaphore} from '../util/semaphore.js';
import {HANDSHAKES} from './handshake-slots.js';
import {openSshLink, type SshLink} from './ssh-connection.js';
import {openSession, isSessionRefusal, sessionRefusalAdvice} from './session-retry.js';
import {commandLabel, TransportError, type ExecOptions, type ExecResult, type Transport} from './transport.js';

/** Channels open at once on one node's connection. */
export const MAX_CHANNELS = 6;

export {MAX_HANDSHAKES} from './handshake-slots.js';

/** stderr is for messages; past this it is cut, not buffered. */
const MAX_STDERR_BYTES = 64 * 1024;

/** How long a socket's exists/missing answer is trusted for error messages. */
const SOCKET_CHECK_TTL_MS = 60_000;

/**
 * How long a socket the node said is missing is taken as still missing. Most candidate
 * sockets (CRI-O, cri-dockerd, k3s, dockershim, often Docker) are missing on any given node,
 * and sshd logs every failed stream-local open at INFO: opening them on every poll would
 * write a line to the node's auth log every few seconds per socket. A missing socket is
 * instead re-checked with `test -e` (which sshd does not log) once this long has passed,
 * and opened only once it exists, so a runtime that starts is seen within this long.
 */
const MISSING_SOCKET_TTL_MS = 30_000;

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

export interface SshTransportOptions {
	readonly host: string;
	readonly user: string | null;
	readonly port: number | null;
	/** `ssh://…` as the snapshot reports it. */
	readonly target: string;
	readonly sources?: SshConfigSources;
	readonly acceptNew?: boolean;
	/** Bound on connecting (all hops, handshake and authentication). */
	readonly connectTimeoutMs: number;
	readonly maxChannels?: number;
}

function withoutSshPrefix(message: string): string {
	return message.replace(/^\(SSH\) /, '').replace(/^Channel open failure: /, '');
}

export class SshTransport implements Transport {
	readonly kind = 'ssh';
	readonly target: string;
	private link: SshLink | null = null;
	private connecting: Promise<SshLink> | null = null;
	private readonly channels: Semaphore;
	private readonly maxChannels: number;
	private readonly socketChecks = new Map<string, {exists: boolean; at: number}>();
	private closedByUser = false;
	/** SSH connections opened so far (one, unless the node dropped): for tests and benchmarks. */
	connectionsOpened = 0;
	/** Channels asked of sshd, by what for (`exec ps`, `socket PATH`, `sftp`): for tests and benchmarks. */
	readonly channelsOpened = new Map<string, number>();

	private countChannel(what: string): void {
		this.channelsOpened.set(what, (this.channelsOpened.get(what) ?? 0) + 1);
	}

	constructor(private readonly options: SshTransportOptions) {
		this.target = options.target;
		this.maxChannels = options.maxChannels ?? MAX_CHANNELS;
		this.channels = new Semaphore(this.maxChannels);
	}

	/** Where crimon says it is connecting: the host as typed. */
	get displayHost(): string {
		return this.options.host;
	}

	/** The login user, once connected (for messages). */
	get user(): string {
		return this.link?.config.user ?? this.options.user ?? '';
	}

	isConnected(): boolean {
		return this.link?.isOpen() ?? false;
	}

	async connect(timeoutMs?: number): Promise<void> {
		await this.liveLink(timeoutMs);
	}

	private liveLink(timeoutMs: number = this.options.connectTimeoutMs): Promise<SshLink> {
		if (this.closedByUser) return Promise.reject(new TransportError('the transport was closed', 'other'));
		if (this.link?.isOpen()) return Promise.resolve(this.link);
		if (this.connecting) return this.connecting;
		this.link = null;
		this.socketChecks.clear();
		const bound = Math.min(timeoutMs, this.options.connectTimeoutMs);
		// The bound is this node's own handshake: the wait for a slot behind other nodes'
		// handshakes is not counted against it (that wait is crimon's, not the node's).
		const attempt = HANDSHAKES.acquire().then(async (release) => {
			try {
				return await openSshLink(
					{host: this.options.host, user: this.options.user, port: this.options.port},
					{
						sources: this.options.sources ?? {},
						acceptNew: this.options.acceptNew ?? false,
						timeoutMs: bound,
						acceptHint: `crimon snapshot --accept-new --node ${this.options.target}`,
					},
				);
			} finally {
				release();
			}
		}).then((link) => {
			if (this.closedByUser) {
				link.destroy();
				throw new TransportError('the transport was closed', 'other');
			}
			this.link = link;
			this.connectionsOpened++;
			return link;
		});
		this.connecting = attempt;
		const clear = () => {
			if (this.connecting === attempt) this.connecting = null;
		};
		attempt.then(clear, clear);
		return attempt;
	}

	private currentClient(what: string): SshLink {
		const link = this.link;
		if (!link?.isOpen()) throw new TransportError(`${what}: not connected to ${this.options.host}`, 'unreachable');
		return link;
	}

	/** Drops the connection; the next connect() opens a new one. */
	drop(): void {
		this.link?.destroy();
		this.link = null;
	}

	async hostname(): Promise<string> {
		const result = await this.exec(['uname', '-n'], {timeoutMs: this.options.connectTimeoutMs, maxBytes: 4096});
		const name = result.stdout.toString('utf8').trim();
		if (result.exitCode !== 0 || !name) throw new TransportError(`uname -n failed on ${this.options.host}`, 'other');
		return name;
	}

	/** A channel slot, or a timeout naming what waited for it. */
	private slot(timeoutMs: number, what: string) {
		return this.channels.acquireWithin(timeoutMs, () => new TransportError(`${what}: no free SSH channel within ${timeoutMs} ms`, 'timeout'));
	}

	async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		const command = quoteForRemoteShell(argv);
		const name = commandLabel(argv);
		const started = Date.now();
		const release = await this.slot(options.timeoutMs, name);
		try {
			const link = this.currentClient(name);
			const timeoutMs = options.timeoutMs - (Date.now() - started);
			return await settleWithin<ExecResult>(timeoutMs, () => new TransportError(`${name} gave no answer within ${options.timeoutMs} ms`, 'timeout'), (settle) => {
				let channel: ClientChannel | null = null;
				settle.onSettle((failed) => {
					if (failed) channel?.close();
				});
				try {
					const open = (callback: (error: Error | undefined, stream: ClientChannel) => void) => {
						this.countChannel(`exec ${argv[0]!}`);
						link.client.exec(command, callback);
					};
					openSession(open, () => options.timeoutMs - (Date.now() - started), () => settle.settled, (error, stream) => {
						if (error) {
							const why = isSessionRefusal(error) ? sessionRefusalAdvice(this.options.host, this.maxChannels) : withoutSshPrefix(error.message);
							settle.reject(new TransportError(`cannot run ${name} on ${this.options.host}: ${why}`, 'other'));
							return;
						}
						if (settle.settled) {
							stream.close();
							return;
						}
						channel = stream;
						const stdout: Buffer[] = [];
						let stdoutBytes = 0;
						const stderr: Buffer[] = [];
						let stderrBytes = 0;
						let exitCode: number | null = null;
						let signal: string | null = null;
						stream.on('data', (chunk: Buffer) => {
							stdoutBytes += chunk.length;
							if (stdoutBytes > options.maxBytes) {
								settle.reject(new TransportError(`${name} printed more than ${options.maxBytes} bytes`, 'too-large'));
								return;
							}
							stdout.push(chunk);
						});
						stream.stderr.on('data', (chunk: Buffer) => {
							if (stderrBytes >= MAX_STDERR_BYTES) return;
							stderr.push(chunk.subarray(0, MAX_STDERR_BYTES - stderrBytes));
							stderrBytes += chunk.length;
						});
						stream.on('exit', (code: number | null, signalName?: string) => {
							exitCode = code;
							signal = signalName ?? null;
						});
						stream.on('close', () => {
							const stderrText = Buffer.concat(stderr).toString('utf8');
							if (exitCode === null) {
								settle.reject(new TransportError(signal ? `${name} was killed by ${signal} on ${this.options.host}` : `${name} ended without an exit status`, 'other'));
								return;
							}
							// The login shell's "command not found".
							if (exitCode === 127) {
								settle.reject(new TransportError(`${name} is not installed on ${this.options.host} (or not on the login user's PATH)`, 'missing'));
								return;
							}
							settle.resolve({stdout: Buffer.concat(stdout), stderr: stderrText, exitCode});
						});
					});
				} catch (error) {
					settle.reject(new TransportError(`cannot run ${name} on ${this.options.host}: ${(error as Error).message}`, 'unreachable'));
				}
			});
		} finally {
			release();
		}
	}

	async connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		const started = Date.now();
		const known = this.socketChecks.get(path);
		if (known && !known.exists) {
			const stillMissing = Date.now() - known.at < MISSING_SOCKET_TTL_MS || !(await this.checkExists(path, timeoutMs).catch(() => true));
			if (stillMissing) throw new TransportError(`no socket at ${path} on ${this.options.host} (is the service running?)`, 'missing');
		}
		const release = await this.slot(timeoutMs, path);
		let opened: ClientChannel;
		try {
			const link = this.currentClient(path);
			opened = await settleWithin<ClientChannel>(timeoutMs - (Date.now() - started), () => new TransportError(`no answer from ${path} on ${this.options.host} within ${timeoutMs} ms`, 'timeout'), (settle) => {
				try {
					this.countChannel(`socket ${path}`);
					link.client.openssh_forwardOutStreamLocal(path, (error, channel) => {
						if (settle.settled) {
							channel?.close();
							return;
						}
						if (error) settle.reject(error);
						else settle.resolve(channel);
					});
				} catch (error) {
					settle.reject(new TransportError(`cannot open ${path} on ${this.options.host}: ${(error as Error).message}`, 'unreachable'));
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
		const reason = withoutSshPrefix(error.message);
		if (/prohibited/i.test(reason)) {
			return new TransportError(`${this.options.host}'s sshd does not allow stream-local forwarding (AllowStreamLocalForwarding): use --sudo`, 'denied');
		}
		let exists: boolean;
		const check = this.socketChecks.get(path);
		if (check && Date.now() - check.at <= SOCKET_CHECK_TTL_MS) {
			exists = check.exists;
		} else {
			try {
				exists = await this.checkExists(path, timeoutMs);
			} catch {
				return new TransportError(`cannot open ${path} on ${this.options.host} over SSH (${reason})`, 'other');
			}
		}
		if (!exists) return new TransportError(`no socket at ${path} on ${this.options.host} (is the service running?)`, 'missing');
		const user = this.user || 'the login user';
		return new TransportError(
			`cannot open ${path} on ${this.options.host} as ${user}: the socket is there, but ${user} may not open it or nothing listens on it `
			+ `(add ${user} to the socket's group, or use --sudo)`,
			'denied',
		);
	}

	/** Whether a path exists on the node: an SFTP stat, its answer trusted for a while. */
	async pathExists(path: string, timeoutMs: number): Promise<boolean> {
		const check = this.socketChecks.get(path);
		if (check && Date.now() - check.at <= SOCKET_CHECK_TTL_MS) return check.exists;
		await this.liveLink(timeoutMs);
		return this.checkExists(path, timeoutMs);
	}

	/**
	 * Asks the node whether a path exists, with an SFTP stat rather than `test -e`: the
	 * path can be the kubelet's endpoint, a node's own answer, and no such word goes into a
	 * command. (sshd logs neither, unlike a failed stream-local open.)
	 */
	private async checkExists(path: string, timeoutMs: number): Promise<boolean> {
		const exists = await this.withSftp<boolean>(Math.max(100, timeoutMs), `checking ${path}`, (sftp, done) => {
			sftp.stat(path, (error) => {
				if (!error) return done(null, true);
				// SFTP status 2: no such file.
				if ((error as Error & {code?: number}).code === 2) return done(null, false);
				done(new TransportError(`cannot check ${path} on ${this.options.host}: ${withoutSshPrefix(error.message)}`, 'other'));
			});
		});
		this.socketChecks.set(path, {exists, at: Date.now()});
		return exists;
	}

	/** One SFTP session for one job, within a channel slot and a time bound. */
	private async withSftp<T>(timeoutMs: number, what: string, job: (sftp: SFTPWrapper, done: (error: Error | null, value?: T) => void) => void): Promise<T> {
		const release = await this.slot(timeoutMs, 'sftp');
		try {
			const link = this.currentClient('sftp');
			return await settleWithin<T>(timeoutMs, () => new TransportError(`${what} on ${this.options.host} took over ${timeoutMs} ms`, 'timeout'), (settle) => {
				let sftp: SFTPWrapper | null = null;
				settle.onSettle(() => sftp?.end());
				const done = (error: Error | null, value?: T) => (error ? settle.reject(error) : settle.resolve(value as T));
				const started = Date.now();
				const open = (callback: (error: Error | undefined, session: SFTPWrapper) => void) => {
					this.countChannel('sftp');
					link.client.sftp(callback);
				};
				openSession(open, () => timeoutMs - (Date.now() - started), () => settle.settled, (error, session) => {
					if (error) {
						const why = isSessionRefusal(error) ? sessionRefusalAdvice(this.options.host, this.maxChannels) : withoutSshPrefix(error.message);
						return done(new TransportError(`cannot open SFTP on ${this.options.host}: ${why}`, 'other'));
					}
					if (settle.settled) return void session.end();
					sftp = session;
					job(session, done);
				});
			});
		} finally {
			release();
		}
	}

	/**
	 * Reads a node file over SFTP, not with `cat`: the paths crimon reads can come from the
	 * node itself (the kubelet's --config), and no node-provided word goes into a command.
	 */
	async readFile(path: string, maxBytes: number): Promise<Buffer> {
		return this.withSftp<Buffer>(this.options.connectTimeoutMs, `reading ${path}`, (sftp, done) => {
			const chunks: Buffer[] = [];
			let total = 0;
			const stream = sftp.createReadStream(path, {highWaterMark: 64 * 1024});
			stream.on('data', (chunk: Buffer) => {
				total += chunk.length;
				if (total > maxBytes) {
					stream.destroy();
					done(new TransportError(`${path} on ${this.options.host} is larger than ${maxBytes} bytes`, 'too-large'));
					return;
				}
				chunks.push(chunk);
			});
			stream.on('error', (error: Error & {code?: number}) => {
				// SFTP status codes: 2 no such file, 3 permission denied.
				if (error.code === 2) done(new TransportError(`no file at ${path} on ${this.options.host}`, 'missing'));
				else if (error.code === 3) done(new TransportError(`permission denied reading ${path} on ${this.options.host}`, 'denied'));
				else done(new TransportError(`cannot read ${path} on ${this.options.host}: ${withoutSshPrefix(error.message)}`, 'other'));
			});
			stream.on('end', () => done(null, Buffer.concat(chunks, total)));
		});
	}

	/**
	 * Whether sshd still answers: a request to cancel a port forward this connection never
	 * made. sshd answers it at once with a refusal and logs nothing (a failed stream-local
	 * open would put a line in the node's log), and any answer proves the connection alive.
	 */
	probe(timeoutMs: number): Promise<boolean> {
		const link = this.link;
		if (!link?.isOpen()) return Promise.resolve(false);
		return settleWithin<boolean>(timeoutMs, () => new Error('no reply'), (settle) => {
			link.closed.then(() => settle.resolve(false), () => settle.resolve(false));
			link.client.unforwardIn('127.0.0.1', 1, () => settle.resolve(true));
		}).catch(() => false);
	}

	/**
	 * Asked after a poll that failed in part or ran out of time: if sshd still answers, the
	 * failures are the runtimes' and are reported as such; if not, the node is unreachable
	 * and its connection is dropped, to be re-opened on the next poll.
	 */
	async checkAlive(timeoutMs: number, boundMs: number): Promise<TransportError | null> {
		const link = this.link;
		const host = this.options.host;
		if (link && !link.isOpen()) {
			const why = await Promise.race([link.closed, Promise.resolve('the connection was closed')]);
			this.drop();
			return new TransportError(`lost the SSH connection to ${host} during the poll (${why}); crimon reconnects on the next poll`, 'unreachable');
		}
		if (await this.probe(timeoutMs)) return null;
		this.drop();
		return new TransportError(`${host} stopped answering over SSH: no reply within ${boundMs} ms; crimon reconnects on the next poll`, 'timeout');
	}

	async close(): Promise<void> {
		this.closedByUser = true;
		this.drop();
		const pending = this.connecting;
		if (pending) await pending.then((link) => link.destroy(), () => undefined);
	}
}
