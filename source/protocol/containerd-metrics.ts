/**
 * containerd's `Tasks.Metrics` RPC: one call per namespace answers every task's cgroup
 * stats. Field numbers are upstream's: containerd/api services/tasks/v1/tasks.proto
 * (MetricsRequest, MetricsResponse), api/types/metrics.proto (Metric {timestamp, id, data}),
 * containerd/cgroups stats/v1/metrics.proto and cgroup2/stats/metrics.proto (v1, v2 Metrics).
 *
 * The answer is decoded here by a reader of its own rather than the schema-driven codec:
 * at a thousand containers it is tens of thousands of uint64 varints, of which crimon needs
 * about ten a container, so this reader walks numbers as plain doubles (exact below 2^53,
 * which every counter crimon reads stays under; the kernel's "unlimited" memory limit
 * does not, and is reported as unlimited) and skips everything else without decoding it.
 * Malformed bytes raise ProtobufError, as everywhere else.
 * @public messages: test/unit/proto-upstream.test.ts holds them against upstream's .proto.
 */
import {Any} from './containerd-api.js';
import {field, message, ProtobufError, type FieldName, type MessageSchema} from './protobuf.js';

// ---- the messages, as far as crimon reads them ----------------------------------------------
// The reader below takes its field numbers from these schemas, and
// test/unit/proto-upstream.test.ts holds the schemas to the upstream .proto files.

/** @public */ export const Timestamp = message('google.protobuf.Timestamp', {1: field('seconds', 'int64'), 2: field('nanos', 'int32')});

/** @public */ export const MetricsRequest = message('containerd.services.tasks.v1.MetricsRequest', {1: field('filters', 'string', true)});

/** @public */ export const Metric = message('containerd.types.Metric', {1: field('timestamp', Timestamp), 2: field('id', 'string'), 3: field('data', Any)});

/** @public */ export const MetricsResponse = message('containerd.services.tasks.v1.MetricsResponse', {1: field('metrics', Metric, true)});

const V1_PIDS = message('io.containerd.cgroups.v1.PidsStat', {1: field('current', 'uint64')});
const V1_CPU_USAGE = message('io.containerd.cgroups.v1.CPUUsage', {1: field('total', 'uint64')});
const V1_THROTTLE = message('io.containerd.cgroups.v1.Throttle', {2: field('throttledPeriods', 'uint64'), 3: field('throttledTime', 'uint64')});
const V1_CPU = message('io.containerd.cgroups.v1.CPUStat', {1: field('usage', V1_CPU_USAGE), 2: field('throttling', V1_THROTTLE)});
const V1_MEMORY_ENTRY = message('io.containerd.cgroups.v1.MemoryEntry', {1: field('limit', 'uint64'), 2: field('usage', 'uint64')});
const V1_MEMORY = message('io.containerd.cgroups.v1.MemoryStat', {30: field('totalInactiveFile', 'uint64'), 33: field('usage', V1_MEMORY_ENTRY)});
const V1_OOM = message('io.containerd.cgroups.v1.MemoryOomControl', {3: field('oomKill', 'uint64')});
const V1_BLKIO_ENTRY = message('io.containerd.cgroups.v1.BlkIOEntry', {1: field('op', 'string'), 3: field('major', 'uint64'), 4: field('minor', 'uint64'), 5: field('value', 'uint64')});
const V1_BLKIO = message('io.containerd.cgroups.v1.BlkIOStat', {1: field('ioServiceBytesRecursive', V1_BLKIO_ENTRY, true), 2: field('ioServicedRecursive', V1_BLKIO_ENTRY, true)});
/** @public */ export const CgroupsV1Metrics = message('io.containerd.cgroups.v1.Metrics', {2: field('pids', V1_PIDS), 3: field('cpu', V1_CPU), 4: field('memory', V1_MEMORY), 5: field('blkio', V1_BLKIO), 9: field('memoryOomControl', V1_OOM)});

