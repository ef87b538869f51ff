/**
 * One node's live events: containerd's event stream (Events/Subscribe) and Docker's
 * `/events`, each over the node's own transport (a local socket, or the SSH forwarded
 * socket), each reconnecting with backoff. It takes a Transport and a callback and knows
 * nothing of polling or the store; where no stream can be had (--sudo, an old runtime, a
 * missing socket) it says so in its state, and the node is polled only.
 */
import {describeError} from '../collect/collect-node.js';
import {dockerGet} from '../protocol/docker-http.js';
import {negotiateApiVersion, versionedPath} from '../protocol/docker-api-version.js';
import {dockerGetStream, type DockerStream} from '../protocol/docker-stream.js';
import {EVENTS_SUBSCRIBE, SubscribeRequest} from '../protocol/containerd-events-api.js';
import {openGrpcStream, type GrpcStream} from '../protocol/grpc-stream.js';
import {encode, ProtobufError} from '../protocol/protobuf.js';
import {parseDockerVersion} from '../collect/parse-docker.js';
import {TransportError, type Transport} from '../transport/transport.js';
import {containerdEvent} from './decode-containerd-event.js';
import {dockerEvent, dockerEventsPath} from './decode-docker-event.js';
import type {RuntimeEvent} from './runtime-event.js';

/** connecting: trying; live: subscribed; retrying: lost, trying again after a wait; off: not to be had (see note). */
export type StreamPhase = 'connecting' | 'live' | 'retrying' | 'off';

export interface StreamState {
	readonly containerd: StreamPhase;
	readonly docker: StreamPhase;
	/** Why a stream is not live, for the node's status line; null when both are (or Docker is simply absent). */
	readonly note: string | null;
}

export interface NodeEventOptions {
	readonly containerdSocket: string;
	readonly dockerSocket: string;
	/** --sudo nodes are read through CLIs: no socket, no stream. */
	readonly sudo?: boolean;
	readonly timeoutMs: number;
	/** Bound on one event's bytes. */
	readonly maxEventBytes?: number;
	/** First wait before a reconnect; doubles to maxBackoffMs. */
	readonly backoffMs?: number;
	readonly maxBackoffMs?: number;
	/** HTTP/2 ping period on containerd's stream (notices a silently dropped SSH link). */
	readonly pingIntervalMs?: number;
}

export interface NodeEventHandlers {
	onEvent(event: RuntimeEvent): void;
	onState?(state: StreamState): void;
}

const DEFAULTS = {maxEventBytes: 1 << 20, backoffMs: 1_000, maxBackoffMs: 30_000, pingIntervalMs: 30_000};
/** A socket that is not there is looked for again this seldom: Docker is often simply not installed. */
const ABSENT_RETRY_MS = 60_000;

type Source = 'containerd' | 'docker';

export class NodeEventStream {
	private closed = false;
	private readonly phases: Record<Source, StreamPhase> = {containerd: 'connecting', docker: 'connecting'};
	private readonly notes: Record<Source, string | null> = {containerd: null, docker: null};
	private readonly failures: Record<Source, number> = {containerd: 0, docker: 0};
	private readonly timers = new Set<NodeJS.Timeout>();
	private containerdStream: GrpcStream | null = null;
	private dockerStream: DockerStream | null = null;
	/**
	 * Where a lost Docker stream resumes: Docker's time of the newest event it sent, and the
	 * events of that second already passed on. A reconnect asks for `since` that second, so
	 * what happened while the stream was down (the connection dropped under a slow poll) is
	 * replayed from Docker's buffer, and what was seen is not told twice. containerd keeps no
	 * such buffer: its events while down are lost (the next poll still shows the containers).
	 */
	private dockerResume: {atMs: number; seen: Set<string>} | null = null;
	private readonly options: Required<Omit<NodeEventOptions, 'sudo'>> & {sudo: boolean};

	constructor(private readonly transport: Transport, options: NodeEventOptions, private readonly handlers: NodeEventHandlers) {
		this.options = {...DEFAULTS, sudo: false, ...options};
	}

	get state(): StreamState {
		const notes = (['containerd', 'docker'] as const).filter((s) => this.phases[s] !== 'live' && this.notes[s]).map((s) => this.notes[s]!);
		return {containerd: this.phases.containerd, docker: this.phases.docker, note: notes.length > 0 ? notes.join('; ') : null};
	}

	start(): void {
		if (this.options.sudo) {
			this.set('containerd', 'off', 'no event stream in --sudo mode (polling only)');
			this.set('docker', 'off', null);
			return;
		}
		void this.openContainerd();
		void this.openDocker();
	}

	close(): void {
		this.closed = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.containerdStream?.close();
		this.dockerStream?.close();
	}

