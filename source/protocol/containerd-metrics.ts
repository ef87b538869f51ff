/**
 * containerd's `Tasks.Metrics` RPC: one call per namespace answers every task's cgroup
 * stats. Field numbers are upstream's: containerd/api services/tasks/v1/tasks.proto
 * (MetricsRequest, MetricsResponse), api/types/metrics.proto (Metric {timestamp, id,
 * data}), and containerd/cgroups stats/v1/metrics.proto (`io.containerd.cgroups.v1.Metrics`)
 * and cgroup2/stats/metrics.proto (`io.containerd.cgroups.v2.Metrics`).
 *
 * The answer is decoded here by a reader of its own rather than the schema-driven codec:
 * at a thousand containers it is tens of thousands of uint64 varints, of which crimon needs
 * about ten a container, so this reader walks numbers as plain doubles (exact below 2^53,
 * which every counter crimon reads stays under; the kernel's "unlimited" memory limit
 * does not, and is reported as unlimited) and skips everything else without decoding it.
 * Malformed bytes raise ProtobufError, as everywhere else.
 */
import {ProtobufError} from './protobuf.js';

export const METRICS_METHOD = '/containerd.services.tasks.v1.Tasks/Metrics';

/** The Any type URLs of the two cgroup stats messages (containerd writes them without a host prefix; a prefix is tolerated). */
export const CGROUPS_V1_METRICS = 'io.containerd.cgroups.v1.Metrics';
export const CGROUPS_V2_METRICS = 'io.containerd.cgroups.v2.Metrics';

/** What crimon reads of one task's stats, whichever cgroup version answered. */
export interface TaskMetrics {
	/** The task (= container) id. */
	readonly id: string;
	/** When containerd collected them, ms since the epoch; null when it did not say. */
	readonly at: number | null;
	readonly cgroup: 'v1' | 'v2' | null;
	/** The Any's type URL, when it is neither cgroup message. */
	readonly typeUrl: string;
	readonly cpuNanos: number | null;
	readonly throttledPeriods: number | null;
	readonly throttledNanos: number | null;
	readonly memoryUsage: number | null;
	readonly inactiveFile: number | null;
	/** The raw limit; a value at or past 2^62 is the kernel's "no limit". */
	readonly memoryLimit: number | null;
	readonly oomKills: number | null;
	readonly pids: number | null;
}

// ---- the request -----------------------------------------------------------------------

/** `MetricsRequest {repeated string filters = 1}`; no filter asks for every task of the namespace. */
export function encodeMetricsRequest(filters: readonly string[] = []): Uint8Array {
	const parts: number[] = [];
	const encoder = new TextEncoder();
	for (const filter of filters) {
		const bytes = encoder.encode(filter);
		parts.push(0x0a);
		let length = bytes.length;
		while (length >= 0x80) {
			parts.push((length & 0x7f) | 0x80);
			length >>>= 7;
		}
		parts.push(length);
		parts.push(...bytes);
	}
	return Uint8Array.from(parts);
}

// ---- a lean reader ---------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

class Cursor {
	constructor(readonly bytes: Uint8Array, public position: number, readonly end: number) {}

	/** A varint as a double: exact to 2^53, close beyond (enough to tell "unlimited"). */
	varint(): number {
		let result = 0;
		let multiplier = 1;
		for (let i = 0; i < 10; i++) {
			if (this.position >= this.end) throw new ProtobufError('truncated varint');
			const byte = this.bytes[this.position++]!;
			result += (byte & 0x7f) * multiplier;
			if ((byte & 0x80) === 0) return result;
			multiplier *= 128;
		}
		throw new ProtobufError('varint longer than 10 bytes');
	}

	/** The bounds of a length-delimited field's body; the cursor moves past it. */
	sub(): Cursor {
		const length = this.varint();
		const start = this.position;
		if (length > this.end - start) throw new ProtobufError(`field of ${length} bytes runs past the end of its message`);
		this.position = start + length;
		return new Cursor(this.bytes, start, start + length);
	}

