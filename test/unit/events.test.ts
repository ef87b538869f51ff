/**
 * The event stream on recorded real bytes (test/fixtures/faults: containerd's envelopes
 * from the lab's containerd via test/support/record-events.ts, Docker's /events lines via
 * curl on the lab's dockerd), the streaming gRPC client against a local HTTP/2 server that
 * replays them, the tally, and the debounced re-poll.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {containerdEvent, decodeEnvelope} from '../../source/events/decode-containerd-event.js';
import {dockerEvent, dockerEventsPath} from '../../source/events/decode-docker-event.js';
import {EventTally} from '../../source/model/event-tally.js';
import {eventLine, eventWhat} from '../../source/render/event-text.js';
import {NodeEventStream, type StreamState} from '../../source/events/node-event-stream.js';
import {RepollOnEvents} from '../../source/session/repoll-on-events.js';
import {pollerTarget} from '../../source/store/live-events.js';
import {unreachableNode} from '../../source/model/build-snapshot.js';
import {createCrimonStore} from '../../source/store/store.js';
import type {RuntimeEvent} from '../../source/events/runtime-event.js';
import {eventJsonLine, eventTextLine} from '../../source/cli/events-command.js';
import {Envelope, EVENTS_SUBSCRIBE, SandboxExit, SandboxStart} from '../../source/protocol/containerd-events-api.js';
import {MessageSplitter, openGrpcStream} from '../../source/protocol/grpc-stream.js';
import {encode, ProtobufError} from '../../source/protocol/protobuf.js';
import {LocalTransport} from '../../source/transport/local-transport.js';
import {startGrpcServer, startHttpServer, type Running} from '../support/replay-servers.js';
import {recordedEnvelopes} from '../support/faults-fixtures.js';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'faults');
const faults = JSON.parse(fs.readFileSync(path.join(DIR, 'faults.json'), 'utf8')) as {docker: {oom: {id: string}}};
const frame = (payload: Uint8Array) => {
	const head = Buffer.alloc(5);
	head.writeUInt32BE(payload.length, 1);
	return Buffer.concat([head, Buffer.from(payload)]);
};

describe("containerd's envelopes, as recorded", () => {
	it('decodes a container\'s whole life: create, start with its pid, exit and delete with status 7', () => {
		const events = recordedEnvelopes('events-lifecycle.bin').map((e) => containerdEvent(e, 0));
		expect(events.map((e) => e.topic)).toEqual(['/containers/create', '/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete', '/containers/delete']);
		const id = events[0]!.id!;
		expect(id).toMatch(/^[0-9a-f]{64}$/);
		expect(events.every((e) => e.namespace === 'moby')).toBe(true);
		const [, create, start, exit, del] = events;
		// The task's create names its container and the init's pid (containerd 1.6 and 2.x alike).
		expect(create).toMatchObject({kind: 'task-create', id});
		expect(create!.pid).toBe(start!.pid);
		expect(start).toMatchObject({kind: 'start', id, exitStatus: null});
		expect(start!.pid).toBeGreaterThan(0);
		expect(exit).toMatchObject({kind: 'exit', id, pid: start!.pid, exitStatus: 7, execId: null});
		expect(del).toMatchObject({kind: 'delete', id, exitStatus: 7});
		expect(events.map(eventWhat)).toEqual(['created', 'task created', 'started', 'exited 7', 'deleted', 'removed']);
		// Stamped by containerd, in order.
		expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
		expect(new Date(events[0]!.at).getUTCFullYear()).toBeGreaterThanOrEqual(2026);
	});

	it('decodes /tasks/oom for the container the kernel OOM-kills in', () => {
		const ooms = recordedEnvelopes('events-system.bin').map((e) => containerdEvent(e, 0)).filter((e) => e.kind === 'oom');
		expect(ooms.length).toBeGreaterThan(0);
		for (const oom of ooms) expect(oom).toMatchObject({topic: '/tasks/oom', id: faults.docker.oom.id, namespace: 'moby'});
	});

	it('refuses bytes that are no envelope, and keeps the topic of a payload that does not decode', () => {
		expect(() => containerdEvent(Uint8Array.from([0x0a, 0xff]), 0)).toThrow(ProtobufError);
		const exit = recordedEnvelopes('events-lifecycle.bin')[3]!;
		expect(decodeEnvelope(exit).event?.typeUrl).toBe('containerd.events.TaskExit');
		const broken = encode(Envelope, {namespace: 'moby', topic: '/tasks/exit', event: {typeUrl: 'containerd.events.TaskExit', value: Uint8Array.from([0x0a, 0x40])}});
		expect(containerdEvent(broken, 5)).toMatchObject({at: 5, topic: '/tasks/exit', kind: 'exit', id: null, exitStatus: null});
	});
});

describe("Docker's /events, as recorded", () => {
	const lines = fs.readFileSync(path.join(DIR, 'docker-events.ndjson'), 'utf8').trim().split('\n');
	const events = lines.map((l) => dockerEvent(l, 0)!);

	it('reads die with its exit code, oom, restart, with Docker\'s name', () => {
		expect(events.map((e) => `${e.topic} ${eventWhat(e)}`)).toEqual([
			'container/create created', 'container/attach container/attach', 'container/start started', 'container/oom OOM', 'container/die exited 137',
			'container/destroy removed', 'container/create created', 'container/start started', 'container/die exited 3', 'container/start started',
			'container/restart restarted', 'container/die exited 3', 'container/destroy removed',
		]);
		expect(events.filter((e) => e.topic === 'container/die').every((e) => e.source === 'docker' && e.name !== null)).toBe(true);
		expect(events[0]!.at).toBeGreaterThan(Date.UTC(2026, 0, 1));
	});

	it('says null for a line that is not an event', () => {
		expect(dockerEvent('not json', 0)).toBeNull();
		expect(dockerEvent('[1,2]', 0)).toBeNull();
		expect(dockerEvent('{"Type":"container"}', 0)).toBeNull();
	});

	it('asks Docker for container events only', () => {
		expect(decodeURIComponent(dockerEventsPath())).toBe('/events?filters={"type":["container"],"event":["create","start","die","oom","restart","destroy"]}');
	});
});

describe('gRPC messages split out of a byte stream', () => {
	it('gives back every recorded envelope, fed one byte at a time', () => {
		const envelopes = recordedEnvelopes('events-lifecycle.bin');
		const bytes = Buffer.concat(envelopes.map(frame));
		const splitter = new MessageSplitter(1 << 20);
		const out: Uint8Array[] = [];
		for (let i = 0; i < bytes.length; i++) out.push(...splitter.push(bytes.subarray(i, i + 1)));
		expect(out.map((m) => Buffer.from(m).toString('hex'))).toEqual(envelopes.map((m) => Buffer.from(m).toString('hex')));
	});

	it('refuses a message past the bound and a compressed one', () => {
		expect(() => new MessageSplitter(10).push(frame(new Uint8Array(11)))).toThrow(/past the 10-byte bound/);
		const compressed = frame(new Uint8Array(3));
		compressed[0] = 1;
		expect(() => new MessageSplitter(10).push(compressed)).toThrow(/compressed/);
	});
});

describe('the stream on a real HTTP/2 socket', () => {
	let server: Running | null = null;
	afterEach(async () => {
		await server?.close();
		server = null;
	});

	it('hands over each recorded event as it arrives and ends on an OK status', async () => {
		const envelopes = recordedEnvelopes('events-lifecycle.bin');
		server = await startGrpcServer((route) => (route === EVENTS_SUBSCRIBE ? {raw: Buffer.concat(envelopes.map(frame))} : undefined));
		const got: RuntimeEvent[] = [];
		const ended = await new Promise<Error | null>((resolve) => {
			void new LocalTransport().connectUnix(server!.socket, 1000).then((duplex) => openGrpcStream(duplex, EVENTS_SUBSCRIBE, new Uint8Array(), {maxMessageBytes: 1 << 20, openAfterMs: 500}, {
				onMessage: (bytes) => got.push(containerdEvent(bytes, 0)),
				onEnd: resolve,
			}));
		});
		expect(ended).toBeNull();
		expect(got.map((e) => e.topic)).toEqual(envelopes.map((e) => decodeEnvelope(e).topic));
	});

	it('ends with the status of a runtime that has no such service', async () => {
		server = await startGrpcServer(() => undefined);
		const ended = await new Promise<{code: number | null} | null>((resolve) => {
			void new LocalTransport().connectUnix(server!.socket, 1000).then((duplex) => openGrpcStream(duplex, EVENTS_SUBSCRIBE, new Uint8Array(), {maxMessageBytes: 1 << 20, openAfterMs: 500}, {onMessage: () => {}, onEnd: resolve}));
		});
		expect(ended?.code).toBe(12);
	});

	it('a node stream: live while the call stands, retried with backoff when it drops, off under --sudo', async () => {
		server = await startGrpcServer((route) => (route === EVENTS_SUBSCRIBE ? {silent: true} : undefined));
		const states: StreamState[] = [];
		const stream = new NodeEventStream(new LocalTransport(), {containerdSocket: server.socket, dockerSocket: '/nonexistent/docker.sock', timeoutMs: 1000, backoffMs: 50}, {
			onEvent: () => {},
			onState: (s) => states.push(s),
		});
		stream.start();
		await vi.waitFor(() => expect(stream.state.containerd).toBe('live'), {timeout: 3000});
		expect(stream.state.docker).toBe('off');
		expect(stream.state.note).toBeNull();
		await server.close();
		server = null;
		await vi.waitFor(() => expect(stream.state.containerd).not.toBe('live'), {timeout: 3000});
		expect(stream.state.note).toMatch(/containerd events: .*polling only/);
		stream.close();

		const sudo = new NodeEventStream(new LocalTransport(), {containerdSocket: '/x', dockerSocket: '/y', timeoutMs: 1000, sudo: true}, {onEvent: () => {}});
		sudo.start();
		expect(sudo.state).toEqual({containerd: 'off', docker: 'off', note: 'no event stream in --sudo mode (polling only)'});
	});
});

describe('counting exits and OOMs', () => {
	const base: RuntimeEvent = {at: 0, namespace: 'moby', topic: '/tasks/exit', kind: 'exit', id: 'c1', execId: null, pid: 5, exitStatus: 3, name: null, source: 'containerd'};
	it("counts the init's exits and OOMs per container, not an exec's, and an exit seen on both streams once", () => {
		const tally = new EventTally();
		tally.record(base);
		tally.record({...base, exitStatus: 137});
		tally.record({...base, execId: 'exec-1', exitStatus: 1});
		tally.record({...base, kind: 'oom', topic: '/tasks/oom', exitStatus: null});
		tally.record({...base, source: 'docker', topic: 'container/die', namespace: null, exitStatus: 137});
		expect(tally.list()).toEqual([{namespace: 'moby', id: 'c1', exits: 2, lastExitStatus: 137, ooms: 1}]);
		// Docker alone (its containerd not subscribed): its own count stands.
		for (let i = 0; i < 3; i++) tally.record({...base, id: 'c2', source: 'docker', topic: 'container/die', namespace: null, exitStatus: 9});
		expect(tally.list().find((c) => c.id === 'c2')).toEqual({namespace: 'moby', id: 'c2', exits: 3, lastExitStatus: 9, ooms: 0});
	});
});

describe('re-poll on events', () => {
	it('makes one poll of a burst after the debounce, and one more for events during that poll', async () => {
		vi.useFakeTimers();
		try {
			let finish: () => void = () => {};
			const polls: number[] = [];
			const repoll = new RepollOnEvents({pollNow: (index) => {
				polls.push(index);
				return new Promise<void>((resolve) => (finish = resolve));
			}}, 150);
			repoll.request(0);
			repoll.request(0);
			repoll.request(0);
			await vi.advanceTimersByTimeAsync(149);
			expect(polls).toEqual([]);
			await vi.advanceTimersByTimeAsync(1);
			expect(polls).toEqual([0]);
			repoll.request(0);
			await vi.advanceTimersByTimeAsync(500);
			expect(polls).toEqual([0]);
			finish();
			await vi.advanceTimersByTimeAsync(150);
			expect(polls).toEqual([0, 0]);
			finish();
			repoll.stop();
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('re-polls through the poller', () => {
	it('waits out a poll in flight, then polls and resolves when that poll is done; nothing while paused', async () => {
		const store = createCrimonStore([{name: 'n', target: 'local'}], 30_000);
		const asked: number[] = [];
		const target = pollerTarget({pollNow: (index) => {
			asked.push(index ?? -1);
			store.getState().pollStarted(index!);
		}}, store);
		store.getState().pollStarted(0);
		let done = false;
		const repoll = target.pollNow(0).then(() => (done = true));
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(asked).toEqual([]);
		store.getState().pollFinished(0, unreachableNode('n', 'local', 'x'), 1, 1);
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(asked).toEqual([0]);
		expect(done).toBe(false);
		store.getState().pollFinished(0, unreachableNode('n', 'local', 'x'), 2, 1);
		await repoll;
		store.getState().setPaused(true);
		await target.pollNow(0);
		expect(asked).toEqual([0]);
	});
});

describe('crimon events lines', () => {
	const event: RuntimeEvent = {at: Date.UTC(2026, 10, 27, 3, 0, 0), namespace: 'moby', topic: '/tasks/exit', kind: 'exit', id: 'abc', execId: null, pid: 42, exitStatus: 137, name: null, source: 'containerd'};
	it('prints the NDJSON fields, null where they do not apply, and escapes what a node named', () => {
		const json = JSON.parse(eventJsonLine('n1', event, null)) as Record<string, unknown>;
		expect(Object.keys(json)).toEqual(['node', 'at', 'namespace', 'topic', 'id', 'name', 'pod', 'pid', 'exitStatus', 'source']);
		expect(json).toEqual({node: 'n1', at: '2026-11-27T03:00:00.000Z', namespace: 'moby', topic: '/tasks/exit', id: 'abc', name: null, pod: null, pid: 42, exitStatus: 137, source: 'containerd'});
		const hostile = {...event, name: 'x\u001b]0;OWNED\u0007\u202eevil', source: 'docker' as const, namespace: null};
		const line = eventJsonLine('n1', hostile, null);
		expect(line).not.toMatch(/[\u001b\u0007\u202e]/);
		expect((JSON.parse(line) as {name: string}).name).toBe(hostile.name);
		expect(eventTextLine('n1', hostile, null)).toBe('2026-11-27 03:00:00.000  n1  moby  /tasks/exit  x\\x1b]0;OWNED\\x07\\u202eevil  exited 137');
		expect(eventLine('n1', {...event, kind: 'other', topic: '/snapshot/remove', id: null, pid: null, exitStatus: null}, null)).toMatchObject({id: null, name: null, pod: null, exitStatus: null});
	});
});

describe("containerd 2.x's sandbox events", () => {
	// Encoded here from sandbox.proto's field numbers (checked against upstream by
	// proto-upstream.test.ts), not recorded: on the VM node containerd 2.1's CRI runs its pods
	// through its sandbox controllers directly, which publish nothing, and `ctr sandboxes run`
	// fails without a sandboxer, so no /sandboxes/* envelope could be had from a real node.
	const envelope = (topic: string, typeName: string, value: Uint8Array) => encode(Envelope, {
		timestamp: {seconds: 1_796_411_813n, nanos: 0}, namespace: 'k8s.io', topic, event: {typeUrl: typeName, value},
	});
	it('names the sandbox (the pod) and the exit status of /sandboxes/exit', () => {
		const id = 'a'.repeat(64);
		const start = containerdEvent(envelope('/sandboxes/start', 'containerd.events.SandboxStart', encode(SandboxStart, {sandboxId: id})), 0);
		expect(start).toMatchObject({kind: 'sandbox-start', id, namespace: 'k8s.io', exitStatus: null});
		const exit = containerdEvent(envelope('/sandboxes/exit', 'containerd.events.SandboxExit', encode(SandboxExit, {sandboxId: id, exitStatus: 137, exitedAt: null})), 0);
		expect(exit).toMatchObject({kind: 'sandbox-exit', id, exitStatus: 137});
		expect(eventWhat(exit)).toBe('sandbox exited 137');
		// Not a container's exit: the restart and exit tallies count tasks, not sandboxes.
		expect(exit.kind).not.toBe('exit');
	});
	it('keeps the kind of a sandbox event whose payload does not decode', () => {
		const bad = containerdEvent(envelope('/sandboxes/create', 'containerd.events.SandboxCreate', Uint8Array.of(0x0a, 0x05, 0x61)), 0);
		expect(bad).toMatchObject({kind: 'sandbox-create', id: null, topic: '/sandboxes/create'});
	});
});

describe("Docker's stream, resumed", () => {
	let docker: Running | null = null;
	afterEach(async () => {
		await docker?.close();
		docker = null;
	});
	it('asks Docker for what it missed while down (since its last event) and tells nothing twice', async () => {
		// Docker 28's own lines (recorded on the VM node): a container's create, then its die.
		const lines = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'vm', 'events', 'docker-events.jsonl'), 'utf8').split('\n').filter(Boolean);
		const create = lines.find((l) => l.includes('"Action":"create"'))!;
		const die = lines.find((l) => l.includes('"Action":"die"'))!;
		const createdAt = Math.floor((JSON.parse(create) as {timeNano: number}).timeNano / 1e9);
		const asked: string[] = [];
		docker = await startHttpServer((url) => {
			if (url === '/version') return {status: 200, body: fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'vm', 'docker', 'version.json'))};
			if (!url.includes('/events?')) return undefined;
			asked.push(url);
			// The first stream carries the create and then ends (the connection was lost); each
			// resumed one replays, as Docker does, what it kept from `since` on: the die too.
			const since = Number(/&since=(\d+)$/.exec(url)?.[1] ?? Infinity);
			const kept = asked.length === 1 ? [create] : [create, die].filter((l) => (JSON.parse(l) as {time: number}).time >= since);
			return {status: 200, body: kept.map((l) => `${l}\n`).join('')};
		});
		const got: RuntimeEvent[] = [];
		const stream = new NodeEventStream(new LocalTransport(), {containerdSocket: '/nonexistent/containerd.sock', dockerSocket: docker.socket, timeoutMs: 1000, backoffMs: 20}, {onEvent: (e) => got.push(e)});
		stream.start();
		await vi.waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(4), {timeout: 5000});
		stream.close();
		expect(got.map((e) => e.topic)).toEqual(['container/create', 'container/die']);
		expect(asked[0]).not.toMatch(/since=/);
		expect(asked[1]).toMatch(new RegExp(`&since=${createdAt}$`));
		expect(got[1]).toMatchObject({exitStatus: 7, name: 'vm-record-exit7'});
	});
});
