/**
 * One gRPC session per socket per node, kept across polls. containerd and its CRI plugin
 * share a socket, so both ride one HTTP/2 session; over SSH that is one stream-local
 * channel instead of a new channel, handshake and settings exchange for every call of
 * every poll — most of what a poll of a small node used to cost.
 */
import {GrpcChannel} from '../protocol/grpc-client.js';
import type {Transport} from '../transport/transport.js';

export class GrpcChannelPool {
	private readonly channels = new Map<string, Promise<GrpcChannel>>();
	private closed = false;

	constructor(private readonly transport: Transport) {}

	/** A live channel to the socket: the kept one (reused), or a new one when it died or never was. */
	async get(path: string, timeoutMs: number): Promise<{channel: GrpcChannel; reused: boolean}> {
		// A poll that ran out of time goes on in the background; after close() nothing it opens
		// may be kept, or its session holds the process (`crimon snapshot` never exited).
		if (this.closed) throw new Error(`${path}: the node's sessions are closed`);
		// Two collectors (containerd and the CRI) can find the same dead session at once: the
		// one that wakes second must take the session the first opened, not open another.
		for (let kept = this.channels.get(path); kept; kept = this.channels.get(path)) {
			const channel = await kept.catch(() => null);
			if (channel?.isOpen()) return {channel, reused: true};
			if (this.channels.get(path) === kept) {
				this.channels.delete(path);
				break;
			}
		}
		const opening = this.transport.connectUnix(path, timeoutMs).then((stream) => {
			const channel = new GrpcChannel(stream);
			if (this.closed) {
				channel.close();
				throw new Error(`${path}: the node's sessions were closed while it opened`);
			}
			return channel;
		});
		this.channels.set(path, opening);
		opening.catch(() => {
			if (this.channels.get(path) === opening) this.channels.delete(path);
		});
		return {channel: await opening, reused: false};
	}

	/** Forgets a channel after a failure that may have left it wedged; the next poll opens anew. */
	drop(path: string, channel: GrpcChannel): void {
		channel.close();
		void this.channels.get(path)?.then((kept) => {
			if (kept === channel) this.channels.delete(path);
		}, () => undefined);
	}

	close(): void {
		this.closed = true;
		for (const pending of this.channels.values()) void pending.then((channel) => channel.close(), () => undefined);
		this.channels.clear();
	}
}

/**
 * Runs one collector's calls on a channel: from the pool when there is one (and drops it
 * if the calls fail), else on a channel of its own that is closed afterwards.
 */
export async function withChannel<T>(transport: Transport, pool: GrpcChannelPool | undefined, path: string, timeoutMs: number, run: (channel: GrpcChannel) => Promise<T>): Promise<T> {
	if (!pool) {
		const channel = new GrpcChannel(await transport.connectUnix(path, timeoutMs));
		try {
			return await run(channel);
		} finally {
			channel.close();
		}
	}
	const {channel, reused} = await pool.get(path, timeoutMs);
	try {
		return await run(channel);
	} catch (error) {
		// A gRPC status (unimplemented, not found) leaves the session sound; anything else may not.
		if (channel.isOpen() && hasGrpcStatus(error)) throw error;
		pool.drop(path, channel);
		// A kept session can die between polls (the runtime restarted, the SSH link dropped)
		// without anyone noticing yet: that is no fault of this poll, so try once afresh.
		// A timeout is the runtime being slow, not the session being dead: waiting twice helps nobody.
		if (!reused || (error as {code?: unknown}).code === 4) throw error;
		const fresh = await pool.get(path, timeoutMs);
		try {
			return await run(fresh.channel);
		} catch (retryError) {
			if (!fresh.channel.isOpen() || !hasGrpcStatus(retryError)) pool.drop(path, fresh.channel);
			throw retryError;
		}
	}
}

function hasGrpcStatus(error: unknown): boolean {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'number' && code !== 4;
}