const V2_PIDS = message('io.containerd.cgroups.v2.PidsStat', {1: field('current', 'uint64')});
const V2_CPU = message('io.containerd.cgroups.v2.CPUStat', {1: field('usageUsec', 'uint64'), 5: field('nrThrottled', 'uint64'), 6: field('throttledUsec', 'uint64')});
const V2_MEMORY = message('io.containerd.cgroups.v2.MemoryStat', {13: field('inactiveFile', 'uint64'), 32: field('usage', 'uint64'), 33: field('usageLimit', 'uint64')});
const V2_EVENTS = message('io.containerd.cgroups.v2.MemoryEvents', {5: field('oomKill', 'uint64')});
const V2_IO_ENTRY = message('io.containerd.cgroups.v2.IOEntry', {1: field('major', 'uint64'), 2: field('minor', 'uint64'), 3: field('rbytes', 'uint64'), 4: field('wbytes', 'uint64'), 5: field('rios', 'uint64'), 6: field('wios', 'uint64')});
const V2_IO = message('io.containerd.cgroups.v2.IOStat', {1: field('usage', V2_IO_ENTRY, true)});
/** @public */ export const CgroupsV2Metrics = message('io.containerd.cgroups.v2.Metrics', {1: field('pids', V2_PIDS), 2: field('cpu', V2_CPU), 4: field('memory', V2_MEMORY), 6: field('io', V2_IO), 8: field('memoryEvents', V2_EVENTS)});

/** A field's number in a schema, by name: the reader below never writes a number itself, and a misspelt name does not compile. */
function n<S extends MessageSchema>(schema: S, name: FieldName<S>): number {
	for (const [number, spec] of Object.entries(schema.fields)) if (spec.name === name) return Number(number);
	throw new Error(`${schema.message} has no field ${name}`);
}

const F = {
	response: {metrics: n(MetricsResponse, 'metrics')},
	metric: {timestamp: n(Metric, 'timestamp'), id: n(Metric, 'id'), data: n(Metric, 'data')},
	any: {typeUrl: n(Any, 'typeUrl'), value: n(Any, 'value')},
	timestamp: {seconds: n(Timestamp, 'seconds'), nanos: n(Timestamp, 'nanos')},
	v1: {
		pids: n(CgroupsV1Metrics, 'pids'), cpu: n(CgroupsV1Metrics, 'cpu'), memory: n(CgroupsV1Metrics, 'memory'), oom: n(CgroupsV1Metrics, 'memoryOomControl'),
		pidsCurrent: n(V1_PIDS, 'current'), cpuUsage: n(V1_CPU, 'usage'), cpuThrottling: n(V1_CPU, 'throttling'), usageTotal: n(V1_CPU_USAGE, 'total'),
		throttledPeriods: n(V1_THROTTLE, 'throttledPeriods'), throttledTime: n(V1_THROTTLE, 'throttledTime'),
		totalInactiveFile: n(V1_MEMORY, 'totalInactiveFile'), memoryUsage: n(V1_MEMORY, 'usage'),
		entryLimit: n(V1_MEMORY_ENTRY, 'limit'), entryUsage: n(V1_MEMORY_ENTRY, 'usage'), oomKill: n(V1_OOM, 'oomKill'),
		blkio: n(CgroupsV1Metrics, 'blkio'), serviceBytes: n(V1_BLKIO, 'ioServiceBytesRecursive'), serviced: n(V1_BLKIO, 'ioServicedRecursive'),
		entryOp: n(V1_BLKIO_ENTRY, 'op'), entryMajor: n(V1_BLKIO_ENTRY, 'major'), entryMinor: n(V1_BLKIO_ENTRY, 'minor'), entryValue: n(V1_BLKIO_ENTRY, 'value'),
	},
	v2: {
		pids: n(CgroupsV2Metrics, 'pids'), cpu: n(CgroupsV2Metrics, 'cpu'), memory: n(CgroupsV2Metrics, 'memory'), events: n(CgroupsV2Metrics, 'memoryEvents'),
		pidsCurrent: n(V2_PIDS, 'current'), usageUsec: n(V2_CPU, 'usageUsec'), nrThrottled: n(V2_CPU, 'nrThrottled'), throttledUsec: n(V2_CPU, 'throttledUsec'),
		inactiveFile: n(V2_MEMORY, 'inactiveFile'), usage: n(V2_MEMORY, 'usage'), usageLimit: n(V2_MEMORY, 'usageLimit'), oomKill: n(V2_EVENTS, 'oomKill'),
		io: n(CgroupsV2Metrics, 'io'), ioUsage: n(V2_IO, 'usage'), ioMajor: n(V2_IO_ENTRY, 'major'), ioMinor: n(V2_IO_ENTRY, 'minor'),
		rbytes: n(V2_IO_ENTRY, 'rbytes'), wbytes: n(V2_IO_ENTRY, 'wbytes'), rios: n(V2_IO_ENTRY, 'rios'), wios: n(V2_IO_ENTRY, 'wios'),
	},
} as const;

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
	readonly cpuNanos: number | null; readonly throttledPeriods: number | null; readonly throttledNanos: number | null;
	readonly memoryUsage: number | null; readonly inactiveFile: number | null;
	/** The raw limit; a value at or past 2^62 is the kernel's "no limit". */
	readonly memoryLimit: number | null;
	readonly oomKills: number | null;
	readonly pids: number | null;
	/** Block IO per device (`MAJ:MIN`): v1 blkio's recursive service counters, v2 io.stat; null without the message. */
	readonly blockIo: readonly MetricsDevice[] | null;
}

