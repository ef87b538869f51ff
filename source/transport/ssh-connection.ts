/**
 * One authenticated SSH connection to a node, possibly through ProxyJump hops, with every
 * hop's host key checked against known_hosts before anything is sent. Authentication is
 * what `ssh` would do without a terminal: the agent, then the identity files; a key that
 * needs a passphrase is skipped and named in the error, never prompted for.
 */
import net from 'node:net';
import type {Duplex} from 'node:stream';
import type {AnyAuthMethod, AuthenticationType, Client as SshClient} from 'ssh2';
import {settleWithin} from '../util/deadline.js';
import {resolveSshConfig, type ResolvedSshConfig, type SshConfigSources} from '../targets/ssh-config.js';
import {loadSsh2} from '../util/lazy-modules.js';
import {hostKeyCheck} from './ssh-host-key.js';
import {agentUsable, describeAuthFailure, loadIdentities, SshAuthError} from './ssh-identities.js';
import {TransportError} from './transport.js';

/** What openSshLink refuses with: a host key not to be trusted, a login that failed. */
export {HostKeyError} from './ssh-host-key.js';
export {SshAuthError} from './ssh-identities.js';

export interface SshEndpoint {
	/** As typed: matched against Host patterns. */
	readonly host: string;
	readonly user: string | null;
	readonly port: number | null;
}

export interface SshConnectOptions {
	readonly sources: SshConfigSources;
	/** Trust and record a host key never seen before (OpenSSH's StrictHostKeyChecking=accept-new). */
	readonly acceptNew: boolean;
	/** Bound on reaching and authenticating to the node, all hops included. */
	readonly timeoutMs: number;
	/** How to tell the user to accept an unknown key, e.g. `crimon snapshot --accept-new --node ssh://x`. */
	readonly acceptHint: string;
}

/** A live connection: the last hop's client, and everything to tear down with it. */
export interface SshLink {
	readonly client: SshClient;
	readonly config: ResolvedSshConfig;
	/** Resolves when the connection is gone, for whatever reason. */
	readonly closed: Promise<string>;
	isOpen(): boolean;
	destroy(): void;
}

/**
 * ssh2 writes every SSH packet on its own, and an HTTP/2 exchange over a channel is many
 * small packets: one write (one syscall) each was most of crimon's CPU per poll. Writes made
 * in the same turn of the event loop are corked and leave together at its end (setImmediate:
 * a tick was too short to catch the HTTP/2 frames of concurrent calls; 7 writes a poll
 * became 5), which adds no latency worth a name.
 */
function coalesceWrites(socket: net.Socket): void {
	const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
	let corked = false;
	socket.write = ((...args: unknown[]) => {
		if (!corked) {
			corked = true;
			socket.cork();
			setImmediate(() => {
				corked = false;
				socket.uncork();
			});
		}
		return write(...args);
	}) as typeof socket.write;
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
	return settleWithin<net.Socket>(timeoutMs, () => new TransportError(`no answer from ${host} port ${port} within ${timeoutMs} ms`, 'timeout'), (settle) => {
		const socket = net.connect({host, port});
		settle.onSettle((failed) => {
			if (failed) socket.destroy();
		});
		socket.once('connect', () => {
			socket.removeAllListeners('error');
			// Every poll is many small request/answer exchanges: Nagle's algorithm against the
			// peer's delayed ACKs would add ~40 ms to each.
			socket.setNoDelay(true);
			coalesceWrites(socket);
			settle.resolve(socket);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => {
			const where = `${host} port ${port}`;
			switch (error.code) {
				case 'ECONNREFUSED':
					settle.reject(new TransportError(`connection refused by ${where} (is sshd running there?)`, 'refused'));
					break;
				case 'ENOTFOUND':
				case 'EAI_AGAIN':
					settle.reject(new TransportError(`cannot resolve host name ${host}`, 'unreachable'));
					break;
				case 'EHOSTUNREACH':
				case 'ENETUNREACH':
					settle.reject(new TransportError(`${where} is unreachable (${error.code})`, 'unreachable'));
					break;
				default:
					settle.reject(new TransportError(`cannot connect to ${where}: ${error.message}`, 'unreachable'));
			}
		});
	});
}

/** Opens a channel on `via` to host:port, for the next hop's SSH to ride on. */
function forwardThrough(via: SshClient, host: string, port: number, viaName: string, timeoutMs: number): Promise<Duplex> {
	return settleWithin<Duplex>(timeoutMs, () => new TransportError(`jump host ${viaName} did not open a channel to ${host}:${port} within ${timeoutMs} ms`, 'timeout'), (settle) => {
		try {
			via.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
				if (settle.settled) return void stream?.close();
				if (error) settle.reject(new TransportError(`jump host ${viaName} cannot reach ${host} port ${port}: ${error.message.replace(/^\(SSH\) /, '')}`, 'unreachable'));
				else settle.resolve(stream);
			});
		} catch (error) {
			settle.reject(new TransportError(`jump host ${viaName}: ${(error as Error).message}`, 'unreachable'));
		}
	});
}

