import {spawn} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ArgsError} from '../../source/util/usage-error.js';
import {DEFAULT_LISTEN, parseListenAddress} from '../../source/serve/listen-address.js';
import {startMetricsServer, type MetricsServer} from '../../source/serve/metrics-server.js';

const CLI = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');

describe('--listen', () => {
	it('binds loopback unless told otherwise', () => {
		expect(parseListenAddress(DEFAULT_LISTEN)).toEqual({host: '127.0.0.1', port: 10274});
		expect(parseListenAddress('9000')).toEqual({host: '127.0.0.1', port: 9000});
		expect(parseListenAddress(':9000')).toEqual({host: '127.0.0.1', port: 9000});
		expect(parseListenAddress('0.0.0.0:9000')).toEqual({host: '0.0.0.0', port: 9000});
		expect(parseListenAddress('[::1]:9000')).toEqual({host: '::1', port: 9000});
		expect(parseListenAddress('metrics.local:9000')).toEqual({host: 'metrics.local', port: 9000});
	});
	it('refuses what is not an address', () => {
		for (const bad of ['', 'x', '70000', 'host:', '::1:9000', '[nope]:1', 'a b:1', 'host:port']) expect(() => parseListenAddress(bad), bad).toThrow(ArgsError);
	});
});

describe('the metrics server', () => {
	let server: MetricsServer | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	it('answers GET and HEAD on /metrics and /healthz, 405 to any other method, 404 elsewhere', async () => {
		let renders = 0;
		server = await startMetricsServer({host: '127.0.0.1', port: 0}, {metrics: () => `# HELP m x\n# TYPE m gauge\nm ${++renders}\n`});
		const base = `http://${server.url}`;
		const metrics = await fetch(`${base}/metrics`);
		expect(metrics.status).toBe(200);
		expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(await metrics.text()).toBe('# HELP m x\n# TYPE m gauge\nm 1\n');
		// Rendered per scrape, from the store as it is then.
		expect(await (await fetch(`${base}/metrics?x=1`)).text()).toContain('m 2\n');
		const head = await fetch(`${base}/metrics`, {method: 'HEAD'});
		expect(head.status).toBe(200);
		expect(await head.text()).toBe('');
		expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
		for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
			const response = await fetch(`${base}/metrics`, {method, body: method === 'DELETE' ? undefined : 'x'});
			expect(response.status, method).toBe(405);
			expect(response.headers.get('allow')).toBe('GET, HEAD');
		}
		const missing = await fetch(`${base}/%1b]0;x`);
		expect(missing.status).toBe(404);
		expect(await missing.text()).not.toContain('\u001b');
	});

	it('says 500, not a stack, when rendering fails', async () => {
		server = await startMetricsServer({host: '127.0.0.1', port: 0}, {metrics: () => {
			throw new Error('boom at /secret/path');
		}});
		const response = await fetch(`http://${server.url}/metrics`);
		expect(response.status).toBe(500);
		expect(await response.text()).toBe('crimon could not render its metrics\n');
	});

	it('names an address in use', async () => {
		const taken = net.createServer();
		await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
		const port = (taken.address() as net.AddressInfo).port;
		try {
			await expect(startMetricsServer({host: '127.0.0.1', port}, {metrics: () => ''})).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: the address is in use`);
		} finally {
			taken.close();
		}
	});
});

describe('crimon serve (the built CLI)', () => {
	it('listens on loopback with a bare port, serves while a node is down, and ends cleanly on SIGTERM', async () => {
		// A node on a refused port: no lab needed, and crimon_node_up says 0.
		const child = spawn(process.execPath, [CLI, 'serve', '--listen', '0', '--interval', '500ms', '--node', 'ssh://127.0.0.1:1'], {stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		try {
			const deadline = Date.now() + 15_000;
			let port: number | undefined;
			while (port === undefined && Date.now() < deadline) {
				port = Number(/serving \/metrics on http:\/\/127\.0\.0\.1:(\d+) \(1 node, every 0\.5s\)/.exec(stderr)?.[1]) || undefined;
				await new Promise((r) => setTimeout(r, 50));
			}
			expect(port, stderr).toBeDefined();
			let text = '';
			while (!text.includes('crimon_node_up{node="127.0.0.1"} 0') && Date.now() < deadline) {
				text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
				await new Promise((r) => setTimeout(r, 100));
			}
			expect(text).toContain('crimon_node_up{node="127.0.0.1"} 0\n');
			expect(text).toMatch(/^crimon_poll_duration_seconds\{node="127\.0\.0\.1"\} [0-9.]+$/m);
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		} finally {
			child.kill('SIGKILL');
		}
	});

	it('exits 1 with one line when it cannot listen', async () => {
		const taken = net.createServer();
		await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
		const port = (taken.address() as net.AddressInfo).port;
		try {
			const child = spawn(process.execPath, [CLI, 'serve', '--listen', `127.0.0.1:${port}`, '--node', 'ssh://127.0.0.1:1'], {stdio: ['ignore', 'pipe', 'pipe']});
			let stderr = '';
			child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
			const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
			expect(code).toBe(1);
			expect(stderr).toBe(`crimon: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
		} finally {
			taken.close();
		}
	});
});
