/**
 * A small reader of `.proto` source text (proto3, as containerd and the CRI write it):
 * packages, messages (nested too), enums, oneofs and map fields, with every field's
 * name, number, type and label. Enough to hold crimon's hand-written schemas to the
 * upstream files in test/fixtures/proto; services, options and reserved ranges are
 * skipped. Test support only: crimon itself never reads .proto files.
 */

export interface ProtoField {
	readonly name: string;
	readonly number: number;
	/** A scalar (`string`, `uint32`, …), the full name of a message or enum, or `unresolved:NAME` for one the fixtures lack. */
	readonly type: string;
	readonly repeated: boolean;
	/** For `map<K, V>`: its key and value types, resolved like `type`. */
	readonly map?: readonly [key: string, value: string];
}

export interface ProtoMessage {
	readonly fullName: string;
	readonly file: string;
	readonly fields: ReadonlyMap<number, ProtoField>;
}

export interface ProtoRegistry {
	readonly messages: ReadonlyMap<string, ProtoMessage>;
	readonly enums: ReadonlySet<string>;
}

export const PROTO_SCALARS = new Set([
	'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
	'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

class ProtoSyntaxError extends Error {
	override readonly name = 'ProtoSyntaxError';
}

function tokenize(text: string): string[] {
	const tokens: string[] = [];
	const pattern = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_.][\w.]*|-?\d[\w.+-]*|[{}[\]<>()=;,:]/gy;
	for (let at = 0; at < text.length; at = pattern.lastIndex) {
		pattern.lastIndex = at;
		const match = pattern.exec(text);
		if (!match) throw new ProtoSyntaxError(`cannot read .proto text at ${JSON.stringify(text.slice(at, at + 20))}`);
		const token = match[0];
		if (!/^\s/.test(token) && !token.startsWith('//') && !token.startsWith('/*')) tokens.push(token);
	}
	return tokens;
}

interface RawField {
	readonly name: string;
	readonly number: number;
	readonly type: string;
	readonly repeated: boolean;
	readonly map?: readonly [string, string];
}

interface RawMessage {
	readonly fullName: string;
	readonly file: string;
	readonly fields: RawField[];
}

/** Reads one file's declarations into the raw lists; type names are resolved later, across files. */
function readFile(file: string, text: string, messages: RawMessage[], enums: Set<string>): void {
	const tokens = tokenize(text);
	let at = 0;
	const peek = () => tokens[at];
	const next = (): string => {
		const token = tokens[at++];
		if (token === undefined) throw new ProtoSyntaxError(`${file}: unexpected end of file`);
		return token;
	};
	const expect = (want: string) => {
		const got = next();
		if (got !== want) throw new ProtoSyntaxError(`${file}: expected ${want}, found ${got}`);
	};
	const skipStatement = () => {
		while (next() !== ';');
	};
	const skipBlock = () => {
		// From just after a `{` to its matching `}`.
		for (let depth = 1; depth > 0;) {
			const token = next();
			if (token === '{') depth++;
			else if (token === '}') depth--;
		}
	};
	const skipOptions = () => {
		if (peek() !== '[') return;
		let depth = 0;
		do {
			const token = next();
			if (token === '[') depth++;
			else if (token === ']') depth--;
		} while (depth > 0);
	};

	let pkg = '';
	const readField = (label: string | null, first: string): RawField => {
		let type = first;
		let map: [string, string] | undefined;
		if (type === 'map') {
			expect('<');
			const key = next();
			expect(',');
			const value = next();
			expect('>');
			map = [key, value];
		}
		const name = next();
		expect('=');
		const number = Number(next());
		if (!Number.isInteger(number)) throw new ProtoSyntaxError(`${file}: field ${name} has no number`);
		skipOptions();
		expect(';');
		return {name, number, type, repeated: label === 'repeated', ...(map ? {map} : {})};
	};

	const readMessage = (scope: string) => {
		const fullName = `${scope}.${next()}`;
		expect('{');
		const message: RawMessage = {fullName, file, fields: []};
		messages.push(message);
		for (;;) {
			const token = next();
			if (token === '}') return;
			if (token === ';') continue;
			if (token === 'message') readMessage(fullName);
			else if (token === 'enum') readEnum(fullName);
			else if (token === 'option' || token === 'reserved' || token === 'extensions') skipStatement();
			else if (token === 'extend') {
				next();
				expect('{');
				skipBlock();
			} else if (token === 'oneof') {
				next();
				expect('{');
				for (let inner = next(); inner !== '}'; inner = next()) {
					if (inner === 'option') skipStatement();
					else message.fields.push(readField(null, inner));
				}
			} else if (token === 'repeated' || token === 'optional' || token === 'required') message.fields.push(readField(token, next()));
			else message.fields.push(readField(null, token));
		}
	};
	const readEnum = (scope: string) => {
		enums.add(`${scope}.${next()}`);
		expect('{');
		skipBlock();
	};

	while (at < tokens.length) {
		const token = next();
		if (token === 'package') {
			pkg = next();
			expect(';');
		} else if (token === 'syntax' || token === 'edition' || token === 'import' || token === 'option') skipStatement();
		else if (token === 'message') readMessage(pkg);
		else if (token === 'enum') readEnum(pkg);
		else if (token === 'service' || token === 'extend') {
			next();
			expect('{');
			skipBlock();
		} else if (token !== ';') throw new ProtoSyntaxError(`${file}: unexpected ${token} at top level`);
	}
}

/** Resolves a type as protoc does: innermost scope first, then outwards; a leading dot is absolute. */
function resolve(type: string, scope: string, known: (name: string) => boolean, where: string): string {
	if (PROTO_SCALARS.has(type)) return type;
	if (type.startsWith('.')) return type.slice(1);
	const parts = scope.split('.');
	for (let i = parts.length; i >= 0; i--) {
		const candidate = [...parts.slice(0, i), type].join('.');
		if (known(candidate)) return candidate;
	}
	// Imports the fixtures do not carry (FieldMask, descriptors…): kept by name, never matched.
	void where;
	return `unresolved:${type}`;
}

/** Reads every file, then resolves each field's type to a scalar or a full message/enum name. */
export function readProtoFiles(files: ReadonlyMap<string, string>): ProtoRegistry {
	const raw: RawMessage[] = [];
	const enums = new Set<string>();
	for (const [file, text] of files) readFile(file, text, raw, enums);
	const names = new Set(raw.map((m) => m.fullName));
	const known = (name: string) => names.has(name) || enums.has(name);
	const messages = new Map<string, ProtoMessage>();
	for (const message of raw) {
		if (messages.has(message.fullName)) throw new ProtoSyntaxError(`${message.fullName} is defined twice (${messages.get(message.fullName)!.file}, ${message.file})`);
		const fields = new Map<number, ProtoField>();
		for (const field of message.fields) {
			const where = `${message.fullName}.${field.name}`;
			if (fields.has(field.number)) throw new ProtoSyntaxError(`${where}: number ${field.number} is used twice`);
			if (field.map) {
				const map = [resolve(field.map[0], message.fullName, known, where), resolve(field.map[1], message.fullName, known, where)] as const;
				fields.set(field.number, {name: field.name, number: field.number, type: 'map', repeated: false, map});
			} else {
				fields.set(field.number, {name: field.name, number: field.number, type: resolve(field.type, message.fullName, known, where), repeated: field.repeated});
			}
		}
		messages.set(message.fullName, {fullName: message.fullName, file: message.file, fields});
	}
	return {messages, enums};
}