/** SSH over an already open stream: host key check, then authentication. */
function handshake(sock: Duplex, config: ResolvedSshConfig, options: SshConnectOptions, timeoutMs: number): Promise<SshClient> {
	const check = hostKeyCheck(config, options);
	const identities = loadIdentities(config);
	const agent = !config.identitiesOnly && agentUsable(config.identityAgent) ? config.identityAgent : null;
	const methods: AnyAuthMethod[] = [];
	const labels: string[] = [];
	if (agent) {
		methods.push({type: 'agent', username: config.user, agent});
		labels.push('the ssh-agent');
	}
	for (const identity of identities.usable) {
		methods.push({type: 'publickey', username: config.user, key: identity.key});
		labels.push(identity.file);
	}
	const tried: string[] = [];
	const where = `${config.hostname}${config.port === 22 ? '' : ` port ${config.port}`}`;

	return new Promise((resolve, reject) => {
		const client = new (loadSsh2().Client)();
		let settled = false;
		const fail = (error: Error) => {
			if (settled) return;
			settled = true;
			client.destroy();
			reject(error);
		};
		client.once('ready', () => {
			if (settled) return;
			settled = true;
			resolve(client);
		});
		client.on('error', (error: Error & {level?: string}) => {
			if (check.refusal) fail(check.refusal);
			else if (error.level === 'client-authentication') fail(new SshAuthError(describeAuthFailure(config, identities, agent, tried)));
			else if (error.level === 'client-timeout') fail(new TransportError(`no SSH answer from ${where} within ${timeoutMs} ms (handshake timed out)`, 'timeout'));
			else fail(new TransportError(`SSH to ${where} failed: ${error.message.replace(/^\(SSH\) /, '')}`, 'unreachable'));
		});
		client.on('close', () => {
			if (check.refusal) fail(check.refusal);
			else fail(new TransportError(`${where} closed the connection during the SSH handshake`, 'unreachable'));
		});
		let next = 0;
		try {
			client.connect({
				sock,
				username: config.user,
				readyTimeout: Math.max(1, timeoutMs),
				keepaliveInterval: config.serverAliveIntervalMs,
				keepaliveCountMax: config.serverAliveCountMax,
				algorithms: {serverHostKey: check.algorithms as never},
				hostVerifier: (key: Buffer) => check.verify(key),
				authHandler: (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, callback: (method: AnyAuthMethod | false) => void) => {
					// Only key-based methods are ever offered: nothing here can prompt.
					if (methodsLeft && !methodsLeft.includes('publickey')) {
						callback(false);
						return;
					}
					const method = methods[next];
					if (!method) {
						callback(false);
						return;
					}
					tried.push(labels[next]!);
					next++;
					callback(method);
				},
			} as never);
		} catch (error) {
			fail(new TransportError(`SSH to ${where}: ${(error as Error).message}`, 'other'));
		}
	});
}

/** Connects to `endpoint` (through its ProxyJump hops), within options.timeoutMs in total. */
export async function openSshLink(endpoint: SshEndpoint, options: SshConnectOptions): Promise<SshLink> {
	const deadline = Date.now() + options.timeoutMs;
	const remaining = () => Math.max(1, deadline - Date.now());
	const config = resolveSshConfig(endpoint.host, {user: endpoint.user, port: endpoint.port}, options.sources);
	const bound = (ms: number | null) => Math.min(remaining(), ms ?? Number.POSITIVE_INFINITY);

	// Each hop is resolved through the ssh config like the target; a hop's own ProxyJump is
	// not followed (the target's list already names every hop, in order).
	const hops = config.proxyJump.map((hop) => resolveSshConfig(hop.host, {user: hop.user, port: hop.port}, options.sources));
	const clients: SshClient[] = [];
	const destroyAll = () => {
		for (const c of [...clients].reverse()) c.destroy();
	};
	try {
		let sock: Duplex | null = null;
		let previous: ResolvedSshConfig | null = null;
		for (const step of [...hops, config]) {
			if (previous === null) sock = await tcpConnect(step.hostname, step.port, bound(step.connectTimeoutMs));
			else sock = await forwardThrough(clients[clients.length - 1]!, step.hostname, step.port, previous.alias, remaining());
			try {
				clients.push(await handshake(sock, step, options, bound(step.connectTimeoutMs)));
			} catch (error) {
				sock.destroy();
				if (previous !== null && error instanceof TransportError) {
					throw new TransportError(`via jump host ${previous.alias}: ${error.message}`, error.kind);
				}
				throw error;
			}
			previous = step;
		}
	} catch (error) {
		destroyAll();
		throw error;
	}

	const client = clients[clients.length - 1]!;
	let open = true;
	let markClosed: (why: string) => void = () => {};
	const closed = new Promise<string>((resolve) => {
		markClosed = resolve;
	});
	const gone = (why: string) => {
		if (!open) return;
		open = false;
		destroyAll();
		markClosed(why);
	};
	for (const c of clients) {
		c.on('error', (error: Error) => gone(error.message.replace(/^\(SSH\) /, '')));
		c.on('close', () => gone('the connection was closed'));
		c.on('end', () => gone('the connection was closed'));
	}
	return {
		client,
		config,
		closed,
		isOpen: () => open,
		destroy: () => gone('closed by crimon'),
	};
}
