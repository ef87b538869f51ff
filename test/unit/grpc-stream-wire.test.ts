/**
 * The streaming gRPC client (containerd's event stream) holds to the same wire checks as
 * the unary one: an answer that is not application/grpc is refused, and a server's
 * RST_STREAM is named by its HTTP/2 code. Against an in-process HTTP/2 server on a unix
 * socket standing in for a runtime (the real event stream is in the lab tests).
 */
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {GrpcStreamError, openGrpcStream} from '../../source/protocol/grpc-stream.js';
import {connectLocalUnix} from '../../source/transport/local-transport.js';

let server: http2.Http2Server;
let socketPath: string;

function frame(payload: Buffer): Buffer {
	const head = Buffer.alloc(5);
	head.writeUInt32BE(payload.length, 1);
	return Buffer.concat([head, payload]);
}

beforeAll(async () => {
	socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-grpc-stream-')), 'grpc.sock');
	server = http2.createServer();
	server.on('stream', (stream, headers) => {
		stream.on('error', () => {});
		stream.on('data', () => {});
		switch (headers[':path']) {
			case '/two-then-ok':
				stream.respond({':status': 200, 'content-type': 'application/grpc+proto'}, {waitForTrailers: true});
				stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
				stream.write(frame(Buffer.from('a')));
				stream.end(frame(Buffer.from('b')));
				return;
			case '/html':
				stream.respond({':status': 200, 'content-type': 'text/html'});
				stream.end('<html></html>');
				return;
			case '/refused':
				stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
				return;
			case '/cancel-after-one':
				stream.respond({':status': 200, 'content-type': 'application/grpc'});
				stream.write(frame(Buffer.from('a')), () => stream.close(http2.constants.NGHTTP2_CANCEL));
		}
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function subscribe(route: string): Promise<{messages: string[]; error: GrpcStreamError | null}> {
	const duplex = await connectLocalUnix(socketPath, 1000);
	return new Promise((resolve) => {
		const messages: string[] = [];
		openGrpcStream(duplex, route, new Uint8Array(), {maxMessageBytes: 1024, openAfterMs: 1000}, {
			onMessage: (bytes) => messages.push(Buffer.from(bytes).toString()),
			onEnd: (error) => resolve({messages, error}),
		});
	});
}

describe('the streaming gRPC client on the wire', () => {
	it('reads application/grpc+proto messages to a clean end', async () => {
		expect(await subscribe('/two-then-ok')).toEqual({messages: ['a', 'b'], error: null});
	});
	it('refuses an answer that is not gRPC, saying its content-type', async () => {
		const {messages, error} = await subscribe('/html');
		expect(messages).toEqual([]);
		expect(error?.message).toBe('not a gRPC answer (content-type "text/html")');
	});
	it('names the RST_STREAM code the server ends the call with', async () => {
		expect((await subscribe('/refused')).error).toMatchObject({code: 14, message: expect.stringMatching(/^the server reset the stream with REFUSED_STREAM/) as unknown});
		const cancelled = await subscribe('/cancel-after-one');
		expect(cancelled.messages).toEqual(['a']);
		expect(cancelled.error).toMatchObject({code: 1, message: 'the server reset the stream with CANCEL'});
	});
});
