/**
 * What the health findings need beyond one poll: the marks of the poll before (a shim with
 * no child, a task without its init, must be seen twice before crimon calls it a fault),
 * whether each shim's -address socket answers (probed through the transport, cached), and
 * the exits and OOMs the event stream counted. The collector keeps one per node and hands
 * the model all of it as explicit input.
 */
import {canonicalRunPath} from './kubelet-flags.js';
import {findShims} from './shims.js';
import type {ContainerEventCount, HealthFacts, HealthMarks, NodeFacts, Shim, ShimAddressProbe} from '../schema/types.js';
import {TransportError, type Transport} from '../transport/transport.js';

/** How long a probe's answer is kept: a socket that answers rarely stops; one that does not is re-checked sooner. */
const PROBE_TTL_MS = {answers: 30_000, silent: 5_000} as const;
const PROBE_TIMEOUT_MS = 1_000;
/** A node with more shim sockets than this is probed for the first ones only. */
const MAX_ADDRESSES = 16;

interface CachedProbe {
	readonly probe: ShimAddressProbe | null;
	readonly until: number;
}

export class HealthState {
	private previous: HealthMarks | null = null;
	private readonly probes = new Map<string, CachedProbe>();

	constructor(
		private readonly transport: Transport,
		private readonly eventCounts: () => readonly ContainerEventCount[] = () => [],
		private readonly now: () => number = Date.now,
	) {}

	/** The poll's one scan for shims: the health facts, the marks and the model all take it from NodeFacts.shims. */
	scanShims(processes: NodeFacts['processes']): readonly Shim[] {
		return findShims(processes ?? []);
	}

	/** This poll's HealthFacts; call `remember` with the model's marks of it afterwards. */
	async gather(facts: Omit<NodeFacts, 'health'>, options: {readonly timeoutMs: number; readonly containerdSocket: string}): Promise<HealthFacts> {
		const shims = facts.shims ?? findShims(facts.processes ?? []);
		// The socket this poll just read containerd from needs no probe: it answered.
		const read = facts.containerd ? canonicalRunPath(facts.containerd.address) : null;
		const addresses = [...new Set(shims.map((s) => s.address).filter((a) => a.startsWith('/') && canonicalRunPath(a) !== read))].slice(0, MAX_ADDRESSES);
		const probes = await Promise.all(addresses.map((address) => this.probe(address, Math.min(options.timeoutMs, PROBE_TIMEOUT_MS))));
		return {
			previous: this.previous,
			shimAddresses: probes.filter((p): p is ShimAddressProbe => p !== null),
			events: this.eventCounts(),
		};
	}

	/** The marks the model made of this poll, for the next poll's facts to carry as `previous`. */
	remember(marks: HealthMarks): void {
		this.previous = marks;
	}

	private async probe(address: string, timeoutMs: number): Promise<ShimAddressProbe | null> {
		const cached = this.probes.get(address);
		if (cached && cached.until > this.now()) return cached.probe;
		let probe: ShimAddressProbe | null;
		try {
			const stream = await this.transport.connectUnix(address, timeoutMs);
			stream.destroy();
			probe = {address, answers: true, message: null};
		} catch (error) {
			const kind = error instanceof TransportError ? error.kind : 'other';
			const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
			// Denied: crimon cannot tell, so it says nothing rather than call a live containerd gone.
			probe = kind === 'denied' || kind === 'unreachable' ? null : {address, answers: false, message};
		}
		this.probes.set(address, {probe, until: this.now() + (probe?.answers === false ? PROBE_TTL_MS.silent : PROBE_TTL_MS.answers)});
		return probe;
	}
}
