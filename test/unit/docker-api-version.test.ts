/**
 * Docker API version negotiation: pure choice, then the real collector against HTTP
 * servers on unix sockets that play daemons of other versions (the lab's real dockerd
 * 20.10, API 1.41, is in test/lab/snapshot.test.ts). Each stand-in enforces its range as
 * dockerd does: a versioned call outside [MinAPIVersion, ApiVersion] answers HTTP 400.
 */
import http from 'node:http';
import {afterEach, describe, expect, it} from 'vitest';
import {collectDocker} from '../../source/collect/collect-docker.js';
import {DEFAULT_COLLECT_OPTIONS} from '../../source/collect/collect-options.js';
import {compareApiVersions, DOCKER_API_VERSION, negotiateApiVersion} from '../../source/protocol/docker-api-version.js';
import {fixture} from '../support/lab-fixtures.js';
import {startHttpServer, tempSocket, type Running} from '../support/replay-servers.js';
import type {SessionMemo} from '../../source/collect/session-memo.js';
import {ReplayTransport} from '../support/replay-transport.js';

describe('choosing the version', () => {
	it('speaks the lower of the server and ours', () => {
		expect(DOCKER_API_VERSION).toBe('1.44');
		expect(negotiateApiVersion({apiVersion: '1.41', minApiVersion: '1.12'})).toBe('1.41');
		expect(negotiateApiVersion({apiVersion: '1.52', minApiVersion: '1.44'})).toBe('1.44');
		expect(negotiateApiVersion({apiVersion: '1.44'})).toBe('1.44');
		expect(negotiateApiVersion({apiVersion: '1.9'})).toBe('1.9');
	});
	it('compares versions as numbers, not text', () => {
		expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
		expect(compareApiVersions('1.100', '1.44')).toBeGreaterThan(0);
		expect(negotiateApiVersion({apiVersion: '1.100', minApiVersion: '1.44'})).toBe('1.44');
	});
	it("rises to a server's minimum when it has dropped ours", () => {
		expect(negotiateApiVersion({apiVersion: '1.60', minApiVersion: '1.47'})).toBe('1.47');
	});
	it('refuses an ApiVersion that is missing or not a version, naming it', () => {
		expect(() => negotiateApiVersion({apiVersion: ''})).toThrow("Docker's /version answered with no ApiVersion");
		expect(() => negotiateApiVersion({apiVersion: '1.41; rm -rf'})).toThrow('ApiVersion "1.41; rm -rf"');
	});
});

interface Daemon {
	apiVersion: string;
	minApiVersion: string;
}

let servers: Running[] = [];
afterEach(async () => {
	await Promise.all(servers.map((s) => s.close()));
	servers = [];
});

async function daemon(state: Daemon, seen: string[]): Promise<Running> {
	const running = await startHttpServer((path) => {
		// Inspects of recently started containers (restart counts, docker-inspect.ts) are not what this checks.
		if (/^\/v[\d.]+\/containers\/[0-9a-f]{64}\/json$/.test(path)) return {status: 404, body: '{"message":"no such container"}'};
		seen.push(path);
		if (path === '/version') return {status: 200, body: JSON.stringify({Version: `engine ${state.apiVersion}`, ApiVersion: state.apiVersion, MinAPIVersion: state.minApiVersion})};
		const match = /^\/v(\d+\.\d+)\/containers\/json\?all=1$/.exec(path);
		if (!match) return {status: 400, body: '{"message":"unversioned API paths are deprecated"}'};
		const asked = match[1]!;
		if (compareApiVersions(asked, state.minApiVersion) < 0) return {status: 400, body: `{"message":"client version ${asked} is too old. Minimum supported API version is ${state.minApiVersion}"}`};
		if (compareApiVersions(asked, state.apiVersion) > 0) return {status: 400, body: `{"message":"client version ${asked} is too new. Maximum supported API version is ${state.apiVersion}"}`};
		return {status: 200, body: fixture('docker-containers-json.json')};
	});
	servers.push(running);
	return running;
}

// A node session keeps what holds per connection in its memo; a new memo is a new connection.
const poll = (socket: string, memo: SessionMemo = new Map(), timeoutMs = 2000) => collectDocker(new ReplayTransport(Buffer.alloc(0)), {...DEFAULT_COLLECT_OPTIONS, dockerSocket: socket, timeoutMs, memo});

