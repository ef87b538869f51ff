/**
 * A Transport for tests: sockets are real (the replay servers'), the process table is a
 * recorded `ps` output, and chosen paths can be made to fail as a real node's would.
 */
import fs from 'node:fs';
import type {Duplex} from 'node:stream';
import {connectLocalUnix} from '../../source/transport/local-transport.js';
import {describeSocketError, TransportError, type ExecOptions, type ExecResult, type Transport} from '../../source/transport/transport.js';

/**
 * Stands for a remote node (kind 'ssh'), and goes through the same NodeSession as every
 * node: `alive` is what the node's liveness check answers after a poll that failed.
 */
export class ReplayTransport implements Transport {
	readonly kind = 'ssh';
	readonly target = 'ssh://replay';
	readonly execLog: string[][] = [];
	alive = true;
	livenessChecks = 0;

	constructor(private readonly ps: Buffer | (() => Buffer), private readonly denied: ReadonlySet<string> = new Set()) {}

	async connect(): Promise<void> {}
	async hostname(): Promise<string> {
		return 'replay';
	}

	connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		if (this.denied.has(path)) return Promise.reject(describeSocketError(path, Object.assign(new Error('EACCES'), {code: 'EACCES'})));
		return connectLocalUnix(path, timeoutMs);
	}

	/** As SshTransport's SFTP stat: the replay sockets are files on this machine. */
	async pathExists(path: string): Promise<boolean> {
		return fs.existsSync(path) && !this.denied.has(path);
	}

	async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		this.execLog.push([...argv]);
		// `ps` alone, or the process table's one command with the network namespaces (netns-script.ts), which a recording answers with its ps part only.
		if (argv[0] !== 'ps' && !(argv[0] === 'sh' && argv[2]?.startsWith('ps '))) throw new TransportError(`cannot run ${argv[0]}: not installed`, 'missing');
		const stdout = typeof this.ps === 'function' ? this.ps() : this.ps;
		if (stdout.length > options.maxBytes) throw new TransportError(`ps printed more than ${options.maxBytes} bytes`, 'too-large');
		return {stdout, stderr: '', exitCode: 0};
	}

	async readFile(path: string): Promise<Buffer> {
		throw new TransportError(`no file at ${path}`, 'missing');
	}

	/** The bound each liveness check was given. */
	readonly livenessBounds: number[] = [];

	async checkAlive(timeoutMs: number, boundMs: number): Promise<TransportError | null> {
		this.livenessChecks++;
		this.livenessBounds.push(timeoutMs);
		return this.alive ? null : new TransportError(`replay stopped answering: no reply within ${boundMs} ms`, 'timeout');
	}

	async close(): Promise<void> {}
}
