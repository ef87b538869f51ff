/**
 * A node's files as facts, and the small ones that rarely change (the kubelet's flags env,
 * its config and instance config) read again only when a stat says they changed: over SSH
 * a stat is one SFTP request on the kept session, a read three or more.
 *
 * A stamp is a file's size and mtime, and its inode where the transport has one. SFTP v3
 * (all OpenSSH speaks) gives mtime in whole seconds and no inode, so two things could pass
 * unseen: a second write within the same second, of the same size, and an older file of the
 * same size and mtime renamed over this one. The first is ruled out as git rules out a
 * "racily clean" index: a stamp is trusted only once a stat asked at least RACY_MS after the
 * first answer with that stamp still gave it (its read then is the file as it stays: every
 * later write has a later second). The second is bounded: a trusted file is read again
 * every REREAD_MS all the same.
 */
import {settleWithin} from '../util/deadline.js';
import type {NodeFileFact} from '../schema/types.js';
import {TransportError, type FileStamp, type Transport} from '../transport/transport.js';

/** mtime's grain over SFTP, and a margin. */
const RACY_MS = 1100;
/** How long a trusted stamp stands in for a read. */
const REREAD_MS = 60_000;

function errorText(error: unknown): string {
	return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
	return settleWithin<T>(timeoutMs, () => new TransportError(`no answer reading ${what} within ${timeoutMs} ms`, 'timeout'), (settle) => {
		promise.then(settle.resolve, settle.reject);
	});
}

/** A node file as a fact: its text, or missing, or why it could not be read. */
export async function readNodeFile(transport: Transport, path: string, maxBytes: number, timeoutMs: number): Promise<NodeFileFact> {
	try {
		const bytes = await withTimeout(transport.readFile(path, maxBytes), timeoutMs, path);
		return {path, text: bytes.toString('utf8'), missing: false, error: null};
	} catch (error) {
		if (error instanceof TransportError && error.kind === 'missing') return {path, text: null, missing: true, error: null};
		return {path, text: null, missing: false, error: errorText(error)};
	}
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
	return a.size === b.size && a.mtimeMs === b.mtimeMs && (a.inode === null || b.inode === null || a.inode === b.inode);
}

interface Kept {
	readonly stamp: FileStamp;
	readonly fact: NodeFileFact;
	/** When the first stat that gave this stamp answered. */
	readonly seenAt: number;
	/** When the file was last read. */
	readonly readAt: number;
	readonly trusted: boolean;
}

/** One per node collector: what it read of each file, and the stamp it read it under. */
export class ChangedFiles {
	private readonly kept = new Map<string, Kept>();
	/** Stats asked and files read, for tests and the benchmark. */
	readonly stats = {stats: 0, reads: 0};

	constructor(private readonly transport: Transport, private readonly now: () => number = Date.now) {}

	async read(path: string, maxBytes: number, timeoutMs: number): Promise<NodeFileFact> {
		if (!this.transport.statFile) return this.readNow(path, maxBytes, timeoutMs);
		const asked = this.now();
		let stamp: FileStamp;
		try {
			this.stats.stats++;
			stamp = await withTimeout(this.transport.statFile(path, timeoutMs), timeoutMs, path);
		} catch (error) {
			this.kept.delete(path);
			if (error instanceof TransportError && error.kind === 'missing') return {path, text: null, missing: true, error: null};
			// The read's own error is the one to report (the same words as without a stat).
			return this.readNow(path, maxBytes, timeoutMs);
		}
		const answered = this.now();
		const kept = this.kept.get(path);
		const same = kept !== undefined && sameStamp(kept.stamp, stamp);
		if (same && kept.trusted && asked - kept.readAt < REREAD_MS) return kept.fact;
		const fact = await this.readNow(path, maxBytes, timeoutMs);
		if (fact.text === null) {
			this.kept.delete(path);
			return fact;
		}
		this.kept.set(path, same
			? {stamp, fact, seenAt: kept.seenAt, readAt: asked, trusted: asked - kept.seenAt >= RACY_MS}
			: {stamp, fact, seenAt: answered, readAt: asked, trusted: false});
		return fact;
	}

	/** Forgets every file but these (a kubelet restarted with another --config, or gone). */
	keepOnly(paths: readonly string[]): void {
		for (const path of [...this.kept.keys()]) if (!paths.includes(path)) this.kept.delete(path);
	}

	private readNow(path: string, maxBytes: number, timeoutMs: number): Promise<NodeFileFact> {
		this.stats.reads++;
		return readNodeFile(this.transport, path, maxBytes, timeoutMs);
	}
}
