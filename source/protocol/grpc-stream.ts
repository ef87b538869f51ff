/**
 * Server-streaming gRPC over HTTP/2 on any duplex stream (a local unix socket or an SSH
 * stream-local channel), for containerd's event stream. One HTTP/2 session per stream:
 * it lives as long as the subscription, apart from the unary sessions polls keep.
 * Each message is handed over as it completes; one larger than `maxMessageBytes` ends the
 * stream with an error instead of filling memory. HTTP/2 pings notice a peer that went
 * silent (an SSH link that dropped without a FIN).
 */
import http2 from 'node:http2';
import type {Duplex} from 'node:stream';
import {describeStreamReset, isGrpcContentType, refusedMethod} from './grpc-wire.js';

export interface StreamOptions {
	readonly metadata?: Readonly<Record<string, string>>;
	/** Bound on one message's size. */
	readonly maxMessageBytes: number;
	/**
	 * A server may hold its response headers until its first message (containerd does), so
	 * a call still standing after this long, unrefused, counts as open.
	 */
	readonly openAfterMs: number;
	/** Ping the peer this often; a ping unanswered within the next period ends the stream. 0: never. */
	readonly pingIntervalMs?: number;
}

export interface StreamHandlers {
	/** The server accepted the call: headers arrived, or `openAfterMs` passed without a refusal. Called once at most. */
	onOpen?(): void;
	onMessage(bytes: Uint8Array): void;
	/** The stream ended: null after a clean OK status, else why. Called once. */
	onEnd(error: GrpcStreamError | null): void;
}

export class GrpcStreamError extends Error {
	override readonly name = 'GrpcStreamError';
	constructor(message: string, readonly code: number | null) {
		super(message);
	}
}

export interface GrpcStream {
	close(): void;
}

const STATUS_NAMES: Record<number, string> = {1: 'cancelled', 3: 'invalid argument', 4: 'deadline exceeded', 7: 'permission denied', 12: 'unimplemented', 13: 'internal error', 14: 'unavailable'};

function frame(payload: Uint8Array): Buffer {
	const out = Buffer.alloc(5 + payload.length);
	out.writeUInt32BE(payload.length, 1);
	out.set(payload, 5);
	return out;
}

/**
 * Splits gRPC's length-prefixed messages out of a byte stream that arrives in arbitrary
 * chunks. Pure apart from its buffer; exported for tests.
 */
export class MessageSplitter {
	private pending: Buffer[] = [];
	private size = 0;

	constructor(private readonly maxMessageBytes: number) {}

	/** Every message completed by this chunk; throws GrpcStreamError on a bad prefix or an oversized message. */
	push(chunk: Buffer): Uint8Array[] {
		this.pending.push(chunk);
		this.size += chunk.length;
		const out: Uint8Array[] = [];
		for (;;) {
			if (this.size < 5) return out;
			const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
			this.pending = [head];
			if (head[0] !== 0) throw new GrpcStreamError(head[0] === 1 ? 'a compressed message, which crimon did not ask for' : 'bytes that are not a gRPC message', null);
			const length = head.readUInt32BE(1);
			if (length > this.maxMessageBytes) throw new GrpcStreamError(`a message of ${length} bytes, past the ${this.maxMessageBytes}-byte bound`, 8);
			if (this.size < 5 + length) return out;
			out.push(head.subarray(5, 5 + length));
			const rest = head.subarray(5 + length);
			this.pending = rest.length > 0 ? [rest] : [];
			this.size = rest.length;
		}
	}
}

