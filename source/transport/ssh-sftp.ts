/**
 * Files on a node over SFTP, never with `cat` or `test`: the paths crimon reads can come
 * from the node itself (the kubelet's --config, its CRI endpoint), and no node-provided
 * word goes into a command. sshd logs none of it.
 */
import type {SFTPWrapper} from 'ssh2';
import {settleWithin} from '../util/deadline.js';
import {sessionOpenFailure, withoutSshPrefix, type ChannelContext} from './ssh-channels.js';
import {openSession} from './session-retry.js';
import {TransportError} from './transport.js';

/** One SFTP session for one job, within a channel slot and a time bound. */
async function withSftp<T>(context: ChannelContext, timeoutMs: number, what: string, job: (sftp: SFTPWrapper, done: (error: Error | null, value?: T) => void) => void): Promise<T> {
	const release = await context.slot(timeoutMs, 'sftp');
	try {
		const link = context.link('sftp');
		return await settleWithin<T>(timeoutMs, () => new TransportError(`${what} on ${context.host} took over ${timeoutMs} ms`, 'timeout'), (settle) => {
			let sftp: SFTPWrapper | null = null;
			settle.onSettle(() => sftp?.end());
			const done = (error: Error | null, value?: T) => (error ? settle.reject(error) : settle.resolve(value as T));
			const started = Date.now();
			const open = (callback: (error: Error | undefined, session: SFTPWrapper) => void) => {
				context.countChannel('sftp');
				link.client.sftp(callback);
			};
			openSession(open, () => timeoutMs - (Date.now() - started), () => settle.settled, (error, session) => {
				if (error) return done(new TransportError(`cannot open SFTP on ${context.host}: ${sessionOpenFailure(context, error)}`, 'other'));
				if (settle.settled) return void session.end();
				sftp = session;
				job(session, done);
			});
		});
	} finally {
		release();
	}
}

/** Whether a path exists on the node: an SFTP stat. */
export function existsOverSftp(context: ChannelContext, path: string, timeoutMs: number): Promise<boolean> {
	return withSftp<boolean>(context, Math.max(100, timeoutMs), `checking ${path}`, (sftp, done) => {
		sftp.stat(path, (error) => {
			if (!error) return done(null, true);
			// SFTP status 2: no such file.
			if ((error as Error & {code?: number}).code === 2) return done(null, false);
			done(new TransportError(`cannot check ${path} on ${context.host}: ${withoutSshPrefix(error.message)}`, 'other'));
		});
	});
}

/** A node file's bytes, at most maxBytes. */
export function readOverSftp(context: ChannelContext, path: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
	return withSftp<Buffer>(context, timeoutMs, `reading ${path}`, (sftp, done) => {
		const chunks: Buffer[] = [];
		let total = 0;
		const stream = sftp.createReadStream(path, {highWaterMark: 64 * 1024});
		stream.on('data', (chunk: Buffer) => {
			total += chunk.length;
			if (total > maxBytes) {
				stream.destroy();
				done(new TransportError(`${path} on ${context.host} is larger than ${maxBytes} bytes`, 'too-large'));
				return;
			}
			chunks.push(chunk);
		});
		stream.on('error', (error: Error & {code?: number}) => {
			// SFTP status codes: 2 no such file, 3 permission denied.
			if (error.code === 2) done(new TransportError(`no file at ${path} on ${context.host}`, 'missing'));
			else if (error.code === 3) done(new TransportError(`permission denied reading ${path} on ${context.host}`, 'denied'));
			else done(new TransportError(`cannot read ${path} on ${context.host}: ${withoutSshPrefix(error.message)}`, 'other'));
		});
		stream.on('end', () => done(null, Buffer.concat(chunks, total)));
	});
}
