/**
 * Saved snapshots (`crimon snapshot --json` output) read back for --from and compare:
 * the file (or stdin for `-`) read with a byte bound, parsed, and checked. Whatever is
 * wrong becomes one SnapshotFileError naming the file and the problem, which the CLI
 * prints as one line and exits 2 on: no stack, nothing from the file unescaped.
 */
import fs from 'node:fs/promises';
import {escapeText} from '../render/terminal-text.js';
import type {Snapshot} from '../schema/types.js';
import {SnapshotProblem} from './snapshot-problem.js';

/** The 50,000-process benchmark node saves 15.8 MB; a bound well above any real node. */
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

export class SnapshotFileError extends Error {
	override readonly name = 'SnapshotFileError';
	constructor(readonly file: string, readonly problem: string) {
		super(`${displayName(file)}: ${problem}`);
	}
}

export interface LoadedSnapshot {
	/** As given: a path, or - for stdin. */
	readonly file: string;
	readonly snapshot: Snapshot;
}

/** The file as messages and titles name it: stdin for -, control characters escaped. */
export function displayName(file: string): string {
	return file === '-' ? 'stdin' : escapeText(file);
}

async function readBounded(file: string): Promise<Buffer> {
	if (file === '-') {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of process.stdin) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			size += buffer.length;
			if (size > MAX_SNAPSHOT_BYTES) throw new SnapshotProblem(`larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MiB, not a snapshot crimon reads`);
			chunks.push(buffer);
		}
		return Buffer.concat(chunks);
	}
	const handle = await fs.open(file, 'r');
	try {
		const stat = await handle.stat();
		if (stat.isDirectory()) throw new SnapshotProblem('a directory, not a file');
		if (stat.size > MAX_SNAPSHOT_BYTES) throw new SnapshotProblem(`${stat.size} bytes, larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MiB`);
		// Read to the end with the bound, not to stat's size: a FIFO or /proc file has none.
		const chunks: Buffer[] = [];
		let size = 0;
		for (;;) {
			const buffer = Buffer.alloc(1024 * 1024);
			const {bytesRead} = await handle.read(buffer, 0, buffer.length, null);
			if (bytesRead === 0) break;
			size += bytesRead;
			if (size > MAX_SNAPSHOT_BYTES) throw new SnapshotProblem(`larger than ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MiB`);
			chunks.push(buffer.subarray(0, bytesRead));
		}
		return Buffer.concat(chunks);
	} finally {
		await handle.close();
	}
}

function ioProblem(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such file';
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'EISDIR') return 'a directory, not a file';
	return `cannot be read (${code ?? (error instanceof Error ? escapeText(error.message.split('\n')[0]!) : 'unknown error')})`;
}

export async function loadSnapshotFile(file: string): Promise<LoadedSnapshot> {
	let bytes: Buffer;
	try {
		bytes = await readBounded(file);
	} catch (error) {
		if (error instanceof SnapshotProblem) throw new SnapshotFileError(file, error.message);
		throw new SnapshotFileError(file, ioProblem(error));
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
	} catch {
		throw new SnapshotFileError(file, 'not UTF-8 text, so not a crimon snapshot');
	}
	// The schema check (ajv, TypeBox) loads only here: a live snapshot never reads a file.
	const {parseSnapshotText} = await import('./parse-snapshot.js');
	try {
		return {file, snapshot: parseSnapshotText(text)};
	} catch (error) {
		if (error instanceof SnapshotProblem) throw new SnapshotFileError(file, error.message);
		throw error;
	}
}

/** Every file in order; the first bad one stops it. */
export async function loadSnapshotFiles(files: readonly string[]): Promise<LoadedSnapshot[]> {
	const out: LoadedSnapshot[] = [];
	for (const file of files) out.push(await loadSnapshotFile(file));
	return out;
}
