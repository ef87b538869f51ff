/**
 * A node over SSH: one connection per node, kept open across polls and re-opened on the
 * next poll after a drop; every command and socket is a channel on it, at most
 * MAX_CHANNELS at once (OpenSSH's MaxSessions defaults to 10, and a node's sshd is not
 * ours to crowd). Commands (ssh-exec.ts) are fixed argv lists, turned into the one string
 * SSH carries by quoteForRemoteShell and nowhere else; sockets (ssh-sockets.ts) are reached
 * by stream-local forwarding, so the node needs nothing but sshd; files (ssh-sftp.ts) are
 * read over SFTP.
 */
import type {Duplex} from 'node:stream';
import type {SshConfigSources} from '../targets/ssh-config.js';
import {settleWithin} from '../util/deadline.js';
import {Semaphore} from '../util/semaphore.js';
import {HANDSHAKES} from './handshake-slots.js';
import type {ChannelContext} from './ssh-channels.js';
import {openSshLink, type SshLink} from './ssh-connection.js';
import {execOverSsh} from './ssh-exec.js';
import {SshFiles} from './ssh-sftp.js';
import {SshSockets} from './ssh-sockets.js';
import {TransportError, type ExecOptions, type ExecResult, type FileStamp, type Transport} from './transport.js';

/** Channels open at once on one node's connection. */
export const MAX_CHANNELS = 6;

export {MAX_HANDSHAKES} from './handshake-slots.js';
export {quoteForRemoteShell} from './remote-shell.js';

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

export class SshTransport implements Transport {
	readonly kind = 'ssh';
	readonly target: string;
	private link: SshLink | null = null;
	private connecting: Promise<SshLink> | null = null;
	private readonly channels: Semaphore;
	private readonly maxChannels: number;
	private readonly context: ChannelContext;
	private readonly sockets: SshSockets;
	private readonly files: SshFiles;
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
		this.context = {
			host: options.host,
			maxChannels: this.maxChannels,
			slot: (timeoutMs, what) => this.channels.acquireWithin(timeoutMs, () => new TransportError(`${what}: no free SSH channel within ${timeoutMs} ms`, 'timeout')),
			link: (what) => this.currentClient(what),
			countChannel: (what) => this.countChannel(what),
		};
		this.files = new SshFiles(this.context);
		const transport = this;
		this.sockets = new SshSockets({
			...this.context,
			get user() {
				return transport.user;
			},
			exists: (path, timeoutMs) => this.files.exists(path, timeoutMs),
		});
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
		this.sockets.clear();
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
		this.files.close();
		this.link?.destroy();
		this.link = null;
	}

	async hostname(): Promise<string> {
		const result = await this.exec(['uname', '-n'], {timeoutMs: this.options.connectTimeoutMs, maxBytes: 4096});
		const name = result.stdout.toString('utf8').trim();
		if (result.exitCode !== 0 || !name) throw new TransportError(`uname -n failed on ${this.options.host}`, 'other');
		return name;
	}

	exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		return execOverSsh(this.context, argv, options);
	}

	connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		return this.sockets.connect(path, timeoutMs);
	}

	/** Whether a path exists on the node: an SFTP stat, its answer trusted for a while. */
	async pathExists(path: string, timeoutMs: number): Promise<boolean> {
		const known = this.sockets.known(path);
		if (known !== null) return known;
		await this.liveLink(timeoutMs);
		return this.sockets.check(path, timeoutMs);
	}

	/**
	 * Reads a node file over SFTP, not with `cat`: the paths crimon reads can come from the
	 * node itself (the kubelet's --config), and no node-provided word goes into a command.
	 */
	readFile(path: string, maxBytes: number): Promise<Buffer> {
		return this.files.read(path, maxBytes, this.options.connectTimeoutMs);
	}

	/** A file's size and mtime over SFTP (whole seconds, no inode: SFTP v3 gives neither finer). */
	statFile(path: string, timeoutMs: number): Promise<FileStamp> {
		return this.files.stat(path, timeoutMs);
	}

	/** SFTP requests made, by kind (`stat`, `read`): for tests and benchmarks. */
	get sftpRequests(): ReadonlyMap<string, number> {
		return this.files.requests;
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
