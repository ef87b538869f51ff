/**
 * Unary gRPC over HTTP/2 on any duplex stream: a local unix socket, or an SSH
 * stream-local channel to a remote node's socket. gRPC's framing is small (a 5-byte
 * prefix per message, status in trailers), and speaking it on a stream we already hold
 * is what lets the same code read a remote containerd with nothing installed on the node.
 */
import http2 from 'node:http2';
import type {Duplex} from 'node:stream';
import {settleWithin} from '../util/deadline.js';
import {describeStreamReset, grpcTimeoutHeader, isGrpcContentType, refusedMethod} from './grpc-wire.js';
import {decode, encode, type Decoded, type Encodable, type MessageSchema} from './protobuf.js';

export const GRPC_UNIMPLEMENTED = 12;

export class GrpcError extends Error {
	override readonly name = 'GrpcError';
	constructor(message: string, readonly code: number | null) {
		super(message);
	}
}

export interface CallOptions {
	readonly metadata?: Readonly<Record<string, string>>;
	readonly timeoutMs: number;
	/** Answers larger than this are refused rather than buffered. */
	readonly maxBytes: number;
}

const GRPC_CODE_NAMES: Record<number, string> = {
	1: 'cancelled', 2: 'unknown error', 3: 'invalid argument', 4: 'deadline exceeded', 5: 'not found',
	7: 'permission denied', 8: 'resource exhausted', 12: 'unimplemented', 13: 'internal error',
	14: 'unavailable', 16: 'unauthenticated',
};

function frame(payload: Uint8Array): Buffer {
	const out = Buffer.alloc(5 + payload.length);
	out.writeUInt8(0, 0);
	out.writeUInt32BE(payload.length, 1);
	out.set(payload, 5);
	return out;
}

function unframe(body: Buffer): Uint8Array {
	if (body.length < 5) throw new GrpcError(`answer of ${body.length} bytes is not a gRPC message`, null);
	if (body[0] !== 0) throw new GrpcError('answer is compressed, which crimon did not ask for', null);
	const length = body.readUInt32BE(1);
	if (5 + length > body.length) throw new GrpcError('answer was cut short', null);
	return body.subarray(5, 5 + length);
}

function decodeGrpcMessage(raw: string | string[] | undefined): string {
	const text = Array.isArray(raw) ? raw.join(',') : raw ?? '';
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

export class GrpcChannel {
	private readonly session: http2.ClientHttp2Session;
	private sessionError: Error | null = null;

	constructor(stream: Duplex) {
		this.session = http2.connect('http://localhost', {createConnection: () => stream});
		this.session.on('error', (error) => {
			this.sessionError = error;
		});
	}

	async call<Q extends MessageSchema, R extends MessageSchema>(path: string, requestSchema: Q, request: Encodable<Q>, responseSchema: R, options: CallOptions): Promise<Decoded<R>> {
		const body = await this.raw(path, encode(requestSchema, request), options);
		return decode(responseSchema, body);
	}

	raw(path: string, request: Uint8Array, options: CallOptions): Promise<Uint8Array> {
		const refused = refusedMethod(path);
		if (refused) return Promise.reject(new GrpcError(refused, null));
		if (this.sessionError) return Promise.reject(new GrpcError(this.sessionError.message, null));
		const headers: http2.OutgoingHttpHeaders = {
			':method': 'POST',
			':path': path,
			'content-type': 'application/grpc',
			te: 'trailers',
			'grpc-timeout': grpcTimeoutHeader(options.timeoutMs),
			...options.metadata,
		};
		return settleWithin<Uint8Array>(options.timeoutMs, () => new GrpcError(`no answer within ${options.timeoutMs} ms`, 4), (settle) => {
			const chunks: Buffer[] = [];
			let received = 0;
			let status: number | null = null;
			let statusMessage = '';
			let httpStatus = 0;
			let contentType: string | undefined;

			const request_ = this.session.request(headers);
			settle.onSettle(() => {
				if (!request_.closed) request_.close(http2.constants.NGHTTP2_CANCEL);
			});
			const finish = (error: Error | null, value?: Uint8Array) => (error ? settle.reject(error) : settle.resolve(value!));

			const readStatus = (fields: http2.IncomingHttpHeaders) => {
				const raw = fields['grpc-status'];
				if (raw !== undefined) {
					status = Number(raw);
					statusMessage = decodeGrpcMessage(fields['grpc-message']);
				}
			};
			request_.on('response', (fields) => {
				httpStatus = Number(fields[':status'] ?? 0);
				contentType = fields['content-type'];
				readStatus(fields);
			});
			request_.on('trailers', readStatus);
			request_.on('data', (chunk: Buffer) => {
				received += chunk.length;
				if (received > options.maxBytes) {
					finish(new GrpcError(`answer is larger than the ${options.maxBytes}-byte bound`, 8));
					return;
				}
				chunks.push(chunk);
			});
			request_.on('error', (error) => {
				// The server's RST_STREAM arrives as a stream error; name its code, not Node's wording.
				const reset = request_.rstCode;
				if (reset !== undefined && reset !== http2.constants.NGHTTP2_NO_ERROR && status === null) {
					const {message, grpcCode} = describeStreamReset(reset);
					finish(new GrpcError(message, grpcCode));
					return;
				}
				finish(new GrpcError(error.message, null));
			});
			request_.on('close', () => {
				if (httpStatus === 200 && !isGrpcContentType(contentType)) {
					// Whatever status it carries, a body that is not application/grpc is not ours to decode.
					finish(new GrpcError(`not a gRPC answer (content-type ${contentType === undefined ? 'missing' : JSON.stringify(contentType.slice(0, 80))})`, null));
					return;
				}
				if (status === null) {
					const reset = request_.rstCode;
					if (reset !== undefined && reset !== http2.constants.NGHTTP2_NO_ERROR) {
						const {message, grpcCode} = describeStreamReset(reset);
						finish(new GrpcError(message, grpcCode));
						return;
					}
					const detail = this.sessionError?.message ?? (httpStatus && httpStatus !== 200 ? `HTTP status ${httpStatus}` : 'stream closed without a gRPC status');
					finish(new GrpcError(`not a gRPC answer (${detail})`, null));
					return;
				}
				if (status !== 0) {
					const name = GRPC_CODE_NAMES[status] ?? `status ${status}`;
					finish(new GrpcError(statusMessage ? `${name}: ${statusMessage}` : name, status));
					return;
				}
				try {
					finish(null, unframe(Buffer.concat(chunks)));
				} catch (error) {
					finish(error as Error);
				}
			});
			request_.end(frame(request));
		});
	}

	isOpen(): boolean {
		return this.sessionError === null && !this.session.closed && !this.session.destroyed;
	}

	close(): void {
		if (!this.session.closed && !this.session.destroyed) this.session.destroy();
	}
}
