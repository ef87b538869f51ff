/**
 * A node that answers with far too much: every answer is read with a byte bound, past it
 * the source reports an error, and crimon's memory stays bounded. The bound is
 * DEFAULT_COLLECT_OPTIONS.maxBytes (64 MiB) per answer; with 100 MB coming from both
 * containerd and Docker at once, crimon's peak RSS stays under 400 MB (measured below).
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createNodeCollector} from '../../source/collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS} from '../../source/collect/collect-options.js';
import {fixture} from '../support/lab-fixtures.js';
import {labGrpcRoutes} from '../support/lab-replay.js';
import {startGrpcServer, tempSocket, type Running} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';
import http from 'node:http';

const HUNDRED_MB = 100 * 1024 * 1024;
const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');
const RSS_BOUND_KB = 400 * 1024;

let grpc: Running;
let docker: http.Server;
let dockerSocket: string;

beforeAll(async () => {
	grpc = await startGrpcServer((route, ns) => {
		if (route.endsWith('Containers/List')) {
			// A length prefix promising 100 MB, then the bytes, streamed.
			const head = Buffer.alloc(5);
			head.writeUInt32BE(HUNDRED_MB, 1);
			return {raw: Buffer.concat([head, Buffer.alloc(HUNDRED_MB, 0x41)])};
		}
		return labGrpcRoutes(route, ns);
	});
	dockerSocket = tempSocket('docker.sock');
	docker = http.createServer((request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		if (request.url === '/version') {
			response.end(fixture('docker-version.json'));
			return;
		}
		// 100 MB of a JSON list, written in 1 MB chunks as a real daemon would stream it.
		const chunk = Buffer.alloc(1024 * 1024, 0x20);
		let sent = 0;
		response.write('[');
		const pump = () => {
			while (sent < HUNDRED_MB) {
				sent += chunk.length;
				if (!response.write(chunk)) return void response.once('drain', pump);
			}
			response.end(']');
		};
		response.on('error', () => {});
		pump();
	});
	await new Promise<void>((resolve) => docker.listen(dockerSocket, resolve));
});

afterAll(async () => {
	await grpc.close();
	docker.closeAllConnections();
	await new Promise((resolve) => docker.close(resolve));
});

describe('answers past the byte bound', () => {
	it('become an error on their source while the others report', async () => {
		const options = {...DEFAULT_COLLECT_OPTIONS, containerdSocket: grpc.socket, criSocket: grpc.socket, dockerSocket, timeoutMs: 20_000};
		const facts = await createNodeCollector('big', new ReplayTransport(fixture('ps.txt')), options).collect();
		expect(facts.errors.map((e) => e.source)).toEqual(['containerd', 'docker']);
		expect(facts.errors[0]!.message).toMatch(/larger than the 67108864-byte bound/);
		expect(facts.errors[1]!.message).toMatch(/answer to GET \/v1\.41\/containers\/json\?all=1 is larger than the 67108864-byte bound/);
		expect(facts.cri?.containers).toHaveLength(2);
		expect(facts.processes?.length).toBeGreaterThan(5);
	});

	it('a ps that prints 100 MB fails the process table alone', async () => {
		const huge = Buffer.alloc(HUNDRED_MB, 0x20);
		const options = {...DEFAULT_COLLECT_OPTIONS, containerdSocket: '/nonexistent', criSocket: '/nonexistent', dockerSocket: '/nonexistent'};
		const facts = await createNodeCollector('big', new ReplayTransport(huge), options).collect();
		expect(facts.errors[0]).toEqual({source: 'processes', message: 'ps printed more than 67108864 bytes'});
	});

	it.skipIf(!fs.existsSync('/usr/bin/time') || !fs.existsSync(CLI))('keep crimon\'s memory bounded while both arrive at once', async () => {
		const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, CLI, 'snapshot', '--json', '--containerd-socket', grpc.socket, '--cri-socket', grpc.socket, '--docker-socket', dockerSocket, '--timeout', '20s'], {stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		const maxRss = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]);
		console.log(`crimon snapshot with 2 × 100 MB answers: peak RSS ${(maxRss / 1024).toFixed(0)} MB`);
		expect(code).toBe(0);
		const node = JSON.parse(stdout).nodes[0];
		expect(node.errors.map((e: {source: string}) => e.source)).toEqual(['containerd', 'docker']);
		expect(maxRss).toBeLessThan(RSS_BOUND_KB);
	}, 60_000);
});
