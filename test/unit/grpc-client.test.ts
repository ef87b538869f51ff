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
	it('turns a missing socket into a sentence', async () => {
		await expect(connectLocalUnix('/nonexistent/containerd.sock', 500)).rejects.toThrow('no socket at /nonexistent/containerd.sock (is the service running?)');
	});
});
