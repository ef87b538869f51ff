/**
 * `crimon serve`'s HTTP side: read-only by construction. It answers GET and HEAD on
 * /metrics (the exposition text of the latest polls, rendered per scrape from the store)
 * and /healthz, 405 to any other method, 404 to any other path; it reads no request body
 * and changes nothing. Requests are bounded in time; nothing a client sends is echoed.
 */
import http from 'node:http';
import {EXPOSITION_CONTENT_TYPE} from '../render/prometheus-text.js';
import {formatAddress, type ListenAddress} from './listen-address.js';

export interface MetricsSource {
	/** The exposition text, rendered now. */
	readonly metrics: () => string;
}

export interface MetricsServer {
	/** host:port as bound (the port is the real one when 0 was asked for). */
	readonly url: string;
	readonly port: number;
	close(): Promise<void>;
}

function answer(response: http.ServerResponse, status: number, body: string, headers: Record<string, string>, head: boolean): void {
	response.writeHead(status, {'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers});
	response.end(head ? undefined : body);
}

export function handleRequest(source: MetricsSource, request: http.IncomingMessage, response: http.ServerResponse): void {
	const method = request.method ?? '';
	const path = (request.url ?? '').split('?')[0];
	const head = method === 'HEAD';
	if (method !== 'GET' && !head) {
		answer(response, 405, 'crimon serve only reads: GET /metrics or GET /healthz\n', {'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD'}, false);
		return;
	}
	if (path === '/metrics') {
		let body: string;
		try {
			body = source.metrics();
		} catch {
			answer(response, 500, 'crimon could not render its metrics\n', {'content-type': 'text/plain; charset=utf-8'}, head);
			return;
		}
		answer(response, 200, body, {'content-type': EXPOSITION_CONTENT_TYPE}, head);
		return;
	}
	if (path === '/healthz') {
		answer(response, 200, 'ok\n', {'content-type': 'text/plain; charset=utf-8'}, head);
		return;
	}
	if (path === '/') {
		answer(response, 200, 'crimon serve: metrics at /metrics, health at /healthz\n', {'content-type': 'text/plain; charset=utf-8'}, head);
		return;
	}
	answer(response, 404, 'not found: crimon serves /metrics and /healthz\n', {'content-type': 'text/plain; charset=utf-8'}, head);
}

export function startMetricsServer(address: ListenAddress, source: MetricsSource): Promise<MetricsServer> {
	const server = http.createServer((request, response) => {
		// Nothing is read from a request body; drain it so the socket can be reused.
		request.resume();
		handleRequest(source, request, response);
	});
	server.requestTimeout = 10_000;
	server.headersTimeout = 10_000;
	server.keepAliveTimeout = 5_000;
	server.maxHeadersCount = 100;
	return new Promise((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException) => {
			reject(new Error(`cannot listen on ${formatAddress(address)}: ${error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EACCES' ? 'permission denied' : error.code ?? error.message}`));
		};
		server.once('error', onError);
		server.listen(address.port, address.host, () => {
			server.off('error', onError);
			const bound = server.address();
			const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
			resolve({
				url: formatAddress({host: address.host, port}),
				port,
				close: () => new Promise<void>((done) => {
					server.close(() => done());
					server.closeAllConnections();
				}),
			});
		});
	});
}
