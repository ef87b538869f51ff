import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type {Duplex} from 'node:stream';
import {settleWithin} from '../util/deadline.js';
import {describeSocketError, TransportError, type ExecOptions, type ExecResult, type FileStamp, type ProcFs, type Transport} from './transport.js';

/**
 * One buffer for every /proc read. readFileSync sees /proc files as empty (st_size 0), so
 * it reads each into fresh 64 KiB buffers after an fstat: at thousands of processes that
 * was most of a snapshot's time. Reading into a kept buffer needs open, read, close.
 */
let procBuffer = Buffer.allocUnsafe(16 * 1024);

/** The file's bytes in procBuffer (valid until the next read), or -1 when it cannot be read. */
function readProcFile(path: string): number {
	let fd: number;
	try {
		fd = fs.openSync(path, 'r');
	} catch {
		// The process exited between listing and reading: an ordinary race, not an error.
		return -1;
	}
	try {
		let total = 0;
		for (;;) {
			if (total === procBuffer.length) {
				const bigger = Buffer.allocUnsafe(procBuffer.length * 2);
				procBuffer.copy(bigger, 0, 0, total);
				procBuffer = bigger;
			}
			const read = fs.readSync(fd, procBuffer, total, procBuffer.length - total, null);
			if (read === 0) return total;
			total += read;
		}
	} catch {
		return -1;
	} finally {
		fs.closeSync(fd);
	}
}

let textBuffer = Buffer.alloc(65536);

const localProcFs: ProcFs = {
	listPids() {
		const pids: number[] = [];
		for (const entry of fs.readdirSync('/proc')) {
			const code = entry.charCodeAt(0);
			if (code >= 48 && code <= 57) pids.push(Number(entry));
		}
		return pids;
	},
	readStat(pid) {
		const length = readProcFile(`/proc/${pid}/stat`);
		return length < 0 ? null : procBuffer.toString('utf8', 0, length);
	},
	readCmdline(pid) {
		const length = readProcFile(`/proc/${pid}/cmdline`);
		return length < 0 ? null : Buffer.from(procBuffer.subarray(0, length));
	},
	readLink(path) {
		try {
			return fs.readlinkSync(path);
		} catch {
			return null;
		}
	},
	readText(path) {
		// One open, one read into a kept buffer, one close: a third of readFileSync's cost on
		// cgroup and proc files (no fstat, no allocation), which at a thousand containers is
		// most of a poll. Kernel text files are ASCII and far smaller than the buffer.
		let fd: number;
		try {
			fd = fs.openSync(path, 'r');
		} catch {
			return null;
		}
		try {
			let length = 0;
			for (;;) {
				if (length === textBuffer.length) textBuffer = Buffer.concat([textBuffer, Buffer.alloc(textBuffer.length)]);
				const read = fs.readSync(fd, textBuffer, length, textBuffer.length - length, null);
				length += read;
				// A kernel file hands over all it has in one read when there is room for it; asking
				// again only to hear "end" would be one more system call per file.
				if (read === 0 || length < textBuffer.length) break;
			}
			return textBuffer.toString('latin1', 0, length);
		} catch {
			return null;
		} finally {
			fs.closeSync(fd);
		}
	},
	ownerUid(pid) {
		return fs.statSync(`/proc/${pid}`, {throwIfNoEntry: false})?.uid ?? null;
	},
};

export function connectLocalUnix(path: string, timeoutMs: number): Promise<Duplex> {
	return settleWithin<Duplex>(timeoutMs, () => new TransportError(`no answer from ${path} within ${timeoutMs} ms`, 'timeout'), (settle) => {
		const socket = net.connect({path});
		settle.onSettle((failed) => {
			if (failed) socket.destroy();
		});
		socket.once('connect', () => {
			socket.removeAllListeners('error');
			settle.resolve(socket);
		});
		socket.once('error', (error) => settle.reject(describeSocketError(path, error)));
	});
}

export class LocalTransport implements Transport {
	readonly kind = 'local';
	readonly target = 'local';
	readonly procfs: ProcFs = localProcFs;

	async connect(): Promise<void> {}

	async hostname(): Promise<string> {
		return os.hostname();
	}

	/**
	 * Sockets found missing. Most of the CRI probe's candidates are missing on any node, and
	 * a failed connect costs a socket, a handle and an error each poll: a missing one is
	 * looked at with a stat until it appears, which sees a runtime start at once.
	 */
	private readonly missing = new Set<string>();

	async connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		if (this.missing.has(path)) {
			if (!fs.existsSync(path)) throw describeSocketError(path, Object.assign(new Error('no such file'), {code: 'ENOENT'}));
			this.missing.delete(path);
		}
		try {
			return await connectLocalUnix(path, timeoutMs);
		} catch (error) {
			if (error instanceof TransportError && error.kind === 'missing') this.missing.add(path);
			throw error;
		}
	}

	async pathExists(path: string): Promise<boolean> {
		try {
			await fs.promises.stat(path);
			return true;
		} catch (error) {
			return (error as NodeJS.ErrnoException).code !== 'ENOENT';
		}
	}

	async exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
		const [file, ...args] = argv;
		if (!file) throw new TransportError('empty command', 'other');
		// Loaded on first use: a local node reads /proc and sockets directly and rarely runs
		// anything, and execa's import would cost the headless path a third of its start-up.
		const {execa} = await import('execa');
		const result = await execa(file, args, {
			timeout: options.timeoutMs,
			maxBuffer: options.maxBytes,
			encoding: 'buffer',
			reject: false,
			stdin: 'ignore',
		});
		if (result.timedOut) throw new TransportError(`${file} gave no answer within ${options.timeoutMs} ms`, 'timeout');
		if (result.isMaxBuffer) throw new TransportError(`${file} printed more than ${options.maxBytes} bytes`, 'too-large');
		if (result.exitCode === undefined) {
			const reason = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? 'not installed' : result.shortMessage;
			throw new TransportError(`cannot run ${file}: ${reason}`, 'missing');
		}
		return {
			stdout: Buffer.from(result.stdout),
			stderr: Buffer.from(result.stderr).toString('utf8'),
			exitCode: result.exitCode,
		};
	}

	async statFile(path: string): Promise<FileStamp> {
		try {
			const stats = await fs.promises.stat(path);
			return {size: stats.size, mtimeMs: stats.mtimeMs, inode: stats.ino};
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') throw new TransportError(`no file at ${path}`, 'missing');
			if (code === 'EACCES') throw new TransportError(`permission denied reading ${path}`, 'denied');
			throw new TransportError(`cannot check ${path}: ${(error as Error).message}`, 'other');
		}
	}

	async readFile(path: string, maxBytes: number): Promise<Buffer> {
		let handle: fs.promises.FileHandle;
		try {
			handle = await fs.promises.open(path, 'r');
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') throw new TransportError(`no file at ${path}`, 'missing');
			if (code === 'EACCES') throw new TransportError(`permission denied reading ${path}`, 'denied');
			throw new TransportError(`cannot read ${path}: ${(error as Error).message}`, 'other');
		}
		try {
			const chunks: Buffer[] = [];
			let total = 0;
			for (;;) {
				const chunk = Buffer.alloc(65536);
				const {bytesRead} = await handle.read(chunk, 0, chunk.length, null);
				if (bytesRead === 0) break;
				total += bytesRead;
				if (total > maxBytes) throw new TransportError(`${path} is larger than ${maxBytes} bytes`, 'too-large');
				chunks.push(chunk.subarray(0, bytesRead));
			}
			return Buffer.concat(chunks, total);
		} finally {
			await handle.close();
		}
	}

	async close(): Promise<void> {}
}
