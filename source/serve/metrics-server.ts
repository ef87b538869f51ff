/**
 * `crimon serve`'s HTTP side: read-only by construction. It answers GET and HEAD on
 * /metrics (the exposition text of the latest polls, rendered per scrape from the store)
 * and /healthz, 405 to any other method, 404 to any other path; it reads no request body
 * and changes nothing. Requests are bounded in time; nothing a client sends is echoed.
 * With a web config it speaks TLS (a client certificate checked as the config asks) and
 * wants basic auth on every path before any of that.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import {EXPOSITION_CONTENT_TYPE} from '../render/prometheus-text.js';
import type {BasicAuth} from './basic-auth.js';
import {formatAddress, type ListenAddress} from './listen-address.js';
import type {ClientAuthType, TlsMaterial, TlsSettings} from './web-config.js';

export interface MetricsSource {
	/** The exposition text, rendered now. */
	readonly metrics: () => string;
}

/** What a web config asks of the server: TLS (and mTLS), basic auth, either or both. */
export interface ServerSecurity {
	readonly tls: {readonly settings: TlsSettings; readonly material: TlsMaterial} | null;
	readonly auth: BasicAuth | null;
}

export interface MetricsServer {
	/** host:port as bound (the port is the real one when 0 was asked for). */
	readonly url: string;
	/** http or https. */
	readonly scheme: 'http' | 'https';
	readonly port: number;
	close(): Promise<void>;
}

function answer(response: http.ServerResponse, status: number, body: string, headers: Record<string, string>, head: boolean): void {
	response.writeHead(status, {'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers});
	response.end(head ? undefined : body);
}

function handleRequest(source: MetricsSource, request: http.IncomingMessage, response: http.ServerResponse): void {
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

function tlsOptions(settings: TlsSettings, material: TlsMaterial): https.ServerOptions {
	const requestCert = settings.clientAuthType !== 'NoClientCert';
	return {
		cert: material.cert,
		key: material.key,
		...(material.ca ? {ca: material.ca} : {}),
		requestCert,
		// Only RequireAndVerifyClientCert fails the handshake itself; the softer policies are checked per request.
		rejectUnauthorized: settings.clientAuthType === 'RequireAndVerifyClientCert',
		minVersion: settings.minVersion,
		...(settings.maxVersion ? {maxVersion: settings.maxVersion} : {}),
	};
}

/** The client certificate policies the handshake leaves to the request. */
function clientCertAllowed(policy: ClientAuthType, socket: tls.TLSSocket): boolean {
	if (policy === 'RequireAnyClientCert') return Object.keys(socket.getPeerCertificate()).length > 0;
	if (policy === 'VerifyClientCertIfGiven') return Object.keys(socket.getPeerCertificate()).length === 0 || socket.authorized;
	return true;
}

const UNAUTHORIZED = {'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="crimon", charset="UTF-8"'};

async function guarded(source: MetricsSource, security: ServerSecurity, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
	const head = request.method === 'HEAD';
	if (security.tls && !clientCertAllowed(security.tls.settings.clientAuthType, request.socket as tls.TLSSocket)) {
		answer(response, 403, 'crimon serve wants a client certificate its CA signed\n', {'content-type': 'text/plain; charset=utf-8'}, head);
		return;
	}
	if (security.auth && !(await security.auth.check(request.headers.authorization))) {
		answer(response, 401, 'crimon serve wants a user and password (basic auth)\n', UNAUTHORIZED, head);
		return;
	}
	handleRequest(source, request, response);
}

export function startMetricsServer(address: ListenAddress, source: MetricsSource, security: ServerSecurity = {tls: null, auth: null}): Promise<MetricsServer> {
	const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
		// Nothing is read from a request body; drain it so the socket can be reused.
		request.resume();
		guarded(source, security, request, response).catch(() => {
			if (!response.headersSent) answer(response, 500, 'crimon could not check the request\n', {'content-type': 'text/plain; charset=utf-8'}, false);
		});
	};
	const server = security.tls ? https.createServer(tlsOptions(security.tls.settings, security.tls.material), listener) : http.createServer(listener);
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
				scheme: security.tls ? 'https' : 'http',
				port,
				close: () => new Promise<void>((done) => {
					server.close(() => done());
					server.closeAllConnections();
				}),
			});
		});
	});
}
