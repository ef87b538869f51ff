/**
 * Servers on temporary unix sockets that answer as a runtime would, from recorded bytes:
 * a gRPC server (containerd and the CRI) and an HTTP server (Docker). Tests point the real
 * collectors at them to replay the lab, or to play a broken runtime.
 */
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';

export type GrpcAnswer =
	| {readonly message: Uint8Array}
	| {readonly status: number; readonly detail?: string}
	| {readonly raw: Buffer}
	| {readonly silent: true};

/** Routes by ":path" and, for containerd, "path namespace". */
export type GrpcRoutes = (route: string, namespace: string | undefined) => GrpcAnswer | undefined;

export interface Running {
	readonly socket: string;
	close(): Promise<void>;
}

export function tempSocket(name: string): string {
	return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-replay-')), name);
}

function grpcFrame(payload: Uint8Array): Buffer {
	const head = Buffer.alloc(5);
	head.writeUInt32BE(payload.length, 1);
	return Buffer.concat([head, Buffer.from(payload)]);
}

export async function startGrpcServer(routes: GrpcRoutes, socket = tempSocket('grpc.sock')): Promise<Running> {
	const server = http2.createServer();
	// Closing kills live sessions too, as a runtime that stops does: clients keep theirs open.
	const sessions = new Set<http2.ServerHttp2Session>();
	server.on('session', (session) => {
		sessions.add(session);
		session.on('close', () => sessions.delete(session));
	});
	server.on('stream', (stream, headers) => {
		const route = String(headers[':path']);
		const namespace = headers['containerd-namespace'] as string | undefined;
		stream.on('data', () => {});
		stream.on('error', () => {});
		stream.on('end', () => {
			const answer = routes(route, namespace) ?? {status: 12, detail: `unknown method ${route}`};
			if ('silent' in answer) return;
			if ('status' in answer) {
				stream.respond({':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(answer.status), 'grpc-message': encodeURIComponent(answer.detail ?? '')}, {endStream: true});
				return;
			}
			stream.respond({':status': 200, 'content-type': 'application/grpc'}, {waitForTrailers: true});
			stream.on('wantTrailers', () => stream.sendTrailers({'grpc-status': '0'}));
			stream.end('raw' in answer ? answer.raw : grpcFrame(answer.message));
		});
	});
	await new Promise<void>((resolve) => server.listen(socket, resolve));
	return {
		socket,
		close: () => new Promise((resolve) => {
			server.close(() => resolve());
			for (const session of sessions) session.destroy();
		}),
	};
}

export type HttpRoutes = (path: string, method: string) => {readonly status: number; readonly body: string | Buffer} | undefined;

export async function startHttpServer(routes: HttpRoutes, socket = tempSocket('docker.sock')): Promise<Running> {
	const server = http.createServer((request, response) => {
		const answer = routes(request.url ?? '', request.method ?? '') ?? {status: 404, body: '{"message":"page not found"}'};
		response.writeHead(answer.status, {'content-type': 'application/json'});
		response.end(answer.body);
	});
	await new Promise<void>((resolve) => server.listen(socket, resolve));
	return {socket, close: () => new Promise((resolve) => server.close(() => resolve()))};
}
