/**
 * `crimon events [--json] [--node …]`: every node's runtime events, one line each, as they
 * happen, until interrupted (like `ctr events`). Each node is polled once first so events
 * can name their containers and pods, and again (debounced) when containers come and go.
 * Exit 130 on Ctrl-C, 1 when no node's stream could be had.
 */
import type {CliArgs} from './parse-args.js';
import {eventLine, eventWhat} from '../render/event-text.js';
import {NodeEventStream, type StreamState} from '../events/node-event-stream.js';
import {RepollOnEvents} from '../session/repoll-on-events.js';
import type {RuntimeEvent} from '../events/runtime-event.js';
import {openNode, type NodeHandle} from '../session/open-node.js';
import {resolveNodes} from './resolve-nodes.js';
import {escapeJson, escapeText} from '../render/terminal-text.js';
import type {NodeSnapshot} from '../schema/types.js';

export interface EventsIo {
	write(text: string): void;
	warn(text: string): void;
	/** Resolves when the user interrupts (SIGINT/SIGTERM). */
	interrupted: Promise<void>;
}

/** One text line: time, node, namespace, topic, container (pod), what happened. */
export function eventTextLine(node: string, event: RuntimeEvent, snapshot: NodeSnapshot | null): string {
	const line = eventLine(node, event, snapshot);
	const who = line.name ?? line.id ?? '';
	const pod = line.pod ? ` (${line.pod.namespace}/${line.pod.name})` : '';
	const time = line.at.replace('T', ' ').replace('Z', '');
	return [time, node, line.namespace ?? '-', event.topic, `${who}${pod}` || '-', eventWhat(event)].map(escapeText).join('  ');
}

/** JSON as snapshot --json writes it: control and bidi characters escaped, text kept whole. */
export function eventJsonLine(node: string, event: RuntimeEvent, snapshot: NodeSnapshot | null): string {
	return escapeJson(JSON.stringify(eventLine(node, event, snapshot)));
}

/** How long the streams get to come up before crimon decides none can be had. */
const SETTLE_MS = 5_000;

export async function eventsCommand(args: CliArgs, io: EventsIo): Promise<number> {
	const resolved = await resolveNodes(args);
	const handles: NodeHandle[] = resolved.specs.map((spec) => openNode(spec, {
		containerdSocket: args.containerdSocket ?? undefined,
		criSocket: args.criSocket ?? undefined,
		dockerSocket: args.dockerSocket ?? undefined,
		timeoutMs: resolved.timeoutMs,
		acceptNew: args.acceptNew,
	}));
	const snapshots: (NodeSnapshot | null)[] = handles.map(() => null);
	const pollNode = async (index: number) => {
		const snapshot = await handles[index]!.poll();
		if (snapshot.ok) snapshots[index] = snapshot;
		else if (!snapshots[index]) snapshots[index] = snapshot;
	};
	await Promise.all(handles.map((_, index) => pollNode(index)));
	const repoll = new RepollOnEvents({pollNow: pollNode});
	const nameOf = (index: number) => snapshots[index]?.name ?? handles[index]!.name;

	const settled = handles.map(() => false);
	let anyLive = false;
	let resolveSettled!: () => void;
	const allSettled = new Promise<void>((resolve) => (resolveSettled = resolve));
	const streams = handles.map((handle, index) => {
		const options = handle.collectOptions;
		const stream = new NodeEventStream(handle.transport, {
			containerdSocket: options.containerdSocket,
			dockerSocket: options.dockerSocket,
			sudo: options.sudo ?? false,
			timeoutMs: options.timeoutMs,
		}, {
			onEvent: (event) => {
				io.write(`${args.json ? eventJsonLine(nameOf(index), event, snapshots[index] ?? null) : eventTextLine(nameOf(index), event, snapshots[index] ?? null)}\n`);
				// New containers get their names from a poll; exits and OOMs need none.
				if (event.kind === 'create' || event.kind === 'start') repoll.request(index);
			},
			onState: (state: StreamState) => {
				if (state.containerd === 'live' || state.docker === 'live') anyLive = true;
				const decided = (phase: StreamState['containerd']) => phase !== 'connecting';
				if (!settled[index] && decided(state.containerd) && decided(state.docker)) {
					settled[index] = true;
					if (state.note) io.warn(`crimon: ${escapeText(nameOf(index))}: ${escapeText(state.note)}\n`);
					if (settled.every(Boolean)) resolveSettled();
				}
			},
		});
		stream.start();
		return stream;
	});
	const settleTimer = setTimeout(resolveSettled, SETTLE_MS);
	await Promise.race([allSettled, io.interrupted]);
	clearTimeout(settleTimer);
	const close = async () => {
		repoll.stop();
		for (const stream of streams) stream.close();
		await Promise.all(handles.map((h) => h.close()));
	};
	if (!anyLive) {
		io.warn('crimon: no node\'s event stream could be had\n');
		await close();
		return 1;
	}
	io.warn(`crimon: watching events on ${streams.filter((s) => s.state.containerd === 'live' || s.state.docker === 'live').length} of ${handles.length} node${handles.length === 1 ? '' : 's'}; Ctrl-C stops\n`);
	// The streams' reconnect timers are unref'd so they never hold a closing crimon; while
	// watching, this holds it. Without it a node whose connection dropped (every stream
	// waiting to reconnect) left nothing to run and crimon ended silently, exit 0.
	const hold = setInterval(() => undefined, 1 << 30);
	await io.interrupted;
	clearInterval(hold);
	await close();
	return 130;
}
