/**
 * A small protobuf (proto3) wire codec driven by hand-written schemas. crimon needs a
 * handful of messages from containerd's and the CRI's APIs; a schema here is the subset
 * of the upstream `.proto` that crimon reads, with the upstream field numbers.
 *
 * Decoding is defensive: a node may answer with anything, so malformed input raises
 * ProtobufError (never a RangeError from deep inside), and unknown fields are skipped
 * so newer runtimes that add fields still decode. int64 and uint64 decode to bigint (a
 * nanosecond timestamp is past 2^53), and map fields to objects without a prototype, so a
 * label named `__proto__` is a label. test/unit/proto-upstream.test.ts holds every schema
 * here to the upstream `.proto` files.
 */

type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'enum';

interface MapType {
	readonly map: readonly [key: 'string', value: ScalarType | MessageSchema];
}

export type FieldType = ScalarType | MessageSchema | MapType;

// Name, type and label are type parameters so a schema's TypeScript shape is read off the
// schema itself (see Decoded): a parser that names a field the schema lacks, or treats it
// as the wrong type, fails to compile instead of reading undefined.
export interface FieldSpec<N extends string = string, T extends FieldType = FieldType, R extends boolean = boolean> {
	readonly name: N;
	readonly type: T;
	readonly repeated: R;
}

export type FieldTable = Readonly<Record<number, FieldSpec>>;

export interface MessageSchema<F extends FieldTable = FieldTable> {
	readonly message: string;
	readonly fields: F;
}

type ScalarValue<T extends ScalarType> =
	T extends 'string' ? string
		: T extends 'bytes' ? Uint8Array
			: T extends 'bool' ? boolean
				// The codec keeps 64-bit integers exact (a nanosecond timestamp is past 2^53).
				: T extends 'int64' | 'uint64' ? bigint
					: number;

/** One value of a non-repeated field: an absent message decodes to null, an absent scalar to its zero value. */
type SingleValue<T> = T extends ScalarType ? ScalarValue<T> : T extends MessageSchema ? Decoded<T> | null : never;

type FieldValue<S extends FieldSpec> =
	S['type'] extends MapType ? Readonly<Record<string, SingleValue<S['type']['map'][1]>>>
		: S['repeated'] extends true ? readonly Exclude<SingleValue<S['type']>, null>[]
			: SingleValue<S['type']>;

type SpecsOf<S extends MessageSchema> = Extract<S['fields'][keyof S['fields']], FieldSpec>;

/** The names a schema gives its fields. */
export type FieldName<S extends MessageSchema> = SpecsOf<S>['name'];

/**
 * What decode() gives back for a schema. Every field is present, as the decoder fills in
 * proto3's defaults: '' / 0 / 0n / false / empty bytes for scalars, null for a message,
 * [] for a repeated field and an empty prototype-less object for a map.
 */
export type Decoded<S extends MessageSchema> = {
	readonly [F in SpecsOf<S> as F['name']]: FieldValue<F>;
};

type ScalarInput<T extends ScalarType> =
	T extends 'string' ? string
		: T extends 'bytes' ? Uint8Array
			: T extends 'bool' ? boolean
				// The encoder writes any integer from a number or a bigint.
				: number | bigint;

type SingleInput<T> = T extends ScalarType ? ScalarInput<T> : T extends MessageSchema ? Encodable<T> : never;

type FieldInput<S extends FieldSpec> =
	S['type'] extends MapType ? Readonly<Record<string, SingleInput<S['type']['map'][1]>>>
		: S['repeated'] extends true ? readonly SingleInput<S['type']>[]
			: SingleInput<S['type']>;

/**
 * A message as encode() takes it: the schema's fields by name, any of them left out (or
 * null) to be left off the wire. A request naming a field the schema lacks fails to compile.
 */
export type Encodable<S extends MessageSchema> = {
	readonly [F in SpecsOf<S> as F['name']]?: FieldInput<F> | null;
};

export class ProtobufError extends Error {
	override readonly name = 'ProtobufError';
}

export function message<const F extends FieldTable>(name: string, fields: F): MessageSchema<F> {
	return {message: name, fields};
}

export function field<const N extends string, const T extends FieldType>(name: N, type: T): FieldSpec<N, T, false>;
export function field<const N extends string, const T extends FieldType, const R extends boolean>(name: N, type: T, repeated: R): FieldSpec<N, T, R>;
export function field(name: string, type: FieldType, repeated = false): FieldSpec {
	return {name, type, repeated};
}

const isMessage = (type: FieldType): type is MessageSchema => typeof type === 'object' && 'message' in type;
const isMap = (type: FieldType): type is MapType => typeof type === 'object' && 'map' in type;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8', {fatal: false});

