/**
 * What a job on a node's SSH connection (a command, a socket, an SFTP request) needs from
 * the transport that holds the connection: a channel slot, the live link, a count of the
 * channels it asked for, and how to word sshd's refusals.
 */
import type {Release} from '../util/semaphore.js';
import type {SshLink} from './ssh-connection.js';
import {isSessionRefusal, sessionRefusalAdvice} from './session-retry.js';

export interface ChannelContext {
	/** The host as typed, for messages. */
	readonly host: string;
	/** The channels the transport keeps open at once, for the MaxSessions advice. */
	readonly maxChannels: number;
	/** A channel slot, or a timeout naming what waited for it. */
	slot(timeoutMs: number, what: string): Promise<Release>;
	/** The open connection; throws an 'unreachable' TransportError naming `what` when there is none. */
	link(what: string): SshLink;
	/** Counts a channel asked of sshd (`exec ps`, `socket PATH`, `sftp`): for tests and benchmarks. */
	countChannel(what: string): void;
}

/** ssh2's messages without its `(SSH) ` and `Channel open failure: ` prefixes. */
export function withoutSshPrefix(message: string): string {
	return message.replace(/^\(SSH\) /, '').replace(/^Channel open failure: /, '');
}

/** Why a session channel could not be opened, as the user should read it. */
export function sessionOpenFailure(context: ChannelContext, error: Error): string {
	return isSessionRefusal(error) ? sessionRefusalAdvice(context.host, context.maxChannels) : withoutSshPrefix(error.message);
}
