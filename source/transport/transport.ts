/**
 * How bytes reach a node. Everything crimon learns about a node passes through one of
 * these, so the collectors above it run unchanged on this machine and over SSH, and the
 * tests can hand them recorded or hostile answers without mocking modules.
 */
import type {Duplex} from 'node:stream';

export interface ExecOptions {
	readonly timeoutMs: number;
	/** Output past this many bytes fails the command instead of filling memory. */
	readonly maxBytes: number;
}

export interface ExecResult {
	readonly stdout: Buffer;
	readonly stderr: string;
	readonly exitCode: number;
}

/** Direct, synchronous /proc access: only a local node has it, and it is what keeps polling cheap. */
export interface ProcFs {
	listPids(): number[];
	readStat(pid: number): string | null;
	readCmdline(pid: number): Buffer | null;
	ownerUid(pid: number): number | null;
	/** Any small kernel file (/proc, /sys/fs/cgroup) as text; null when it cannot be read. */
	readText?(path: string): string | null;
	/** A symlink's target (/proc/PID/ns/net names a network namespace); null when it cannot be read. */
	readLink?(path: string): string | null;
}

/** What a stat says of a file: enough to tell, without reading it, that it changed. */
export interface FileStamp {
	readonly size: number;
	/** Modification time; over SFTP (v3) in whole seconds. */
	readonly mtimeMs: number;
	/** null where the transport cannot see it: SFTP v3 carries no inode. */
	readonly inode: number | null;
}

export interface Transport {
	readonly kind: 'local' | 'ssh';
	/** `local` or `ssh://[user@]host[:port]`. */
	readonly target: string;
	/** Makes sure the node is reachable (SSH: connects, or reconnects after a drop), within timeoutMs; no-op locally. */
	connect(timeoutMs?: number): Promise<void>;
	hostname(): Promise<string>;
	/** Opens a stream to a unix socket on the node; rejects with a TransportError. */
	connectUnix(path: string, timeoutMs: number): Promise<Duplex>;
	/** Runs a fixed argv. Never given data that a node returned. */
	exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
	readFile(path: string, maxBytes: number): Promise<Buffer>;
	/** A file's stamp, without reading it; rejects as readFile does (`missing`, `denied`). Absent: read it to see. */
	statFile?(path: string, timeoutMs: number): Promise<FileStamp>;
	readonly procfs?: ProcFs;
	/** Whether a path exists on the node, asked without opening it (a stat); absent: open it to see. */
	pathExists?(path: string, timeoutMs: number): Promise<boolean>;
	/**
	 * Asked after a poll that failed in part or ran out of its `boundMs`: null when the node
	 * itself still answers (the failures are its sources'), else why it does not, with the
	 * connection dropped so the next poll opens a new one. Absent: the node cannot vanish
	 * (this machine).
	 */
	checkAlive?(timeoutMs: number, boundMs: number): Promise<TransportError | null>;
	close(): Promise<void>;
}

export type TransportErrorKind = 'missing' | 'denied' | 'refused' | 'timeout' | 'too-large' | 'unreachable' | 'other';

export class TransportError extends Error {
	override readonly name = 'TransportError';
	constructor(message: string, readonly kind: TransportErrorKind) {
		super(message);
	}
}

/** Turns a socket error into a sentence an operator can act on. */
export function describeSocketError(path: string, error: NodeJS.ErrnoException | Error): TransportError {
	const code = (error as NodeJS.ErrnoException).code ?? '';
	switch (code) {
		case 'ENOENT':
			return new TransportError(`no socket at ${path} (is the service running?)`, 'missing');
		case 'EACCES':
		case 'EPERM':
			return new TransportError(`permission denied on ${path} (run as root, or as a member of the socket's group)`, 'denied');
		case 'ECONNREFUSED':
			return new TransportError(`nothing is listening on ${path} (a stale socket: the service that made it stopped or crashed; is it running, and is this its path?)`, 'refused');
		case 'ENOTSOCK':
			return new TransportError(`${path} is not a socket`, 'other');
		default:
			return new TransportError(`cannot connect to ${path}: ${error.message}`, 'other');
	}
}

/** How a command is named in messages: the tool it runs, past `env VAR=…` and sudo's flags (`sudo docker`, not `env`). */
export function commandLabel(argv: readonly string[]): string {
	let at = 0;
	if (argv[at] === 'env') while (argv[++at]?.includes('='));
	if (argv[at] !== 'sudo') return argv[at] ?? argv[0] ?? '';
	while (argv[++at]?.startsWith('-'));
	return argv[at] ? `sudo ${argv[at]}` : 'sudo';
}
