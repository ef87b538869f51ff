import {describe, expect, it} from 'vitest';
import {decode, encode, field, message, ProtobufError} from '../../source/protocol/protobuf.js';

const Inner = message('Inner', {1: field('name', 'string'), 2: field('n', 'uint32')});
const Outer = message('Outer', {
	1: field('id', 'string'),
	2: field('labels', {map: ['string', 'string']}),
	3: field('inner', Inner),
	4: field('items', Inner, true),
	5: field('flag', 'bool'),
	6: field('big', 'int64'),
	7: field('state', 'enum'),
	8: field('numbers', 'uint32', true),
	9: field('tags', 'string', true),
	10: field('unsigned', 'uint64'),
});

describe('protobuf codec', () => {
	it('round-trips every field kind', () => {
		const value = {
			id: 'abc', labels: {a: '1', 'io.kubernetes.pod.name': 'web'}, inner: {name: 'x', n: 7},
			items: [{name: 'p', n: 1}, {name: 'q', n: 300}], flag: true, big: 1_700_000_000_000n, state: 2,
			numbers: [1, 2, 150], tags: ['a', 'b'], unsigned: 18_446_744_073_709_551_615n,
		};
		expect(decode(Outer, encode(Outer, value))).toEqual(value);
	});

	it('fills proto3 defaults for absent fields', () => {
		expect(decode(Outer, new Uint8Array())).toEqual({
			id: '', labels: {}, inner: null, items: [], flag: false, big: 0n, state: 0, numbers: [], tags: [], unsigned: 0n,
		});
	});

	it('skips fields it does not know, as newer runtimes add them', () => {
		const Wider = message('Wider', {1: field('id', 'string'), 50: field('extra', 'string'), 51: field('n', 'uint64')});
		const bytes = encode(Wider, {id: 'x', extra: 'new', n: 5});
		expect(decode(Outer, bytes).id).toBe('x');
	});

	it('reads packed repeated scalars', () => {
		// field 8, wire type 2, 3 bytes: 1, 2, 3
		expect(decode(Outer, Uint8Array.from([0x42, 3, 1, 2, 3])).numbers).toEqual([1, 2, 3]);
	});

	it('refuses truncated and malformed input with ProtobufError', () => {
		const bytes = encode(Outer, {id: 'abcdef'});
		expect(() => decode(Outer, bytes.subarray(0, 4))).toThrow(ProtobufError);
		expect(() => decode(Outer, Uint8Array.from([0x0b]))).toThrow(ProtobufError); // wire type 3 (group)
		expect(() => decode(Outer, Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(ProtobufError);
		expect(() => decode(Outer, Uint8Array.from([0x0a, 0x05, 0x41]))).toThrow(/runs past the end/);
		expect(() => decode(Outer, Uint8Array.from([0x08, 0x01]))).toThrow(/expected length-delimited/);
	});

	it('keeps a map key named __proto__ or constructor as an ordinary entry', () => {
		// `{__proto__: …}` in a literal would set the prototype: define the key as data, as a wire decode must.
		const given = Object.defineProperty({constructor: 'c', toString: 't', ordinary: 'o'}, '__proto__', {value: 'evil', enumerable: true});
		const decoded = decode(Outer, encode(Outer, {labels: given}));
		const out = decoded.labels as Record<string, string>;
		expect(Object.getPrototypeOf(out)).toBeNull();
		expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor', 'ordinary', 'toString']);
		expect(out['__proto__']).toBe('evil');
		expect(JSON.stringify(out)).toContain('"__proto__":"evil"');
		// An absent key is absent, not Object.prototype's method.
		expect(out['hasOwnProperty']).toBeUndefined();
	});

	it('keeps 64-bit integers exact as bigint: a CRI createdAt in nanoseconds is past 2^53', () => {
		const createdAt = 1_764_213_551_123_456_789n; // 2025-11-27, in ns
		expect(createdAt > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
		expect(decode(Outer, encode(Outer, {big: createdAt})).big).toBe(createdAt);
		expect(decode(Outer, encode(Outer, {big: -5n})).big).toBe(-5n);
		// uint64 past int64's range reads as unsigned.
		expect(decode(Outer, Uint8Array.from([0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).unsigned).toBe(2n ** 64n - 1n);
		// The same bytes as int64 read as -1.
		expect(decode(Outer, Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).big).toBe(-1n);
	});

	it('bounds nesting depth', () => {
		const Node: {message: string; fields: Record<number, ReturnType<typeof field>>} = message('Node', {});
		Node.fields[1] = field('child', Node);
		let bytes: Uint8Array = new Uint8Array();
		// Each level wraps the last as field 1; 40 levels stay under 128 bytes, so one-byte lengths.
		for (let i = 0; i < 40; i++) bytes = Uint8Array.from([0x0a, bytes.length, ...bytes]);
		expect(() => decode(Node, bytes)).toThrow(/nested too deeply/);
	});
});