	skip(wire: number): void {
		switch (wire) {
			case WIRE_VARINT: this.varint(); return;
			case WIRE_FIXED64: this.advance(8); return;
			case WIRE_LENGTH: this.sub(); return;
			case WIRE_FIXED32: this.advance(4); return;
			default: throw new ProtobufError(`unsupported wire type ${wire}`);
		}
	}

	private advance(n: number): void {
		if (this.position + n > this.end) throw new ProtobufError('field runs past the end of its message');
		this.position += n;
	}

	text(): string {
		const body = this.sub();
		return utf8.decode(body.bytes.subarray(body.position, body.end));
	}

	/** Calls `visit(field, wire)` for every field; `visit` must consume the field's value (or return false to have it skipped). */
	fields(visit: (field: number, wire: number) => boolean): void {
		while (this.position < this.end) {
			const tag = this.varint();
			const field = Math.floor(tag / 8);
			const wire = tag % 8;
			if (field === 0) throw new ProtobufError('field number 0');
			if (!visit(field, wire)) this.skip(wire);
		}
	}
}

const utf8 = new TextDecoder('utf-8', {fatal: false});

function expect(wire: number, want: number, what: string): void {
	if (wire !== want) throw new ProtobufError(`${what}: unexpected wire type ${wire}`);
}

/** Reads the uint64 fields named in `wanted` (field number → slot) of a flat message into `out`. */
function readNumbers(cursor: Cursor, wanted: Readonly<Record<number, number>>, out: (number | null)[]): void {
	cursor.fields((field, wire) => {
		const slot = wanted[field];
		if (slot === undefined || wire !== WIRE_VARINT) return false;
		out[slot] = cursor.varint();
		return true;
	});
}

// Slots in the scratch array both versions fill.
const CPU = 0;
const THROTTLED_PERIODS = 1;
const THROTTLED_TIME = 2;
const MEM_USAGE = 3;
const INACTIVE_FILE = 4;
const MEM_LIMIT = 5;
const OOM_KILLS = 6;
const PIDS = 7;
const SLOTS = 8;

/** io.containerd.cgroups.v1.Metrics: pids = 2, cpu = 3, memory = 4, memory_oom_control = 9. */
function readV1(cursor: Cursor, out: (number | null)[]): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || ![2, 3, 4, 9].includes(field)) return false;
		const body = cursor.sub();
		switch (field) {
			case 2: // PidsStat {current = 1, limit = 2}
				readNumbers(body, {1: PIDS}, out);
				break;
			case 3: // CPUStat {usage = 1 (CPUUsage {total = 1, …}), throttling = 2 (Throttle {periods = 1, throttled_periods = 2, throttled_time = 3})}
				body.fields((f, w) => {
					if (w !== WIRE_LENGTH || (f !== 1 && f !== 2)) return false;
					const inner = body.sub();
					if (f === 1) readNumbers(inner, {1: CPU}, out);
					else readNumbers(inner, {2: THROTTLED_PERIODS, 3: THROTTLED_TIME}, out);
					return true;
				});
				break;
			case 4: // MemoryStat {total_inactive_file = 30, usage = 33 (MemoryEntry {limit = 1, usage = 2})}
				body.fields((f, w) => {
					if (f === 30 && w === WIRE_VARINT) {
						out[INACTIVE_FILE] = body.varint();
						return true;
					}
					if (f === 33 && w === WIRE_LENGTH) {
						readNumbers(body.sub(), {1: MEM_LIMIT, 2: MEM_USAGE}, out);
						return true;
					}
					return false;
				});
				break;
			case 9: // MemoryOomControl {oom_kill = 3}
				readNumbers(body, {3: OOM_KILLS}, out);
				break;
		}
		return true;
	});
}

