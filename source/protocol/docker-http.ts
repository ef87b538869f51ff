/**
 * GET requests to the Docker Engine API over a stream we already hold (a local unix
 * socket or an SSH channel to the node's docker.sock). Only GET is ever sent.
 */
import http from 'node:http';
import type {Duplex} from 'node:stream';
import {settleWithin} from '../util/deadline.js';

export class DockerApiError extends Error {
	override readonly name = 'DockerApiError';
	/** The HTTP status of an answer that was not 200; null when there was no answer. */
	constructor(message: string, readonly status: number | null = null) {
		super(message);
	}
}

export interface GetOptions {
	readonly timeoutMs: number;
	readonly maxBytes: number;
}

export function dockerGet(stream: Duplex, path: string, options: GetOptions): Promise<unknown> {
	return settleWithin<unknown>(options.timeoutMs, () => new DockerApiError(`no answer to GET ${path} within ${options.timeoutMs} ms`), (settle) => {
		const finish = (error: Error | null, value?: unknown) => (error ? settle.reject(error) : settle.resolve(value));
		settle.onSettle(() => {
			request.destroy();
			stream.destroy();
		});
		const request = http.request({
			method: 'GET',
			path,
			host: 'docker',
			headers: {Accept: 'application/json', Connection: 'close'},
			createConnection: () => stream,
		});
		request.on('error', (error) => finish(new DockerApiError(`GET ${path} failed: ${error.message}`)));
		request.on('response', (response) => {
			const chunks: Buffer[] = [];
			let total = 0;
			response.on('data', (chunk: Buffer) => {
				total += chunk.length;
				if (total > options.maxBytes) {
					finish(new DockerApiError(`answer to GET ${path} is larger than the ${options.maxBytes}-byte bound`));
					return;
				}
				chunks.push(chunk);
			});
			response.on('error', (error) => finish(new DockerApiError(`GET ${path} failed: ${error.message}`)));
			response.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				const status = response.statusCode ?? 0;
				if (status !== 200) {
					let detail = '';
					try {
						detail = String((JSON.parse(text) as {message?: unknown}).message ?? '');
					} catch {
						// Not JSON: the status alone says enough.
					}
					finish(new DockerApiError(`GET ${path} answered HTTP ${status}${detail ? `: ${detail}` : ''}`, status));
					return;
				}
				try {
					finish(null, JSON.parse(text));
				} catch {
					finish(new DockerApiError(`GET ${path} answered with something that is not JSON`));
				}
			});
		});
		request.end();
	});
}
