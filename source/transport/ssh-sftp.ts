/**
 * Files on a node over SFTP, never with `cat` or `test`: the paths crimon reads can come
 * from the node itself (the kubelet's --config, its CRI endpoint), and no node-provided
 * word goes into a command. sshd logs none of it.
 *
 * One SFTP session is kept open for as long as it is used (a kubelet node stats its files
 * every poll), holding one channel slot, and closed after SFTP_IDLE_MS without a request
 * (most nodes only re-check a missing socket now and then), so the node keeps no
 * sftp-server process for crimon when it needs none. Opening a session costs three round
 * trips (the channel, the subsystem, SFTP's version exchange) before the request's own.
 */
import type {SFTPWrapper, Stats} from 'ssh2';
import {settleWithin} from '../util/deadline.js';
import type {Release} from '../util/semaphore.js';
import {sessionOpenFailure, withoutSshPrefix, type ChannelContext} from './ssh-channels.js';
import type {SshLink} from './ssh-connection.js';
import {openSession} from './session-retry.js';
import {TransportError, type FileStamp} from './transport.js';

/** An SFTP session unused this long is closed. Longer than the usual poll interval, so polling keeps it. */
const SFTP_IDLE_MS = 15_000;

interface Session {
	readonly sftp: SFTPWrapper;
	readonly link: SshLink;
	readonly release: Release;
	ended: boolean;
}

/** SFTP status codes: 2 no such file, 3 permission denied. */
function sftpError(host: string, path: string, doing: 'reading' | 'checking', error: Error & {code?: unknown}): TransportError {
	if (error.code === 2) return new TransportError(`no file at ${path} on ${host}`, 'missing');
	if (error.code === 3) return new TransportError(doing === 'reading' ? `permission denied reading ${path} on ${host}` : `cannot check ${path} on ${host}: permission denied`, 'denied');
	return new TransportError(`cannot ${doing === 'reading' ? 'read' : 'check'} ${path} on ${host}: ${withoutSshPrefix(error.message)}`, 'other');
}

export class SshFiles {
	private session: Session | null = null;
	private opening: Promise<Session> | null = null;
	private busy = 0;
	private idleTimer: NodeJS.Timeout | null = null;
	/** SFTP requests made, by kind (`stat`, `read`): for tests and benchmarks. */
	readonly requests = new Map<string, number>();

	constructor(private readonly context: ChannelContext) {}

	/** Whether a path exists on the node: an SFTP stat. */
	async exists(path: string, timeoutMs: number): Promise<boolean> {
		try {
			await this.stat(path, Math.max(100, timeoutMs));
			return true;
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'missing') return false;
			throw error;
		}
	}

	/** A path's size and modification time (SFTP v3 has whole seconds and no inode). */
	stat(path: string, timeoutMs: number): Promise<FileStamp> {
		return this.run<FileStamp>(timeoutMs, `checking ${path}`, 'stat', (sftp, done) => {
			sftp.stat(path, (error: Error | undefined, stats: Stats) => {
				if (error) done(sftpError(this.context.host, path, 'checking', error));
				else done(null, {size: stats.size, mtimeMs: stats.mtime * 1000, inode: null});
			});
		});
	}

	/** A node file's bytes, at most maxBytes. */
	read(path: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
		return this.run<Buffer>(timeoutMs, `reading ${path}`, 'read', (sftp, done) => {
			const chunks: Buffer[] = [];
			let total = 0;
			const stream = sftp.createReadStream(path, {highWaterMark: 64 * 1024});
			stream.on('data', (chunk: Buffer) => {
				total += chunk.length;
				if (total > maxBytes) {
					stream.destroy();
					done(new TransportError(`${path} on ${this.context.host} is larger than ${maxBytes} bytes`, 'too-large'));
					return;
				}
				chunks.push(chunk);
			});
			stream.on('error', (error: Error & {code?: number}) => done(sftpError(this.context.host, path, 'reading', error)));
			stream.on('end', () => done(null, Buffer.concat(chunks, total)));
		});
	}

	/** Ends the kept session (the connection is going, or the transport closes). */
	close(): void {
		this.end(this.session);
	}

	/**
	 * One request on the kept session, within timeoutMs from now (the session's opening
	 * included). A request that runs out of time ends the session: sftp-server answers in
	 * order, and one stuck behind a hung read would hold every later one.
	 */
	private async run<T>(timeoutMs: number, what: string, kind: string, job: (sftp: SFTPWrapper, done: (error: Error | null, value?: T) => void) => void): Promise<T> {
		this.busy++;
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
		let timedOut = false;
		let used: Session | null = null;
		try {
			return await settleWithin<T>(timeoutMs, () => {
				timedOut = true;
				return new TransportError(`${what} on ${this.context.host} took over ${timeoutMs} ms`, 'timeout');
			}, (settle) => {
				settle.onSettle(() => {
					if (timedOut) this.end(used);
				});
				const done = (error: Error | null, value?: T) => (error ? settle.reject(error) : settle.resolve(value as T));
				this.open(timeoutMs).then((session) => {
					if (settle.settled) return;
					used = session;
					this.requests.set(kind, (this.requests.get(kind) ?? 0) + 1);
					job(session.sftp, done);
				}, (error: Error) => settle.reject(error));
			});
		} finally {
			if (--this.busy === 0 && this.session) {
				this.idleTimer = setTimeout(() => {
					if (this.busy === 0) this.end(this.session);
				}, SFTP_IDLE_MS);
				this.idleTimer.unref();
			}
		}
	}

	private open(timeoutMs: number): Promise<Session> {
		const kept = this.session;
		if (kept && !kept.ended && kept.link.isOpen()) return Promise.resolve(kept);
		if (kept) this.end(kept);
		if (this.opening) return this.opening;
		const opening = this.openSession(timeoutMs);
		this.opening = opening;
		const clear = () => {
			if (this.opening === opening) this.opening = null;
		};
		opening.then(clear, clear);
		return opening;
	}

	private async openSession(timeoutMs: number): Promise<Session> {
		const started = Date.now();
		const release = await this.context.slot(timeoutMs, 'sftp');
		let link: SshLink;
		let sftp: SFTPWrapper;
		try {
			link = this.context.link('sftp');
			sftp = await settleWithin<SFTPWrapper>(timeoutMs - (Date.now() - started), () => new TransportError(`opening SFTP on ${this.context.host} took over ${timeoutMs} ms`, 'timeout'), (settle) => {
				const open = (callback: (error: Error | undefined, session: SFTPWrapper) => void) => {
					this.context.countChannel('sftp');
					link.client.sftp(callback);
				};
				openSession(open, () => timeoutMs - (Date.now() - started), () => settle.settled, (error, session) => {
					if (error) return settle.reject(new TransportError(`cannot open SFTP on ${this.context.host}: ${sessionOpenFailure(this.context, error)}`, 'other'));
					if (settle.settled) return void session.end();
					settle.resolve(session);
				});
			});
		} catch (error) {
			release();
			throw error;
		}
		const session: Session = {sftp, link, release, ended: false};
		const gone = () => this.end(session);
		sftp.once('close', gone);
		sftp.once('end', gone);
		void link.closed.then(gone);
		this.session = session;
		return session;
	}

	/** Ends a session and frees its slot; ending one already gone does nothing more. */
	private end(session: Session | null): void {
		if (!session || session.ended) return;
		session.ended = true;
		if (this.session === session) this.session = null;
		session.release();
		try {
			session.sftp.end();
		} catch {
			// Already closed with its connection.
		}
	}
}