/** io.containerd.cgroups.v2.Metrics: pids = 1, cpu = 2, memory = 4, memory_events = 8. */
function readV2(cursor: Cursor, out: (number | null)[]): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || ![1, 2, 4, 8].includes(field)) return false;
		const body = cursor.sub();
		switch (field) {
			case 1: // PidsStat {current = 1}
				readNumbers(body, {1: PIDS}, out);
				break;
			case 2: // CPUStat {usage_usec = 1, nr_throttled = 5, throttled_usec = 6}
				readNumbers(body, {1: CPU, 5: THROTTLED_PERIODS, 6: THROTTLED_TIME}, out);
				break;
			case 4: // MemoryStat {inactive_file = 13, usage = 32, usage_limit = 33}
				readNumbers(body, {13: INACTIVE_FILE, 32: MEM_USAGE, 33: MEM_LIMIT}, out);
				break;
			case 8: // MemoryEvents {oom_kill = 5}
				readNumbers(body, {5: OOM_KILLS}, out);
				break;
		}
		return true;
	});
}

/** google.protobuf.Timestamp {seconds = 1, nanos = 2} → ms. */
function readTimestamp(cursor: Cursor): number {
	let seconds = 0;
	let nanos = 0;
	cursor.fields((field, wire) => {
		if (wire !== WIRE_VARINT) return false;
		if (field === 1) seconds = cursor.varint();
		else if (field === 2) nanos = cursor.varint();
		else return false;
		return true;
	});
	return seconds * 1000 + Math.floor(nanos / 1e6);
}

/** types.Metric {timestamp = 1, id = 2, data = 3 (Any {type_url = 1, value = 2})}. */
function readMetric(cursor: Cursor): TaskMetrics {
	let id = '';
	let at: number | null = null;
	let typeUrl = '';
	let value: Cursor | null = null;
	cursor.fields((field, wire) => {
		if (field === 1) {
			expect(wire, WIRE_LENGTH, 'Metric.timestamp');
			at = readTimestamp(cursor.sub());
		} else if (field === 2) {
			expect(wire, WIRE_LENGTH, 'Metric.id');
			id = cursor.text();
		} else if (field === 3) {
			expect(wire, WIRE_LENGTH, 'Metric.data');
			const any = cursor.sub();
			any.fields((f, w) => {
				if (f === 1 && w === WIRE_LENGTH) typeUrl = any.text();
				else if (f === 2 && w === WIRE_LENGTH) value = any.sub();
				else return false;
				return true;
			});
		} else {
			return false;
		}
		return true;
	});
	const out: (number | null)[] = new Array<number | null>(SLOTS).fill(null);
	const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
	let cgroup: TaskMetrics['cgroup'] = null;
	const body = value as Cursor | null;
	if (body && name === CGROUPS_V1_METRICS) {
		cgroup = 'v1';
		readV1(body, out);
	} else if (body && name === CGROUPS_V2_METRICS) {
		cgroup = 'v2';
		readV2(body, out);
	}
	// proto3 leaves zero values out: a message that was there but empty means 0, not unknown.
	if (cgroup !== null) for (let i = 0; i < SLOTS; i++) if (i !== MEM_LIMIT) out[i] ??= 0;
	return {
		id,
		at,
		cgroup,
		typeUrl,
		cpuNanos: cgroup === 'v2' && out[CPU] !== null ? out[CPU]! * 1000 : (out[CPU] ?? null),
		throttledPeriods: (out[THROTTLED_PERIODS] ?? null),
		throttledNanos: cgroup === 'v2' && out[THROTTLED_TIME] !== null ? out[THROTTLED_TIME]! * 1000 : (out[THROTTLED_TIME] ?? null),
		memoryUsage: (out[MEM_USAGE] ?? null),
		inactiveFile: (out[INACTIVE_FILE] ?? null),
		memoryLimit: (out[MEM_LIMIT] ?? null),
		oomKills: (out[OOM_KILLS] ?? null),
		pids: (out[PIDS] ?? null),
	};
}

/** `MetricsResponse {repeated types.Metric metrics = 1}`. */
export function decodeMetricsResponse(bytes: Uint8Array): TaskMetrics[] {
	const cursor = new Cursor(bytes, 0, bytes.length);
	const metrics: TaskMetrics[] = [];
	cursor.fields((field, wire) => {
		if (field !== 1) return false;
		expect(wire, WIRE_LENGTH, 'MetricsResponse.metrics');
		metrics.push(readMetric(cursor.sub()));
		return true;
	});
	return metrics;
}
