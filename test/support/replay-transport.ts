/**
 * A Transport for tests: sockets are real (the replay servers'), the process table is a
 * recorded `ps` output, and chosen paths can be made to fail as a real node's would.
 */
import type {Duplex} from 'node:stream';
import {connectLocalUnix} from '../../source/transport/local-transport.js';
import {describeSocketError, TransportError, type ExecOptions, type ExecResult, type Transport} from '../../source/transport/transport.js';

export class ReplayTransport implements Transport {
	readonly kind = 'ssh';
	readonly target = 'ssh://replay';
	readonly execLog: string[][] = [];

	constructor(private readonly ps: Buffer | (() => Buffer), private readonly denied: ReadonlySet<string> = new Set()) {}

	async connect(): Promise<void> {}
	async hostname(): Promise<string> {
		return 'replay';
	}

	connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		if (this.denied.has(path)) return Promise.reject(describeSocketError(path, Object.assign(new Error('EACCES'), {code: 'EACCES'})));
		return connectLocalUnix(path, timeoutMs);
	}

	async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		this.execLog.push([...argv]);
		if (argv[0] !== 'ps') throw new TransportError(`cannot run ${argv[0]}: not installed`, 'missing');
		const stdout = typeof this.ps === 'function' ? this.ps() : this.ps;
		if (stdout.length > options.maxBytes) throw new TransportError(`ps printed more than ${options.maxBytes} bytes`, 'too-large');
		return {stdout, stderr: '', exitCode: 0};
	}

	async readFile(path: string): Promise<Buffer> {
		throw new TransportError(`no file at ${path}`, 'missing');
	}

	async close(): Promise<void> {}
}
