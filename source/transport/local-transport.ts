import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type {Duplex} from 'node:stream';
import {describeSocketError, TransportError, type ExecOptions, type ExecResult, type ProcFs, type Transport} from './transport.js';

function readOrNull(path: string): Buffer | null {
	try {
		return fs.readFileSync(path);
	} catch {
		// The process exited between listing and reading: an ordinary race, not an error.
		return null;
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
		return readOrNull(`/proc/${pid}/stat`)?.toString('utf8') ?? null;
	},
	readCmdline(pid) {
		return readOrNull(`/proc/${pid}/cmdline`);
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
		try {
			return fs.statSync(`/proc/${pid}`).uid;
		} catch {
			return null;
		}
	},
};

export function connectLocalUnix(path: string, timeoutMs: number): Promise<Duplex> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({path});
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new TransportError(`no answer from ${path} within ${timeoutMs} ms`, 'timeout'));
		}, timeoutMs);
		socket.once('connect', () => {
			clearTimeout(timer);
			socket.removeAllListeners('error');
			resolve(socket);
		});
		socket.once('error', (error) => {
			clearTimeout(timer);
			reject(describeSocketError(path, error));
		});
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

	connectUnix(path: string, timeoutMs: number): Promise<Duplex> {
		return connectLocalUnix(path, timeoutMs);
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