	private set(source: Source, phase: StreamPhase, note: string | null): void {
		if (this.closed) return;
		const changed = this.phases[source] !== phase || this.notes[source] !== note;
		this.phases[source] = phase;
		this.notes[source] = note;
		if (changed) this.handlers.onState?.(this.state);
	}

	private later(run: () => void, ms: number): void {
		if (this.closed) return;
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		timer.unref();
		this.timers.add(timer);
	}

	private retry(source: Source, why: string, absent: boolean): void {
		if (this.closed) return;
		const failures = ++this.failures[source];
		const wait = absent ? ABSENT_RETRY_MS : Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** Math.min(failures - 1, 10));
		this.set(source, absent ? 'off' : 'retrying', why);
		this.later(() => void (source === 'containerd' ? this.openContainerd() : this.openDocker()), wait);
	}

	private async connect(path: string): Promise<import('node:stream').Duplex> {
		await this.transport.connect(this.options.timeoutMs);
		return this.transport.connectUnix(path, this.options.timeoutMs);
	}

	private async openContainerd(): Promise<void> {
		if (this.closed) return;
		const socket = this.options.containerdSocket;
		let duplex;
		try {
			duplex = await this.connect(socket);
		} catch (error) {
			const absent = error instanceof TransportError && error.kind === 'missing';
			this.retry('containerd', `containerd events: ${describeError(error)} (polling only)`, absent);
			return;
		}
		if (this.closed) {
			duplex.destroy();
			return;
		}
		this.containerdStream = openGrpcStream(duplex, EVENTS_SUBSCRIBE, encode(SubscribeRequest, {filters: []}), {
			maxMessageBytes: this.options.maxEventBytes,
			openAfterMs: Math.min(1_000, this.options.timeoutMs),
			pingIntervalMs: this.options.pingIntervalMs,
		}, {
			onOpen: () => {
				this.failures.containerd = 0;
				this.set('containerd', 'live', null);
			},
			onMessage: (bytes) => {
				try {
					this.handlers.onEvent(containerdEvent(bytes, Date.now()));
				} catch (error) {
					if (!(error instanceof ProtobufError)) throw error;
					// One bad envelope is dropped; the stream goes on.
				}
			},
			onEnd: (error) => {
				this.containerdStream = null;
				if (this.closed) return;
				// An old containerd without the service: nothing to reconnect to soon.
				const unimplemented = error?.code === 12;
				this.retry('containerd', `containerd events: ${error ? error.message : 'the stream ended'}${unimplemented ? '' : ', reconnecting'} (polling only meanwhile)`, unimplemented);
			},
		});
	}

	/** Whether a Docker event is new (not one a resumed stream replays); remembers it. */
	private firstSight(event: RuntimeEvent): boolean {
		const key = `${event.at} ${event.topic} ${event.id ?? ''}`;
		const resume = this.dockerResume;
		if (resume?.seen.has(key)) return false;
		if (!resume || Math.floor(event.at / 1000) > Math.floor(resume.atMs / 1000)) this.dockerResume = {atMs: event.at, seen: new Set([key])};
		else resume.seen.add(key);
		return true;
	}

	private async openDocker(): Promise<void> {
		if (this.closed) return;
		const socket = this.options.dockerSocket;
		let path: string;
		let duplex;
		try {
			const version = parseDockerVersion(await dockerGet(await this.connect(socket), '/version', {timeoutMs: this.options.timeoutMs, maxBytes: 1 << 20}));
			path = versionedPath(negotiateApiVersion(version), dockerEventsPath(this.dockerResume ? Math.floor(this.dockerResume.atMs / 1000) : undefined));
			duplex = await this.connect(socket);
		} catch (error) {
			const absent = error instanceof TransportError && error.kind === 'missing';
			// No Docker on the node is normal: say nothing about it.
			this.retry('docker', absent ? '' : `Docker events: ${describeError(error)}`, absent);
			if (absent) this.notes.docker = null;
			return;
		}
		if (this.closed) {
			duplex.destroy();
			return;
		}
		this.dockerStream = dockerGetStream(duplex, path, {maxLineBytes: this.options.maxEventBytes, openTimeoutMs: this.options.timeoutMs}, {
			onOpen: () => {
				this.failures.docker = 0;
				this.set('docker', 'live', null);
			},
			onLine: (line) => {
				const event = dockerEvent(line, Date.now());
				if (event && this.firstSight(event)) this.handlers.onEvent(event);
			},
			onEnd: (error) => {
				this.dockerStream = null;
				if (this.closed) return;
				this.retry('docker', `Docker events: ${error ? error.message : 'the stream ended'}, reconnecting`, false);
			},
		});
	}
}