describe('collecting Docker at the negotiated version', () => {
	it.each([
		['Docker 20.10 (the lab)', {apiVersion: '1.41', minApiVersion: '1.12'}, '/v1.41/containers/json?all=1'],
		['Docker 29, which refuses below 1.44', {apiVersion: '1.52', minApiVersion: '1.44'}, '/v1.44/containers/json?all=1'],
		['an old Docker 1.12', {apiVersion: '1.24', minApiVersion: '1.12'}, '/v1.24/containers/json?all=1'],
		['a future Docker that dropped 1.44', {apiVersion: '1.60', minApiVersion: '1.48'}, '/v1.48/containers/json?all=1'],
	])('%s: /version unversioned, the listing under its version', async (_name, state, listing) => {
		const seen: string[] = [];
		const server = await daemon({...state}, seen);
		const facts = await poll(server.socket);
		expect(facts.containers.length).toBe(5);
		expect(facts.version).toBe(`engine ${state.apiVersion}`);
		expect(seen).toEqual(['/version', listing]);
	});

	it('negotiates once per connection and follows a daemon that changed', async () => {
		const seen: string[] = [];
		const state = {apiVersion: '1.41', minApiVersion: '1.12'};
		const server = await daemon(state, seen);
		const memo: SessionMemo = new Map();
		await poll(server.socket, memo);
		await poll(server.socket, memo);
		expect(seen).toEqual(['/version', '/v1.41/containers/json?all=1', '/v1.41/containers/json?all=1']);
		// Upgraded to an engine that refuses 1.41: the poll that notices asks again at once.
		Object.assign(state, {apiVersion: '1.52', minApiVersion: '1.44'});
		seen.length = 0;
		const facts = await poll(server.socket, memo);
		expect(facts.containers.length).toBe(5);
		expect(seen).toEqual(['/v1.41/containers/json?all=1', '/version', '/v1.44/containers/json?all=1']);
		seen.length = 0;
		await poll(server.socket, memo);
		expect(seen).toEqual(['/v1.44/containers/json?all=1']);
		// Another connection negotiates for itself.
		seen.length = 0;
		await poll(server.socket);
		expect(seen).toEqual(['/version', '/v1.44/containers/json?all=1']);
	});

	it('does not ask a slow daemon twice: a listing past the bound fails the poll once', async () => {
		const lists: string[] = [];
		const socket = tempSocket('docker.sock');
		const server = http.createServer((request, response) => {
			if (request.url === '/version') {
				response.end(JSON.stringify({Version: 'slow', ApiVersion: '1.41'}));
				return;
			}
			lists.push(request.url ?? '');
			// Answers the first listing, then goes slow: it never answers another.
			if (lists.length === 1) response.end('[]');
		});
		await new Promise<void>((resolve) => server.listen(socket, resolve));
		servers.push({socket, close: () => new Promise((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		})});
		const memo: SessionMemo = new Map();
		expect((await poll(socket, memo, 300)).containers).toEqual([]);
		// The next poll keeps /version and its negotiated version: one listing, refused by the bound, not retried.
		await expect(poll(socket, memo, 300)).rejects.toThrow(/no answer to GET \/v1\.41\/containers\/json\?all=1 within 300 ms/);
		expect(lists).toHaveLength(2);
	});

	it("reports a daemon's refusal on Docker with its message", async () => {
		const seen: string[] = [];
		// A daemon that claims 1.52 but refuses everything below 1.60: contradictory, and said so.
		const server = await daemon({apiVersion: '1.52', minApiVersion: '1.60'}, seen);
		await expect(poll(server.socket)).rejects.toThrow('GET /v1.44/containers/json?all=1 answered HTTP 400: client version 1.44 is too old. Minimum supported API version is 1.60');
	});

	it('reports a /version without ApiVersion instead of guessing', async () => {
		const server = await startHttpServer((path) => (path === '/version' ? {status: 200, body: '{"Version":"x"}'} : {status: 200, body: '[]'}));
		servers.push(server);
		await expect(poll(server.socket)).rejects.toThrow("Docker's /version answered with no ApiVersion");
	});
});
