/**
 * Helpers for the Prometheus lab suite: free loopback ports, servers started as child
 * processes and stopped by their pid, bounded waits, and a reader for the exposition text
 * that undoes the format's escapes, so a test compares label values as Prometheus stores them.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export interface Started {
	readonly child: ChildProcess;
	/** Everything it wrote to stdout and stderr so far. */
	output(): string;
	stop(): Promise<void>;
}

/** Starts a server; its output is kept for the failure message. */
export function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Started {
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], env});
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		child,
		output: () => output,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
			if (!killed) {
				child.kill('SIGKILL');
				await exited;
			}
		},
	};
}

/** Calls `probe` until it returns a value (not undefined), or fails after `ms` saying what it waited for. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
	const deadline = Date.now() + ms;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

export async function get(url: string, init?: RequestInit): Promise<{status: number; text: string; type: string | null}> {
	const response = await fetch(url, {...init, signal: AbortSignal.timeout(5000)});
	return {status: response.status, text: await response.text(), type: response.headers.get('content-type')};
}

export interface ParsedSample {
	readonly name: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly value: number;
}

/** The samples of exposition text, label values unescaped (\\ \" \n) as Prometheus reads them. */
export function parseExposition(text: string): ParsedSample[] {
	const out: ParsedSample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
		if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
		const labels: Record<string, string> = {};
		const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
		for (const m of (match[2] ?? '').matchAll(re)) labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
		out.push({name: match[1]!, labels, value: Number(match[3])});
	}
	return out;
}

export function find(samples: readonly ParsedSample[], name: string, labels: Readonly<Record<string, string>>): ParsedSample[] {
	return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** A PromQL instant query against a Prometheus server's HTTP API. */
export async function promQuery(base: string, query: string): Promise<{metric: Record<string, string>; value: number}[]> {
	const {status, text} = await get(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
	if (status !== 200) throw new Error(`${query}: HTTP ${status}: ${text}`);
	const body = JSON.parse(text) as {status: string; data: {resultType: string; result: {metric: Record<string, string>; value: [number, string]}[]}};
	if (body.status !== 'success') throw new Error(`${query}: ${text}`);
	return body.data.result.map((r) => ({metric: r.metric, value: Number(r.value[1])}));
}

export function mkTemp(prefix: string): string {
	return fs.mkdtempSync(`/tmp/${prefix}`);
}