/** Calls `path` with one request message and reads its stream of answers until closed. */
export function openGrpcStream(duplex: Duplex, path: string, request: Uint8Array, options: StreamOptions, handlers: StreamHandlers): GrpcStream {
	const refused = refusedMethod(path);
	if (refused) {
		duplex.destroy();
		throw new GrpcStreamError(refused, null);
	}
	const session = http2.connect('http://localhost', {createConnection: () => duplex});
	let ended = false;
	let opened = false;
	const open = () => {
		if (opened || ended) return;
		opened = true;
		handlers.onOpen?.();
	};
	let pingTimer: NodeJS.Timeout | null = null;
	let awaitingPing = false;
	const end = (error: GrpcStreamError | null) => {
		if (ended) return;
		ended = true;
		clearTimeout(openTimer);
		if (pingTimer) clearInterval(pingTimer);
		if (!call.closed) call.close(http2.constants.NGHTTP2_CANCEL);
		if (!session.destroyed) session.destroy();
		handlers.onEnd(error);
	};
	session.on('error', (error) => end(new GrpcStreamError(error.message, null)));
	session.on('close', () => end(new GrpcStreamError('the connection closed', null)));

	const call = session.request({
		':method': 'POST',
		':path': path,
		'content-type': 'application/grpc',
		te: 'trailers',
		...options.metadata,
	});
	const openTimer = setTimeout(open, options.openAfterMs);
	const splitter = new MessageSplitter(options.maxMessageBytes);
	let status: number | null = null;
	let statusMessage = '';
	const readStatus = (fields: http2.IncomingHttpHeaders) => {
		const raw = fields['grpc-status'];
		if (raw === undefined) return;
		status = Number(raw);
		const text = Array.isArray(fields['grpc-message']) ? fields['grpc-message'].join(',') : fields['grpc-message'] ?? '';
		try {
			statusMessage = decodeURIComponent(text);
		} catch {
			statusMessage = text;
		}
	};
	call.on('response', (fields) => {
		clearTimeout(openTimer);
		const httpStatus = Number(fields[':status'] ?? 0);
		if (httpStatus !== 200) {
			end(new GrpcStreamError(`not a gRPC answer (HTTP status ${httpStatus})`, null));
			return;
		}
		if (!isGrpcContentType(fields['content-type'])) {
			const type = fields['content-type'];
			end(new GrpcStreamError(`not a gRPC answer (content-type ${type === undefined ? 'missing' : JSON.stringify(type.slice(0, 80))})`, null));
			return;
		}
		readStatus(fields);
		if (status === null) open();
	});
	if (options.pingIntervalMs) {
		{
			pingTimer = setInterval(() => {
				if (awaitingPing) {
					end(new GrpcStreamError(`the peer did not answer a ping within ${options.pingIntervalMs} ms`, 4));
					return;
				}
				awaitingPing = true;
				session.ping((error) => {
					if (!error) awaitingPing = false;
				});
			}, options.pingIntervalMs);
			pingTimer.unref();
		}
	}
	call.on('trailers', readStatus);
	call.on('data', (chunk: Buffer) => {
		if (ended) return;
		let messages: Uint8Array[];
		try {
			messages = splitter.push(chunk);
		} catch (error) {
			end(error as GrpcStreamError);
			return;
		}
		if (messages.length > 0) open();
		for (const message of messages) {
			if (ended) return;
			handlers.onMessage(message);
		}
	});
	// A server's RST_STREAM ends the call as a stream error: name its HTTP/2 code.
	const reset = (): GrpcStreamError | null => {
		if (status !== null || call.rstCode === undefined || call.rstCode === http2.constants.NGHTTP2_NO_ERROR) return null;
		const {message, grpcCode} = describeStreamReset(call.rstCode);
		return new GrpcStreamError(message, grpcCode);
	};
	call.on('error', (error) => end(reset() ?? new GrpcStreamError(error.message, null)));
	call.on('close', () => {
		if (status === null) end(reset() ?? new GrpcStreamError('the stream closed without a gRPC status', null));
		else if (status === 0) end(null);
		else end(new GrpcStreamError(`${STATUS_NAMES[status] ?? `status ${status}`}${statusMessage ? `: ${statusMessage}` : ''}`, status));
	});
	call.end(frame(request));
	return {close: () => end(null)};
}