interface MetricsDevice {readonly device: string; readBytes: number; writeBytes: number; readOps: number; writeOps: number}

function deviceOf(devices: Map<string, MetricsDevice>, major: number, minor: number): MetricsDevice {
	const key = `${major}:${minor}`;
	let device = devices.get(key);
	if (!device) devices.set(key, (device = {device: key, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0}));
	return device;
}

/** v1 BlkIOEntry {op, major, minor, value}: `Read` and `Write` lines of one list add to bytes or ops. */
function readBlkio(cursor: Cursor, devices: Map<string, MetricsDevice>): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || (field !== F.v1.serviceBytes && field !== F.v1.serviced)) return false;
		const entry = cursor.sub();
		let op = '';
		const numbers: (number | null)[] = [null, null, null];
		entry.fields((f, w) => {
			if (f === F.v1.entryOp && w === WIRE_LENGTH) op = entry.text();
			else if (w === WIRE_VARINT && (f === F.v1.entryMajor || f === F.v1.entryMinor || f === F.v1.entryValue)) numbers[f === F.v1.entryMajor ? 0 : f === F.v1.entryMinor ? 1 : 2] = entry.varint();
			else return false;
			return true;
		});
		if (op !== 'Read' && op !== 'Write') return true;
		const device = deviceOf(devices, numbers[0] ?? 0, numbers[1] ?? 0);
		const value = numbers[2] ?? 0;
		if (field === F.v1.serviceBytes) device[op === 'Read' ? 'readBytes' : 'writeBytes'] = value;
		else device[op === 'Read' ? 'readOps' : 'writeOps'] = value;
		return true;
	});
}

/** v2 IOStat {repeated IOEntry usage}. */
function readIo(cursor: Cursor, devices: Map<string, MetricsDevice>): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || field !== F.v2.ioUsage) return false;
		const out: (number | null)[] = [null, null, null, null, null, null];
		readNumbers(cursor.sub(), {[F.v2.ioMajor]: 0, [F.v2.ioMinor]: 1, [F.v2.rbytes]: 2, [F.v2.wbytes]: 3, [F.v2.rios]: 4, [F.v2.wios]: 5}, out);
		const device = deviceOf(devices, out[0] ?? 0, out[1] ?? 0);
		device.readBytes = out[2] ?? 0;
		device.writeBytes = out[3] ?? 0;
		device.readOps = out[4] ?? 0;
		device.writeOps = out[5] ?? 0;
		return true;
	});
}

// ---- the request -----------------------------------------------------------------------

/** `MetricsRequest {repeated string filters}`; no filter asks for every task of the namespace. */
export function encodeMetricsRequest(filters: readonly string[] = []): Uint8Array {
	const parts: number[] = [];
	const encoder = new TextEncoder();
	for (const filter of filters) {
		const bytes = encoder.encode(filter);
		parts.push(n(MetricsRequest, 'filters') * 8 + 2);
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

const V1_WANTED: ReadonlySet<number> = new Set([F.v1.pids, F.v1.cpu, F.v1.memory, F.v1.oom, F.v1.blkio]);

/** io.containerd.cgroups.v1.Metrics: pids, cpu (usage.total, throttling), memory (total_inactive_file, usage {limit, usage}), memory_oom_control. */
function readV1(cursor: Cursor, out: (number | null)[], devices: Map<string, MetricsDevice>): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || !V1_WANTED.has(field)) return false;
		const body = cursor.sub();
		if (field === F.v1.blkio) {
			readBlkio(body, devices);
		} else if (field === F.v1.pids) {
			readNumbers(body, {[F.v1.pidsCurrent]: PIDS}, out);
		} else if (field === F.v1.cpu) {
			body.fields((f, w) => {
				if (w !== WIRE_LENGTH || (f !== F.v1.cpuUsage && f !== F.v1.cpuThrottling)) return false;
				const inner = body.sub();
				if (f === F.v1.cpuUsage) readNumbers(inner, {[F.v1.usageTotal]: CPU}, out);
				else readNumbers(inner, {[F.v1.throttledPeriods]: THROTTLED_PERIODS, [F.v1.throttledTime]: THROTTLED_TIME}, out);
				return true;
			});
		} else if (field === F.v1.memory) {
			body.fields((f, w) => {
				if (f === F.v1.totalInactiveFile && w === WIRE_VARINT) {
					out[INACTIVE_FILE] = body.varint();
					return true;
				}
				if (f === F.v1.memoryUsage && w === WIRE_LENGTH) {
					readNumbers(body.sub(), {[F.v1.entryLimit]: MEM_LIMIT, [F.v1.entryUsage]: MEM_USAGE}, out);
					return true;
				}
				return false;
			});
		} else {
			readNumbers(body, {[F.v1.oomKill]: OOM_KILLS}, out);
		}
		return true;
	});
}