class Reader {
	position = 0;
	constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}

	varint(): bigint {
		let result = 0n;
		let shift = 0n;
		for (let i = 0; i < 10; i++) {
			if (this.position >= this.end) throw new ProtobufError('truncated varint');
			const byte = this.bytes[this.position++]!;
			result |= BigInt(byte & 0x7f) << shift;
			if ((byte & 0x80) === 0) return result;
			shift += 7n;
		}
		throw new ProtobufError('varint longer than 10 bytes');
	}

	/** Fast path for the common small varint (tags, lengths, pids). */
	smallVarint(): number {
		let result = 0;
		let multiplier = 1;
		for (let i = 0; i < 8; i++) {
			if (this.position >= this.end) throw new ProtobufError('truncated varint');
			const byte = this.bytes[this.position++]!;
			result += (byte & 0x7f) * multiplier;
			if ((byte & 0x80) === 0) return result;
			multiplier *= 128;
		}
		this.position -= 8;
		const big = this.varint();
		if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtobufError('length or tag out of range');
		return Number(big);
	}

	take(length: number): Uint8Array {
		if (length < 0 || this.position + length > this.end) {
			throw new ProtobufError(`field of ${length} bytes runs past the end of its message`);
		}
		const slice = this.bytes.subarray(this.position, this.position + length);
		this.position += length;
		return slice;
	}

	skip(wireType: number): void {
		switch (wireType) {
			case WIRE_VARINT: this.varint(); return;
			case WIRE_FIXED64: this.take(8); return;
			case WIRE_LENGTH: this.take(this.smallVarint()); return;
			case WIRE_FIXED32: this.take(4); return;
			default: throw new ProtobufError(`unsupported wire type ${wireType}`);
		}
	}
}

function defaultFor(spec: FieldSpec): unknown {
	if (spec.repeated) return [];
	const {type} = spec;
	// No prototype: a key such as `__proto__` or `constructor` is a label like any other.
	if (isMap(type)) return Object.create(null) as Record<string, unknown>;
	if (isMessage(type)) return null;
	switch (type) {
		case 'string': return '';
		case 'bytes': return new Uint8Array();
		case 'bool': return false;
		case 'int64':
		case 'uint64': return 0n;
		default: return 0;
	}
}

function toSigned32(value: bigint): number {
	return Number(BigInt.asIntN(32, value));
}

function decodeScalar(type: ScalarType, reader: Reader, wireType: number): unknown {
	if (type === 'string' || type === 'bytes') {
		if (wireType !== WIRE_LENGTH) throw new ProtobufError(`expected length-delimited ${type}, got wire type ${wireType}`);
		const bytes = reader.take(reader.smallVarint());
		return type === 'string' ? utf8.decode(bytes) : bytes.slice();
	}
	if (wireType !== WIRE_VARINT) throw new ProtobufError(`expected varint ${type}, got wire type ${wireType}`);
	const value = reader.varint();
	switch (type) {
		case 'bool': return value !== 0n;
		case 'int32':
		case 'enum': return toSigned32(value);
		case 'uint32': return Number(BigInt.asUintN(32, value));
		// 64-bit values stay exact: a CRI createdAt in nanoseconds is past 2^53.
		case 'int64': return BigInt.asIntN(64, value);
		case 'uint64': return BigInt.asUintN(64, value);
	}
}

function decodeValue(type: ScalarType | MessageSchema, reader: Reader, wireType: number, depth: number): unknown {
	if (isMessage(type)) {
		if (wireType !== WIRE_LENGTH) throw new ProtobufError(`expected message ${type.message}, got wire type ${wireType}`);
		const length = reader.smallVarint();
		const start = reader.position;
		reader.take(length);
		return decodeRange(type, reader.bytes, start, start + length, depth + 1);
	}
	return decodeScalar(type, reader, wireType);
}

const MAX_DEPTH = 32;

type Fields = Record<string, unknown>;

