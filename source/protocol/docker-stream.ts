/**
 * A streaming GET to the Docker Engine API (`/events`): newline-delimited JSON, one object
 * a line, for as long as the connection lives. Only GET is sent. A line longer than
 * `maxLineBytes` ends the stream with an error instead of filling memory.
 */
import http from 'node:http';
import type {Duplex} from 'node:stream';

export interface DockerStreamHandlers {
	onOpen?(): void;
	onLine(line: string): void;
	/** null after the daemon ended the stream cleanly, else why. Called once. */
	onEnd(error: Error | null): void;
}

export interface DockerStream {
	close(): void;
}

export function dockerGetStream(stream: Duplex, path: string, options: {readonly maxLineBytes: number; readonly openTimeoutMs: number}, handlers: DockerStreamHandlers): DockerStream {
	let ended = false;
	const end = (error: Error | null) => {
		if (ended) return;
		ended = true;
		clearTimeout(timer);
		request.destroy();
		stream.destroy();
		handlers.onEnd(error);
	};
	const timer = setTimeout(() => end(new Error(`no answer to GET ${path} within ${options.openTimeoutMs} ms`)), options.openTimeoutMs);
	const request = http.request({
		method: 'GET',
		path,
		host: 'docker',
		headers: {Accept: 'application/json'},
		// Node's http accepts any Duplex as the connection: the channel is the socket.
		createConnection: () => stream,
	});
	request.on('error', (error) => end(new Error(`GET ${path} failed: ${error.message}`)));
	request.on('response', (response) => {
		clearTimeout(timer);
		if (response.statusCode !== 200) {
			end(new Error(`GET ${path} answered HTTP ${response.statusCode ?? 0}`));
			return;
		}
		handlers.onOpen?.();
		let pending = '';
		response.setEncoding('utf8');
		response.on('data', (chunk: string) => {
			pending += chunk;
			let newline: number;
			while ((newline = pending.indexOf('\n')) !== -1) {
				const line = pending.slice(0, newline).trim();
				pending = pending.slice(newline + 1);
				if (line && !ended) handlers.onLine(line);
			}
			if (Buffer.byteLength(pending) > options.maxLineBytes) end(new Error(`an event of more than ${options.maxLineBytes} bytes from GET ${path}`));
		});
		response.on('error', (error) => end(new Error(`GET ${path} failed: ${error.message}`)));
		response.on('end', () => end(null));
	});
	request.end();
	return {close: () => end(null)};
}