const V2_WANTED: ReadonlySet<number> = new Set([F.v2.pids, F.v2.cpu, F.v2.memory, F.v2.events, F.v2.io]);

/** io.containerd.cgroups.v2.Metrics: pids, cpu (usage_usec, nr_throttled, throttled_usec), memory (inactive_file, usage, usage_limit), memory_events. */
function readV2(cursor: Cursor, out: (number | null)[], devices: Map<string, MetricsDevice>): void {
	cursor.fields((field, wire) => {
		if (wire !== WIRE_LENGTH || !V2_WANTED.has(field)) return false;
		const body = cursor.sub();
		if (field === F.v2.io) readIo(body, devices);
		else if (field === F.v2.pids) readNumbers(body, {[F.v2.pidsCurrent]: PIDS}, out);
		else if (field === F.v2.cpu) readNumbers(body, {[F.v2.usageUsec]: CPU, [F.v2.nrThrottled]: THROTTLED_PERIODS, [F.v2.throttledUsec]: THROTTLED_TIME}, out);
		else if (field === F.v2.memory) readNumbers(body, {[F.v2.inactiveFile]: INACTIVE_FILE, [F.v2.usage]: MEM_USAGE, [F.v2.usageLimit]: MEM_LIMIT}, out);
		else readNumbers(body, {[F.v2.oomKill]: OOM_KILLS}, out);
		return true;
	});
}

/** google.protobuf.Timestamp → ms. */
function readTimestamp(cursor: Cursor): number {
	let seconds = 0;
	let nanos = 0;
	cursor.fields((field, wire) => {
		if (wire !== WIRE_VARINT) return false;
		if (field === F.timestamp.seconds) seconds = cursor.varint();
		else if (field === F.timestamp.nanos) nanos = cursor.varint();
		else return false;
		return true;
	});
	return seconds * 1000 + Math.floor(nanos / 1e6);
}

/** types.Metric {timestamp, id, data (Any {type_url, value})}. */
function readMetric(cursor: Cursor): TaskMetrics {
	let id = '';
	let at: number | null = null;
	let typeUrl = '';
	let value: Cursor | null = null;
	cursor.fields((field, wire) => {
		if (field === F.metric.timestamp) {
			expect(wire, WIRE_LENGTH, 'Metric.timestamp');
			at = readTimestamp(cursor.sub());
		} else if (field === F.metric.id) {
			expect(wire, WIRE_LENGTH, 'Metric.id');
			id = cursor.text();
		} else if (field === F.metric.data) {
			expect(wire, WIRE_LENGTH, 'Metric.data');
			const any = cursor.sub();
			any.fields((f, w) => {
				if (f === F.any.typeUrl && w === WIRE_LENGTH) typeUrl = any.text();
				else if (f === F.any.value && w === WIRE_LENGTH) value = any.sub();
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
	const devices = new Map<string, MetricsDevice>();
	if (body && name === CGROUPS_V1_METRICS) {
		cgroup = 'v1';
		readV1(body, out, devices);
	} else if (body && name === CGROUPS_V2_METRICS) {
		cgroup = 'v2';
		readV2(body, out, devices);
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
		// A cgroup that has done no IO sends no entries: zero devices, not unknown.
		blockIo: cgroup === null ? null : [...devices.values()],
	};
}

/** `MetricsResponse {repeated types.Metric metrics}`. */
export function decodeMetricsResponse(bytes: Uint8Array): TaskMetrics[] {
	const cursor = new Cursor(bytes, 0, bytes.length);
	const metrics: TaskMetrics[] = [];
	cursor.fields((field, wire) => {
		if (field !== F.response.metrics) return false;
		expect(wire, WIRE_LENGTH, 'MetricsResponse.metrics');
		metrics.push(readMetric(cursor.sub()));
		return true;
	});
	return metrics;
}