function decodeRange(schema: MessageSchema, bytes: Uint8Array, start: number, end: number, depth: number): Fields {
	if (depth > MAX_DEPTH) throw new ProtobufError('messages nested too deeply');
	const out: Fields = {};
	for (const spec of Object.values(schema.fields)) out[spec.name] = defaultFor(spec);
	const reader = new Reader(bytes, end);
	reader.position = start;
	while (reader.position < end) {
		const tag = reader.smallVarint();
		const fieldNumber = Math.floor(tag / 8);
		const wireType = tag & 7;
		if (fieldNumber === 0) throw new ProtobufError('field number 0');
		const spec = schema.fields[fieldNumber];
		if (!spec) {
			reader.skip(wireType);
			continue;
		}
		const {type} = spec;
		if (isMap(type)) {
			const entry = decodeValue(mapEntrySchema(type), reader, wireType, depth) as {key: string; value: unknown};
			(out[spec.name] as Record<string, unknown>)[entry.key] = entry.value;
		} else if (spec.repeated) {
			const list = out[spec.name] as unknown[];
			if (wireType === WIRE_LENGTH && !isMessage(type) && type !== 'string' && type !== 'bytes') {
				// Packed repeated scalars.
				const length = reader.smallVarint();
				const packedEnd = reader.position + length;
				if (packedEnd > end) throw new ProtobufError('packed field runs past the end of its message');
				const packed = new Reader(bytes, packedEnd);
				packed.position = reader.position;
				while (packed.position < packedEnd) list.push(decodeScalar(type, packed, WIRE_VARINT));
				reader.position = packedEnd;
			} else {
				list.push(decodeValue(type, reader, wireType, depth));
			}
		} else {
			out[spec.name] = decodeValue(type, reader, wireType, depth);
		}
	}
	return out;
}

const mapEntryCache = new WeakMap<MapType, MessageSchema>();

function mapEntrySchema(type: MapType): MessageSchema {
	let schema = mapEntryCache.get(type);
	if (!schema) {
		schema = message('MapEntry', {1: field('key', type.map[0]), 2: field('value', type.map[1])});
		mapEntryCache.set(type, schema);
	}
	return schema;
}

export function decode<S extends MessageSchema>(schema: S, bytes: Uint8Array): Decoded<S> {
	// The one cast: decodeRange fills exactly the fields of `schema`, each with a value of
	// its declared type or its default, which is what Decoded<S> spells out.
	return decodeRange(schema, bytes, 0, bytes.length, 0) as Decoded<S>;
}

// ---- encoding (requests, and the lab's own CRI client) --------------------------------

class Writer {
	private chunks: number[] = [];
	private buffers: Uint8Array[] = [];

	private flush(): void {
		if (this.chunks.length > 0) {
			this.buffers.push(Uint8Array.from(this.chunks));
			this.chunks = [];
		}
	}

	varint(value: bigint | number): void {
		let v = BigInt.asUintN(64, BigInt(value));
		while (v >= 0x80n) {
			this.chunks.push(Number(v & 0x7fn) | 0x80);
			v >>= 7n;
		}
		this.chunks.push(Number(v));
	}

	bytes(data: Uint8Array): void {
		this.varint(data.length);
		this.flush();
		this.buffers.push(data);
	}

	finish(): Uint8Array {
		this.flush();
		const total = this.buffers.reduce((sum, b) => sum + b.length, 0);
		const out = new Uint8Array(total);
		let offset = 0;
		for (const b of this.buffers) {
			out.set(b, offset);
			offset += b.length;
		}
		return out;
	}
}

const utf8Encoder = new TextEncoder();

function encodeValue(writer: Writer, fieldNumber: number, type: ScalarType | MessageSchema, value: unknown): void {
	if (isMessage(type)) {
		writer.varint(fieldNumber * 8 + WIRE_LENGTH);
		writer.bytes(encodeFields(type, (value ?? {}) as Readonly<Fields>));
		return;
	}
	switch (type) {
		case 'string':
			writer.varint(fieldNumber * 8 + WIRE_LENGTH);
			writer.bytes(utf8Encoder.encode(String(value)));
			return;
		case 'bytes':
			writer.varint(fieldNumber * 8 + WIRE_LENGTH);
			writer.bytes(value as Uint8Array);
			return;
		case 'bool':
			writer.varint(fieldNumber * 8 + WIRE_VARINT);
			writer.varint(value ? 1 : 0);
			return;
		default:
			writer.varint(fieldNumber * 8 + WIRE_VARINT);
			writer.varint(typeof value === 'bigint' ? value : Math.trunc(Number(value)));
	}
}

export function encode<S extends MessageSchema>(schema: S, value: Encodable<S>): Uint8Array {
	return encodeFields(schema, value);
}

function encodeFields(schema: MessageSchema, value: Readonly<Fields>): Uint8Array {
	const writer = new Writer();
	for (const [number, spec] of Object.entries(schema.fields)) {
		const fieldNumber = Number(number);
		const fieldValue = value[spec.name];
		if (fieldValue === undefined || fieldValue === null) continue;
		const {type} = spec;
		if (isMap(type)) {
			const entry = mapEntrySchema(type);
			for (const [key, entryValue] of Object.entries(fieldValue as Record<string, unknown>)) {
				encodeValue(writer, fieldNumber, entry, {key, value: entryValue});
			}
		} else if (spec.repeated) {
			for (const item of fieldValue as unknown[]) encodeValue(writer, fieldNumber, type, item);
		} else {
			encodeValue(writer, fieldNumber, type, fieldValue);
		}
	}
	return writer.finish();
}
