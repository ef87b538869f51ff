/**
 * The gRPC client against an in-process HTTP/2 server on a unix socket: a stand-in that
 * answers the ways real and broken runtimes do (the real runtimes are in the lab tests).
 */
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {GrpcChannel, GrpcError} from '../../source/protocol/grpc-client.js';
import {connectLocalUnix} from '../../source/transport/local-transport.js';

let server: http2.Http2Server;
let socketPath: string;
const timeoutHeaders: string[] = [];

function frame(payload: Buffer): Buffer {
	const head = Buffer.alloc(5);
	head.writeUInt32BE(payload.length, 1);
	return Buffer.concat([head, payload]);
}

beforeAll(async () => {
	socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-grpc-')), 'grpc.sock');
	server = http2.createServer();
	server.on('stream', (stream, headers) => {
		const route = headers[':path'];
		timeoutHeaders.push(String(headers['grpc-timeout']));
		// A stream this server resets reports the reset on its own side too.
		stream.on('error', () => {});
		stream.on('data', () => {});
		stream.on('end', () => {
			switch (route) {
				case '/ok':
					stream.respond({':status': 200, 'content-type': 'application/grpc'}, {waitForTrailers: true});
					stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
					stream.end(frame(Buffer.from([0x0a, 0x02, 0x68, 0x69])));
					return;
				case '/unimplemented':
					// Trailers-only answer, as servers send for an unknown method.
					stream.respond({':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown%20service'}, {endStream: true});
					return;
				case '/huge':
					stream.respond({':status': 200, 'content-type': 'application/grpc'});
					stream.end(frame(Buffer.alloc(200_000)));
					return;
				case '/http404':
					stream.respond({':status': 404}, {endStream: true});
					return;
				case '/silent':
					return; // never answers
				case '/proto-ok':
					// gRPC allows the codec suffix: +proto is what crimon speaks.
					stream.respond({':status': 200, 'content-type': 'application/grpc+proto'}, {waitForTrailers: true});
					stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
					stream.end(frame(Buffer.from([0x0a, 0x01, 0x78])));
					return;
				case '/html':
					// A web server on the socket: HTTP 200, but not gRPC.
					stream.respond({':status': 200, 'content-type': 'text/html; charset=utf-8'});
					stream.end('<html>hello</html>');
					return;
				case '/grpc-json':
					// A gRPC answer in another codec, with a good status: still not protobuf bytes.
					stream.respond({':status': 200, 'content-type': 'application/grpc+json'}, {waitForTrailers: true});
					stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
					stream.end(frame(Buffer.from('{"version":"1"}')));
					return;
				case '/no-content-type':
					stream.respond({':status': 200}, {waitForTrailers: true});
					stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
					stream.end(frame(Buffer.from([0x0a, 0x01, 0x78])));
					return;
				case '/refused':
					stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
					return;
				case '/cancel-mid-answer':
					stream.respond({':status': 200, 'content-type': 'application/grpc'});
					stream.write(frame(Buffer.alloc(100)).subarray(0, 20), () => stream.close(http2.constants.NGHTTP2_CANCEL));
					return;
				case '/calm':
					stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
					return;
				case '/cut':
					stream.respond({':status': 200, 'content-type': 'application/grpc'}, {waitForTrailers: true});
					stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
					stream.end(frame(Buffer.from([1, 2, 3])).subarray(0, 6));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(route: string, timeoutMs = 2000, maxBytes = 100_000): Promise<Uint8Array> {
	const channel = new GrpcChannel(await connectLocalUnix(socketPath, 1000));
	try {
		return await channel.raw(route, new Uint8Array(), {timeoutMs, maxBytes});
	} finally {
		channel.close();
	}
}

describe('GrpcChannel', () => {
	it('returns the message of a good answer', async () => {
		expect(Buffer.from(await call('/ok')).toString('hex')).toBe('0a026869');
	});
	it('reports a trailers-only status with its code and message', async () => {
		await expect(call('/unimplemented')).rejects.toMatchObject({code: 12, message: 'unimplemented: unknown service'});
	});
	it('refuses an answer past the byte bound', async () => {
		await expect(call('/huge')).rejects.toThrow(/larger than the 100000-byte bound/);
	});
	it('says when the peer is not speaking gRPC', async () => {
		await expect(call('/http404')).rejects.toThrow(/HTTP status 404/);
	});
	it('times out at the bound', async () => {
		const started = Date.now();
		await expect(call('/silent', 300)).rejects.toThrow(/no answer within 300 ms/);
		expect(Date.now() - started).toBeLessThan(2000);
	});
	it('refuses a message cut short', async () => {
		await expect(call('/cut')).rejects.toBeInstanceOf(GrpcError);
	});
	it('takes application/grpc+proto as gRPC', async () => {
		expect(Buffer.from(await call('/proto-ok')).toString('hex')).toBe('0a0178');
	});
	it('refuses an answer whose content-type is not gRPC, and says what it was', async () => {
		await expect(call('/html')).rejects.toThrow('not a gRPC answer (content-type "text/html; charset=utf-8")');
		await expect(call('/grpc-json')).rejects.toThrow('not a gRPC answer (content-type "application/grpc+json")');
		await expect(call('/no-content-type')).rejects.toThrow('not a gRPC answer (content-type missing)');
	});
	it('names the RST_STREAM code a server resets the call with', async () => {
		await expect(call('/refused')).rejects.toMatchObject({code: 14, message: expect.stringMatching(/^the server reset the stream with REFUSED_STREAM/) as unknown});
		await expect(call('/cancel-mid-answer')).rejects.toMatchObject({code: 1, message: 'the server reset the stream with CANCEL'});
		await expect(call('/calm')).rejects.toMatchObject({code: 8, message: 'the server reset the stream with ENHANCE_YOUR_CALM'});
	});
	it('sends grpc-timeout within 8 digits, in a unit that fits the bound', async () => {
		timeoutHeaders.length = 0;
		await call('/ok', 1500);
		await call('/ok', 200_000_000); // 55 hours: 200,000,000 ms is 9 digits
		expect(timeoutHeaders).toEqual(['1500m', '200000S']);
	});
	it('turns a missing socket into a sentence', async () => {
		await expect(connectLocalUnix('/nonexistent/containerd.sock', 500)).rejects.toThrow('no socket at /nonexistent/containerd.sock (is the service running?)');
	});
});
