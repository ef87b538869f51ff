/**
 * One command on a node's SSH connection: a session channel within a channel slot, its
 * output bounded, its exit status read as the login shell gives it.
 */
import type {ClientChannel} from 'ssh2';
import {settleWithin} from '../util/deadline.js';
import {quoteForRemoteShell} from './remote-shell.js';
import {sessionOpenFailure, type ChannelContext} from './ssh-channels.js';
import {openSession} from './session-retry.js';
import {commandLabel, TransportError, type ExecOptions, type ExecResult} from './transport.js';

/** stderr is for messages; past this it is cut, not buffered. */
const MAX_STDERR_BYTES = 64 * 1024;

export async function execOverSsh(context: ChannelContext, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
	const command = quoteForRemoteShell(argv);
	const name = commandLabel(argv);
	const host = context.host;
	const started = Date.now();
	const release = await context.slot(options.timeoutMs, name);
	try {
		const link = context.link(name);
		const timeoutMs = options.timeoutMs - (Date.now() - started);
		return await settleWithin<ExecResult>(timeoutMs, () => new TransportError(`${name} gave no answer within ${options.timeoutMs} ms`, 'timeout'), (settle) => {
			let channel: ClientChannel | null = null;
			settle.onSettle((failed) => {
				if (failed) channel?.close();
			});
			try {
				const open = (callback: (error: Error | undefined, stream: ClientChannel) => void) => {
					context.countChannel(`exec ${argv[0]!}`);
					link.client.exec(command, callback);
				};
				openSession(open, () => options.timeoutMs - (Date.now() - started), () => settle.settled, (error, stream) => {
					if (error) {
						settle.reject(new TransportError(`cannot run ${name} on ${host}: ${sessionOpenFailure(context, error)}`, 'other'));
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
							settle.reject(new TransportError(signal ? `${name} was killed by ${signal} on ${host}` : `${name} ended without an exit status`, 'other'));
							return;
						}
						// The login shell's "command not found".
						if (exitCode === 127) {
							settle.reject(new TransportError(`${name} is not installed on ${host} (or not on the login user's PATH)`, 'missing'));
							return;
						}
						settle.resolve({stdout: Buffer.concat(stdout), stderr: stderrText, exitCode});
					});
				});
			} catch (error) {
				settle.reject(new TransportError(`cannot run ${name} on ${host}: ${(error as Error).message}`, 'unreachable'));
			}
		});
	} finally {
		release();
	}
}
