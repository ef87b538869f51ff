/**
 * Holds crimon's hand-written protobuf schemas (source/protocol/*-api.ts) to the upstream
 * `.proto` text: every field crimon declares must exist upstream under the same number,
 * with the same name (upstream's snake_case is crimon's camelCase), type and label;
 * nested message schemas are followed. Fields crimon leaves out are fine: the codec skips
 * unknown fields.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {FieldType, MessageSchema} from '../../source/protocol/protobuf.js';
import {readProtoFiles, type ProtoRegistry} from './proto-text.js';

export const PROTO_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'proto');

/** Every .proto under test/fixtures/proto, read into one registry (each file declares its own package). */
export function upstreamRegistry(root = PROTO_FIXTURES): ProtoRegistry {
	const files = new Map<string, string>();
	for (const file of fs.readdirSync(root, {recursive: true, encoding: 'utf8'}).sort()) {
		if (file.endsWith('.proto')) files.set(file, fs.readFileSync(path.join(root, file), 'utf8'));
	}
	return readProtoFiles(files);
}

export function isMessageSchema(value: unknown): value is MessageSchema {
	return typeof value === 'object' && value !== null && typeof (value as {message?: unknown}).message === 'string'
		&& typeof (value as {fields?: unknown}).fields === 'object';
}

/** The message schemas a module exports (an `*-api.ts` namespace import). */
export function exportedSchemas(module: Readonly<Record<string, unknown>>): MessageSchema[] {
	return Object.values(module).filter(isMessageSchema);
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export interface DiffResult {
	readonly problems: string[];
	/** `Message.field` for every field compared, so a test can say how many it checked. */
	readonly checked: string[];
}

/**
 * Compares schemas (and every schema they reach) with the registry. `upstreamName` maps a
 * crimon message name to upstream's (the CRI's v1alpha2 shares v1's schemas).
 */
export function diffSchemas(schemas: readonly MessageSchema[], registry: ProtoRegistry, upstreamName: (name: string) => string = (n) => n): DiffResult {
	const problems: string[] = [];
	const checked: string[] = [];
	const seen = new Set<MessageSchema>();
	const queue = [...schemas];

	const typeProblem = (crimon: Exclude<FieldType, {map: unknown}>, upstream: string): string | null => {
		if (typeof crimon === 'object') {
			queue.push(crimon);
			const want = upstreamName(crimon.message);
			return upstream === want ? null : `is message ${want} in crimon, ${upstream} upstream`;
		}
		if (crimon === 'enum') return registry.enums.has(upstream) ? null : `is an enum in crimon, ${upstream} upstream`;
		return crimon === upstream ? null : `is ${crimon} in crimon, ${upstream} upstream`;
	};

	while (queue.length > 0) {
		const schema = queue.shift()!;
		if (seen.has(schema)) continue;
		seen.add(schema);
		const name = upstreamName(schema.message);
		const upstream = registry.messages.get(name);
		if (!upstream) {
			problems.push(`${name}: no such message upstream`);
			continue;
		}
		for (const [number, spec] of Object.entries(schema.fields)) {
			const where = `${name} field ${number} (${spec.name})`;
			checked.push(`${name}.${spec.name}`);
			const field = upstream.fields.get(Number(number));
			if (!field) {
				problems.push(`${where}: no field ${number} upstream`);
				continue;
			}
			if (camel(field.name) !== spec.name) problems.push(`${where}: upstream calls field ${number} ${field.name}`);
			const {type} = spec;
			if (typeof type === 'object' && 'map' in type) {
				if (!field.map) {
					problems.push(`${where}: is a map in crimon, ${field.repeated ? 'repeated ' : ''}${field.type} upstream`);
					continue;
				}
				if (type.map[0] !== field.map[0]) problems.push(`${where}: map key is ${type.map[0]} in crimon, ${field.map[0]} upstream`);
				const value = typeProblem(type.map[1], field.map[1]);
				if (value) problems.push(`${where}: map value ${value}`);
				continue;
			}
			if (field.map) {
				problems.push(`${where}: is a map upstream`);
				continue;
			}
			const problem = typeProblem(type, field.type);
			if (problem) problems.push(`${where}: ${problem}`);
			if ((spec.repeated ?? false) !== field.repeated) problems.push(`${where}: ${field.repeated ? 'repeated' : 'single'} upstream, ${spec.repeated ? 'repeated' : 'single'} in crimon`);
		}
	}
	return {problems, checked};
}
